/**
 * Lucene's regular expression syntax (org.apache.lucene.util.automaton.RegExp, as used by
 * Elasticsearch 8.x's `regexp` query), written from its documented grammar:
 *
 *   union   ::= inter ( '|' union )?
 *   inter   ::= concat ( '&' inter )?              (INTERSECTION)
 *   concat  ::= repeat concat?
 *   repeat  ::= compl ( '?' | '*' | '+' | '{n}' | '{n,}' | '{n,m}' )*
 *   compl   ::= '~' compl                          (COMPLEMENT)
 *             | charclass
 *   charclass ::= '[' '^'? ( c | c '-' c | \d \s \w ... )+ ']' | simple
 *   simple  ::= '.' | '#' (EMPTY) | '@' (ANYSTRING) | '"' literal '"' | '(' ')' | '(' union ')'
 *             | '<' n '-' m '>' (INTERVAL) | '\' c | c
 *
 * The expression is anchored (it must match the whole term). With a flag off, its operator
 * character is an ordinary character. `case_insensitive` folds ASCII letters only, and only
 * single characters and quoted strings, never ranges: `[a-c]` does not match `B` (Lucene 9,
 * hence Elasticsearch 8; apache/lucene#14378). `\d \D \s \S \w \W` are the shorthand classes
 * Lucene accepts since 8.6.
 *
 * Matching is by sets of positions over the term's code points rather than by a compiled
 * automaton: small, exact for `~` and `&`, and fast enough for test-sized data.
 */

export const RegexpFlag = {
  INTERSECTION: 0x0001,
  COMPLEMENT: 0x0002,
  EMPTY: 0x0004,
  ANYSTRING: 0x0008,
  AUTOMATON: 0x0010,
  INTERVAL: 0x0020,
  NONE: 0,
  ALL: 0xffff,
} as const;

export class RegexpSyntaxError extends Error {}

/** `flags` of a regexp query ("ALL", "NONE", "INTERSECTION|COMPLEMENT", ...) to bits; throws on an unknown name. */
export function parseRegexpFlags(flags: string): number {
  let bits = 0;
  for (const raw of flags.split("|")) {
    const name = raw.trim().toUpperCase();
    if (name === "") continue;
    if (name === "AUTOMATON" || !(name in RegexpFlag)) throw new RegexpSyntaxError(`Unknown regexp flag [${raw.trim()}]`);
    bits |= RegexpFlag[name as keyof typeof RegexpFlag];
  }
  return flags.trim() === "" ? RegexpFlag.ALL : bits;
}

type Range = readonly [from: number, to: number];

type Node =
  | { readonly k: "set"; readonly ranges: readonly Range[]; readonly negate: boolean }
  | { readonly k: "any" }
  | { readonly k: "string"; readonly cps: readonly number[] }
  | { readonly k: "nothing" }
  | { readonly k: "anystring" }
  | { readonly k: "interval"; readonly min: bigint; readonly max: bigint; readonly digits: number }
  | { readonly k: "concat"; readonly parts: readonly Node[] }
  | { readonly k: "union"; readonly alts: readonly Node[] }
  | { readonly k: "inter"; readonly a: Node; readonly b: Node }
  | { readonly k: "compl"; readonly a: Node }
  | { readonly k: "repeat"; readonly a: Node; readonly min: number; readonly max: number }; // max -1 = unbounded

const A_LOWER = 0x61;
const Z_LOWER = 0x7a;
const A_UPPER = 0x41;
const Z_UPPER = 0x5a;

/** The ASCII other-case of a letter, or undefined. */
function asciiOtherCase(c: number): number | undefined {
  if (c >= A_LOWER && c <= Z_LOWER) return c - 32;
  if (c >= A_UPPER && c <= Z_UPPER) return c + 32;
  return undefined;
}

const DIGIT: readonly Range[] = [[0x30, 0x39]];
const SPACE: readonly Range[] = [
  [0x09, 0x0d],
  [0x20, 0x20],
];
const WORD: readonly Range[] = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
];
const MAX_CP = 0x10ffff;

