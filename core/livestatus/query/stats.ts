/**
 * Stats queries (docs/livestatus.md §3.4): every `Stats:` header is one output column, either a
 * count of rows passing a filter or an aggregate over a numeric column. One pass over the
 * rows updates all of them (§7 "one pass").
 *
 * The caller feeds only the rows that passed `Filter:` and, when there is a `Limit:`, only
 * the first `limit` of those: Limit caps the rows fed to stats, not the output rows.
 */
import { newAggregator, type Aggregator } from "./aggregators";
import type { ColumnSpec, LivestatusValue } from "./column";
import { ComparisonBudget, compileFilter, type ColumnLookup, type RowPredicate } from "./filter";
import { LivestatusError } from "../protocol/livestatus-error";
import { asNumber } from "./operand";
import type { Aggregate, StatsNode } from "../protocol/query";
import { compareValueLists } from "./value-order";

/** The stats values of one group of rows, in header order. */
export interface StatsAccumulator<Row> {
  add(row: Row): void;
  /** Counts are integers; aggregates are finite numbers (0 for an empty set). */
  values(): number[];
  /** Adds counts made elsewhere, one per stats column (stats of counts only: see CompiledStats.countsOnly). */
  addCounts(counts: readonly number[]): void;
}

/**
 * What a collector counted, by group (group values, then one count per stats column): kept
 * for a block of rows (stats-cache.ts) and merged into the collectors of later queries.
 */
export type StatsPart = readonly { readonly key: readonly LivestatusValue[]; readonly counts: readonly number[] }[];

export interface CompiledStats<Row> {
  /** Number of stats columns. */
  readonly size: number;
  /** Every stats column is a count (no aggregate): what was counted of some rows can be added to the counts of others. */
  readonly countsOnly: boolean;
  newAccumulator(): StatsAccumulator<Row>;
  /**
   * The answer rows. Without group columns (undefined or empty): exactly one row, even
   * when no row was given (`[[0]]`). With group columns (the query's `Columns:`): one row
   * per distinct combination of their values, group values first (raw, as the columns
   * yield them: the renderer applies Localtime to time columns), then the stats values;
   * groups sorted by their values; no rows when no row was given.
   */
  statsRows(rows: Iterable<Row>, groupColumns?: readonly ColumnSpec<Row>[]): LivestatusValue[][];
  /** statsRows fed one row at a time, for a caller that scans in slices: add() each row, then rows(). */
  collector(groupColumns?: readonly ColumnSpec<Row>[]): StatsCollector<Row>;
}

export interface StatsCollector<Row> {
  add(row: Row): void;
  rows(): LivestatusValue[][];
  /** What was added so far, by group (countsOnly stats only). */
  part(): StatsPart;
  /** Adds a part collected with the same stats and group columns (countsOnly stats only). */
  merge(part: StatsPart): void;
}

type Slot<Row> =
  { readonly kind: "count"; readonly test: RowPredicate<Row> } | { readonly kind: "aggregate"; readonly fn: Aggregate; readonly value: (row: Row) => number };

/**
 * @param column resolves names as the client wrote them (prefixes included).
 * @param timezoneOffset Localtime offset: subtracted from time operands of count filters
 *   and added to time values before aggregation (Checkmk aggregates the local times the
 *   client would see, so `max last_check` matches the rendered `last_check`).
 * @throws LivestatusError 400 for an unknown column, a bad regex, an aggregate over a
 *   column that is not numeric, or more than MAX_ROW_COMPARISONS comparisons in all.
 */
export function compileStats<Row>(stats: readonly StatsNode[], column: ColumnLookup<Row>, timezoneOffset: number): CompiledStats<Row> {
  // One budget for all columns: each row is counted by every Stats filter.
  const budget = new ComparisonBudget("Stats");
  const reads = new RowReads<Row>(column);
  const slots = stats.map((node) => compileSlot(node, reads.lookup, timezoneOffset, budget));
  const newAccumulator = (): StatsAccumulator<Row> => new Accumulator(slots, reads);
  const collector = (groupColumns?: readonly ColumnSpec<Row>[]): StatsCollector<Row> =>
    groupColumns === undefined || groupColumns.length === 0 ? ungrouped(newAccumulator()) : grouped(groupColumns, newAccumulator);
  return {
    size: slots.length,
    countsOnly: slots.every((s) => s.kind === "count"),
    newAccumulator,
    collector,
    statsRows: (rows, groupColumns) => {
      const c = collector(groupColumns);
      for (const row of rows) c.add(row);
      return c.rows();
    },
  };
}

function compileSlot<Row>(node: StatsNode, column: ColumnLookup<Row>, timezoneOffset: number, budget: ComparisonBudget): Slot<Row> {
  if (node.kind === "count") return { kind: "count", test: compileFilter(node.filter, column, timezoneOffset, "Stats", budget) };
  budget.take();
  const spec = column(node.column);
  if (spec === undefined) throw new LivestatusError(400, `Stats: unknown column ${node.column}`);
  const get = spec.get;
  switch (spec.type) {
    case "int":
    case "float":
      return { kind: "aggregate", fn: node.fn, value: (row) => asNumber(get(row)) };
    case "time":
      return { kind: "aggregate", fn: node.fn, value: (row) => asNumber(get(row)) + timezoneOffset };
    default:
      throw new LivestatusError(400, `Stats: cannot aggregate (${node.fn}) over ${spec.type} column ${node.column}`);
  }
}

