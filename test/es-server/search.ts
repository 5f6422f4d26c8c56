/**
 * `_search` and `_count` over one or more indices (each index is one shard here), with sort
 * (fields asc/desc, several, `_score`, `_doc`, `_shard_doc` under a point in time; missing
 * values `_last`/`_first`; `min`/`max` mode on multi-valued fields), `search_after`, `from`/`size`
 * within `index.max_result_window`, `_source` filtering, `track_total_hits`,
 * `seq_no_primary_term`, `version`, and points in time (a snapshot of the indices' documents).
 * Documents are searchable as soon as they are written: a refresh changes nothing.
 */
import { randomBytes } from "node:crypto";
import { parseDate } from "./dates";
import { badRequest, EsError, isObject, searchFailure, unsupported, type Json, type JsonObject, str } from "./errors";
import type { Index, StoredDoc } from "./indices";
import { lookupField, termsOf, type FieldType } from "./mapping";
import { compareTerms, filterSource, QueryCompiler, sourceFilterOf, type Compiled } from "./query";

/** One shard of a search: an index and the documents it shows (live, or a point in time's snapshot). */
export interface Shard {
  readonly index: Index;
  readonly docs: readonly StoredDoc[] | Iterable<StoredDoc>;
}

// Long.MAX_VALUE and Long.MIN_VALUE, as near as a double gets
const LONG_MAX = 2 ** 63;
const LONG_MIN = -(2 ** 63);

const KNOWN_UNSUPPORTED_BODY = new Set([
  "aggs",
  "aggregations",
  "post_filter",
  "highlight",
  "fields",
  "docvalue_fields",
  "stored_fields",
  "script_fields",
  "collapse",
  "min_score",
  "explain",
  "terminate_after",
  "runtime_mappings",
  "rescore",
  "suggest",
  "indices_boost",
  "knn",
  "rank",
  "retriever",
  "slice",
  "stats",
  "ext",
]);
const BODY_KEYS = new Set([
  "query",
  "size",
  "from",
  "sort",
  "search_after",
  "_source",
  "track_total_hits",
  "seq_no_primary_term",
  "version",
  "pit",
  "track_scores",
  "timeout",
  "profile",
]);

type SortValue = number | string | undefined;

interface SortKey {
  readonly kind: "score" | "doc" | "shard_doc" | "field";
  readonly field: string;
  readonly desc: boolean;
  readonly missingFirst: boolean;
  readonly mode: "min" | "max";
  /** The field's type per index name (undefined: unmapped there). */
  readonly types: Map<string, FieldType | undefined>;
  readonly unmappedType: string | undefined;
}

interface Hit {
  readonly shard: number;
  readonly index: Index;
  readonly doc: StoredDoc;
  readonly score: number;
  values: SortValue[];
}

export interface SearchParams {
  readonly query: Record<string, string>;
  readonly now: number;
  /** Set when the request searches a point in time (then no index is given in the path). */
  readonly pitId?: string;
}

function intParam(v: Json | undefined, name: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === "number" ? v : Number(v);
  if (!Number.isInteger(n)) throw badRequest("illegal_argument_exception", `Failed to parse int parameter [${name}] with value [${str(v)}]`);
  return n;
}

function boolParam(v: Json | undefined): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  return v === true || v === "true" || v === "";
}

