/**
 * Answers one GET query against the registered tables (livestatus.md §2, §3, §7): table
 * lookup, column resolution, filter and AuthUser, index hint, Limit, Stats, Localtime,
 * Timelimit, then the body in the requested format. Pure apart from reading the tables
 * and the clock: the server frames and writes the answer. Asynchronous because a table's
 * rows may live in a store (the log: `load()`); the others answer from memory.
 *
 * Wait headers (WaitObject, WaitCondition, ...) are not looked at here: the server waits
 * for the condition (wait-condition.ts) and only then calls answerQuery.
 */
import { resolveColumn, type ColumnSpec, type LivestatusValue, type TableSpec } from "./column";
import { compileFilter, filterEqualities, type ColumnLookup, type RowPredicate } from "./filter";
import { LivestatusError } from "./livestatus-error";
import type { GetQuery } from "./query";
import { renderBody } from "./render";
import { renderJsonTexts, renderWrappedJsonTexts } from "./render-json";
import { cachedRowText, type RowText } from "./row-text-cache";
import { compileStats } from "./stats";
import type { LivestatusTable, RowHint, TableRegistry } from "./table-registry";
import { filterTimeRange } from "./time-range";

export interface QueryAnswer {
  readonly status: number;
  readonly body: string;
}

/** Rows scanned between two looks at the clock for `Timelimit:` (a clock read per row would cost more than most filters). */
export const TIMELIMIT_CHECK_ROWS = 1000;

type Row = unknown;
type Column = ColumnSpec<Row>;

/** Column name → column, built once per table spec (specs are static) rather than once per query. */
const indexes = new WeakMap<TableSpec<Row>, ReadonlyMap<string, Column>>();

/** How the query engine (and the wait condition) resolve a column name as a client wrote it on `table`. */
export function columnLookup(table: LivestatusTable): ColumnLookup<Row> {
  const spec = table.spec;
  let byName = indexes.get(spec);
  if (byName === undefined) {
    byName = new Map(spec.columns.map((c) => [c.name, c]));
    indexes.set(spec, byName);
  }
  const index = byName;
  return (name) => resolveColumn(spec, index, name);
}

/** The table named by the request line; 404 with Checkmk's message when there is none. */
export function lookupTable(registry: TableRegistry, name: string): LivestatusTable {
  const table = registry.get(name);
  if (table === undefined) throw new LivestatusError(404, `Invalid GET request, no such table '${name}'`);
  return table;
}

/**
 * @param nowSeconds the server time the request is answered at; with `nowMs` it sets the
 *   Timelimit deadline.
 * @param nowMs the clock Timelimit is measured with (the daemon's clock; tests move it).
 * @throws (rejects with) LivestatusError 404 unknown table, 400 unknown Filter/Stats
 *   column or bad operand, 413 Timelimit exceeded. The caller frames it with errorBody().
 */
export async function answerQuery(query: GetQuery, registry: TableRegistry, nowSeconds: number, nowMs: () => number = Date.now): Promise<QueryAnswer> {
  const table = lookupTable(registry, query.table);
  const lookup = columnLookup(table);
  const offset = query.timezoneOffset;
  const isStats = query.stats.length > 0;

  // All-columns mode (§2.2): no Columns and no Stats means every column, in spec order.
  const columns = query.columns.length > 0 || isStats ? query.columns.map((name) => lookup(name) ?? nullColumn(name)) : table.spec.columns;
  const output = columns.map((c) => localtime(c, offset));

  // Compiled before any row is read, so a bad Filter or Stats line costs no scan.
  const accept = rowTest(query, table, lookup);
  const stats = isStats ? compileStats(query.stats, lookup, offset) : undefined;
  const hint = indexHint(query, table, lookup);
  const source = table.load === undefined ? table.rows(hint) : await table.load(hint);
  const checkTime = timelimitCheck(query, nowSeconds, nowMs);
  // Each generator layer costs about as much per row as a 4-column row's values: skip the ones with nothing to do.
  const scanned = accept === undefined && checkTime === undefined ? source : passingRows(source, accept ?? ALL, checkTime ?? NO_CHECK);

  const showHeader = query.columnHeaders ?? (query.columns.length === 0 && !isStats);
  if (stats !== undefined) {
    const rows = stats.statsRows(take(scanned, query.limit), output);
    const header = showHeader ? [...columns.map((c) => c.name), ...query.stats.map((_, i) => `stats_${i + 1}`)] : undefined;
    return { status: 200, body: renderBody(query.outputFormat, header, rows, query.separators) };
  }

  // wrapped_json reports the rows before Limit (LMD's total_count): only it keeps counting past Limit.
  const countAll = query.outputFormat === "wrapped_json";
  const limit = query.limit ?? Number.POSITIVE_INFINITY;
  const header = showHeader ? columns.map((c) => c.name) : undefined;
  const rowText = reusableRowText(query, table, output);
  if (rowText !== undefined) {
    const { items: texts, total } = collect(scanned, limit, countAll, rowText);
    return { status: 200, body: countAll ? renderWrappedJsonTexts(header, texts, total) : renderJsonTexts(header, texts) };
  }
  const { items: rows, total } = collect(scanned, limit, countAll, (row) => rowValues(output, row));
  return { status: 200, body: renderBody(query.outputFormat, header, rows, query.separators, total) };
}

