/**
 * A LogQuery as one SQL statement: the condition as a WHERE with bound parameters, applied
 * exactly (the same answers as core's logEntryMatches), in (time, entry_id) order through an
 * index, with keyset pagination for the cursor.
 */
import type Database from "better-sqlite3";
import { compileRegex, type TextTest } from "../../../core/livestatus/query/regex";
import {
  logCursorOf,
  parseLogCursor,
  type LogCondition,
  type LogNumberField,
  type LogPage,
  type LogQuery,
  type LogTextField,
} from "../../../core/store/log-query";
import { LOG_INDEX } from "./log-id-migration";
import { rowToLogEntry } from "./rows";
import { LOG_COLUMNS, type LogRow } from "./tables";

/** The SQL function of `match` conditions, registered on every connection that reads the log (LogReads). */
export const MATCH_FUNCTION = "tantale_log_match";

const COLUMN: Readonly<Record<LogNumberField | LogTextField, string>> = {
  time: "time",
  class: "class",
  state: "state",
  hostname: "hostname",
  check: '"check"',
  type: "type",
  output: "output",
  message: "message",
};

/** By name: a query from JavaScript may carry an operator the type does not allow. */
const SQL_OP: Readonly<Record<string, string | undefined>> = { "=": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">=" };

/**
 * Most hosts a read looks up through the host index. Each host is one range of the index, and
 * the rows of several hosts need a sort; beyond this many, the time index (one range, no sort,
 * a limit stops it early) is the better bet.
 */
export const MAX_HOST_PROBES = 100;

const SELECT_LOG = `SELECT ${LOG_COLUMNS.join(", ")} FROM log INDEXED BY`;

/** Statements kept prepared per connection, by SQL text: queries of one shape reuse theirs. */
const MAX_STATEMENTS = 64;

/** The statement of a query: its SQL, its parameters and the regexes its `match` conditions call, by slot. */
export interface LogSelect {
  readonly sql: string;
  readonly params: readonly unknown[];
  readonly tests: readonly TextTest[];
  /** The query's limit; the SQL reads one row more, to know whether there is a next page. */
  readonly limit: number | undefined;
}

/** @throws TypeError for a malformed query (a NaN, a limit that is not a whole number ≥ 0, a bad cursor). */
export function logSelectOf(q: LogQuery): LogSelect {
  if (q.limit !== undefined && (!Number.isSafeInteger(q.limit) || q.limit < 0)) throw new TypeError(`limit must be a whole number ≥ 0, not ${q.limit}`);
  const params: unknown[] = [];
  const tests: TextTest[] = [];
  const where: string[] = [];
  const desc = q.order === "desc";
  let since = q.since === undefined ? undefined : checkNumber("since", q.since);
  let until = q.until === undefined ? undefined : checkNumber("until", q.until);
  let tie: { time: number; id: string } | undefined;
  if (q.after !== undefined) {
    // (time, entry_id) beyond the cursor's: the cursor's time narrows the time range itself (a
    // range of the index, which SQLite would not take from a row value beside since/until),
    // and the entries of that very time are told apart by id.
    tie = parseLogCursor(q.after);
    if (desc) until = until === undefined ? tie.time : Math.min(until, tie.time);
    else since = since === undefined ? tie.time : Math.max(since, tie.time);
  }
  if (since !== undefined) {
    where.push("time >= ?");
    params.push(since);
  }
  if (until !== undefined) {
    where.push("time <= ?");
    params.push(until);
  }
  if (tie !== undefined) {
    where.push(`(time ${desc ? "<" : ">"} ? OR entry_id ${desc ? "<" : ">"} ?)`);
    params.push(tie.time, tie.id);
  }
  if (q.where !== undefined) {
    const expr = conditionSql(q.where, params, tests);
    if (expr !== "1") where.push(expr);
  }
  const dir = desc ? "DESC" : "ASC";
  // SQLite: a negative LIMIT is no limit.
  params.push(q.limit === undefined ? -1 : q.limit + 1);
  const sql = `${SELECT_LOG} ${logIndexFor(q.where)}${where.length === 0 ? "" : ` WHERE ${where.join(" AND ")}`} ORDER BY time ${dir}, entry_id ${dir} LIMIT ?`;
  return { sql, params, tests, limit: q.limit };
}

/**
 * The index a query reads through, pinned with INDEXED BY (SQLite has no statistics of the log
 * to choose by, and refuses the statement rather than scan when an index is missing): the host
 * index when the condition's top-level And pins the hostnames (few enough of them), the time
 * index otherwise.
 */
export function logIndexFor(where: LogCondition | undefined): string {
  const terms = topLevelTerms(where);
  let hosts: readonly string[] | undefined;
  for (const t of terms) if (t.kind === "in" && t.field === "hostname" && (hosts === undefined || t.values.length < hosts.length)) hosts = t.values;
  return hosts === undefined || hosts.length > MAX_HOST_PROBES ? LOG_INDEX.time : LOG_INDEX.host;
}