function parseSort(raw: Json | undefined, shards: readonly Shard[]): SortKey[] {
  if (raw === undefined) return [];
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((s): SortKey => {
    let field: string;
    let opts: JsonObject = {};
    if (typeof s === "string") field = s;
    else if (isObject(s) && Object.keys(s).length === 1) {
      field = Object.keys(s)[0] as string;
      const v = s[field];
      if (typeof v === "string") opts = { order: v };
      else if (isObject(v)) opts = v;
      else throw badRequest("parsing_exception", `[sort] malformed for [${field}]`);
    } else throw badRequest("parsing_exception", "[sort] malformed");
    for (const k of Object.keys(opts))
      if (!["order", "missing", "mode", "unmapped_type", "format", "numeric_type"].includes(k)) throw unsupported(`the sort option [${k}]`);
    const order = opts.order === undefined ? undefined : str(opts.order).toLowerCase();
    if (order !== undefined && order !== "asc" && order !== "desc") throw badRequest("illegal_argument_exception", `Unknown SortOrder [${order}]`);
    const kind = field === "_score" ? "score" : field === "_doc" ? "doc" : field === "_shard_doc" ? "shard_doc" : "field";
    const desc = order === undefined ? kind === "score" : order === "desc";
    const missing = opts.missing === undefined ? "_last" : str(opts.missing);
    if (missing !== "_last" && missing !== "_first") throw unsupported("a custom sort missing value");
    const mode = opts.mode === undefined ? (desc ? "max" : "min") : str(opts.mode);
    if (mode !== "min" && mode !== "max") throw unsupported(`sort mode [${mode}]`);
    const types = new Map<string, FieldType | undefined>();
    if (kind === "field") {
      if (field === "_id")
        throw searchFailure(
          400,
          "illegal_argument_exception",
          "Fielddata access on the _id field is disallowed, you can re-enable it by updating the dynamic cluster setting: indices.id_field_data.enabled",
        );
      let mapped = false;
      for (const s of shards) {
        const f = lookupField(s.index.mapping, field);
        if (f?.kind === "object") throw searchFailure(400, "illegal_argument_exception", `No mapping found for [${field}] in order to sort on`);
        const t = f?.kind === "leaf" ? f.field : undefined;
        if (t) {
          mapped = true;
          if (t.type === "text")
            throw searchFailure(
              400,
              "illegal_argument_exception",
              `Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default. Please use a keyword field instead. Alternatively, set fielddata=true on [${field}] in order to load field data by uninverting the inverted index. Note that this can use significant memory.`,
            );
          if (!t.docValues)
            throw searchFailure(
              400,
              "illegal_argument_exception",
              `Can't load fielddata on [${field}] because fielddata is unsupported on fields of type [${t.type}]. Use doc values instead.`,
            );
        }
        types.set(s.index.name, t);
      }
      if (!mapped && opts.unmapped_type === undefined && shards.length > 0)
        throw searchFailure(400, "query_shard_exception", `No mapping found for [${field}] in order to sort on`);
    }
    return {
      kind,
      field,
      desc,
      missingFirst: missing === "_first",
      mode: mode,
      types,
      unmappedType: opts.unmapped_type === undefined ? undefined : str(opts.unmapped_type),
    };
  });
}

function sortValue(key: SortKey, hit: Omit<Hit, "values">): SortValue {
  switch (key.kind) {
    case "score":
      return hit.score;
    case "doc":
      return hit.doc.docNo;
    case "shard_doc":
      return hit.shard * 2 ** 32 + hit.doc.docNo;
    case "field": {
      const vals = termsOf(hit.doc.parsed, key.field);
      if (vals.length === 0 || !key.types.get(hit.index.name)) return undefined;
      const norm = vals.map((v) => (typeof v === "boolean" ? (v ? 1 : 0) : v));
      return norm.reduce((a, b) => {
        const c = typeof a === "string" && typeof b === "string" ? compareTerms(a, b) : Number(a) - Number(b);
        return key.mode === "min" ? (c <= 0 ? a : b) : c >= 0 ? a : b;
      });
    }
  }
}

function compareValues(keys: readonly SortKey[], a: readonly SortValue[], b: readonly SortValue[]): number {
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as SortKey;
    const x = a[i];
    const y = b[i];
    if (x === undefined || y === undefined) {
      if (x === y) continue;
      return (x === undefined) === key.missingFirst ? -1 : 1;
    }
    const c =
      typeof x === "string" && typeof y === "string"
        ? compareTerms(x, y)
        : typeof x === "string" || typeof y === "string"
          ? compareTerms(str(x), str(y))
          : x - y;
    if (c !== 0) return key.desc ? -c : c;
  }
  return 0;
}

