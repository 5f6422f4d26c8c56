/**
 * Answers one GET query against the registered tables (docs/livestatus.md §2, §3, §7): table
 * lookup, column resolution, filter and AuthUser, index hint, Limit, Stats, Localtime,
 * Timelimit, then the body in the requested format. Pure apart from reading the tables
 * and the clock: the server frames and writes the answer. Asynchronous because a table's
 * rows may live in a store (the log: `load()`), and because a long scan pauses between
 * slices of a few ms (work-slicer.ts) so that other clients are answered meanwhile; the
 * body is pushed slice by slice into a BodySink.
 *
 * Wait headers (WaitObject, WaitCondition, ...) are not looked at here: the server waits
 * for the condition (wait-condition.ts) and only then calls answerQuery.
 */
import { resolveColumn, type ColumnSpec, type LivestatusValue, type TableSpec } from "./column";
import { compileFilter, filterEqualities, type ColumnLookup, type RowPredicate } from "./filter";
import { LivestatusError } from "../protocol/livestatus-error";
import type { GetQuery } from "../protocol/query";
import { bodyRenderer } from "../render/render";
import { cachedRowText, type RowTexts } from "../render/row-text-cache";
import { compileStats } from "./stats";
import { statsBlockCache } from "./stats-cache";
import type { LivestatusTable, RowBlock, RowHint, TableRegistry } from "./table-registry";
import { filterTimeRange } from "./time-range";
import { WorkSlicer } from "./work-slicer";

export interface QueryAnswer {
  readonly status: number;
  readonly body: string;
}

/**
 * Where a GET's body goes while it is rendered. The scan runs in slices (work-slicer.ts):
 * each slice's rows are rendered and pushed, then `between()` is awaited before the next
 * slice, so a large or expensive answer never holds the event loop for more than a slice.
 * A query done within one slice pushes its body in one piece and never calls between().
 */
export interface BodySink {
  /** The next piece of the body. */
  push(text: string): void;
  /**
   * Lets others run between two slices (and may wait for memory or for the client to read);
   * rejects when the answer is not wanted any more (the client is gone): the render stops.
   */
  between(): Promise<void>;
}

export interface RenderOptions {
  /** The clock Timelimit is measured with (the daemon's clock; tests move it); default Date.now. */
  readonly nowMs?: () => number;
  /** The time budget of one slice (ms; default DEFAULT_SLICE_MS). */
  readonly sliceMs?: number;
  /** The monotonic clock slices are measured with (ms; default performance.now). */
  readonly sliceClock?: () => number;
}