function complementRanges(ranges: readonly Range[]): Range[] {
  const sorted = [...ranges].sort((x, y) => x[0] - y[0]);
  const out: Range[] = [];
  let next = 0;
  for (const [from, to] of sorted) {
    if (from > next) out.push([next, from - 1]);
    next = Math.max(next, to + 1);
  }
  if (next <= MAX_CP) out.push([next, MAX_CP]);
  return out;
}

function shorthand(c: number): readonly Range[] | undefined {
  switch (String.fromCodePoint(c)) {
    case "d":
      return DIGIT;
    case "D":
      return complementRanges(DIGIT);
    case "s":
      return SPACE;
    case "S":
      return complementRanges(SPACE);
    case "w":
      return WORD;
    case "W":
      return complementRanges(WORD);
    default:
      return undefined;
  }
}

class Parser {
  private pos = 0;
  private readonly cps: number[];

  constructor(
    pattern: string,
    private readonly flags: number,
    private readonly caseInsensitive: boolean,
  ) {
    this.cps = Array.from(pattern, (ch) => ch.codePointAt(0) ?? 0);
  }

  parse(): Node {
    if (this.cps.length === 0) return { k: "string", cps: [] };
    const e = this.union();
    if (this.pos < this.cps.length) throw new RegexpSyntaxError(`end-of-string expected at position ${this.pos}`);
    return e;
  }

  private more(): boolean {
    return this.pos < this.cps.length;
  }
  private peek(chars: string): boolean {
    return this.more() && chars.includes(String.fromCodePoint(this.cps[this.pos] ?? 0));
  }
  private match(ch: string): boolean {
    if (this.more() && this.cps[this.pos] === ch.codePointAt(0)) {
      this.pos++;
      return true;
    }
    return false;
  }
  private next(): number {
    if (!this.more()) throw new RegexpSyntaxError("unexpected end-of-string");
    return this.cps[this.pos++] ?? 0;
  }
  private on(flag: number): boolean {
    return (this.flags & flag) !== 0;
  }

  private union(): Node {
    const first = this.inter();
    if (!this.match("|")) return first;
    const rest = this.union();
    return { k: "union", alts: rest.k === "union" ? [first, ...rest.alts] : [first, rest] };
  }

  private inter(): Node {
    const e = this.concat();
    if (this.on(RegexpFlag.INTERSECTION) && this.match("&")) return { k: "inter", a: e, b: this.inter() };
    return e;
  }

  private concat(): Node {
    const parts: Node[] = [this.repeat()];
    while (this.more() && !this.peek(")|") && !(this.on(RegexpFlag.INTERSECTION) && this.peek("&"))) parts.push(this.repeat());
    return parts.length === 1 ? (parts[0] as Node) : { k: "concat", parts };
  }

  private repeat(): Node {
    let e = this.compl();
    while (this.peek("?*+{")) {
      if (this.match("?")) e = { k: "repeat", a: e, min: 0, max: 1 };
      else if (this.match("*")) e = { k: "repeat", a: e, min: 0, max: -1 };
      else if (this.match("+")) e = { k: "repeat", a: e, min: 1, max: -1 };
      else if (this.match("{")) {
        const n = this.integer();
        let m = n;
        if (this.match(",")) m = this.peek("0123456789") ? this.integer() : -1;
        if (!this.match("}")) throw new RegexpSyntaxError(`expected '}' at position ${this.pos}`);
        if (m !== -1 && n > m) throw new RegexpSyntaxError(`invalid repetition range(out of order): ${n}..${m}`);
        e = { k: "repeat", a: e, min: n, max: m };
      }
    }
    return e;
  }

  private integer(): number {
    const start = this.pos;
    while (this.peek("0123456789")) this.pos++;
    if (start === this.pos) throw new RegexpSyntaxError(`integer expected at position ${this.pos}`);
    return Number(String.fromCodePoint(...this.cps.slice(start, this.pos)));
  }

  private compl(): Node {
    if (this.on(RegexpFlag.COMPLEMENT) && this.match("~")) return { k: "compl", a: this.compl() };
    return this.charClass();
  }