/** A sort value as a response writes it: missing long/date values as Long.MAX/MIN (which a JSON number carries only roughly). */
function emitValue(key: SortKey, v: SortValue): Json {
  if (v !== undefined) return v;
  if (key.kind !== "field") return null;
  const t = [...key.types.values()].find((x) => x !== undefined)?.type ?? key.unmappedType;
  if (t === "keyword" || t === undefined) return null;
  if (t === "double" || t === "float" || t === "half_float") return null;
  return key.desc === key.missingFirst ? LONG_MAX : LONG_MIN;
}

function parseSearchAfter(keys: readonly SortKey[], after: Json): SortValue[] {
  if (!Array.isArray(after)) throw badRequest("parsing_exception", "[search_after] must be an array");
  if (keys.length === 0) throw badRequest("action_request_validation_exception", "Validation Failed: 1: [search_after] requires a sort;");
  if (after.length !== keys.length)
    throw searchFailure(400, "illegal_argument_exception", `search_after has ${after.length} value(s) but sort has ${keys.length}.`);
  return after.map((v, i) => {
    const key = keys[i] as SortKey;
    if (v === null) return undefined;
    if (typeof v === "number") return Math.abs(v) >= LONG_MAX ? undefined : v;
    if (typeof v === "boolean") return v ? 1 : 0;
    const ft = [...key.types.values()].find((x) => x !== undefined);
    if (typeof v === "string" && ft?.type === "date") {
      const t = parseDate(v, ft.format);
      if (t === undefined) throw searchFailure(400, "illegal_argument_exception", `failed to parse date field [${v}] with format [${ft.format}]`);
      return t;
    }
    if (typeof v === "string" && ft && ft.type !== "keyword" && key.kind === "field") {
      const n = Number(v);
      if (!Number.isFinite(n)) throw searchFailure(400, "number_format_exception", `For input string: "${v}"`);
      return n;
    }
    if (typeof v === "string" && key.kind !== "field") return Number(v);
    return typeof v === "string" ? v : str(v);
  });
}

/** The compiled query per shard; undefined for a shard that cannot match (skipped). */
function compileAll(shards: readonly Shard[], query: Json | undefined, now: number): Array<Compiled | undefined> {
  return shards.map((s) => {
    const qc = new QueryCompiler(s.index, now);
    const compiled = qc.compile(query);
    return qc.mayMatch(query) ? compiled : undefined;
  });
}

/** The best `k` hits by `order`: a max-heap on the worst kept hit. */
class TopHits {
  private readonly heap: Hit[] = [];
  maxScore = -Infinity;

  constructor(
    private readonly k: number,
    private readonly order: (a: Hit, b: Hit) => number,
  ) {}

  offer(h: Hit): void {
    if (h.score > this.maxScore) this.maxScore = h.score;
    if (this.k === 0) return;
    const heap = this.heap;
    if (heap.length < this.k) {
      heap.push(h);
      let i = heap.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (this.order(heap[parent] as Hit, heap[i] as Hit) >= 0) break;
        [heap[parent], heap[i]] = [heap[i] as Hit, heap[parent] as Hit];
        i = parent;
      }
      return;
    }
    if (this.order(h, heap[0] as Hit) >= 0) return;
    heap[0] = h;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let worst = i;
      if (l < heap.length && this.order(heap[l] as Hit, heap[worst] as Hit) > 0) worst = l;
      if (r < heap.length && this.order(heap[r] as Hit, heap[worst] as Hit) > 0) worst = r;
      if (worst === i) return;
      [heap[worst], heap[i]] = [heap[i] as Hit, heap[worst] as Hit];
      i = worst;
    }
  }

  sorted(): Hit[] {
    return [...this.heap].sort(this.order);
  }
}