/** Rows scanned between two looks at the clock for `Timelimit:` (a clock read per row would cost more than most filters); it is also looked at after every pause. */
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
 * The whole answer as one string: renderQuery into a list of pieces, pausing between slices
 * with setImmediate (for tests and tools; the server renders into its connection).
 *
 * @param nowSeconds the server time the request is answered at; with `nowMs` it sets the
 *   Timelimit deadline.
 * @param nowMs the clock Timelimit is measured with (the daemon's clock; tests move it).
 * @throws (rejects with) LivestatusError 404 unknown table, 400 unknown Filter/Stats
 *   column or bad operand, 413 Timelimit exceeded. The caller frames it with errorBody().
 */
export async function answerQuery(query: GetQuery, registry: TableRegistry, nowSeconds: number, nowMs: () => number = Date.now): Promise<QueryAnswer> {
  const pieces: string[] = [];
  const sink: BodySink = { push: (text) => void pieces.push(text), between: () => new Promise<void>((resolve) => setImmediate(resolve)) };
  await renderQuery(query, registry, nowSeconds, sink, { nowMs });
  return { status: 200, body: pieces.length === 1 ? pieces[0]! : pieces.join("") };
}

/**
 * Renders the answer to a GET into `sink`, slice by slice; its status is 200 when it resolves.
 * @throws (rejects with) the errors of answerQuery (all of them before any piece was
 *   pushed, except a 413 of Timelimit: the caller drops what it got), and whatever
 *   sink.between() rejects with.
 */
export async function renderQuery(query: GetQuery, registry: TableRegistry, nowSeconds: number, sink: BodySink, options: RenderOptions = {}): Promise<void> {
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
  const source: Source =
    table.load !== undefined ? { rows: await table.load(hint) } : table.blocks !== undefined ? { blocks: table.blocks(hint) } : { rows: table.rows(hint) };
  const checkTime = timelimitCheck(query, nowSeconds, options.nowMs ?? Date.now) ?? NO_CHECK;
  const slicer = new WorkSlicer(options.sliceMs, options.sliceClock);
  const showHeader = query.columnHeaders ?? (query.columns.length === 0 && !isStats);
  const limit = query.limit ?? Number.POSITIVE_INFINITY;

  if (stats !== undefined) {
    const header = showHeader ? [...columns.map((c) => c.name), ...query.stats.map((_, i) => `stats_${i + 1}`)] : undefined;
    const collector = stats.collector(output);
    // Limit caps the rows fed to Stats (§3.4).
    let fed = 0;
    const feed = (row: Row): boolean => {
      if (fed >= limit) return false;
      fed++;
      collector.add(row);
      return true;
    };
    // Counts of stable columns: a block whose key is known adds what it added before.
    const kept = "blocks" in source ? statsBlockCache(query, table, lookup) : undefined;
    const whole =
      kept === undefined
        ? undefined
        : (block: RowBlock<Row>): boolean => {
            const key = block.key;
            if (key === undefined) return false;
            let part = kept.get(key);
            if (part === undefined) {
              const counted = stats.collector(output);
              for (let i = 0; i < block.size; i++) {
                const row = block.row(i);
                if (accept === undefined || accept(row)) counted.add(row);
              }
              kept.set(key, (part = counted.part()));
            }
            collector.merge(part);
            return true;
          };
    await scan(source, accept, feed, slicer, checkTime, () => sink.between(), whole);
    const rows = collector.rows();
    const body = bodyRenderer(query.outputFormat, header, query.separators);
    sink.push(body.rows(rows) + body.end(rows.length));
    return;
  }

  // wrapped_json reports the rows before Limit (LMD's total_count): only it keeps counting past Limit.
  const countAll = query.outputFormat === "wrapped_json";
  const header = showHeader ? columns.map((c) => c.name) : undefined;
  const body = bodyRenderer(query.outputFormat, header, query.separators);
  const texts = reusableRowText(query, table, output);
  let total = 0;
  let kept = 0;
  // Each row made into its output (a JSON text from the cache, or values), rendered in batches as the scan goes.
  const renderRows = async <T>(make: (row: Row) => T, render: (items: T[]) => string, whole?: (batches: Batches<T>) => WholeBlock): Promise<void> => {
    const batches = new Batches<T>(render, sink);
    const visit = (row: Row): boolean => {
      total++;
      if (kept >= limit) return countAll;
      kept++;
      batches.add(make(row));
      return true;
    };
    const pause = async (): Promise<void> => {
      batches.flush();
      await sink.between();
    };
    await scan(source, accept, visit, slicer, checkTime, pause, whole?.(batches));
    batches.finish(() => body.end(total));
  };
  if (texts === undefined) {
    await renderRows(
      (row) => rowValues(output, row),
      (rows) => body.rows(rows),
    );
    return;
  }
  // Unfiltered, a block within Limit goes out as its kept text: one lookup for all its rows.
  const whole =
    accept === undefined
      ? (batches: Batches<string>): WholeBlock =>
          (block) => {
            if (kept + block.size > limit) return false;
            const text = texts.block(block);
            if (text === undefined) return false;
            total += block.size;
            kept += block.size;
            batches.add(text);
            return true;
          }
      : undefined;
  await renderRows(texts.row, (items) => body.texts(items), whole);
}

/** What a query reads: the table's blocks of rows, or its rows. */
type Source = { readonly blocks: readonly RowBlock<Row>[] } | { readonly rows: Iterable<Row> };

/** Takes a whole block in one go (its kept rendering); false: its rows are to be visited one by one. */
type WholeBlock = (block: RowBlock<Row>) => boolean;

/** Text of a batch of rows aimed at: rendered as they are scanned, a batch's cost counts in the slice that read its rows. */
const BATCH_CHARS = 64 * 1024;
/** Most rows in a batch (and the first batch's size, before its text length is known: 64). */
const MAX_BATCH_ROWS = 1024;
const FIRST_BATCH_ROWS = 64;

/**
 * The output rows collected and rendered a batch at a time (one native stringify per batch),
 * each batch pushed into the sink as a piece. Rendering inside the scan, not only at a
 * pause, keeps the slices short when rows are cheap to read and dear to render (all
 * columns: 2 KB of JSON each); the batch size follows the text length of the last batch.
 * A query of fewer rows than a batch is rendered in one go, as before.
 */
class Batches<T> {
  private items: T[] = [];
  private size = FIRST_BATCH_ROWS;

  constructor(
    private readonly render: (items: T[]) => string,
    private readonly sink: BodySink,
  ) {}

  add(item: T): void {
    this.items.push(item);
    if (this.items.length >= this.size) this.flush();
  }

  flush(): void {
    const n = this.items.length;
    if (n === 0) return;
    const text = this.render(this.items);
    this.items = [];
    this.sink.push(text);
    this.size = Math.max(1, Math.min(MAX_BATCH_ROWS, Math.floor((n * BATCH_CHARS) / Math.max(1, text.length))));
  }

  /** The last rows, with the end of the body in the same piece (rendered after them: a renderer keeps state). */
  finish(end: () => string): void {
    const last = this.render(this.items);
    this.sink.push(last + end());
    this.items = [];
  }
}

/**
 * Calls `visit` with every row that passes `accept` until it returns false. In slices: once
 * the slicer says the slice's time is spent, `pause` is awaited (it lets others run), then
 * Timelimit is looked at (the pause took real time) and a new slice begins. Timelimit is
 * also looked at every TIMELIMIT_CHECK_ROWS rows read, passing or not.
 */
async function scan(
  source: Source,
  accept: RowPredicate<Row> | undefined,
  visit: (row: Row) => boolean,
  slicer: WorkSlicer,
  checkTime: () => void,
  pause: () => Promise<void>,
  whole?: WholeBlock,
): Promise<void> {
  if ("blocks" in source) return scanBlocks(source.blocks, accept, visit, slicer, checkTime, pause, whole);
  const rows = source.rows;
  let read = 0;
  // Most tables give an array: indexing it is cheaper per row than the iterator protocol.
  if (Array.isArray(rows)) {
    const list = rows as readonly Row[];
    for (let i = 0; i < list.length; i++) {
      const row = list[i];
      if (++read % TIMELIMIT_CHECK_ROWS === 0) checkTime();
      if ((accept === undefined || accept(row)) && !visit(row)) return;
      if (slicer.spent()) {
        await pause();
        checkTime();
        slicer.restart();
      }
    }
    return;
  }
  const it = rows[Symbol.iterator]();
  try {
    for (let next = it.next(); next.done !== true; next = it.next()) {
      const row = next.value;
      if (++read % TIMELIMIT_CHECK_ROWS === 0) checkTime();
      if ((accept === undefined || accept(row)) && !visit(row)) return;
      if (slicer.spent()) {
        await pause();
        checkTime();
        slicer.restart();
      }
    }
  } finally {
    it.return?.();
  }
}

/**
 * scan() over blocks: each row is visited as it is handed out (the same object may come
 * again changed: nothing keeps it). `whole` may take a block at once; its rows still count
 * as read for Timelimit, and the slice is looked at after it.
 */
async function scanBlocks(
  blocks: readonly RowBlock<Row>[],
  accept: RowPredicate<Row> | undefined,
  visit: (row: Row) => boolean,
  slicer: WorkSlicer,
  checkTime: () => void,
  pause: () => Promise<void>,
  whole: WholeBlock | undefined,
): Promise<void> {
  let read = 0;
  for (let b = 0; b < blocks.length; b++) {
    const block = blocks[b]!;
    const size = block.size;
    if (whole !== undefined && size > 0 && whole(block)) {
      const before = read;
      read += size;
      if (Math.floor(read / TIMELIMIT_CHECK_ROWS) !== Math.floor(before / TIMELIMIT_CHECK_ROWS)) checkTime();
      if (slicer.spent()) {
        await pause();
        checkTime();
        slicer.restart();
      }
      continue;
    }
    for (let i = 0; i < size; i++) {
      const row = block.row(i);
      if (++read % TIMELIMIT_CHECK_ROWS === 0) checkTime();
      if ((accept === undefined || accept(row)) && !visit(row)) return;
      if (slicer.spent()) {
        await pause();
        checkTime();
        slicer.restart();
      }
    }
  }
}

/**
 * The cached renderings of rows and blocks (row-text-cache.ts) for the JSON family (json,
 * wrapped_json, python, python3), whose rows are JSON texts (python's with None for null);
 * undefined for csv and under Localtime (which shifts time values).
 */
function reusableRowText(query: GetQuery, table: LivestatusTable, output: readonly Column[]): RowTexts<Row> | undefined {
  if (query.timezoneOffset !== 0) return undefined;
  const format = query.outputFormat;
  if (format === "json" || format === "wrapped_json") return cachedRowText(table, output, (row) => rowValues(output, row), "null");
  if (format === "python" || format === "python3") return cachedRowText(table, output, (row) => rowValues(output, row), "None");
  return undefined;
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
 * value instead of failing the query (docs/livestatus.md §2), because GUIs ask for columns of
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
  const resolvesTo =
    (columns: ReadonlySet<Column>) =>
    (name: string): boolean => {
      const column = lookup(name);
      return column !== undefined && columns.has(column);
    };
  const keyColumns = new Set(table.keyColumns.map((name) => lookup(name)).filter((c) => c !== undefined));
  const keys = keyColumns.size === 0 ? undefined : filterEqualities(query.filter, resolvesTo(keyColumns));
  const time = table.timeColumn === undefined ? undefined : lookup(table.timeColumn);
  const timeRange = time === undefined ? undefined : filterTimeRange(query.filter, resolvesTo(new Set([time])), query.timezoneOffset);
  return {
    ...(keys === undefined ? {} : { keys }),
    ...(timeRange === undefined ? {} : { timeRange }),
    ...user,
    filter: query.filter,
    timezoneOffset: query.timezoneOffset,
    columnName: (name) => lookup(name)?.name,
  };
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