/**
 * The columns the Stats lines read, each read once per row however many lines name it
 * (NagVis's 60 lines read 8 columns; `Stats: state = 0` … `= 3` reads `state` once). A
 * value is kept until the next row: rows are counted one at a time (add() calls next()),
 * and may come in one object changed in place (RowBlock), so the row's turn is counted,
 * not its identity compared.
 */
class RowReads<Row> {
  /** Bumped for every row counted: a kept value of an earlier turn is stale. */
  private turn = 0;
  private readonly columns = new Map<ColumnSpec<Row>, ColumnSpec<Row>>();

  constructor(private readonly column: ColumnLookup<Row>) {}

  next(): void {
    this.turn++;
  }

  /** The table's column, reading through the per-row value (one spec per column: filter.ts groups by spec). */
  readonly lookup: ColumnLookup<Row> = (name) => {
    const spec = this.column(name);
    if (spec === undefined) return undefined;
    let once = this.columns.get(spec);
    if (once === undefined) {
      const get = spec.get;
      let at = -1;
      let value: LivestatusValue = 0;
      once = {
        ...spec,
        get: (row) => {
          if (at !== this.turn) {
            value = get(row);
            at = this.turn;
          }
          return value;
        },
      };
      this.columns.set(spec, once);
    }
    return once;
  };
}

class Accumulator<Row> implements StatsAccumulator<Row> {
  private readonly counts: number[];
  private readonly aggregators: (Aggregator | undefined)[];

  constructor(
    private readonly slots: readonly Slot<Row>[],
    private readonly reads: RowReads<Row>,
  ) {
    this.counts = slots.map(() => 0);
    this.aggregators = slots.map((s) => (s.kind === "aggregate" ? newAggregator(s.fn) : undefined));
  }

  add(row: Row): void {
    this.reads.next();
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      if (slot.kind === "count") {
        if (slot.test(row)) this.counts[i]!++;
      } else {
        const x = slot.value(row);
        // A value that is not a number (a mis-typed column) is left out rather than poisoning the result with NaN.
        if (Number.isFinite(x)) this.aggregators[i]!.add(x);
      }
    }
  }

  values(): number[] {
    return this.slots.map((s, i) => (s.kind === "count" ? this.counts[i]! : this.aggregators[i]!.result()));
  }

  addCounts(counts: readonly number[]): void {
    for (let i = 0; i < counts.length; i++) this.counts[i]! += counts[i]!;
  }
}

function ungrouped<Row>(acc: StatsAccumulator<Row>): StatsCollector<Row> {
  return {
    add: (row) => acc.add(row),
    rows: () => [acc.values()],
    part: () => [{ key: [], counts: acc.values() }],
    merge: (part) => {
      for (const p of part) acc.addCounts(p.counts);
    },
  };
}

/** Group values below this are kept in an array (see grouped). */
const SMALL_GROUP_KEYS = 64;

function grouped<Row>(groupColumns: readonly ColumnSpec<Row>[], newAccumulator: () => StatsAccumulator<Row>): StatsCollector<Row> {
  // Keyed by the JSON of the group values: distinct value combinations give distinct keys.
  // One number or string column (`Columns: state`, the common case) keys the map by the value
  // itself: no array and no JSON per row (measured 3× faster on 20k services).
  type Group = { readonly key: LivestatusValue[]; readonly acc: StatsAccumulator<Row> };
  const groups = new Map<unknown, Group>();
  // Small whole numbers (states, flags: the usual group column) index an array: cheaper than the Map per row.
  const small: (Group | undefined)[] = [];
  const single = groupColumns.length === 1 ? groupColumns[0]! : undefined;
  /** The group of these values, created when new: found by the same ids as add() finds them. */
  const groupOf = (values: readonly LivestatusValue[]): Group => {
    const v = values[0]!;
    if (single !== undefined && typeof v === "number" && v >= 0 && v < SMALL_GROUP_KEYS && (v | 0) === v) {
      let group = small[v];
      if (group === undefined) groups.set(v, (small[v] = group = { key: [v], acc: newAccumulator() }));
      return group;
    }
    const id = single === undefined ? JSON.stringify(values) : typeof v === "number" ? v : typeof v === "string" ? `s${v}` : JSON.stringify(values);
    let group = groups.get(id);
    if (group === undefined) groups.set(id, (group = { key: [...values], acc: newAccumulator() }));
    return group;
  };
  // Rows come by host: the next row is most often in the group of the last (a host's services
  // grouped by host_name). Its values are read into one array, and only a row whose values
  // differ from the last group's looks its group up.
  const values: LivestatusValue[] = groupColumns.map(() => 0);
  let last: Group | undefined;
  const add = (row: Row): void => {
    let same = last !== undefined;
    for (let i = 0; i < groupColumns.length; i++) {
      const v = groupColumns[i]!.get(row);
      values[i] = v;
      if (same && last!.key[i] !== v) same = false;
    }
    if (!same) last = groupOf(values);
    last!.acc.add(row);
  };
  return {
    add,
    rows: () => [...groups.values()].sort((a, b) => compareValueLists(a.key, b.key)).map((g) => [...g.key, ...g.acc.values()]),
    part: () => [...groups.values()].map((g) => ({ key: g.key, counts: g.acc.values() })),
    merge: (part) => {
      for (const p of part) groupOf(p.key).acc.addCounts(p.counts);
    },
  };
}
