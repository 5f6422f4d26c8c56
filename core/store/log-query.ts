import { compileRegex } from "../livestatus/query/regex";
import type { LogEntry } from "../state/log-entry";

/** Fields of a log entry a store can filter on (the Livestatus log table's pushed-down columns). */
export type LogNumberField = "time" | "class" | "state";
export type LogTextField = "hostname" | "check" | "type" | "output" | "message";

export type LogNumberOp = "=" | "!=" | "<" | "<=" | ">" | ">=";

/**
 * A condition on log entries, independent of any store: the log table builds it from a
 * Livestatus filter (the parts it can express; what it cannot is checked by the query engine
 * afterwards), and each store applies it **exactly**: SQL in SQLite, Query DSL in
 * Elasticsearch, and in Node (`logEntryMatches`) for what a store cannot translate.
 *
 * - `number`: a numeric comparison (`time` in seconds since the epoch, with fractions).
 * - `in`: the field equals one of `values` exactly (an empty list matches nothing).
 * - `match`: the regular expression `pattern` (RE2 syntax, Livestatus semantics: unanchored,
 *   a partial match) matches the field; `ignoreCase` for `~~`.
 * - `and` of no child matches everything, `or` of no child nothing.
 */
export type LogCondition =
  | { readonly kind: "number"; readonly field: LogNumberField; readonly op: LogNumberOp; readonly value: number }
  | { readonly kind: "in"; readonly field: LogTextField; readonly values: readonly string[] }
  | { readonly kind: "match"; readonly field: LogTextField; readonly pattern: string; readonly ignoreCase: boolean }
  | { readonly kind: "and"; readonly children: readonly LogCondition[] }
  | { readonly kind: "or"; readonly children: readonly LogCondition[] }
  | { readonly kind: "not"; readonly child: LogCondition };

/** Matches every entry. */
export const ALL_LOG_ENTRIES: LogCondition = Object.freeze({ kind: "and", children: Object.freeze([]) });

/**
 * A read of the log. Entries come ordered by (time, id), ascending or descending; `limit`
 * keeps the first ones in that order, so `order: "desc"` with a limit keeps the newest.
 * `after` continues a read that a limit cut, from the cursor of its last page (`LogPage.next`),
 * with the same where and order.
 */
export interface LogQuery {
  /** Seconds since the epoch, inclusive. */
  readonly since?: number;
  /** Seconds since the epoch, inclusive. */
  readonly until?: number;
  /** Applied exactly by the store; absent: every entry of the time range. */
  readonly where?: LogCondition;
  /** "asc" (the default): oldest first. */
  readonly order?: "asc" | "desc";
  /** At most this many entries. */
  readonly limit?: number;
  /** An opaque cursor from `LogPage.next` of the same store. */
  readonly after?: string;
}

/** One page of a log read: `next` is set when the limit cut it (there may be more). */
export interface LogPage {
  readonly entries: readonly LogEntry[];
  readonly next?: string;
}

/** An empty page. */
export const NO_LOG_ENTRIES: LogPage = Object.freeze({ entries: Object.freeze([]) });

/**
 * The condition as a predicate in Node: the reference every store's translation must agree
 * with, and the filter a store applies after fetching to what it could not push down.
 * Regexes are compiled once here (RE2, as the Livestatus filters).
 */
export function logEntryMatches(cond: LogCondition): (entry: LogEntry) => boolean {
  switch (cond.kind) {
    case "number": {
      const { field, value } = cond;
      const get = (e: LogEntry): number => e[field];
      switch (cond.op) {
        case "=":
          return (e) => get(e) === value;
        case "!=":
          return (e) => get(e) !== value;
        case "<":
          return (e) => get(e) < value;
        case "<=":
          return (e) => get(e) <= value;
        case ">":
          return (e) => get(e) > value;
        case ">=":
          return (e) => get(e) >= value;
      }
      break;
    }
    case "in": {
      const { field } = cond;
      const values = new Set(cond.values);
      return (e) => values.has(e[field]);
    }
    case "match": {
      const { field } = cond;
      const test = compileRegex(cond.pattern, cond.ignoreCase, "log condition");
      return (e) => test(e[field]);
    }
    case "and": {
      const children = cond.children.map(logEntryMatches);
      return (e) => children.every((c) => c(e));
    }
    case "or": {
      const children = cond.children.map(logEntryMatches);
      return (e) => children.some((c) => c(e));
    }
    case "not": {
      const child = logEntryMatches(cond.child);
      return (e) => !child(e);
    }
  }
}

/** (time, id) order: the order of every log read. */
export function compareLogEntries(a: LogEntry, b: LogEntry): number {
  return a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * A log query answered from entries in memory, with the meaning every store gives it: the
 * reference the stores are tested against, and the read of the test stores. The cursor is
 * the last entry's time and id.
 */
export function logPageOf(all: Iterable<LogEntry>, q: LogQuery): LogPage {
  const test = q.where === undefined ? undefined : logEntryMatches(q.where);
  const after = q.after === undefined ? undefined : parseLogCursor(q.after);
  const desc = q.order === "desc";
  const selected: LogEntry[] = [];
  for (const e of all) {
    if (q.since !== undefined && e.time < q.since) continue;
    if (q.until !== undefined && e.time > q.until) continue;
    if (test !== undefined && !test(e)) continue;
    if (after !== undefined) {
      const c = compareLogEntries(e, after as LogEntry);
      if (desc ? c >= 0 : c <= 0) continue;
    }
    selected.push(e);
  }
  selected.sort(desc ? (a, b) => compareLogEntries(b, a) : compareLogEntries);
  if (q.limit === undefined || selected.length <= q.limit) return { entries: selected };
  const entries = selected.slice(0, q.limit);
  const last = entries.at(-1);
  return last === undefined ? { entries } : { entries, next: logCursorOf(last) };
}

/** The cursor after `entry` (LogPage.next): its (time, id), the key of every store's order. */
export function logCursorOf(entry: Pick<LogEntry, "time" | "id">): string {
  return JSON.stringify([entry.time, entry.id]);
}

/** The (time, id) of a cursor from logCursorOf; a TypeError for anything else. */
export function parseLogCursor(cursor: string): Pick<LogEntry, "time" | "id"> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(cursor);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || typeof parsed[0] !== "number" || typeof parsed[1] !== "string")
    throw new TypeError(`not a log cursor: ${cursor}`);
  return { time: parsed[0], id: parsed[1] };
}
