/**
 * The SQL of the store, in one place so that the schema, the statements and the README
 * stay in step. `check` is an SQL keyword (CHECK constraints), so it is always quoted.
 */

import type Database from "better-sqlite3";
import { addLogEntryIds } from "./log-id-migration";

/** A step of the schema: SQL, or code for what SQL cannot compute (run inside the migration's transaction). */
export type Migration = string | ((db: Database.Database) => void);

/**
 * MIGRATIONS[v] takes a file from schema version v to v + 1 (`PRAGMA user_version`).
 * Append new entries; never edit a released one, files in the field already ran it.
 */
export const MIGRATIONS: readonly Migration[] = [
  // 1: current state and log. checks is WITHOUT ROWID: one B-tree clustered by
  // (hostname, check), so the checks of one host share pages and an upsert touches one tree.
  `
  CREATE TABLE IF NOT EXISTS checks (
    hostname               TEXT    NOT NULL,
    "check"                TEXT    NOT NULL,
    state                  INTEGER NOT NULL,
    last_state             INTEGER NOT NULL,
    output                 TEXT    NOT NULL,
    long_output            TEXT    NOT NULL,
    perf_data              TEXT    NOT NULL,
    last_check             REAL    NOT NULL,
    last_state_change      REAL    NOT NULL,
    last_hard_state_change REAL    NOT NULL,
    interval               REAL    NOT NULL,
    contacts               TEXT    NOT NULL, -- JSON array of strings
    hostgroups             TEXT    NOT NULL, -- JSON array of strings
    servicegroups          TEXT    NOT NULL, -- JSON array of strings
    custom_variables       TEXT    NOT NULL, -- JSON object, string values
    outdated               INTEGER NOT NULL, -- 0 or 1
    ack_type               INTEGER,          -- NULL: not acknowledged; 1 normal, 2 sticky
    ack_author             TEXT,
    ack_comment            TEXT,
    ack_time               REAL,
    ack_expire_time        REAL,
    downtime_depth         INTEGER NOT NULL,
    PRIMARY KEY (hostname, "check")
  ) WITHOUT ROWID;

  CREATE TABLE IF NOT EXISTS log (
    id         INTEGER PRIMARY KEY,
    time       REAL    NOT NULL,
    class      INTEGER NOT NULL,
    type       TEXT    NOT NULL,
    hostname   TEXT    NOT NULL,
    "check"    TEXT    NOT NULL,
    state      INTEGER NOT NULL,
    state_type TEXT    NOT NULL,
    attempt    INTEGER NOT NULL,
    output     TEXT    NOT NULL,
    message    TEXT    NOT NULL
  );
  -- Every index ends with the rowid (id), so "ORDER BY time, id" is index order: no sort.
  CREATE INDEX IF NOT EXISTS log_time ON log (time);
  CREATE INDEX IF NOT EXISTS log_host_time ON log (hostname, time);
  CREATE INDEX IF NOT EXISTS log_host_check_time ON log (hostname, "check", time);
  `,
  // 2: downtimes, comments and the id counters. The store reads these tables whole at start
  // and writes them by id, and they stay small (one row per downtime or comment), so the
  // rowid (the engine's id) is their only index.
  `
  CREATE TABLE IF NOT EXISTS downtimes (
    id           INTEGER PRIMARY KEY,
    hostname     TEXT    NOT NULL,
    "check"      TEXT    NOT NULL,
    author       TEXT    NOT NULL,
    comment      TEXT    NOT NULL,
    entry_time   REAL    NOT NULL,
    start_time   REAL    NOT NULL,
    end_time     REAL    NOT NULL,
    fixed        INTEGER NOT NULL, -- 0 or 1
    duration     REAL    NOT NULL,
    triggered_by INTEGER NOT NULL, -- a downtime id; 0 none
    active_since REAL    NOT NULL  -- 0 while pending
  );

  CREATE TABLE IF NOT EXISTS comments (
    id          INTEGER PRIMARY KEY,
    hostname    TEXT    NOT NULL,
    "check"     TEXT    NOT NULL,
    author      TEXT    NOT NULL,
    comment     TEXT    NOT NULL,
    entry_time  REAL    NOT NULL,
    entry_type  INTEGER NOT NULL, -- 1 user, 2 downtime, 3 flapping, 4 acknowledgement
    persistent  INTEGER NOT NULL, -- 0 or 1
    expire_time REAL    NOT NULL  -- 0 never
  );

  -- The highest id handed out per kind ('downtime', 'comment'): ids are never reused,
  -- also when the record that had the highest one is deleted.
  CREATE TABLE IF NOT EXISTS counters (
    name  TEXT    PRIMARY KEY,
    value INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  // 3: each log row gets its entry's deterministic id (core logEntryId, computed in JS for the
  // rows already there), so that a replayed commit writes each line once. See addLogEntryIds.
  addLogEntryIds,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** The columns of `checks`, in the order of the upsert's parameters. */
const CHECK_COLUMNS = [
  "hostname",
  '"check"',
  "state",
  "last_state",
  "output",
  "long_output",
  "perf_data",
  "last_check",
  "last_state_change",
  "last_hard_state_change",
  "interval",
  "contacts",
  "hostgroups",
  "servicegroups",
  "custom_variables",
  "outdated",
  "ack_type",
  "ack_author",
  "ack_comment",
  "ack_time",
  "ack_expire_time",
  "downtime_depth",
] as const;
const KEY_COLUMNS = new Set<string>(["hostname", '"check"']);

/** Rows per multi-row upsert: one statement per 20 rows runs ~25% faster than one per row; more gains nothing. */
export const UPSERT_ROWS = 20;

/**
 * An upsert of `rows` checks (rows × CHECK_COLUMNS parameters). Rows with the same key in one
 * statement are applied in order, so the last one wins as with one statement per row.
 */
export function upsertChecksSql(rows: number): string {
  const tuple = `(${CHECK_COLUMNS.map(() => "?").join(", ")})`;
  return `INSERT INTO checks (${CHECK_COLUMNS.join(", ")}) VALUES ${Array.from({ length: rows }, () => tuple).join(", ")}
  ON CONFLICT (hostname, "check") DO UPDATE SET ${CHECK_COLUMNS.filter((c) => !KEY_COLUMNS.has(c))
    .map((c) => `${c} = excluded.${c}`)
    .join(", ")}`;
}
export const DELETE_CHECK = `DELETE FROM checks WHERE hostname = ? AND "check" = ?`;
export const SELECT_CHECKS = `SELECT ${CHECK_COLUMNS.join(", ")} FROM checks`;
/**
 * The checks in key order, a chunk at a time (the daemon's load): the first chunk, then the
 * chunk after the last key read. Each is one seek in the clustered B-tree, and no statement
 * stays open between two chunks.
 */
export const SELECT_CHECKS_FIRST = `${SELECT_CHECKS} ORDER BY hostname, "check" LIMIT ?`;
export const SELECT_CHECKS_AFTER = `${SELECT_CHECKS} WHERE (hostname, "check") > (?, ?) ORDER BY hostname, "check" LIMIT ?`;
export const COUNT_CHECKS = "SELECT count(*) FROM checks";

/** The columns of a log row as the store reads and writes them (the rowid is internal), in LogRow order. */
export const LOG_COLUMNS = ["entry_id", "time", "class", "type", "hostname", '"check"', "state", "state_type", "attempt", "output", "message"] as const;
/**
 * A line already in the file (same time and entry id: a replayed commit, a spool) is skipped.
 * `ON CONFLICT ... DO NOTHING` rather than `INSERT OR IGNORE`: OR IGNORE would also skip, silently,
 * a row that breaks a NOT NULL constraint, which must fail the commit.
 */
export const INSERT_LOG = `INSERT INTO log (${LOG_COLUMNS.join(", ")}) VALUES (${LOG_COLUMNS.map(() => "?").join(", ")}) ON CONFLICT (time, entry_id) DO NOTHING`;
export const EXPIRE_LOG = "DELETE FROM log WHERE time < ?";

const DOWNTIME_COLUMNS = [
  "id",
  "hostname",
  '"check"',
  "author",
  "comment",
  "entry_time",
  "start_time",
  "end_time",
  "fixed",
  "duration",
  "triggered_by",
  "active_since",
] as const;
const COMMENT_COLUMNS = ["id", "hostname", '"check"', "author", "comment", "entry_time", "entry_type", "persistent", "expire_time"] as const;

/** One row per statement: a commit changes a few downtimes or comments, not thousands. */
function upsertByIdSql(table: string, columns: readonly string[]): string {
  return `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})
  ON CONFLICT (id) DO UPDATE SET ${columns
    .filter((c) => c !== "id")
    .map((c) => `${c} = excluded.${c}`)
    .join(", ")}`;
}

export const UPSERT_DOWNTIME = upsertByIdSql("downtimes", DOWNTIME_COLUMNS);
export const DELETE_DOWNTIME = "DELETE FROM downtimes WHERE id = ?";
/** Rowid order: no sort. */
export const SELECT_DOWNTIMES = `SELECT ${DOWNTIME_COLUMNS.join(", ")} FROM downtimes ORDER BY id`;

export const UPSERT_COMMENT = upsertByIdSql("comments", COMMENT_COLUMNS);
export const DELETE_COMMENT = "DELETE FROM comments WHERE id = ?";
export const SELECT_COMMENTS = `SELECT ${COMMENT_COLUMNS.join(", ")} FROM comments ORDER BY id`;

/** A counter only grows: a change set carrying a lower value (an engine that counted less) cannot make ids be handed out again. */
export const UPSERT_COUNTER = "INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)";
export const SELECT_COUNTERS = "SELECT name, value FROM counters";

/**
 * A row of SELECT_CHECKS in raw mode (an array: better-sqlite3 builds one 22-key object per
 * row several times slower), in CHECK_COLUMNS order.
 */
export type CheckRow = readonly [
  hostname: string,
  check: string,
  state: number,
  last_state: number,
  output: string,
  long_output: string,
  perf_data: string,
  last_check: number,
  last_state_change: number,
  last_hard_state_change: number,
  interval: number,
  contacts: string,
  hostgroups: string,
  servicegroups: string,
  custom_variables: string,
  outdated: number,
  ack_type: number | null,
  ack_author: string | null,
  ack_comment: string | null,
  ack_time: number | null,
  ack_expire_time: number | null,
  downtime_depth: number,
];

/** A row of a log query in raw mode, in LOG_COLUMNS order. */
export type LogRow = readonly [
  entry_id: string,
  time: number,
  log_class: number,
  type: string,
  hostname: string,
  check: string,
  state: number,
  state_type: string,
  attempt: number,
  output: string,
  message: string,
];

/** A row of SELECT_DOWNTIMES in raw mode, in DOWNTIME_COLUMNS order. */
export type DowntimeRow = readonly [
  id: number,
  hostname: string,
  check: string,
  author: string,
  comment: string,
  entry_time: number,
  start_time: number,
  end_time: number,
  fixed: number,
  duration: number,
  triggered_by: number,
  active_since: number,
];

/** A row of SELECT_COMMENTS in raw mode, in COMMENT_COLUMNS order. */
export type CommentRow = readonly [
  id: number,
  hostname: string,
  check: string,
  author: string,
  comment: string,
  entry_time: number,
  entry_type: number,
  persistent: number,
  expire_time: number,
];

/** A row of SELECT_COUNTERS in raw mode. */
export type CounterRow = readonly [name: string, value: number];
