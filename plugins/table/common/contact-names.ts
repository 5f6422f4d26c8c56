import type { ColumnSpec, StateView, TableContext, TableParts } from "../../../core";
import { byCodeUnit } from "./sorted-keys";

/**
 * The contacts Tantale knows: it has no contact configuration, so they are the names the
 * results carry in their `contacts`, over every check the state engine holds (a Host check
 * or a service, pending hosts' services included), sorted in code-unit order. One pass over
 * the checks per call; with `only` (a query's `name = X` hint) just those names are kept,
 * and the pass ends as soon as all of them were seen.
 */
export function contactNames(state: StateView, only?: ReadonlySet<string>): string[] {
  if (only !== undefined && only.size === 0) return [];
  const seen = new Set<string>();
  for (const check of state.allChecks()) {
    for (const name of check.contacts) if (only === undefined || only.has(name)) seen.add(name);
    if (only !== undefined && seen.size === only.size) break;
  }
  return [...seen].sort(byCodeUnit);
}

/** A table whose rows are the contact names (contacts, contactgroups): key `name`, no AuthUser (docs/livestatus.md §2.3). */
export function contactNamesTable(prefix: string, columns: readonly ColumnSpec<string>[]): (context: TableContext) => TableParts<string> {
  return ({ state }) => ({ prefix, columns, keyColumns: ["name"], rows: (hint) => contactNames(state, hint.keys) });
}
