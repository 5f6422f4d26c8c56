/**
 * A small, independent evaluator of the Query DSL subset the Elasticsearch store's log reader
 * sends (match_all, match_none, bool filter/must/should/must_not, term, terms, range, regexp
 * with flags NONE and case_insensitive) over one document, with Lucene's regexp semantics as
 * Elasticsearch 8 (Lucene 9) has them: the pattern matches the whole term, `.` any code
 * point (a newline too), `\c` the character c, `"…"` a literal string, `()` the empty
 * string; `case_insensitive` folds single ASCII characters (also single characters in a
 * class) but not ranges. Strict: anything outside the subset, or a regexp Lucene would
 * reject (an empty branch such as `a|`), throws, so that a translation bug shows.
 *
 * Written for the property tests of log-query-dsl.ts; not the test server (test/es-server).
 */

export function documentMatches(query: unknown, document: object): boolean {
  const doc = document as Readonly<Record<string, unknown>>;
  const q = asObject(query, "query");
  const keys = Object.keys(q);
  if (keys.length !== 1) throw new Error(`a query has one kind, not ${JSON.stringify(keys)}`);
  const kind = keys[0]!;
  const body = q[kind];
  switch (kind) {
    case "match_all":
      return true;
    case "match_none":
      return false;
    case "bool":
      return boolMatches(asObject(body, "bool"), doc);
    case "term": {
      const [field, spec] = single(body, "term");
      const value = typeof spec === "object" && spec !== null ? (spec as { value: unknown }).value : spec;
      return sameValue(doc[field], value);
    }
    case "terms": {
      const [field, values] = single(body, "terms");
      if (!Array.isArray(values)) throw new Error("terms: a list of values");
      return values.some((v) => sameValue(doc[field], v));
    }
    case "range": {
      const [field, spec] = single(body, "range");
      const r = asObject(spec, "range");
      const v = doc[field];
      if (typeof v !== "number") return false;
      for (const [op, bound] of Object.entries(r)) {
        if (typeof bound !== "number") throw new Error(`range: ${op} must be a number`);
        const ok = op === "gt" ? v > bound : op === "gte" ? v >= bound : op === "lt" ? v < bound : op === "lte" ? v <= bound : undefined;
        if (ok === undefined) throw new Error(`range: unknown bound ${op}`);
        if (!ok) return false;
      }
      return true;
    }
    case "regexp": {
      const [field, spec] = single(body, "regexp");
      const r = asObject(spec, "regexp");
      for (const k of Object.keys(r)) if (!["value", "flags", "case_insensitive"].includes(k)) throw new Error(`regexp: option ${k} not in the subset`);
      if (r.flags !== "NONE") throw new Error("regexp: the subset sends flags NONE");
      if (typeof r.value !== "string") throw new Error("regexp: value must be a string");
      const v = doc[field];
      return typeof v === "string" && luceneRegexpTest(r.value, r.case_insensitive === true)(v);
    }
    default:
      throw new Error(`query kind ${kind} not in the subset`);
  }
}

function boolMatches(b: Record<string, unknown>, doc: object): boolean {
  for (const k of Object.keys(b))
    if (!["filter", "must", "should", "must_not", "minimum_should_match"].includes(k)) throw new Error(`bool: ${k} not in the subset`);
  const list = (k: string): unknown[] => {
    const v = b[k];
    if (v === undefined) return [];
    return Array.isArray(v) ? v : [v];
  };
  if (!list("filter").every((q) => documentMatches(q, doc))) return false;
  if (!list("must").every((q) => documentMatches(q, doc))) return false;
  if (list("must_not").some((q) => documentMatches(q, doc))) return false;
  const should = list("should");
  if (should.length === 0) return true;
  const explicit = b.minimum_should_match;
  const min = typeof explicit === "number" ? explicit : list("filter").length + list("must").length > 0 ? 0 : 1;
  return should.filter((q) => documentMatches(q, doc)).length >= min;
}

function sameValue(stored: unknown, value: unknown): boolean {
  if (typeof stored === "number" && typeof value === "number") return stored === value;
  if (typeof stored === "string" && typeof value === "string") return stored === value;
  return false;
}

function asObject(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error(`${what}: an object expected, not ${JSON.stringify(v)}`);
  return v as Record<string, unknown>;
}

function single(v: unknown, what: string): [string, unknown] {
  const entries = Object.entries(asObject(v, what));
  if (entries.length !== 1) throw new Error(`${what}: one field`);
  return entries[0]!;
}