export function runSearch(shards: readonly Shard[], rawBody: Json | undefined, params: SearchParams): JsonObject {
  const started = Date.now();
  const body = rawBody === undefined || rawBody === null ? {} : rawBody;
  if (!isObject(body)) throw badRequest("parsing_exception", "request body must be an object");
  for (const k of Object.keys(body)) {
    if (KNOWN_UNSUPPORTED_BODY.has(k)) throw unsupported(`the search body's [${k}]`);
    if (!BODY_KEYS.has(k)) throw badRequest("parsing_exception", `Unknown key for a START_OBJECT in [${k}].`, { line: 1, col: 1 });
  }
  const q = params.query;
  if (q.scroll !== undefined) throw unsupported("scroll");
  if (q.q !== undefined) throw unsupported("the q= (query string) parameter");
  const size = intParam(q.size ?? body.size, "size") ?? 10;
  const from = intParam(q.from ?? body.from, "from") ?? 0;
  if (from < 0) throw badRequest("illegal_argument_exception", "[from] parameter cannot be negative");
  if (size < 0) throw badRequest("illegal_argument_exception", `[size] parameter cannot be negative, found [${size}]`);
  let sortRaw: Json | undefined = body.sort;
  if (q.sort !== undefined) sortRaw = q.sort.split(",").map((s) => (s.includes(":") ? { [s.split(":")[0] as string]: s.split(":")[1] as string } : s));
  const keys = parseSort(sortRaw, shards);
  if (params.pitId !== undefined && keys.length > 0 && !keys.some((k) => k.kind === "shard_doc")) keys.push(...parseSort(["_shard_doc"], shards));
  if (params.pitId === undefined && keys.some((k) => k.kind === "shard_doc"))
    throw badRequest("illegal_argument_exception", "[_shard_doc] sort field cannot be used without [point in time]");
  const after = body.search_after === undefined ? undefined : parseSearchAfter(keys, body.search_after);
  if (after && from > 0) throw badRequest("illegal_argument_exception", "[from] parameter must be set to 0 when [search_after] is used");

  const trackRaw = q.track_total_hits ?? body.track_total_hits;
  let track: number | undefined = 10000; // undefined: not tracked
  if (trackRaw === true || trackRaw === "true") track = Infinity;
  else if (trackRaw === false || trackRaw === "false") track = undefined;
  else if (trackRaw !== undefined) {
    const n = Number(trackRaw);
    if (!Number.isInteger(n)) throw badRequest("illegal_argument_exception", `Failed to parse track_total_hits [${str(trackRaw)}]`);
    if (n < -1) throw badRequest("illegal_argument_exception", `[track_total_hits] parameter must be positive or equals to -1, got ${n}`);
    track = n === -1 ? Infinity : n;
  }
  const restTotalAsInt = boolParam(q.rest_total_hits_as_int) === true;
  if (restTotalAsInt && track !== undefined && track !== Infinity && trackRaw !== undefined)
    throw badRequest("illegal_argument_exception", `[rest_total_hits_as_int] cannot be used if the tracking of total hits is not accurate, got ${track}`);

  const compiled = compileAll(shards, body.query, params.now);
  // the result window is checked after the query is built, as Elasticsearch does (search/630_ids_query.yml)
  const maxWindow = Math.min(...shards.map((s) => s.index.maxResultWindow), 10000 * 1000);
  if (shards.length > 0 && from + size > maxWindow)
    throw searchFailure(
      400,
      "illegal_argument_exception",
      `Result window is too large, from + size must be less than or equal to: [${maxWindow}] but was [${from + size}]. See the scroll api for a more efficient way to request large data sets. This limit can be set by changing the [index.max_result_window] index level setting.`,
    );
  const sortsByScore = keys.length === 0 || keys.some((k) => k.kind === "score");
  const trackScores = sortsByScore || boolParam(body.track_scores ?? q.track_scores) === true;
  let total = 0;
  const effective = keys.length > 0 ? keys : parseSort(["_score"], shards);
  const order = (a: Hit, b: Hit): number => compareValues(effective, a.values, b.values) || a.shard - b.shard || a.doc.docNo - b.doc.docNo;
  // only the first from + size hits in order are kept (a bounded heap), as a shard's top-N collector does
  const hits = new TopHits(from + size, order);
  shards.forEach((shard, shardNo) => {
    const match = compiled[shardNo];
    if (!match) return;
    for (const doc of shard.docs) {
      const score = match(doc);
      if (score === undefined) continue;
      total++;
      const h: Hit = { shard: shardNo, index: shard.index, doc, score, values: [] };
      h.values = keys.length > 0 ? keys.map((k) => sortValue(k, h)) : [score];
      if (after && compareValues(keys, h.values, after) <= 0) continue;
      hits.offer(h);
    }
  });
  const sorted = hits.sorted();

  const source = sourceFilterOf(body._source ?? q._source, q._source_includes, q._source_excludes);
  const seqNo = boolParam(body.seq_no_primary_term ?? q.seq_no_primary_term) === true;
  const version = boolParam(body.version ?? q.version) === true;
  const page = sorted.slice(from, from + size).map((h): JsonObject => {
    const out: JsonObject = { _index: h.index.name, _id: h.doc.id };
    if (version) out._version = h.doc.version;
    if (seqNo) {
      out._seq_no = h.doc.seqNo;
      out._primary_term = h.doc.primaryTerm;
    }
    out._score = trackScores ? h.score : null;
    const src = filterSource(h.doc.source, source);
    if (src !== undefined) out._source = src;
    if (keys.length > 0) out.sort = keys.map((k, i) => emitValue(k, h.values[i]));
    return out;
  });
  const maxScore = trackScores && total > 0 ? hits.maxScore : null;
  const hitsObj: JsonObject = {};
  if (restTotalAsInt) hitsObj.total = track === undefined ? -1 : total;
  else if (track !== undefined) hitsObj.total = total > track ? { value: track, relation: "gte" } : { value: total, relation: "eq" };
  hitsObj.max_score = maxScore;
  hitsObj.hits = page;
  const n = shards.length;
  const skipped = compiled.filter((c) => c === undefined).length;
  const res: JsonObject = { took: Date.now() - started, timed_out: false, _shards: { total: n, successful: n, skipped, failed: 0 }, hits: hitsObj };
  if (params.pitId !== undefined) return { pit_id: params.pitId, ...res };
  return res;
}

