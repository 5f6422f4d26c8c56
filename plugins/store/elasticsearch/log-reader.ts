/**
 * The log read from the cluster (README.md, "Reading from the cluster"): the daily log indices searched with the
 * pushed-down part of the condition (log-query-dsl.ts), sorted by (time, id), paged with
 * `search_after`, the rest of the condition checked in Node, stopped as soon as `limit`
 * entries are found.
 */
import type { Client, estypes } from "@elastic/elasticsearch";
import type { LogEntry } from "../../../core/state/log-entry";
import { logCursorOf, logEntryMatches, NO_LOG_ENTRIES, parseLogCursor, type LogPage, type LogQuery } from "../../../core/store/log-query";
import { fromLogDocument, type IndexNames, type LogDocument } from "./documents";
import { logSearchOf } from "./log-query-dsl";

export interface ClusterReadOptions {
  /** Hits asked per search request (Elasticsearch caps `size` at `index.max_result_window`, 10,000 by default). */
  readonly pageSize: number;
  /** Milliseconds for each request. */
  readonly requestTimeout: number;
}

/** A read of the cluster failed: which read, of which index, and why (the client's error as cause). */
export class ClusterReadError extends Error {
  constructor(what: string, index: string, options: { cause: unknown }) {
    const reason = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(`Elasticsearch store: ${what} (${index}) failed: ${reason}`, options);
    this.name = "ClusterReadError";
  }
}

/** The fields fromLogDocument reads: `@timestamp` and `node` stay on the server. */
export const LOG_SOURCE_FIELDS: readonly (keyof LogDocument)[] = [
  "id",
  "time",
  "class",
  "type",
  "hostname",
  "check",
  "state",
  "state_type",
  "attempt",
  "output",
  "message",
];

/** A cursor of this store: the last entry's [time, id], the sort values of its hit (the same form as logPageOf's). */
type Cursor = [number, string];

/**
 * Entries of the query, in (time, id) order, from `names.logPattern`. A cluster without any
 * log index yet answers an empty page. `next` is set when the limit cut the read: always
 * when another matching entry was seen, and also when the limit was reached at the end of a
 * full page while a post-filter is in use (there may be more; asking would cost one more page).
 * @throws TypeError for a malformed limit, page size or cursor; LivestatusError for an
 *   invalid regular expression; ClusterReadError when a search fails.
 */
export async function readLogFromCluster(client: Client, names: IndexNames, query: LogQuery, options: ClusterReadOptions): Promise<LogPage> {
  const { limit } = query;
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 0)) throw new TypeError(`limit must be a whole number ≥ 0, not ${limit}`);
  if (!Number.isSafeInteger(options.pageSize) || options.pageSize < 1) throw new TypeError(`pageSize must be a whole number ≥ 1, not ${options.pageSize}`);
  let after: Cursor | undefined;
  if (query.after !== undefined) {
    const c = parseLogCursor(query.after);
    after = [c.time, c.id];
  }
  const search = logSearchOf(query.where, query.since, query.until);
  if (search.matchesNothing || limit === 0) return NO_LOG_ENTRIES;
  const post = search.postFilter === undefined ? undefined : logEntryMatches(search.postFilter);
  const order: estypes.SortOrder = query.order === "desc" ? "desc" : "asc";
  const want = limit ?? Infinity;
  const entries: LogEntry[] = [];
  const page = (more: boolean): LogPage => {
    const last = entries.at(-1);
    return more && last !== undefined ? { entries, next: logCursorOf(last) } : { entries };
  };
  for (;;) {
    // Exact query: ask for what is missing plus one (to tell whether more follow). With a
    // post-filter the share that passes is unknown: a whole page.
    const size = post === undefined ? Math.min(options.pageSize, want - entries.length + 1) : options.pageSize;
    const request: estypes.SearchRequest = {
      index: names.logPattern,
      ignore_unavailable: true,
      allow_no_indices: true,
      query: search.query,
      // `id` (a keyword) breaks ties of equal times; sorting on `_id` is disabled in 8.x.
      sort: [{ time: { order } }, { id: { order } }],
      size,
      _source: [...LOG_SOURCE_FIELDS],
      track_total_hits: false,
      ...(after === undefined ? {} : { search_after: after }),
    };
    let hits: estypes.SearchHit<LogDocument>[];
    try {
      hits = (await client.search<LogDocument>(request, { requestTimeout: options.requestTimeout })).hits.hits;
    } catch (err) {
      if (isIndexMissing(err)) return page(false);
      throw new ClusterReadError("log search", names.logPattern, { cause: err });
    }
    for (const hit of hits) {
      const doc = hit._source;
      if (doc === undefined) throw new ClusterReadError("log search", names.logPattern, { cause: new TypeError(`hit ${hit._id ?? "?"} has no _source`) });
      const entry = fromLogDocument(doc);
      after = [entry.time, entry.id];
      if (post !== undefined && !post(entry)) continue;
      if (entries.length === want) return page(true);
      entries.push(entry);
    }
    if (hits.length < size) return page(false);
    if (entries.length === want && post !== undefined) return page(true);
  }
}

/** A 404 `index_not_found_exception`: a server that does not honour ignore_unavailable / allow_no_indices for a missing index. */
export function isIndexMissing(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const { meta } = err as { meta?: { statusCode?: number; body?: { error?: { type?: string } } } };
  return meta?.statusCode === 404 && meta.body?.error?.type === "index_not_found_exception";
}