// ---------------------------------------------------------------------------------------------
// Lucene regexp (flags NONE) compiled to a JavaScript RegExp over code points

/** A test of whole terms against a Lucene regexp. */
export function luceneRegexpTest(value: string, caseInsensitive: boolean): (text: string) => boolean {
  const source = new LuceneToJs(value, caseInsensitive).compile();
  const re = new RegExp(`^(?:${source})$`, "u");
  return (text) => re.test(text);
}

class LuceneToJs {
  private readonly cps: string[];
  private i = 0;

  constructor(
    private readonly value: string,
    private readonly fold: boolean,
  ) {
    this.cps = Array.from(value);
  }

  compile(): string {
    const s = this.union();
    if (this.i !== this.cps.length) throw this.error("unexpected character");
    return s;
  }

  private error(what: string): Error {
    return new Error(`Lucene regexp ${JSON.stringify(this.value)} at ${this.i}: ${what}`);
  }

  private peek(): string | undefined {
    return this.cps[this.i];
  }

  private next(): string {
    const c = this.cps[this.i++];
    if (c === undefined) throw this.error("unexpected end");
    return c;
  }

  private union(): string {
    const branches = [this.concat()];
    while (this.peek() === "|") {
      this.i++;
      branches.push(this.concat());
    }
    return branches.join("|");
  }

  private concat(): string {
    let s = "";
    let n = 0;
    for (let c = this.peek(); c !== undefined && c !== "|" && c !== ")"; c = this.peek()) {
      s += this.repeat();
      n++;
    }
    if (n === 0) throw this.error("empty expression (Lucene needs `()`)");
    return s;
  }

  private repeat(): string {
    let s = this.simple();
    for (;;) {
      const c = this.peek();
      if (c === "*" || c === "+" || c === "?") {
        this.i++;
        s = `(?:${s})${c}`;
      } else if (c === "{") {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(this.cps.slice(this.i).join(""));
        if (m === null) throw this.error("bad repetition");
        this.i += m[0].length;
        s = `(?:${s})${m[0]}`;
      } else return s;
    }
  }

  private simple(): string {
    const c = this.next();
    switch (c) {
      case ".":
        return "[^]";
      case "(": {
        if (this.peek() === ")") {
          this.i++;
          return "(?:)";
        }
        const inner = this.union();
        if (this.next() !== ")") throw this.error("`)` expected");
        return `(?:${inner})`;
      }
      case '"': {
        let s = "";
        for (let d = this.next(); d !== '"'; d = this.next()) s += this.char(d);
        return `(?:${s})`;
      }
      case "[":
        return this.charClass();
      case "\\":
        return this.char(this.next());
      case "*":
      case "+":
      case "?":
      case "{":
      case "}":
      case "]":
      case "|":
      case ")":
      case "@":
      case "<":
      case ">":
      case "#":
      case "&":
      case "~":
        // Literal in Lucene with flags NONE (or an error), but never written unescaped by the store.
        throw this.error(`unescaped ${c}`);
      default:
        return this.char(c);
    }
  }

  /** A single character: folded (ASCII only) when case-insensitive. */
  private char(c: string): string {
    return `[${this.classChar(c)}]`;
  }

  private classChar(c: string): string {
    const cp = c.codePointAt(0)!;
    const own = `\\u{${cp.toString(16)}}`;
    if (!this.fold || cp >= 128) return own;
    const other = c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase();
    return other === c ? own : `${own}\\u{${other.codePointAt(0)!.toString(16)}}`;
  }

  private charClass(): string {
    let negate = false;
    if (this.peek() === "^") {
      negate = true;
      this.i++;
    }
    let body = "";
    let n = 0;
    while (this.peek() !== "]") {
      let lo = this.next();
      if (lo === "\\") lo = this.next();
      else if (lo === "[" || lo === "^" || lo === "-") throw this.error(`unescaped ${lo} in a class`);
      if (this.peek() === "-") {
        this.i++;
        let hi = this.next();
        if (hi === "\\") hi = this.next();
        if (hi.codePointAt(0)! < lo.codePointAt(0)!) throw this.error("range out of order");
        // Ranges are not folded by Lucene's case_insensitive.
        body += `\\u{${lo.codePointAt(0)!.toString(16)}}-\\u{${hi.codePointAt(0)!.toString(16)}}`;
      } else body += this.classChar(lo);
      n++;
    }
    this.i++;
    if (n === 0) throw this.error("empty class");
    return `[${negate ? "^" : ""}${body}]`;
  }
}
