import { HOST_CHECK, type ColumnSpec, type ObjectRecord, type RowHint, type StateView, type TableContext, type TableParts } from "../../../core";
import type { HostView } from "./host-view";
import { HostRows } from "./host-rows";
import { objectVisibleTo, type ObjectRow } from "./object-columns";

/** Where a record table reads its records: every one, or one host's (with its services'), each list by id. */
export interface RecordSource<T extends ObjectRecord> {
  all(): readonly T[];
  ofHost(hostname: string): readonly T[];
}

/** The records of the hint's hosts (one lookup each), else every record; by id either way. */
function recordsOf<T extends ObjectRecord>(source: RecordSource<T>, hint: RowHint): readonly T[] {
  if (hint.keys === undefined) return source.all();
  const out: T[] = [];
  for (const name of hint.keys) out.push(...source.ofHost(name));
  // Each host's list is by id; several hosts' lists are merged back into id order.
  return hint.keys.size > 1 ? out.sort((a, b) => a.id - b.id) : out;
}

/**
 * The rows of a table of records about hosts and services (downtimes, comments): one per
 * record, by id, joined with its host's view (one per host and query, shared by its rows)
 * and, for a service's record, the service's state. A record whose host or service the
 * engine no longer has yields no row (the engine removes both together; this only guards).
 */
export function* recordRows<T extends ObjectRecord, Row extends ObjectRow>(
  hosts: HostRows,
  source: RecordSource<T>,
  hint: RowHint,
  now: number,
  row: (host: HostView, service: ObjectRow["service"], record: T) => Row,
): Generator<Row, void, undefined> {
  const views = new Map<string, HostView>();
  for (const r of recordsOf(source, hint)) {
    let host = views.get(r.hostname);
    if (host === undefined) {
      const entry = hosts.entry(r.hostname);
      if (entry === undefined) continue;
      views.set(r.hostname, (host = hosts.view(entry, now)));
    }
    if (r.check === HOST_CHECK) {
      yield row(host, undefined, r);
      continue;
    }
    const service = host.entry.services.get(r.check);
    if (service !== undefined) yield row(host, service, r);
  }
}

/**
 * A table of records about hosts and services (comments, downtimes): one row per record, by
 * id (see recordRows). The hint names hosts (`host_name = X`): only their records are read.
 * AuthUser: whoever sees the record's host or service.
 */
export function recordsTable<T extends ObjectRecord, Row extends ObjectRow>(
  { state, clock }: TableContext,
  shape: {
    readonly prefix: string;
    readonly columns: readonly ColumnSpec<Row>[];
    readonly source: (state: StateView) => RecordSource<T>;
    readonly row: (host: HostView, service: ObjectRow["service"], record: T) => Row;
  },
): TableParts<Row> {
  const hosts = new HostRows(state);
  const source = shape.source(state);
  return {
    prefix: shape.prefix,
    columns: shape.columns,
    keyColumns: ["host_name"],
    rows: (hint) => recordRows(hosts, source, hint, clock.now() / 1000, shape.row),
    visibleTo: objectVisibleTo,
  };
}
