import type { RowHint } from "../../../core/livestatus/table-registry";
import { HOST_CHECK } from "../../../core/model/check-result";
import type { ObjectRecord } from "../../../core/state/object-records";
import type { HostView } from "./host-view";
import type { HostRows } from "./host-rows";
import type { ObjectRow } from "./object-columns";

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
