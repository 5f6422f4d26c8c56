import type { TableContext, TableParts } from "../../../core";
import { STATUS_COLUMNS } from "./status-columns";
import { StatusRow } from "./status-row";

/**
 * The Livestatus `status` table: exactly one row, with no key and no AuthUser (docs/livestatus.md
 * §2.3, §4.7). program_start is when the table was built: its instance's start.
 */
export function statusTable({ state, clock, stats }: TableContext): TableParts<StatusRow> {
  const source = { state, clock, stats, programStart: clock.now() / 1000 };
  return {
    prefix: "status_",
    columns: STATUS_COLUMNS,
    *rows(): Iterable<StatusRow> {
      yield new StatusRow(source, clock.now() / 1000);
    },
  };
}