/** The first `limit` rows made into `make(row)`, and how many rows there were (counted to the end only with `countAll`). */
function collect<T>(rows: Iterable<Row>, limit: number, countAll: boolean, make: (row: Row) => T): { items: T[]; total: number } {
  const items: T[] = [];
  let total = 0;
  for (const row of rows) {
    total++;
    if (items.length < limit) items.push(make(row));
    else if (!countAll) break;
  }
  return { items, total };
}

/**
 * The cached rendering of a row (row-text-cache.ts) for json and wrapped_json, whose rows are
 * JSON texts; undefined for the other formats and under Localtime (which shifts time values).
 */
function reusableRowText(query: GetQuery, table: LivestatusTable, output: readonly Column[]): RowText<Row> | undefined {
  if ((query.outputFormat !== "json" && query.outputFormat !== "wrapped_json") || query.timezoneOffset !== 0) return undefined;
  return cachedRowText(table, output, (row) => rowValues(output, row));
}

/**
 * One output row. A plain loop (`columns.map` costs a closure call per value) and push, not
 * `new Array(n)`: a preallocated array is "holey" to V8, and JSON.stringify walks holey
 * arrays on a slower path (measured 25% slower over 20k rows).
 */
function rowValues(columns: readonly Column[], row: Row): LivestatusValue[] {
  const values: LivestatusValue[] = [];
  for (let i = 0; i < columns.length; i++) values.push(columns[i]!.get(row));
  return values;
}

/**
 * A column the table does not have, asked for in `Columns:`: Checkmk ≥ 1.6 answers an empty
 * value instead of failing the query (livestatus.md §2), because GUIs ask for columns of
 * newer cores (Multisite's host_pnpgraph_present, host_filename). The header shows the name
 * as requested.
 */
function nullColumn(name: string): Column {
  return { name, type: "string", description: "not a column of this table: always empty", get: () => "" };
}

/** Time columns as the client sees them: shifted by the Localtime offset (§2.4), which filters subtract from their operands. */
function localtime(column: Column, offset: number): Column {
  if (column.type !== "time" || offset === 0) return column;
  const get = column.get;
  return { ...column, get: (row) => shift(get(row), offset) };
}

function shift(value: LivestatusValue, offset: number): LivestatusValue {
  return typeof value === "number" ? value + offset : value;
}

const ALL: RowPredicate<Row> = () => true;
const NO_CHECK = (): void => undefined;

/**
 * Filter and AuthUser in one predicate; undefined when every row passes. A user no row
 * names sees nothing (200, empty), not a 403 (§2.3).
 */
function rowTest(query: GetQuery, table: LivestatusTable, lookup: ColumnLookup<Row>): RowPredicate<Row> | undefined {
  const filter = query.filter === undefined ? undefined : compileFilter(query.filter, lookup, query.timezoneOffset);
  const user = query.authUser;
  const visible = table.visibleTo;
  if (user === undefined || visible === undefined) return filter;
  if (filter === undefined) return (row) => visible(row, user);
  return (row) => filter(row) && visible(row, user);
}

/**
 * What the filter restricts the rows to, for the table's index (§7): the key values, and
 * the bounds of the time column on a table that declares one (the log); and the AuthUser. A name counts
 * when it resolves to that column, so a prefixed alias (`host_name` on hosts, `log_time`
 * on log) uses the index as the plain name does.
 */
function indexHint(query: GetQuery, table: LivestatusTable, lookup: ColumnLookup<Row>): RowHint {
  const user = query.authUser === undefined ? {} : { user: query.authUser };
  if (query.filter === undefined) return user;
  const resolvesTo = (columns: ReadonlySet<Column>) => (name: string): boolean => {
    const column = lookup(name);
    return column !== undefined && columns.has(column);
  };
  const keyColumns = new Set(table.keyColumns.map((name) => lookup(name)).filter((c) => c !== undefined));
  const keys = keyColumns.size === 0 ? undefined : filterEqualities(query.filter, resolvesTo(keyColumns));
  const time = table.timeColumn === undefined ? undefined : lookup(table.timeColumn);
  const timeRange = time === undefined ? undefined : filterTimeRange(query.filter, resolvesTo(new Set([time])), query.timezoneOffset);
  return { ...(keys === undefined ? {} : { keys }), ...(timeRange === undefined ? {} : { timeRange }), ...user };
}

/** Throws 413 once the deadline of `Timelimit:` has passed; undefined without the header. */
function timelimitCheck(query: GetQuery, nowSeconds: number, nowMs: () => number): (() => void) | undefined {
  const seconds = query.timeLimit;
  if (seconds === undefined) return undefined;
  const deadline = nowSeconds * 1000 + seconds * 1000;
  return () => {
    if (nowMs() >= deadline) throw new LivestatusError(413, "Timelimit exceeded");
  };
}

/** The rows passing `accept`, lazily, looking at the clock every TIMELIMIT_CHECK_ROWS rows read (passing or not). */
function* passingRows(rows: Iterable<Row>, accept: RowPredicate<Row>, checkTime: () => void): Generator<Row, void, undefined> {
  let read = 0;
  for (const row of rows) {
    if (++read % TIMELIMIT_CHECK_ROWS === 0) checkTime();
    if (accept(row)) yield row;
  }
}

/** The first `limit` rows (all without a limit): Limit caps the rows fed to Stats (§3.4). */
function take(rows: Iterable<Row>, limit: number | undefined): Iterable<Row> {
  return limit === undefined ? rows : firstRows(rows, limit);
}

function* firstRows(rows: Iterable<Row>, limit: number): Generator<Row, void, undefined> {
  if (limit <= 0) return;
  let n = 0;
  for (const row of rows) {
    yield row;
    if (++n >= limit) return;
  }
}
