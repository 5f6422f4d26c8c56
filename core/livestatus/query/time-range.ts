/**
 * The time bounds a filter puts on a time column, so that a table whose rows live in a
 * store (the log) reads only that range (docs/livestatus.md §4.6, §7: Checkmk opens only the
 * log files inside the bounds).
 */
import { atoi } from "./operand";
import type { FilterNode } from "../protocol/query";

/**
 * Bounds on a time column's value (whole epoch seconds, server time), both inclusive: a
 * row can only pass the filter if `since <= time <= until`. An absent bound is open.
 * `since > until` means that no row can pass.
 */
export interface TimeRange {
  readonly since?: number;
  readonly until?: number;
}

/**
 * The range a filter restricts a time column to, read the way the filter compares it (C
 * `atoi` operands minus the Localtime offset, integer comparisons): `time >= X`,
 * `time > X` (X + 1), `time <= Y`, `time < Y` (Y - 1) and `time = X` (both bounds). An
 * AND intersects its children's ranges (children without bounds do not widen it); an OR
 * is bounded on a side only when every branch is, by the widest bound. Negations, `!=`
 * and the bitmask operators bound nothing. Like filterEqualities this is an index hint:
 * the caller still applies the whole filter to the rows it reads.
 *
 * @param isTime says which column names mean the time column (`time` and `log_time` on log).
 * @param timezoneOffset the Localtime offset (seconds), subtracted from operands as the filter does.
 * @returns undefined when the filter does not bound the column.
 */
export function filterTimeRange(node: FilterNode | undefined, isTime: (column: string) => boolean, timezoneOffset = 0): TimeRange | undefined {
  if (node === undefined) return undefined;
  const r = range(node, isTime, timezoneOffset);
  return r === undefined || (r.since === undefined && r.until === undefined) ? undefined : r;
}

function range(node: FilterNode, isTime: (column: string) => boolean, offset: number): TimeRange | undefined {
  switch (node.kind) {
    case "compare": {
      if (!isTime(node.column)) return undefined;
      const x = atoi(node.operand) - offset;
      switch (node.op) {
        case ">=":
          return { since: x };
        case ">":
          return { since: x + 1 };
        case "<=":
          return { until: x };
        case "<":
          return { until: x - 1 };
        case "=":
          return { since: x, until: x };
        default:
          return undefined;
      }
    }
    case "and": {
      let since: number | undefined;
      let until: number | undefined;
      for (const child of node.children) {
        const r = range(child, isTime, offset);
        if (r === undefined) continue;
        if (r.since !== undefined) since = since === undefined ? r.since : Math.max(since, r.since);
        if (r.until !== undefined) until = until === undefined ? r.until : Math.min(until, r.until);
      }
      return since === undefined && until === undefined ? undefined : bounds(since, until);
    }
    case "or": {
      // `Or: 0` matches nothing; bounding it would need an empty range, and it is no query anyone sends.
      if (node.children.length === 0) return undefined;
      let since: number | undefined = Number.POSITIVE_INFINITY;
      let until: number | undefined = Number.NEGATIVE_INFINITY;
      for (const child of node.children) {
        const r = range(child, isTime, offset);
        if (r === undefined) return undefined;
        since = since === undefined || r.since === undefined ? undefined : Math.min(since, r.since);
        until = until === undefined || r.until === undefined ? undefined : Math.max(until, r.until);
      }
      return since === undefined && until === undefined ? undefined : bounds(since, until);
    }
    case "not":
      return undefined;
  }
}

function bounds(since: number | undefined, until: number | undefined): TimeRange {
  if (since === undefined) return { until };
  if (until === undefined) return { since };
  return { since, until };
}
