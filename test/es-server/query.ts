/**
 * Query DSL evaluation over one index's documents: match_all, match_none, bool (filter, must,
 * should with minimum_should_match, must_not), term (case_insensitive), terms, range (numbers,
 * dates with formats and `now` math, keywords), exists, ids, regexp (Lucene syntax, flags,
 * case_insensitive), constant_score, and a simple `match` (enough for the YAML tests).
 *
 * Scores are not BM25: a matching scoring clause scores its boost (1.0), bool sums its
 * must/should clauses, filter clauses score 0. Order by score is therefore only coarse.
 */
import { parseDateBound, parseDate } from "./dates";
import { badRequest, EsError, isObject, searchFailure, unsupported, type Json, type JsonObject, str } from "./errors";
import type { Index, StoredDoc } from "./indices";
import { compileLuceneRegexp, parseRegexpFlags, RegexpSyntaxError } from "./lucene-regexp";
import { analyze, lookupField, someTerm, termsOf, type FieldType, type Term } from "./mapping";

/** A compiled query: the score of a matching document, or undefined. */
export type Compiled = (d: StoredDoc) => number | undefined;

const UNSUPPORTED_QUERIES = new Set([
  "prefix",
  "wildcard",
  "fuzzy",
  "match_phrase",
  "match_phrase_prefix",
  "multi_match",
  "query_string",
  "simple_query_string",
  "nested",
  "has_child",
  "has_parent",
  "function_score",
  "script",
  "script_score",
  "geo_distance",
  "geo_bounding_box",
  "more_like_this",
  "dis_max",
  "boosting",
  "intervals",
  "terms_set",
  "distance_feature",
  "pinned",
  "combined_fields",
]);

/** A shard-level failure, as a search reports it: 400 search_phase_execution_exception caused by query_shard_exception. */
export function queryShardError(reason: string): EsError {
  return searchFailure(400, "query_shard_exception", `failed to create query: ${reason}`);
}

function single(q: JsonObject, name: string): [string, Json] {
  const entries = Object.entries(q).filter(([k]) => k !== "boost" && k !== "_name");
  if (entries.length !== 1)
    throw badRequest("parsing_exception", `[${name}] query doesn't support multiple fields, found [${entries.map(([k]) => k).join("] and [")}]`);
  return entries[0] as [string, Json];
}

