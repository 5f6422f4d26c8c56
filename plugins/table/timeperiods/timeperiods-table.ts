import { int, string, type ColumnSpec, type TableParts } from "../../../core";

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
 * The Livestatus `timeperiods` table (docs/livestatus.md §4.10): the one period `24X7` that the
 * `check_period` and `notification_period` columns of hosts, services and contacts name.
 */
export function timeperiodsTable(): TableParts<TimeperiodRow> {
  return { prefix: "timeperiod_", columns: TIMEPERIOD_COLUMNS, rows: () => ALWAYS };
}