  private charClass(): Node {
    if (!this.match("[")) return this.simple();
    const negate = this.match("^");
    const ranges: Range[] = [];
    do {
      // a class member: a shorthand, a range, or one (case-folded) character
      if (this.match("\\")) {
        const c = this.next();
        const sh = shorthand(c);
        if (sh) {
          ranges.push(...sh);
          continue;
        }
        this.member(c, ranges);
      } else this.member(this.next(), ranges);
    } while (this.more() && !this.peek("]"));
    if (!this.match("]")) throw new RegexpSyntaxError(`expected ']' at position ${this.pos}`);
    return { k: "set", ranges, negate };
  }

  private member(c: number, ranges: Range[]): void {
    if (this.match("-")) {
      const d = this.match("\\") ? this.next() : this.next();
      if (c > d) throw new RegexpSyntaxError(`invalid range: from (${c}) cannot be > to (${d})`);
      ranges.push([c, d]);
      return;
    }
    ranges.push(...this.oneChar(c));
  }

  private oneChar(c: number): Range[] {
    const other = this.caseInsensitive ? asciiOtherCase(c) : undefined;
    return other === undefined
      ? [[c, c]]
      : [
          [c, c],
          [other, other],
        ];
  }

  private simple(): Node {
    if (this.match(".")) return { k: "any" };
    if (this.on(RegexpFlag.EMPTY) && this.match("#")) return { k: "nothing" };
    if (this.on(RegexpFlag.ANYSTRING) && this.match("@")) return { k: "anystring" };
    if (this.match('"')) {
      const start = this.pos;
      while (this.more() && !this.peek('"')) this.pos++;
      if (!this.match('"')) throw new RegexpSyntaxError(`expected '"' at position ${this.pos}`);
      return this.literal(this.cps.slice(start, this.pos - 1));
    }
    if (this.match("(")) {
      if (this.match(")")) return { k: "string", cps: [] };
      const e = this.union();
      if (!this.match(")")) throw new RegexpSyntaxError(`expected ')' at position ${this.pos}`);
      return e;
    }
    if ((this.on(RegexpFlag.INTERVAL) || this.on(RegexpFlag.AUTOMATON)) && this.match("<")) return this.interval();
    if (this.match("\\")) {
      const c = this.next();
      const sh = shorthand(c);
      return sh ? { k: "set", ranges: sh, negate: false } : { k: "set", ranges: this.oneChar(c), negate: false };
    }
    return { k: "set", ranges: this.oneChar(this.next()), negate: false };
  }

  private literal(cps: number[]): Node {
    if (!this.caseInsensitive) return { k: "string", cps };
    return { k: "concat", parts: cps.map((c) => ({ k: "set", ranges: this.oneChar(c), negate: false })) };
  }

  private interval(): Node {
    const start = this.pos;
    while (this.more() && !this.peek(">")) this.pos++;
    if (!this.match(">")) throw new RegexpSyntaxError(`expected '>' at position ${this.pos}`);
    const body = String.fromCodePoint(...this.cps.slice(start, this.pos - 1));
    const dash = body.indexOf("-");
    if (dash === -1 || !this.on(RegexpFlag.INTERVAL)) throw new RegexpSyntaxError(`interval syntax error at position ${start - 1}`);
    if (dash === 0 || dash === body.length - 1 || dash !== body.lastIndexOf("-")) throw new RegexpSyntaxError(`interval syntax error at position ${start - 1}`);
    const smin = body.slice(0, dash);
    const smax = body.slice(dash + 1);
    if (!/^[0-9]+$/.test(smin) || !/^[0-9]+$/.test(smax)) throw new RegexpSyntaxError(`interval syntax error at position ${start - 1}`);
    let min = BigInt(smin);
    let max = BigInt(smax);
    if (min > max) [min, max] = [max, min];
    return { k: "interval", min, max, digits: smin.length === smax.length ? smin.length : 0 };
  }
}

/** Position sets: bit i set = "the match can stand at code point i". */
type Positions = Uint8Array;

class Matcher {
  constructor(private readonly cps: readonly number[]) {}

  private empty(): Positions {
    return new Uint8Array(this.cps.length + 1);
  }

  private single(i: number): Positions {
    const p = this.empty();
    p[i] = 1;
    return p;
  }

