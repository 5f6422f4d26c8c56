/**
 * Compiles a parsed filter tree against a table's columns into one row predicate.
 * Column lookup, operand parsing and regex compilation happen here, once per query, so
 * the per-row work is only the comparisons (docs/livestatus.md §7 "compile once").
 */
import type { ColumnSpec } from "./column";
import { LivestatusError } from "../protocol/livestatus-error";
import { asText } from "./operand";
import { valuePredicate } from "./predicates";
import type { FilterNode } from "../protocol/query";

export type RowPredicate<Row> = (row: Row) => boolean;
export type ColumnLookup<Row> = (name: string) => ColumnSpec<Row> | undefined;

const ALWAYS = (): boolean => true;
const NEVER = (): boolean => false;

/**
 * Comparisons one compiled query may evaluate per row (its Filter, or all its Stats
 * together). Filtering costs rows × comparisons: 50,000 `Filter:` lines and `And: 50000`
 * took 9.1 s on 10k services. Real clients stay far below (NagVis's largest Stats query
 * has about 60), and their long lists (`Or:` of `host_name = …`, of host/service pairs)
 * count as one comparison: they compile to one set lookup.
 */
export const MAX_ROW_COMPARISONS = 500;

/** Counts the comparisons compiled for one query against MAX_ROW_COMPARISONS. */
export class ComparisonBudget {
  private used = 0;

  constructor(private readonly context: string) {}

  take(): void {
    if (++this.used > MAX_ROW_COMPARISONS) {
      throw new LivestatusError(
        400,
        `${this.context}: more than ${MAX_ROW_COMPARISONS} comparisons to evaluate on each row (a list of '=' on one column, or of And: groups of '=', counts as one)`,
      );
    }
  }
}

/**
 * @param column resolves a name as the client wrote it (prefixes included) to a column.
 * @param timezoneOffset Localtime offset in seconds, subtracted from time operands.
 * @param context header named in error messages: `Filter` by default, `Stats` for Stats
 *   count filters, `WaitCondition` for wait conditions.
 * @param budget shared by the filters of one query (all its Stats columns); a new one by default.
 * @throws LivestatusError 400 for an unknown column, an invalid regular expression, or
 *   more than MAX_ROW_COMPARISONS comparisons.
 */
export function compileFilter<Row>(
  node: FilterNode,
  column: ColumnLookup<Row>,
  timezoneOffset: number,
  context = "Filter",
  budget = new ComparisonBudget(context),
): RowPredicate<Row> {
  switch (node.kind) {
    case "compare": {
      budget.take();
      const spec = column(node.column);
      // Unlike Columns: (null column), an unknown filter column cannot be given a meaning.
      if (spec === undefined) throw new LivestatusError(400, `${context}: unknown column ${node.column}`);
      const test = valuePredicate(spec.type, node.op, node.operand, timezoneOffset, context);
      const get = spec.get;
      return (row) => test(get(row));
    }
    case "and": {
      const children = compileChildren(node.children, "!=", column, timezoneOffset, context, budget);
      // `And: 0` is always true (Checkmk ≥ 2.0); a single child needs no wrapper.
      if (children.length === 0) return ALWAYS;
      if (children.length === 1) return children[0]!;
      return (row) => {
        for (const test of children) if (!test(row)) return false;
        return true;
      };
    }
    case "or": {
      const children = compileChildren(node.children, "=", column, timezoneOffset, context, budget);
      // `Or: 0` is always false.
      if (children.length === 0) return NEVER;
      if (children.length === 1) return children[0]!;
      return (row) => {
        for (const test of children) if (test(row)) return true;
        return false;
      };
    }
    case "not": {
      const child = compileFilter(node.child, column, timezoneOffset, context, budget);
      return (row) => !child(row);
    }
  }
}

/** Members of an Or (or And) of the same shape from this many on become one set lookup. */
const SET_LOOKUP_FROM = 4;

/** The string columns a member compares with `=`/`!=` and the operands, by column; undefined when it is not of that shape. */
type Tuple<Row> = { readonly specs: readonly ColumnSpec<Row>[]; readonly operands: readonly string[] };

/**
 * The children of an Or (`op` "=") or an And (`op` "!="), compiled. Members of one shape
 * become one Set lookup: `col = v` on one string column (Multisite's and NagVis's `Or:`
 * lists of hundreds of `host_name = …`), and in an Or, `And:` groups of `=` on the same
 * string columns (NagVis's host/service pairs). Same answer (the string rules compare
 * exactly), one hash per row instead of one comparison per member. The result of an Or or
 * And does not depend on the order of its members, which have no side effects.
 */
