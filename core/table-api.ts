/**
 * What a query table plugin is written against, built-in or third-party: `defineTable()`,
 * the table and column types, the column builders and the read-only state. Re-exported by
 * the package entry (core/index.ts); see docs/writing-table-plugins.md.
 */
export {
  defineTable,
  type TableConfig,
  type TableContext,
  type TableDefinition,
  type TableInstance,
  type TableOptions,
  type TableParts,
} from "./plugin/define-table";
export type { LivestatusTable, RowBlock, RowHint, TableCatalog, TableRegistry } from "./livestatus/query/table-registry";
// RowHint.filter, and what a table that pushes it down to a store needs to read operands as the query engine does.
export type { FilterNode, FilterOperator } from "./livestatus/protocol/query";
export { atoi } from "./livestatus/query/operand";
export type { TimeRange } from "./livestatus/query/time-range";
export type { ColumnSpec, ColumnType, LivestatusValue, TableSpec } from "./livestatus/query/column";
export { EMPTY_DICT, EMPTY_LIST, constants, dict, float, int, joined, list, stable, string, time, type Constant } from "./livestatus/query/column-builders";
export type { HostState, StateView } from "./state/state-view";
export type { ObjectRecord } from "./state/object-records";
export { isActive } from "./state/downtime";
export { checkVisibleTo, hostContacts } from "./state/visibility";
export type { InstanceView, StatsSnapshot } from "./metrics/self-stats";
// The daemon's figures of itself, as the status table shows them.
export { readFigures, totalsOf, STORE_QUEUE, type Figures, type FigureTotals } from "./metrics/figures";
export { histogramMean, histogramQuantile, type HistogramData } from "./metrics/histogram";
// A table that logs per query (the log table's "max_rows reached") throttles what it logs.
export { Throttle } from "./log/throttle";
export { tantaleVersion } from "./tantale-version";
