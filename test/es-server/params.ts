/**
 * URL parameters each endpoint accepts. Elasticsearch refuses any other with a 400
 * ("request [...] contains unrecognized parameter: [x]"), so a typo in a caller fails here as
 * it would against a cluster. Accepted is not implemented: unimplemented ones that change
 * results (routing, pipeline, scroll, q) are refused by the handlers.
 */
import { badRequest } from "./errors";

const COMMON = ["pretty", "human", "error_trace", "filter_path", "source", "source_content_type"];
const INDICES_OPTIONS = ["ignore_unavailable", "allow_no_indices", "expand_wildcards", "ignore_throttled"];
const SOURCE = ["_source", "_source_includes", "_source_excludes"];

const FAMILIES = {
  info: [],
  health: [
    "level",
    "local",
    "timeout",
    "master_timeout",
    "wait_for_status",
    "wait_for_active_shards",
    "wait_for_nodes",
    "wait_for_events",
    "wait_for_no_relocating_shards",
    "wait_for_no_initializing_shards",
    "expand_wildcards",
  ],
  template: ["create", "cause", "master_timeout", "flat_settings", "local", "include_defaults", "timeout"],
  cat: ["format", "h", "s", "v", "bytes", "help", "health", "pri", "time", "local", "master_timeout", "include_unloaded_segments", ...INDICES_OPTIONS],
  indexAdmin: ["timeout", "master_timeout", "wait_for_active_shards", "flat_settings", "include_defaults", "local", "features", ...INDICES_OPTIONS],
  bulk: [
    "refresh",
    "timeout",
    "wait_for_active_shards",
    "routing",
    "pipeline",
    "require_alias",
    "require_data_stream",
    "list_executed_pipelines",
    "include_source_on_error",
    ...SOURCE,
  ],
  write: [
    "refresh",
    "timeout",
    "wait_for_active_shards",
    "routing",
    "pipeline",
    "require_alias",
    "require_data_stream",
    "version",
    "version_type",
    "if_seq_no",
    "if_primary_term",
    "op_type",
    "retry_on_conflict",
    "lang",
    "include_source_on_error",
    ...SOURCE,
  ],
  get: ["realtime", "refresh", "routing", "preference", "stored_fields", "version", "version_type", ...SOURCE],
  search: [
    "size",
    "from",
    "sort",
    "track_total_hits",
    "track_scores",
    "rest_total_hits_as_int",
    "seq_no_primary_term",
    "version",
    "timeout",
    "typed_keys",
    "request_cache",
    "batched_reduce_size",
    "max_concurrent_shard_requests",
    "pre_filter_shard_size",
    "allow_partial_search_results",
    "ccs_minimize_roundtrips",
    "search_type",
    "scroll",
    "preference",
    "routing",
    "q",
    "df",
    "analyzer",
    "analyze_wildcard",
    "default_operator",
    "lenient",
    "terminate_after",
    "min_score",
    "explain",
    "stats",
    "stored_fields",
    "docvalue_fields",
    "include_named_queries_score",
    "force_synthetic_source",
    ...INDICES_OPTIONS,
    ...SOURCE,
  ],
  pit: ["keep_alive", "preference", "routing", "allow_partial_search_results", "max_concurrent_shard_requests", ...INDICES_OPTIONS],
} as const;

export type ParamFamily = keyof typeof FAMILIES;

const ALLOWED = new Map<ParamFamily, ReadonlySet<string>>(Object.entries(FAMILIES).map(([k, v]) => [k as ParamFamily, new Set([...COMMON, ...v])]));

export function checkParams(family: ParamFamily, path: string, q: Readonly<Record<string, string>>): void {
  const allowed = ALLOWED.get(family) as ReadonlySet<string>;
  const bad = Object.keys(q).filter((k) => !allowed.has(k));
  if (bad.length === 0) return;
  const list = bad.map((k) => `[${k}]`).join(", ");
  throw badRequest("illegal_argument_exception", `request [${path}] contains unrecognized parameter${bad.length > 1 ? "s" : ""}: ${list}`);
}

/** The family of a request, from its method and path segments. */
export function paramFamily(method: string, segs: readonly string[]): ParamFamily {
  const [a, b] = segs;
  if (a === undefined) return "info";
  if (a === "_cluster") return "health";
  if (a === "_index_template") return "template";
  if (a === "_cat") return "cat";
  const op = a.startsWith("_") ? a : b;
  switch (op) {
    case "_bulk":
      return "bulk";
    case "_mget":
      return "get";
    case "_search":
    case "_count":
      return "search";
    case "_pit":
      return "pit";
    case "_doc":
    case "_create":
    case "_update":
    case "_source":
      return (method === "GET" || method === "HEAD") && op !== "_create" && op !== "_update" ? "get" : "write";
    default:
      return "indexAdmin";
  }
}
