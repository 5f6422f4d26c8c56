/**
 * What a Livestatus table declares: its columns, each with a type and an accessor. The
 * protocol code (parsing, filters, stats, rendering) is generic over these; tables only
 * declare columns and produce rows (Checkmk's Table model).
 */
export type ColumnType = "int" | "float" | "time" | "string" | "list" | "dict";

/** A value as a column yields it: numbers, strings, lists (of strings, numbers or nested lists), dicts. */
export type LivestatusValue = number | string | readonly LivestatusValue[] | Readonly<Record<string, string>>;

export interface ColumnSpec<Row> {
  /** Canonical name, as the header row shows it. */
  readonly name: string;
  readonly type: ColumnType;
  readonly description: string;
  readonly get: (row: Row) => LivestatusValue;
  /**
   * The value depends only on the row's version object (LivestatusTable.rowVersion: an
   * immutable state) — not on the clock, other rows or other objects — so the query engine
   * may reuse what it rendered for the same version (row-text-cache.ts).
   */
  readonly stable?: boolean;
}

export interface TableSpec<Row> {
  /** `hosts`, `services`, ... */
  readonly name: string;
  /** Prefix clients may put before this table's own column names (`host_` on hosts, `log_` on log). */
  readonly prefix: string;
  readonly columns: readonly ColumnSpec<Row>[];
}

/**
 * Finds a column the way Checkmk does: strip the table's prefix (repeatedly), look the rest
 * up, then prefix + rest (`host_name` and `name` are the same column on hosts).
 */
export function resolveColumn<Row>(table: TableSpec<Row>, byName: ReadonlyMap<string, ColumnSpec<Row>>, name: string): ColumnSpec<Row> | undefined {
  const direct = byName.get(name);
  if (direct !== undefined) return direct;
  let rest = name;
  while (table.prefix !== "" && rest.startsWith(table.prefix)) {
    rest = rest.slice(table.prefix.length);
    const found = byName.get(rest) ?? byName.get(table.prefix + rest);
    if (found !== undefined) return found;
  }
  return undefined;
}