function topLevelTerms(where: LogCondition | undefined, out: LogCondition[] = []): LogCondition[] {
  if (where === undefined) return out;
  if (where.kind !== "and") out.push(where);
  else for (const c of where.children) topLevelTerms(c, out);
  return out;
}

/** The condition as an SQL expression; its parameters are appended to `params`, its compiled regexes to `tests`. */
function conditionSql(cond: LogCondition, params: unknown[], tests: TextTest[]): string {
  switch (cond.kind) {
    case "number": {
      const op = SQL_OP[cond.op];
      if (op === undefined) throw new TypeError(`unknown comparison ${cond.op}`);
      params.push(checkNumber(cond.field, cond.value));
      return `${column(cond.field)} ${op} ?`;
    }
    case "in": {
      const col = column(cond.field);
      for (const v of cond.values) if (typeof v !== "string") throw new TypeError(`${cond.field} in: not a string: ${String(v)}`);
      if (cond.values.length === 0) return "0";
      if (cond.values.length === 1) {
        params.push(cond.values[0]);
        return `${col} = ?`;
      }
      // One parameter whatever the length: one statement per shape, and no limit on the number of values.
      params.push(JSON.stringify(cond.values));
      return `${col} IN (SELECT value FROM json_each(?))`;
    }
    case "match": {
      const col = column(cond.field);
      // The slot is part of the SQL (its text stays the same from one query to the next); the pattern is compiled once per read.
      tests.push(compileRegex(cond.pattern, cond.ignoreCase, "log condition"));
      return `${MATCH_FUNCTION}(${tests.length - 1}, ${col})`;
    }
    case "and":
    case "or": {
      if (cond.children.length === 0) return cond.kind === "and" ? "1" : "0";
      const parts = cond.children.map((c) => conditionSql(c, params, tests));
      return parts.length === 1 ? parts[0]! : `(${parts.join(cond.kind === "and" ? " AND " : " OR ")})`;
    }
    case "not":
      // No column is NULL and the match function returns 0 or 1: NOT is two-valued here, as in JavaScript.
      return `NOT (${conditionSql(cond.child, params, tests)})`;
  }
}

function column(field: string): string {
  const col = (COLUMN as Readonly<Record<string, string>>)[field];
  if (col === undefined) throw new TypeError(`not a log field: ${field}`);
  return col;
}

/** NaN has no SQL value (it would bind as NULL and change NOT's meaning); infinities are REAL values. */
function checkNumber(what: string, n: number): number {
  if (typeof n !== "number" || Number.isNaN(n)) throw new TypeError(`${what} must be a number, not ${String(n)}`);
  return n;
}

/**
 * The log reads of one connection: the regex function registered on it, statements prepared
 * once per SQL text (at most MAX_STATEMENTS, the least recently used dropped).
 */
export class LogReads {
  private readonly statements = new Map<string, Database.Statement<unknown[], LogRow>>();
  /** The regexes of the read in progress (reads are synchronous: one at a time per connection). */
  private tests: readonly TextTest[] = [];

  constructor(private readonly db: Database.Database) {
    db.function(MATCH_FUNCTION, { deterministic: false }, (slot: unknown, text: unknown) => {
      const test = typeof slot === "number" ? this.tests[slot] : undefined;
      if (test === undefined) throw new Error(`${MATCH_FUNCTION}: no regex in slot ${String(slot)} (called outside a log read?)`);
      return test(typeof text === "string" ? text : String(text)) ? 1 : 0;
    });
  }

  read(query: LogQuery): LogPage {
    const select = logSelectOf(query);
    const statement = this.statement(select.sql);
    this.tests = select.tests;
    let rows: LogRow[];
    try {
      rows = statement.all(...select.params);
    } finally {
      this.tests = [];
    }
    const limit = select.limit;
    if (limit === undefined || rows.length <= limit) return { entries: rows.map(rowToLogEntry) };
    const entries = rows.slice(0, limit).map(rowToLogEntry);
    const last = entries.at(-1);
    return last === undefined ? { entries } : { entries, next: logCursorOf(last) };
  }

  private statement(sql: string): Database.Statement<unknown[], LogRow> {
    let s = this.statements.get(sql);
    if (s !== undefined) {
      // Most recently used last: the first key is the one to drop.
      this.statements.delete(sql);
    } else {
      s = this.db.prepare<unknown[], LogRow>(sql).raw(true);
      if (this.statements.size >= MAX_STATEMENTS) this.statements.delete(this.statements.keys().next().value!);
    }
    this.statements.set(sql, s);
    return s;
  }
}
