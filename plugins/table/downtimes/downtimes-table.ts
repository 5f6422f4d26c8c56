import { int, isActive, string, time, type ColumnSpec, type Downtime, type TableContext, type TableParts } from "../../../core";
import { objectColumns, type ObjectRow } from "../common/object-columns";
import { recordsTable } from "../common/record-rows";

/** Nagios' downtime types (the reverse of the comment types). */
const SERVICE_DOWNTIME = 1;
const HOST_DOWNTIME = 2;

/** One row of the downtimes table: a downtime of a host or of one of its services. */
export interface DowntimeRow extends ObjectRow {
  readonly downtime: Downtime;
}

/**
 * The downtimes table's own columns (docs/livestatus.md §4.9, Checkmk's TableDowntimes), then the
 * host's columns as `host_*` and the service's as `service_*`.
 */
export function downtimeColumns(): ColumnSpec<DowntimeRow>[] {
  return [
    int("id", "Downtime id, unique among downtimes and never reused (also after a restart)", (r) => r.downtime.id),
    string("author", "Who scheduled the downtime", (r) => r.downtime.author),
    string("comment", "The downtime's comment", (r) => r.downtime.comment),
    int("origin", "0 scheduled by a command, 1 configured by a rule: always 0", () => 0),
    time("entry_time", "Time the downtime was scheduled", (r) => r.downtime.entryTime),
    time("start_time", "Start of the downtime's window", (r) => r.downtime.startTime),
    time("end_time", "End of the downtime's window", (r) => r.downtime.endTime),
    int("fixed", "1 fixed (active from start_time to end_time), 0 flexible (starts with the first problem in the window, lasts duration)", (r) =>
      r.downtime.fixed ? 1 : 0,
    ),
    int("duration", "Length of a flexible downtime once started, in seconds; end_time - start_time for a fixed one", (r) => r.downtime.duration),
    int("recurring", "Checkmk's recurring downtimes (1 hourly ... 5 four-weekly): always 0 (not recurring)", () => 0),
    int("triggered_by", "Id of the downtime whose start starts this one; 0 none", (r) => r.downtime.triggeredBy),
    int("type", "1 service downtime, 2 host downtime (Nagios' numbering, the reverse of the comments table's)", (r) =>
      r.service === undefined ? HOST_DOWNTIME : SERVICE_DOWNTIME,
    ),
    int("is_service", "0 for a host's downtime, 1 for a service's", (r) => (r.service === undefined ? 0 : 1)),
    int("is_pending", "1 while the downtime is not active yet, 0 once it is", (r) => (isActive(r.downtime) ? 0 : 1)),
    ...objectColumns<DowntimeRow>(),
  ];
}

export const DOWNTIME_COLUMNS: readonly ColumnSpec<DowntimeRow>[] = Object.freeze(downtimeColumns());

/**
 * The Livestatus `downtimes` table over the state: one row per downtime, active or
 * pending, by id. The hint names hosts (`host_name = X`): only their downtimes are read.
 */
export function downtimesTable(context: TableContext): TableParts<DowntimeRow> {
  return recordsTable(context, {
    prefix: "downtime_",
    columns: DOWNTIME_COLUMNS,
    source: (state) => ({ all: () => state.allDowntimes(), ofHost: (name) => state.downtimesOfHost(name) }),
    row: (host, service, downtime): DowntimeRow => ({ host, service, downtime }),
  });
}
