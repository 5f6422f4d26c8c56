import { string, type ColumnSpec, type RowHint, type TableContext, type TableParts } from "../../../core";
import { byCodeUnit } from "../common/sorted-keys";

/** One column of one served table: a row of the `columns` table. */
export interface ColumnRow {
  readonly table: string;
  readonly column: ColumnSpec<unknown>;
}

export const COLUMNS_COLUMNS: readonly ColumnSpec<ColumnRow>[] = Object.freeze([
  string<ColumnRow>("table", "Name of the table", (r) => r.table),
  string<ColumnRow>("name", "Name of the column within the table, as the header row shows it", (r) => r.column.name),
  string<ColumnRow>("type", "Type of the column: int, float, time, string, list or dict", (r) => r.column.type),
  string<ColumnRow>("description", "Description of the column", (r) => r.column.description),
]);

/**
 * The Livestatus `columns` table (docs/livestatus.md §4.8): one row per column of every table in
 * the registry when the query runs (this one included), tables by name, columns in their
 * table's order. The specs are the single source: a table plugin started or stopped shows
 * at the next query. Key: `table` (`Filter: table = hosts` visits only the hosts columns).
 */
export function columnsTable({ tables }: TableContext): TableParts<ColumnRow> {
  return {
    prefix: "column_",
    columns: COLUMNS_COLUMNS,
    keyColumns: ["table"],
    *rows(hint: RowHint): Iterable<ColumnRow> {
      const served = [...tables.all()].filter((t) => hint.keys === undefined || hint.keys.has(t.spec.name));
      served.sort((a, b) => byCodeUnit(a.spec.name, b.spec.name));
      for (const t of served) for (const column of t.spec.columns) yield { table: t.spec.name, column };
    },
  };
}