  /** Every end position reachable from any start position in `from` through `n`. */
  step(n: Node, from: Positions): Positions {
    const len = this.cps.length;
    const out = this.empty();
    switch (n.k) {
      case "any":
      case "set":
        for (let i = 0; i < len; i++) if (from[i] && (n.k === "any" || inSet(n, this.cps[i] ?? 0))) out[i + 1] = 1;
        return out;
      case "string":
        for (let i = 0; i + n.cps.length <= len; i++) {
          if (!from[i]) continue;
          let ok = true;
          for (let j = 0; j < n.cps.length && ok; j++) ok = this.cps[i + j] === n.cps[j];
          if (ok) out[i + n.cps.length] = 1;
        }
        return out;
      case "nothing":
        return out;
      case "anystring": {
        let reached = false;
        for (let i = 0; i <= len; i++) {
          reached = reached || from[i] === 1;
          if (reached) out[i] = 1;
        }
        return out;
      }
      case "interval":
        for (let i = 0; i < len; i++) {
          if (!from[i]) continue;
          for (let j = i + 1; j <= len && isDigit(this.cps[j - 1] ?? 0); j++) {
            if (n.digits > 0 && j - i !== n.digits) continue;
            const v = BigInt(String.fromCodePoint(...this.cps.slice(i, j)));
            if (v >= n.min && v <= n.max) out[j] = 1;
          }
        }
        return out;
      case "concat":
        return n.parts.reduce((cur, part) => this.step(part, cur), from);
      case "union":
        for (const alt of n.alts) orInto(out, this.step(alt, from));
        return out;
      case "inter":
      case "compl":
        // both need the ends of one start at a time: [i, j) must (not) match as a whole
        for (let i = 0; i <= len; i++) {
          if (!from[i]) continue;
          const a = this.step(n.a, this.single(i));
          if (n.k === "inter") {
            const b = this.step(n.b, this.single(i));
            for (let j = i; j <= len; j++) if (a[j] && b[j]) out[j] = 1;
          } else for (let j = i; j <= len; j++) if (!a[j]) out[j] = 1;
        }
        return out;
      case "repeat": {
        let cur = from;
        for (let k = 0; k < n.min; k++) cur = this.step(n.a, cur);
        const result = Uint8Array.from(cur);
        if (n.max === -1) {
          let frontier = cur;
          for (;;) {
            const next = this.step(n.a, frontier);
            const fresh = this.empty();
            let any = false;
            for (let j = 0; j <= len; j++)
              if (next[j] && !result[j]) {
                fresh[j] = 1;
                result[j] = 1;
                any = true;
              }
            if (!any) return result;
            frontier = fresh;
          }
        }
        for (let k = n.min; k < n.max; k++) {
          cur = this.step(n.a, cur);
          if (!orInto(result, cur)) break;
        }
        return result;
      }
    }
  }
}

function inSet(n: { ranges: readonly Range[]; negate: boolean }, c: number): boolean {
  let hit = false;
  for (const [from, to] of n.ranges)
    if (c >= from && c <= to) {
      hit = true;
      break;
    }
  return hit !== n.negate;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** ORs b into a; true when b had any position set. */
function orInto(a: Positions, b: Positions): boolean {
  let any = false;
  for (let j = 0; j < a.length; j++)
    if (b[j]) {
      a[j] = 1;
      any = true;
    }
  return any;
}

export interface LuceneRegexp {
  /** True when the whole term matches (Lucene regexps are anchored). */
  matches(term: string): boolean;
}

/** Compiles a Lucene regexp; throws RegexpSyntaxError with Lucene's wording on a syntax error. */
export function compileLuceneRegexp(pattern: string, opts: { flags?: number; caseInsensitive?: boolean } = {}): LuceneRegexp {
  const root = new Parser(pattern, opts.flags ?? RegexpFlag.ALL, opts.caseInsensitive ?? false).parse();
  return {
    matches(term: string): boolean {
      const cps = Array.from(term, (ch) => ch.codePointAt(0) ?? 0);
      const m = new Matcher(cps);
      const start = new Uint8Array(cps.length + 1);
      start[0] = 1;
      return m.step(root, start)[cps.length] === 1;
    },
  };
}