function compileChildren<Row>(
  children: readonly FilterNode[],
  op: "=" | "!=",
  column: ColumnLookup<Row>,
  timezoneOffset: number,
  context: string,
  budget: ComparisonBudget,
): RowPredicate<Row>[] {
  const ids = new Map<ColumnSpec<Row>, number>();
  const shapes = new Map<string, { readonly specs: readonly ColumnSpec<Row>[]; readonly members: FilterNode[]; readonly keys: Set<string> }>();
  for (const c of children) {
    const tuple = equalityTuple(c, op, column, ids);
    if (tuple === undefined) continue;
    const shape = tuple.specs.map((spec) => ids.get(spec)!).join(",");
    let group = shapes.get(shape);
    if (group === undefined) shapes.set(shape, (group = { specs: tuple.specs, members: [], keys: new Set() }));
    group.members.push(c);
    group.keys.add(tupleKey(tuple.operands));
  }
  const grouped = new Set<FilterNode>();
  const lookups: RowPredicate<Row>[] = [];
  for (const { specs, members, keys } of shapes.values()) {
    if (members.length < SET_LOOKUP_FROM) continue;
    for (const m of members) grouped.add(m);
    budget.take();
    const gets = specs.map((spec) => spec.get);
    const get = gets[0]!;
    const has =
      gets.length === 1 ? (row: Row): boolean => keys.has(asText(get(row))) : (row: Row): boolean => keys.has(tupleKey(gets.map((g) => asText(g(row)))));
    lookups.push(op === "=" ? has : (row) => !has(row));
  }
  const rest = children.filter((c) => !grouped.has(c)).map((c) => compileFilter(c, column, timezoneOffset, context, budget));
  return [...lookups, ...rest];
}

/**
 * `col op v` on a string column, or (for `=` only) an And of such on distinct string
 * columns, sorted by column so that `a = 1, b = 2` and `b = 2, a = 1` have one shape.
 */
function equalityTuple<Row>(node: FilterNode, op: "=" | "!=", column: ColumnLookup<Row>, ids: Map<ColumnSpec<Row>, number>): Tuple<Row> | undefined {
  const parts = node.kind === "and" && op === "=" && node.children.length > 1 ? node.children : [node];
  const found: { spec: ColumnSpec<Row>; id: number; operand: string }[] = [];
  for (const part of parts) {
    if (part.kind !== "compare" || part.op !== op) return undefined;
    const spec = column(part.column);
    if (spec?.type !== "string") return undefined; // an unknown column gets its 400 from compileFilter
    let id = ids.get(spec);
    if (id === undefined) ids.set(spec, (id = ids.size));
    if (found.some((f) => f.id === id)) return undefined;
    found.push({ spec, id, operand: part.operand });
  }
  found.sort((a, b) => a.id - b.id);
  return { specs: found.map((f) => f.spec), operands: found.map((f) => f.operand) };
}

/** One string for a tuple of values, unambiguous whatever they hold (each is length-prefixed). */
function tupleKey(values: readonly string[]): string {
  if (values.length === 1) return values[0]!;
  let key = "";
  for (const v of values) key += `${v.length}:${v}`;
  return key;
}

/**
 * The key values a filter restricts a column to, for index lookups (docs/livestatus.md §7,
 * Checkmk's "string value restriction"): a row can only pass `node` if its key is in the
 * returned set. `isKey` says which column names mean the key (`name` and `host_name` on
 * hosts). Only exact `=` on a key column counts; an AND intersects its children's sets
 * (children without a restriction do not widen it), an OR unites them but only when
 * every branch is restricted. `Negate` and `Or: 0`-style edge cases are handled
 * conservatively: a negation restricts nothing, an empty OR matches nothing (empty set).
 * Returns undefined when the filter does not restrict the key (scan everything); the
 * caller must still apply the full filter to the rows it looks up.
 */
export function filterEqualities(node: FilterNode | undefined, isKey: readonly string[] | ((column: string) => boolean)): ReadonlySet<string> | undefined {
  if (node === undefined) return undefined;
  const keyTest = typeof isKey === "function" ? isKey : (c: string): boolean => isKey.includes(c);
  return restriction(node, keyTest);
}

function restriction(node: FilterNode, isKey: (column: string) => boolean): Set<string> | undefined {
  switch (node.kind) {
    case "compare":
      return node.op === "=" && isKey(node.column) ? new Set([node.operand]) : undefined;
    case "and": {
      let result: Set<string> | undefined;
      for (const child of node.children) {
        const r = restriction(child, isKey);
        if (r === undefined) continue;
        result = result === undefined ? r : new Set([...result].filter((v) => r.has(v)));
      }
      return result;
    }
    case "or": {
      const result = new Set<string>();
      for (const child of node.children) {
        const r = restriction(child, isKey);
        if (r === undefined) return undefined;
        for (const v of r) result.add(v);
      }
      return result;
    }
    case "not":
      return undefined;
  }
}
