import { inject, injectable } from "tsyringe";
import type { ColumnSpec } from "../../../core/livestatus/column";
import type { LivestatusTable, TableRegistry } from "../../../core/livestatus/table-registry";
import type { TablePlugin } from "../../../core/plugin/api";
import { TABLES } from "../../../core/tokens";
import { int, string } from "../common/columns";
import { TableRegistration } from "../common/table-registration";

/** A time period: Tantale has one, always active. */
export interface TimeperiodRow {
  readonly name: string;
  readonly alias: string;
}

export const TIMEPERIOD_COLUMNS: readonly ColumnSpec<TimeperiodRow>[] = Object.freeze([
  string<TimeperiodRow>("name", "Time period name", (p) => p.name),
  string<TimeperiodRow>("alias", "Alias of the time period", (p) => p.alias),
  int<TimeperiodRow>("in", "Whether now is in the time period: always 1", () => 1),
]);

/** The period every check and notification period column names. */
const ALWAYS: readonly TimeperiodRow[] = Object.freeze([Object.freeze({ name: "24X7", alias: "24 Hours A Day, 7 Days A Week" })]);

/**
 * The Livestatus `timeperiods` table (livestatus.md §4.10): the one period `24X7` that the
 * `check_period` and `notification_period` columns of hosts, services and contacts name.
 */
export function timeperiodsTable(): LivestatusTable<TimeperiodRow> {
  return {
    spec: { name: "timeperiods", prefix: "timeperiod_", columns: TIMEPERIOD_COLUMNS },
    keyColumns: [],
    rows: () => ALWAYS,
  };
}

/** The `timeperiods` table plugin: adds the table to the registry while it runs. */
@injectable()
export class TimeperiodsTable implements TablePlugin {
  private readonly registration: TableRegistration<TimeperiodRow>;

  constructor(@inject(TABLES) tables: TableRegistry) {
    this.registration = new TableRegistration(tables, timeperiodsTable());
  }

  /** The table as the registry serves it (for tests and tools). */
  get table(): LivestatusTable<TimeperiodRow> {
    return this.registration.table;
  }

  async start(): Promise<void> {
    this.registration.start();
  }

  async stop(): Promise<void> {
    this.registration.stop();
  }
}
