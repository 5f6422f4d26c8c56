import { inject, injectable } from "tsyringe";
import type { ColumnSpec } from "../../../core/livestatus/column";
import type { LivestatusTable, RowHint, TableRegistry } from "../../../core/livestatus/table-registry";
import type { TablePlugin } from "../../../core/plugin/api";
import { TABLES } from "../../../core/tokens";
import { int, string, time } from "../common/columns";
import { objectColumns, objectVisibleTo, type ObjectRow } from "../common/object-columns";
import { TableRegistration } from "../common/table-registration";

/** Nagios' downtime types (the reverse of the comment types). */
const SERVICE_DOWNTIME = 1;
const HOST_DOWNTIME = 2;

/** A scheduled downtime, as SCHEDULE_*_DOWNTIME describes it (livestatus.md §5). Times in epoch seconds. */
export interface Downtime {
  readonly id: number;
  readonly author: string;
  readonly comment: string;
  readonly entryTime: number;
  readonly startTime: number;
  readonly endTime: number;
  /** true: active from start to end; false: flexible, starts with the first problem in the window and lasts `duration`. */
  readonly fixed: boolean;
  /** Seconds, for a flexible downtime. */
  readonly duration: number;
  /** The id of the downtime that triggers this one; 0 none. */
  readonly triggeredBy: number;
  /** Not active yet (before its start, or a flexible one waiting for a problem). */
  readonly pending: boolean;
}

/** One row of the downtimes table: a downtime of a host or of one of its services. */
export interface DowntimeRow extends ObjectRow {
  readonly downtime: Downtime;
}

/** Where the table's rows come from, for the hint's hosts (all without keys). */
export type DowntimeSource = (hint: RowHint) => Iterable<DowntimeRow>;

/** Tantale has no downtimes yet (a later issue schedules them): no rows. */
export const NO_DOWNTIMES: DowntimeSource = () => [];

/**
 * The downtimes table's own columns (livestatus.md §4.9, Checkmk's TableDowntimes), then the
 * host's columns as `host_*` and the service's as `service_*`.
 */
export function downtimeColumns(): ColumnSpec<DowntimeRow>[] {
  return [
    int("id", "Downtime id", (r) => r.downtime.id),
    string("author", "Who scheduled the downtime", (r) => r.downtime.author),
    string("comment", "The downtime's comment", (r) => r.downtime.comment),
    int("origin", "0 scheduled by a command, 1 configured by a rule: always 0", () => 0),
    time("entry_time", "Time the downtime was scheduled", (r) => r.downtime.entryTime),
    time("start_time", "Start of the downtime's window", (r) => r.downtime.startTime),
    time("end_time", "End of the downtime's window", (r) => r.downtime.endTime),
    int("fixed", "1 fixed (active from start_time to end_time), 0 flexible (starts with the first problem in the window, lasts duration)", (r) => (r.downtime.fixed ? 1 : 0)),
    int("duration", "Length of a flexible downtime, in seconds", (r) => r.downtime.duration),
    int("recurring", "Checkmk's recurring downtimes (1 hourly ... 5 four-weekly): always 0 (not recurring)", () => 0),
    int("triggered_by", "Id of the downtime whose start starts this one; 0 none", (r) => r.downtime.triggeredBy),
    int("type", "1 service downtime, 2 host downtime (Nagios' numbering, the reverse of the comments table's)", (r) => (r.service === undefined ? HOST_DOWNTIME : SERVICE_DOWNTIME)),
    int("is_service", "0 for a host's downtime, 1 for a service's", (r) => (r.service === undefined ? 0 : 1)),
    int("is_pending", "1 while the downtime is not active yet, 0 once it is", (r) => (r.downtime.pending ? 1 : 0)),
    ...objectColumns<DowntimeRow>(),
  ];
}

export const DOWNTIME_COLUMNS: readonly ColumnSpec<DowntimeRow>[] = Object.freeze(downtimeColumns());

/**
 * The Livestatus `downtimes` table. Tantale does not schedule downtimes yet, so the plugin's
 * source yields no rows; GUIs that ask for the table (Multisite's downtime views, Thruk,
 * Nagstamon) get a typed, empty answer instead of a 404.
 */
export function downtimesTable(source: DowntimeSource = NO_DOWNTIMES): LivestatusTable<DowntimeRow> {
  return {
    spec: { name: "downtimes", prefix: "downtime_", columns: DOWNTIME_COLUMNS },
    keyColumns: ["host_name"],
    rows: (hint) => source(hint),
    visibleTo: objectVisibleTo,
  };
}

/** The `downtimes` table plugin: adds the table to the registry while it runs. */
@injectable()
export class DowntimesTable implements TablePlugin {
  private readonly registration: TableRegistration<DowntimeRow>;

  constructor(@inject(TABLES) tables: TableRegistry) {
    this.registration = new TableRegistration(tables, downtimesTable());
  }

  /** The table as the registry serves it (for tests and tools). */
  get table(): LivestatusTable<DowntimeRow> {
    return this.registration.table;
  }

  async start(): Promise<void> {
    this.registration.start();
  }

  async stop(): Promise<void> {
    this.registration.stop();
  }
}
