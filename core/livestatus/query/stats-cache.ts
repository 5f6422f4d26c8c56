/**
 * Stats counted per block of rows, kept between queries. GUIs poll the same Stats query
 * every few seconds (NagVis, Multisite's sidebar, Thruk's tactical overview), and when it
 * counts only `stable` columns (functions of a row's version object: a service's state,
 * acknowledgement, downtime depth, host name) what a block of rows adds to it stays the
 * same while the block comes with the same key (RowBlock). So the counts of each block are
 * kept by its key: a query over 20,000 services is then a lookup per host, and only the
 * hosts whose services changed are counted again.
 *
 * Only for counts (an aggregate would need partial sums, minimums, variances: not kept),
 * without Limit (it caps the rows counted, wherever a block is cut), AuthUser (what a user
 * sees is not a column) or Localtime (a time operand shifts).
 */
import type { ColumnLookup } from "./filter";
import type { FilterNode, GetQuery, StatsNode } from "../protocol/query";
import type { StatsPart } from "./stats";
import type { LivestatusTable } from "./table-registry";

/** Stats shapes kept per table: a GUI asks a handful; an ad-hoc one only pushes out the oldest. */
const MAX_SHAPES = 16;

/** Per table: the shape's text → block key → what the block adds; in least-recently-used order. */
const caches = new WeakMap<LivestatusTable, Map<string, WeakMap<object, StatsPart>>>();

/**
 * Where the counts of the blocks of `table` are kept for `query` (its Stats, Filter and
 * group columns); undefined when they cannot be (see above), or the table's rows have no
 * version.
 */
export function statsBlockCache(query: GetQuery, table: LivestatusTable, lookup: ColumnLookup<unknown>): WeakMap<object, StatsPart> | undefined {
  if (table.rowVersion === undefined || table.blocks === undefined) return undefined;
  if (query.limit !== undefined || query.authUser !== undefined || query.timezoneOffset !== 0) return undefined;
  if (query.stats.some((s) => s.kind !== "count")) return undefined;
  const names = [...query.columns];
  if (query.filter !== undefined) filterColumns(query.filter, names);
  for (const s of query.stats) statsColumns(s, names);
  for (const name of names) if (lookup(name)?.stable !== true) return undefined;
  let shapes = caches.get(table);
  if (shapes === undefined) caches.set(table, (shapes = new Map<string, WeakMap<object, StatsPart>>()));
  // The parsed trees hold the names and operands as written: equal text, equal counts.
  const key = JSON.stringify([query.columns, query.filter ?? null, query.stats]);
  let parts = shapes.get(key);
  if (parts !== undefined) {
    shapes.delete(key); // re-inserted below: Map order is the LRU order
  } else {
    parts = new WeakMap();
    if (shapes.size >= MAX_SHAPES) shapes.delete(shapes.keys().next().value as string);
  }
  shapes.set(key, parts);
  return parts;
}

function filterColumns(node: FilterNode, out: string[]): void {
  switch (node.kind) {
    case "compare":
      out.push(node.column);
      return;
    case "and":
    case "or":
      for (const child of node.children) filterColumns(child, out);
      return;
    case "not":
      filterColumns(node.child, out);
      return;
  }
}

function statsColumns(node: StatsNode, out: string[]): void {
  if (node.kind === "count") filterColumns(node.filter, out);
  else out.push(node.column);
}
