import type { StateEngine } from "../../../core/state/state-engine";
import { byCodeUnit } from "./sorted-keys";

/**
 * The contacts Tantale knows: it has no contact configuration, so they are the names the
 * results carry in their `contacts`, over every check the state engine holds (a Host check
 * or a service, pending hosts' services included), sorted in code-unit order. One pass over
 * the checks per call; with `only` (a query's `name = X` hint) just those names are kept,
 * and the pass ends as soon as all of them were seen.
 */
export function contactNames(engine: StateEngine, only?: ReadonlySet<string>): string[] {
  if (only !== undefined && only.size === 0) return [];
  const seen = new Set<string>();
  for (const check of engine.allChecks()) {
    for (const name of check.contacts) if (only === undefined || only.has(name)) seen.add(name);
    if (only !== undefined && seen.size === only.size) break;
  }
  return [...seen].sort(byCodeUnit);
}
