/**
 * Compiles a parsed filter tree against a table's columns into one row predicate.
 * Column lookup, operand parsing and regex compilation happen here, once per query, so
 * the per-row work is only the comparisons (livestatus.md §7 "compile once").
 */
import type { ColumnSpec } from "./column";
import { LivestatusError } from "./livestatus-error";
import { valuePredicate } from "./predicates";
import type { FilterNode } from "./query";

export type RowPredicate<Row> = (row: Row) => boolean;
export type ColumnLookup<Row> = (name: string) => ColumnSpec<Row> | undefined;

const ALWAYS = (): boolean => true;
const NEVER = (): boolean => false;

/**
 * @param column resolves a name as the client wrote it (prefixes included) to a column.
 * @param timezoneOffset Localtime offset in seconds, subtracted from time operands.
 * @param context header named in error messages: `Filter` by default, `Stats` for Stats
 *   count filters, `WaitCondition` for wait conditions.
 * @throws LivestatusError 400 for an unknown column or an invalid regular expression.
 */
export function compileFilter<Row>(node: FilterNode, column: ColumnLookup<Row>, timezoneOffset: number, context = "Filter"): RowPredicate<Row> {
  switch (node.kind) {
    case "compare": {
      const spec = column(node.column);
      // Unlike Columns: (null column), an unknown filter column cannot be given a meaning.
      if (spec === undefined) throw new LivestatusError(400, `${context}: unknown column ${node.column}`);
      const test = valuePredicate(spec.type, node.op, node.operand, timezoneOffset, context);
      const get = spec.get;
      return (row) => test(get(row));
    }
    case "and": {
      const children = node.children.map((c) => compileFilter(c, column, timezoneOffset, context));
      // `And: 0` is always true (Checkmk ≥ 2.0); a single child needs no wrapper.
      if (children.length === 0) return ALWAYS;
      if (children.length === 1) return children[0]!;
      return (row) => {
        for (const test of children) if (!test(row)) return false;
        return true;
      };
    }
    case "or": {
      const children = node.children.map((c) => compileFilter(c, column, timezoneOffset, context));
      // `Or: 0` is always false.
      if (children.length === 0) return NEVER;
      if (children.length === 1) return children[0]!;
      return (row) => {
        for (const test of children) if (test(row)) return true;
        return false;
      };
    }
    case "not": {
      const child = compileFilter(node.child, column, timezoneOffset, context);
      return (row) => !child(row);
    }
  }
}

/**
 * The key values a filter restricts a column to, for index lookups (livestatus.md §7,
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
