/**
 * A total order on column values, so grouped Stats rows (and anything else sorted by a
 * key) come out deterministically. Numbers compare numerically (Checkmk sorts groups by
 * their rendered text, which puts state 10 before 2; numeric order is what a reader
 * expects and what tests can state), strings by code unit, lists element by element.
 */
import type { LivestatusValue } from "./column";

function rank(v: LivestatusValue): number {
  if (typeof v === "number") return 0;
  if (typeof v === "string") return 1;
  return Array.isArray(v) ? 2 : 3;
}

function compareScalars<T extends number | string>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareValues(a: LivestatusValue, b: LivestatusValue): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === "number" && typeof b === "number") return compareScalars(a, b);
  if (typeof a === "string" && typeof b === "string") return compareScalars(a, b);
  if (Array.isArray(a) && Array.isArray(b)) return compareValueLists(a as readonly LivestatusValue[], b as readonly LivestatusValue[]);
  // Dicts: by their entries in name order; rare as a group key, but the order must still be total.
  return compareScalars(dictKey(a), dictKey(b));
}

/** Lexicographic: the first differing element decides, then the shorter list comes first. */
export function compareValueLists(a: readonly LivestatusValue[], b: readonly LivestatusValue[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareValues(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

function dictKey(v: LivestatusValue): string {
  const entries = typeof v === "object" && !Array.isArray(v) ? Object.entries(v as Readonly<Record<string, string>>) : [];
  return JSON.stringify(entries.sort(([x], [y]) => compareScalars(x, y)));
}
