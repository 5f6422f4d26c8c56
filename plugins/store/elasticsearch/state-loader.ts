/**
 * The state read back from the cluster: at start, what this Tantale (node) wrote; at a
 * failover, what any Tantale wrote about the hosts this one takes over (README.md, "Reading from the cluster").
 * Every search sorts on keyword fields that are unique per document and pages with
 * `search_after`: no point in time, nothing the test server or OpenSearch would lack.
 */
import type { Client, estypes } from "@elastic/elasticsearch";
import type { LastIds } from "../../../core/state/change-set";
import type { CheckState } from "../../../core/state/check-state";
import type { Comment } from "../../../core/state/comment";
import type { Downtime } from "../../../core/state/downtime";
import { EMPTY_STORED_STATE, type StoredState } from "../../../core/store/state-store";
import { fromStateDocument, type IndexNames, type RecordDocument, type StateDocument } from "./documents";
import { MAX_TERMS, type Query } from "./log-query-dsl";
import { ClusterReadError, isIndexMissing, type ClusterReadOptions } from "./log-reader";

/** State documents: (hostname, check) is unique (the document id is derived from it). */
const STATE_SORT: estypes.Sort = [{ hostname: { order: "asc" } }, { check: { order: "asc" } }];
const stateSortValues = (d: StateDocument): estypes.SortResults => [d.hostname, d.check];
/** Records: (node, kind, record_id) is unique (the document id is `<node>/<kind>/<id>`). */
const RECORD_SORT: estypes.Sort = [{ node: { order: "asc" } }, { kind: { order: "asc" } }, { record_id: { order: "asc" } }];
const recordSortValues = (d: RecordDocument): estypes.SortResults => [d.node, d.kind, d.record_id];

/**
 * Everything `node` wrote: its checks, downtimes and comments, and its id counters raised
 * to the highest ids present (a lost counter write must not make an id be handed out twice).
 * A cluster without the indices yet: EMPTY_STORED_STATE.
 */
export async function loadStateFromCluster(client: Client, names: IndexNames, node: string, options: ClusterReadOptions): Promise<StoredState> {
  const byNode: Query = { bool: { filter: [{ term: { node } }] } };
  const checks = await searchAll<StateDocument>(client, names.state, byNode, STATE_SORT, stateSortValues, options, "state load");
  const records = await searchAll<RecordDocument>(client, names.records, byNode, RECORD_SORT, recordSortValues, options, "records load");
  return storedState(checks, records);
}

/**
 * The checks, downtimes and comments of `hostnames`, whichever node wrote them: the state a
 * Tantale takes over when those hosts move to it (a failover). Their `lastIds` are the
 * highest ids among them (the counters of other nodes are not this node's).
 */
export async function loadHostsFromCluster(client: Client, names: IndexNames, hostnames: readonly string[], options: ClusterReadOptions): Promise<StoredState> {
  const unique = [...new Set(hostnames)];
  if (unique.length === 0) return EMPTY_STORED_STATE;
  const hosts: Query[] = [];
  for (let i = 0; i < unique.length; i += MAX_TERMS) hosts.push({ terms: { hostname: unique.slice(i, i + MAX_TERMS) } });
  const ofHosts: Query = hosts.length === 1 ? hosts[0]! : { bool: { should: hosts, minimum_should_match: 1 } };
  const checks = await searchAll<StateDocument>(
    client,
    names.state,
    { bool: { filter: [ofHosts] } },
    STATE_SORT,
    stateSortValues,
    options,
    "state load of hosts",
  );
  const recordsQuery: Query = { bool: { filter: [ofHosts, { terms: { kind: ["downtime", "comment"] } }] } };
  const records = await searchAll<RecordDocument>(client, names.records, recordsQuery, RECORD_SORT, recordSortValues, options, "records load of hosts");
  return storedState(checks, records);
}

function storedState(stateDocs: readonly StateDocument[], records: readonly RecordDocument[]): StoredState {
  if (stateDocs.length === 0 && records.length === 0) return EMPTY_STORED_STATE;
  const checks: CheckState[] = stateDocs.map(fromStateDocument);
  const downtimes: Downtime[] = [];
  const comments: Comment[] = [];
  const lastIds = { downtime: 0, comment: 0 };
  for (const r of records) {
    switch (r.kind) {
      case "downtime":
        downtimes.push(Object.freeze({ ...(r.record as Downtime) }));
        break;
      case "comment":
        comments.push(Object.freeze({ ...(r.record as Comment) }));
        break;
      case "counters": {
        const ids = r.record as LastIds;
        lastIds.downtime = Math.max(lastIds.downtime, ids.downtime);
        lastIds.comment = Math.max(lastIds.comment, ids.comment);
        break;
      }
    }
  }
  // In id order, as the SQLite store loads them (records of several nodes may interleave).
  downtimes.sort((a, b) => a.id - b.id);
  comments.sort((a, b) => a.id - b.id);
  lastIds.downtime = Math.max(lastIds.downtime, downtimes.at(-1)?.id ?? 0);
  lastIds.comment = Math.max(lastIds.comment, comments.at(-1)?.id ?? 0);
  return { checks, downtimes, comments, lastIds: Object.freeze(lastIds) };
}

/**
 * Every document of `index` that matches `query`, page after page (search_after on the sort
 * values of the last hit, taken from its source). A missing index reads as empty.
 */
async function searchAll<T>(
  client: Client,
  index: string,
  query: Query,
  sort: estypes.Sort,
  sortValues: (doc: T) => estypes.SortResults,
  options: ClusterReadOptions,
  what: string,
): Promise<T[]> {
  if (!Number.isSafeInteger(options.pageSize) || options.pageSize < 1) throw new TypeError(`pageSize must be a whole number ≥ 1, not ${options.pageSize}`);
  const docs: T[] = [];
  let after: estypes.SortResults | undefined;
  for (;;) {
    let hits: estypes.SearchHit<T>[];
    try {
      const response = await client.search<T>(
        {
          index,
          ignore_unavailable: true,
          allow_no_indices: true,
          query,
          sort,
          size: options.pageSize,
          track_total_hits: false,
          ...(after === undefined ? {} : { search_after: after }),
        },
        { requestTimeout: options.requestTimeout },
      );
      hits = response.hits.hits;
    } catch (err) {
      if (isIndexMissing(err)) return docs;
      throw new ClusterReadError(what, index, { cause: err });
    }
    for (const hit of hits) {
      if (hit._source === undefined) throw new ClusterReadError(what, index, { cause: new TypeError(`hit ${hit._id ?? "?"} has no _source`) });
      docs.push(hit._source);
    }
    const last = docs.at(-1);
    if (hits.length < options.pageSize || last === undefined) return docs;
    after = sortValues(last);
  }
}