export function runCount(shards: readonly Shard[], rawBody: Json | undefined, now: number, query: Readonly<Record<string, string>> = {}): JsonObject {
  if (query.q !== undefined) throw unsupported("the q= (query string) parameter");
  const body = rawBody === undefined || rawBody === null ? {} : rawBody;
  if (!isObject(body)) throw badRequest("parsing_exception", "request body must be an object");
  for (const k of Object.keys(body)) if (k !== "query") throw badRequest("parsing_exception", `request does not support [${k}]`);
  const compiled = compileAll(shards, body.query, now);
  let count = 0;
  shards.forEach((s, i) => {
    const m = compiled[i];
    if (m) for (const d of s.docs) if (m(d) !== undefined) count++;
  });
  const skipped = compiled.filter((c) => c === undefined).length;
  return { count, _shards: { total: shards.length, successful: shards.length, skipped, failed: 0 } };
}

/** Points in time: a snapshot of the documents of the indices at opening (no expiry: closed by the test or the server). */
export class PointsInTime {
  private readonly pits = new Map<string, Shard[]>();

  open(indices: readonly Index[]): string {
    const id = randomBytes(24).toString("base64url");
    this.pits.set(
      id,
      indices.map((index) => ({ index, docs: [...index.docs.values()] })),
    );
    return id;
  }

  get(id: string): Shard[] {
    const p = this.pits.get(id);
    if (!p) throw new EsError(404, "search_context_missing_exception", `No search context found for id [${id}]`);
    return p;
  }

  close(id: string): boolean {
    return this.pits.delete(id);
  }

  get size(): number {
    return this.pits.size;
  }
}