function clauses(v: Json | undefined): Json[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function boostOf(q: Json): number {
  return isObject(q) && typeof q.boost === "number" ? q.boost : 1;
}

/** ES's case folding for term and regexp queries: ASCII letters only. */
export function asciiFold(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** Code point order (UTF-8 byte order, as Lucene compares terms), not UTF-16 order. */
export function compareTerms(a: string, b: string): number {
  if (a === b) return 0;
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const cx = x.value.codePointAt(0) ?? 0;
    const cy = y.value.codePointAt(0) ?? 0;
    if (cx !== cy) return cx < cy ? -1 : 1;
  }
}

export class QueryCompiler {
  constructor(
    private readonly index: Index,
    private readonly now: number,
  ) {}

  compile(q: Json | undefined): Compiled {
    if (q === undefined) return () => 1;
    if (!isObject(q)) throw badRequest("parsing_exception", "query malformed, must start with start_object");
    const keys = Object.keys(q);
    if (keys.length !== 1)
      throw badRequest(
        "parsing_exception",
        keys.length === 0 ? "query malformed, empty clause found" : `[${keys[1] ?? ""}] malformed query, expected [END_OBJECT] but found [FIELD_NAME]`,
      );
    const type = keys[0] as string;
    const body = q[type] ?? null;
    switch (type) {
      case "match_all": {
        const b = boostOf(body);
        return () => b;
      }
      case "match_none":
        return () => undefined;
      case "bool":
        return this.bool(body);
      case "constant_score": {
        if (!isObject(body) || body.filter === undefined) throw badRequest("parsing_exception", "[constant_score] requires a 'filter' element");
        const f = this.compile(body.filter);
        const b = boostOf(body);
        return (d) => (f(d) === undefined ? undefined : b);
      }
      case "term":
        return this.term(body);
      case "terms":
        return this.terms(body);
      case "range":
        return this.range(body);
      case "exists":
        return this.exists(body);
      case "ids":
        return this.ids(body);
      case "regexp":
        return this.regexp(body);
      case "match":
        return this.match(body);
      default:
        if (UNSUPPORTED_QUERIES.has(type)) throw unsupported(`the [${type}] query`);
        throw badRequest("parsing_exception", `unknown query [${type}]`, { line: 1, col: 1 });
    }
  }

  private bool(body: Json): Compiled {
    if (!isObject(body)) throw badRequest("parsing_exception", "[bool] query malformed");
    for (const k of Object.keys(body))
      if (!["must", "filter", "should", "must_not", "minimum_should_match", "boost", "_name", "adjust_pure_negative"].includes(k))
        throw badRequest("parsing_exception", `[bool] query does not support [${k}]`);
    const must = clauses(body.must).map((c) => this.compile(c));
    const filter = clauses(body.filter).map((c) => this.compile(c));
    const should = clauses(body.should).map((c) => this.compile(c));
    const mustNot = clauses(body.must_not).map((c) => this.compile(c));
    const msm = minimumShouldMatch(body.minimum_should_match, should.length, must.length + filter.length > 0);
    const boost = boostOf(body);
    return (d) => {
      let score = 0;
      for (const c of must) {
        const s = c(d);
        if (s === undefined) return undefined;
        score += s;
      }
      for (const c of filter) if (c(d) === undefined) return undefined;
      for (const c of mustNot) if (c(d) !== undefined) return undefined;
      let matched = 0;
      for (const c of should) {
        const s = c(d);
        if (s !== undefined) {
          matched++;
          score += s;
        }
      }
      if (matched < msm) return undefined;
      return score * boost;
    };
  }

  /** field → value or { value, ... }: the mapped field and the query's parameters. */
  private fieldQuery(name: string, body: Json, valueKey: string): { field: string; params: JsonObject } {
    if (!isObject(body)) throw badRequest("parsing_exception", `[${name}] query malformed, no start_object after query name`);
    const [field, v] = single(body, name);
    return { field, params: isObject(v) ? v : { [valueKey]: v } };
  }

  private leaf(path: string): FieldType | undefined {
    const f = lookupField(this.index.mapping, path);
    return f?.kind === "leaf" ? f.field : undefined;
  }

  private checkSearchable(f: FieldType): void {
    if (!f.searchable) throw queryShardError(`Cannot search on field [${f.path}] since it is not indexed nor has doc values.`);
  }

  /** A query value as the field indexes it, or undefined when it can never match (or throws like ES). */
  private toTerm(f: FieldType, v: Json): Term | undefined {
    if (v === null || isObject(v) || Array.isArray(v))
      throw badRequest("parsing_exception", `[term] query does not support array or object values for [${f.path}]`);
    switch (f.type) {
      case "keyword":
      case "text":
        return str(v);
      case "boolean":
        if (v === true || v === "true") return true;
        if (v === false || v === "false" || v === "") return false;
        throw queryShardError(`Can't parse boolean value [${str(v)}], expected [true] or [false]`);
      case "date": {
        const t = typeof v === "boolean" ? undefined : parseDate(v, f.format);
        if (t === undefined) throw queryShardError(`failed to parse date field [${str(v)}] with format [${f.format}]`);
        return t;
      }
      default: {
        const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
        if (!Number.isFinite(n)) throw queryShardError(`For input string: "${str(v)}"`);
        return f.type === "float" || f.type === "half_float" ? Math.fround(n) : n;
      }
    }
  }

  private term(body: Json): Compiled {
    const { field, params } = this.fieldQuery("term", body, "value");
    for (const k of Object.keys(params))
      if (!["value", "boost", "case_insensitive", "_name"].includes(k)) throw badRequest("parsing_exception", `[term] query does not support [${k}]`);
    const boost = boostOf(params);
    const f = this.leaf(field);
    if (!f) return () => undefined;
    this.checkSearchable(f);
    const t = this.toTerm(f, params.value ?? null);
    if (t === undefined) return () => undefined;
    if (params.case_insensitive === true && (f.type === "keyword" || f.type === "text")) {
      const folded = asciiFold(str(t));
      return (d) => (someTerm(d.parsed, field, (x) => asciiFold(str(x)) === folded) ? boost : undefined);
    }
    return (d) => (someTerm(d.parsed, field, (x) => x === t) ? boost : undefined);
  }

  private terms(body: Json): Compiled {
    if (!isObject(body)) throw badRequest("parsing_exception", "[terms] query malformed");
    const [field, values] = single(body, "terms");
    if (!Array.isArray(values)) {
      if (isObject(values)) throw unsupported("terms lookup");
      throw badRequest("parsing_exception", `[terms] query does not support [${field}]`);
    }
    const max = Number(this.index.settings.get("index.max_terms_count") ?? 65536);
    if (values.length > max)
      throw queryShardError(
        `The number of terms [${values.length}] used in the Terms Query request has exceeded the allowed maximum of [${max}]. This maximum can be set by changing the [index.max_terms_count] index level setting.`,
      );
    const boost = boostOf(body);
    const f = this.leaf(field);
    if (!f) return () => undefined;
    this.checkSearchable(f);
    const wanted = new Set(values.map((v) => this.toTerm(f, v)).filter((t) => t !== undefined));
    return (d) => (someTerm(d.parsed, field, (x) => wanted.has(x)) ? boost : undefined);
  }

  /** A range query's field and bounds (as the field indexes them), or undefined for an unmapped field. */
  private rangeSpec(body: Json): { field: string; boost: number; lo?: { t: Term; incl: boolean }; hi?: { t: Term; incl: boolean } } | undefined {
    if (!isObject(body)) throw badRequest("parsing_exception", "[range] query malformed, no start_object after query name");
    const [field, p] = single(body, "range");
    if (!isObject(p)) throw badRequest("parsing_exception", `[range] query does not support [${field}]`);
    const params = p;
    for (const k of Object.keys(params))
      if (!["gt", "gte", "lt", "lte", "from", "to", "include_lower", "include_upper", "format", "time_zone", "boost", "relation", "_name"].includes(k))
        throw badRequest("parsing_exception", `[range] query does not support [${k}]`);
    if (params.time_zone !== undefined && !["UTC", "Z", "+00:00", "Etc/UTC"].includes(str(params.time_zone)))
      throw unsupported("range time_zone other than UTC");
    const boost = boostOf(params);
    const f = this.leaf(field);
    if (!f) return undefined;
    this.checkSearchable(f);
    let lower: { v: Json; incl: boolean } | undefined;
    let upper: { v: Json; incl: boolean } | undefined;
    if (params.from !== undefined && params.from !== null) lower = { v: params.from, incl: params.include_lower !== false };
    if (params.to !== undefined && params.to !== null) upper = { v: params.to, incl: params.include_upper !== false };
    if (params.gt !== undefined && params.gt !== null) lower = { v: params.gt, incl: false };
    if (params.gte !== undefined && params.gte !== null) lower = { v: params.gte, incl: true };
    if (params.lt !== undefined && params.lt !== null) upper = { v: params.lt, incl: false };
    if (params.lte !== undefined && params.lte !== null) upper = { v: params.lte, incl: true };
    const bound = (b: { v: Json; incl: boolean }, isUpper: boolean): Term => {
      if (f.type === "date") {
        const format = typeof params.format === "string" ? params.format : f.format;
        // gt and lte round up (a rounded `now/d` bound covers the whole day), as Elasticsearch does
        const t = typeof b.v === "string" || typeof b.v === "number" ? parseDateBound(b.v, format, this.now, isUpper === b.incl) : undefined;
        if (t === undefined) throw queryShardError(`failed to parse date field [${str(b.v)}] with format [${format}]`);
        return t;
      }
      const t = this.toTerm(f, b.v);
      if (t === undefined) throw queryShardError(`cannot parse range bound [${str(b.v)}]`);
      return t;
    };
    return {
      field,
      boost,
      ...(lower ? { lo: { t: bound(lower, false), incl: lower.incl } } : {}),
      ...(upper ? { hi: { t: bound(upper, true), incl: upper.incl } } : {}),
    };
  }

  private range(body: Json): Compiled {
    const spec = this.rangeSpec(body);
    if (!spec) return () => undefined;
    const { field, boost, lo, hi } = spec;
    if (typeof lo?.t !== "string" && typeof hi?.t !== "string") {
      // numbers and dates: the hot path of a time-bounded log search
      const l = lo ? Number(lo.t) : -Infinity;
      const h = hi ? Number(hi.t) : Infinity;
      const li = lo?.incl ?? true;
      const hincl = hi?.incl ?? true;
      return (d) => {
        const v = d.parsed[field];
        if (v === undefined) return undefined;
        if (!Array.isArray(v)) {
          const n = Number(v);
          return (li ? n >= l : n > l) && (hincl ? n <= h : n < h) ? boost : undefined;
        }
        for (const x of v) {
          const n = Number(x);
          if ((li ? n >= l : n > l) && (hincl ? n <= h : n < h)) return boost;
        }
        return undefined;
      };
    }
    const cmp = (a: Term, b: Term): number => (typeof a === "string" && typeof b === "string" ? compareTerms(a, b) : Number(a) - Number(b));
    const inRange = (x: Term): boolean => {
      if (lo) {
        const c = cmp(x, lo.t);
        if (c < 0 || (c === 0 && !lo.incl)) return false;
      }
      if (hi) {
        const c = cmp(x, hi.t);
        if (c > 0 || (c === 0 && !hi.incl)) return false;
      }
      return true;
    };
    return (d) => (someTerm(d.parsed, field, inRange) ? boost : undefined);
  }

  /**
   * False when no document of the index can match, judged from the bounds of its numeric and
   * date fields (Elasticsearch's can_match phase): a search over daily indices skips the days
   * outside its time range. Conservative: true whenever unsure.
   */
  mayMatch(q: Json | undefined): boolean {
    if (!isObject(q)) return true;
    const type = Object.keys(q)[0];
    const body = type === undefined ? null : (q[type] ?? null);
    if (type === "match_none") return false;
    if (type === "constant_score" && isObject(body)) return this.mayMatch(body.filter);
    if (type === "bool" && isObject(body)) return [...clauses(body.must), ...clauses(body.filter)].every((c) => this.mayMatch(c));
    if (type !== "range") return true;
    const spec = this.rangeSpec(body);
    if (!spec) return false;
    if (typeof spec.lo?.t === "string" || typeof spec.hi?.t === "string" || typeof spec.lo?.t === "boolean" || typeof spec.hi?.t === "boolean") return true;
    const r = this.index.fieldRanges.get(spec.field);
    if (!r) return false;
    if (spec.lo && (r.max < spec.lo.t || (r.max === spec.lo.t && !spec.lo.incl))) return false;
    if (spec.hi && (r.min > spec.hi.t || (r.min === spec.hi.t && !spec.hi.incl))) return false;
    return true;
  }

  private exists(body: Json): Compiled {
    if (!isObject(body) || typeof body.field !== "string") throw badRequest("parsing_exception", "[exists] must be provided with a [field]");
    const field = body.field;
    const boost = boostOf(body);
    const found = lookupField(this.index.mapping, field);
    if (!found) return () => undefined;
    if (found.kind === "leaf") return (d) => (d.parsed[field] !== undefined ? boost : undefined);
    const prefix = `${field}.`;
    return (d) => {
      for (const k in d.parsed) if (k.startsWith(prefix)) return boost;
      return undefined;
    };
  }

  private ids(body: Json): Compiled {
    if (!isObject(body) || !Array.isArray(body.values)) throw badRequest("parsing_exception", "[ids] query malformed, [values] must be an array");
    const max = this.index.maxResultWindow;
    if (body.values.length > max) throw queryShardError(`Too many ids specified, allowed max result window is [${max}]`);
    const ids = new Set(body.values.map(String));
    const boost = boostOf(body);
    return (d) => (ids.has(d.id) ? boost : undefined);
  }

  private regexp(body: Json): Compiled {
    const { field, params } = this.fieldQuery("regexp", body, "value");
    for (const k of Object.keys(params))
      if (!["value", "flags", "flags_value", "case_insensitive", "max_determinized_states", "rewrite", "boost", "_name"].includes(k))
        throw badRequest("parsing_exception", `[regexp] query does not support [${k}]`);
    const pattern = str(params.value ?? "");
    const boost = boostOf(params);
    const f = this.leaf(field);
    if (!f) return () => undefined;
    if (f.type !== "keyword" && f.type !== "text")
      throw queryShardError(`Can only use regexp queries on keyword and text fields - not on [${field}] which is of type [${f.type}]`);
    this.checkSearchable(f);
    const maxLen = Number(this.index.settings.get("index.max_regex_length") ?? 1000);
    if (pattern.length > maxLen)
      throw searchFailure(
        400,
        "illegal_argument_exception",
        `The length of regex [${pattern.length}] used in the Regexp Query request has exceeded the allowed maximum of [${maxLen}]. This maximum can be set by changing the [index.max_regex_length] index level setting.`,
      );
    let re;
    try {
      const flags = typeof params.flags_value === "number" ? params.flags_value : parseRegexpFlags(typeof params.flags === "string" ? params.flags : "ALL");
      re = compileLuceneRegexp(pattern, { flags, caseInsensitive: params.case_insensitive === true });
    } catch (e) {
      if (e instanceof RegexpSyntaxError) throw queryShardError(e.message);
      throw e;
    }
    const cache = new Map<string, boolean>();
    const test = (t: Term): boolean => {
      const s = str(t);
      let hit = cache.get(s);
      if (hit === undefined) {
        hit = re.matches(s);
        if (cache.size < 100_000) cache.set(s, hit);
      }
      return hit;
    };
    return (d) => (someTerm(d.parsed, field, test) ? boost : undefined);
  }

  private match(body: Json): Compiled {
    const { field, params } = this.fieldQuery("match", body, "query");
    for (const k of Object.keys(params)) if (!["query", "operator", "boost", "_name"].includes(k)) throw unsupported(`the match query's [${k}] parameter`);
    const boost = boostOf(params);
    const f = this.leaf(field);
    if (!f) return () => undefined;
    if (f.type !== "text") return this.term({ [field]: { value: params.query ?? null, boost } });
    const tokens = analyze(str(params.query ?? ""));
    const all = str(params.operator ?? "or").toLowerCase() === "and";
    return (d) => {
      const have = termsOf(d.parsed, field);
      const n = tokens.filter((t) => have.includes(t)).length;
      return n > 0 && (!all || n === tokens.length) ? boost * n : undefined;
    };
  }
}

function minimumShouldMatch(v: Json | undefined, n: number, hasRequired: boolean): number {
  if (v === undefined || v === null) return hasRequired || n === 0 ? 0 : 1;
  const s = str(v).trim();
  let k: number;
  if (s.endsWith("%")) {
    const p = Number(s.slice(0, -1));
    k = p < 0 ? n + Math.trunc((n * p) / 100) : Math.trunc((n * p) / 100);
  } else {
    const i = Number(s);
    if (!Number.isInteger(i)) throw unsupported(`minimum_should_match [${s}]`);
    k = i < 0 ? n + i : i;
  }
  return Math.max(0, k);
}

// ---- _source filtering ----

export interface SourceFilter {
  readonly includes: readonly string[];
  readonly excludes: readonly string[];
  readonly enabled: boolean;
}

export function sourceFilterOf(v: Json | undefined, urlIncludes?: string, urlExcludes?: string): SourceFilter {
  let includes: string[] = [];
  let excludes: string[] = [];
  let enabled = true;
  if (v === false || v === "false") enabled = false;
  else if (typeof v === "string" && v !== "true") includes = v.split(",");
  else if (Array.isArray(v)) includes = v.map(String);
  else if (isObject(v)) {
    const inc = v.includes ?? v.include;
    const exc = v.excludes ?? v.exclude;
    includes = inc === undefined ? [] : Array.isArray(inc) ? inc.map(String) : [str(inc)];
    excludes = exc === undefined ? [] : Array.isArray(exc) ? exc.map(String) : [str(exc)];
  }
  if (urlIncludes) includes = urlIncludes.split(",");
  if (urlExcludes) excludes = urlExcludes.split(",");
  return { includes, excludes, enabled };
}

function pathGlob(pattern: string, path: string): boolean {
  if (!pattern.includes("*")) return pattern === path;
  const re = new RegExp(
    `^${pattern
      .split("*")
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );
  return re.test(path);
}

/** Could a descendant of `path` match `pattern`? */
function couldMatchBelow(pattern: string, path: string): boolean {
  const prefix = `${path}.`;
  const star = pattern.indexOf("*");
  const fixed = star < 0 ? pattern : pattern.slice(0, star);
  return fixed.startsWith(prefix) || (star >= 0 && prefix.startsWith(fixed));
}

export function filterSource(src: JsonObject, f: SourceFilter): JsonObject | undefined {
  if (!f.enabled) return undefined;
  if (f.includes.length === 0 && f.excludes.length === 0) return src;
  const walk = (obj: JsonObject, prefix: string, included: boolean): JsonObject => {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(obj)) {
      const path = prefix === "" ? k : `${prefix}.${k}`;
      if (f.excludes.some((p) => pathGlob(p, path))) continue;
      const inc = included || f.includes.length === 0 || f.includes.some((p) => pathGlob(p, path));
      if (isObject(v)) {
        if (inc || f.includes.some((p) => couldMatchBelow(p, path))) {
          const sub = walk(v, path, inc);
          if (inc || Object.keys(sub).length > 0) out[k] = sub;
        }
      } else if (Array.isArray(v) && v.some(isObject)) {
        if (inc || f.includes.some((p) => couldMatchBelow(p, path))) {
          const items = v.map((x) => (isObject(x) ? walk(x, path, inc) : x)).filter((x) => inc || (isObject(x) && Object.keys(x).length > 0));
          if (inc || items.length > 0) out[k] = items;
        }
      } else if (inc) out[k] = v;
    }
    return out;
  };
  return walk(src, "", false);
}

export { searchFailure };
