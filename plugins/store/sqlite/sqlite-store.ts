import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";
import { inject, injectable } from "tsyringe";
import type { Clock } from "../../../core/clock";
import { describeError, TantaleError } from "../../../core/errors";
import type { Logger } from "../../../core/log/logger";
import type { InstanceStats } from "../../../core/metrics/self-stats";
import type { StorePlugin } from "../../../core/plugin/api";
import { isEmptyChangeSet, type ChangeSet } from "../../../core/state/change-set";
import type { CheckState } from "../../../core/state/check-state";
import type { LogEntry } from "../../../core/state/log-entry";
import type { LogQuery, StoredState } from "../../../core/store/state-store";
import { CLOCK, DATA_DIR, INSTANCE_STATS, LOGGER, PLUGIN_CONFIG } from "../../../core/tokens";
import { CheckRowReader, logParams, pushCheckParams, rowToLogEntry } from "./rows";
import type { SqliteConfig } from "./schema";
import {
  DELETE_CHECK, EXPIRE_LOG, INSERT_LOG, LOG_FILTERS, logQuerySql, MIGRATIONS, SCHEMA_VERSION, SELECT_CHECKS, UPSERT_ROWS, upsertChecksSql,
  type CheckRow, type LogFilter, type LogRow,
} from "./tables";

const HOUR_MS = 3_600_000;
const DAY_S = 86_400;
/** Page cache of the writer (KiB): the hot pages of a large checks table stay in memory between commits. */
const CACHE_KIB = 32 * 1024;
/** After a checkpoint the WAL is truncated to this, so one burst (or a long reader) does not keep it large. */
const WAL_SIZE_LIMIT = 64 * 1024 * 1024;

/** A failed operation of the store, naming the file and what was being done. */
export class SqliteStoreError extends TantaleError {
  /** SQLite's extended error code (SQLITE_BUSY, SQLITE_CONSTRAINT_NOTNULL, ...) when SQLite raised the error. */
  readonly code: string | undefined;

  constructor(
    readonly file: string,
    readonly operation: string,
    options: { cause: unknown },
  ) {
    super(`sqlite store ${file}: ${operation} failed: ${describeError(options.cause)}`, options);
    this.code = options.cause instanceof Database.SqliteError ? options.cause.code : undefined;
  }
}

/** Statements of the writer connection, prepared once at start. */
interface Prepared {
  readonly apply: Database.Transaction<(changes: ChangeSet) => void>;
  readonly expire: Database.Statement<[number]>;
  readonly checks: Database.Statement<[], CheckRow>;
  readonly log: ReadonlyMap<LogFilter, Database.Statement<unknown[], LogRow>>;
}

/**
 * The embedded store: the state engine's current state and log in one SQLite file
 * (WAL mode, one transaction per commit). `load()` and `readLog()` also work on an
 * instance that was not started, through a read-only connection of their own, so that
 * tools can read the file of a running daemon.
 */
@injectable()
export class SqliteStore implements StorePlugin {
  readonly file: string;
  private db: Database.Database | undefined;
  private prepared: Prepared | undefined;
  private stopped = false;
  private expireTimer: NodeJS.Timeout | undefined;

  constructor(
    @inject(PLUGIN_CONFIG) private readonly config: SqliteConfig,
    @inject(DATA_DIR) dataDir: string,
    @inject(LOGGER) private readonly log: Logger,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(INSTANCE_STATS) private readonly stats: InstanceStats,
  ) {
    this.file = path.resolve(dataDir, config.path);
  }

  async start(): Promise<void> {
    if (this.db !== undefined) throw new SqliteStoreError(this.file, "start", { cause: new Error("already started") });
    if (!Number.isSafeInteger(this.config.log_retention_days) || this.config.log_retention_days < 0) {
      throw new SqliteStoreError(this.file, "start", { cause: new Error(`log_retention_days must be 0 or more, not ${this.config.log_retention_days}`) });
    }
    let db: Database.Database | undefined;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      // timeout is sqlite3_busy_timeout, i.e. PRAGMA busy_timeout.
      db = new Database(this.file, { timeout: this.config.busy_timeout });
      const mode = db.pragma("journal_mode = WAL", { simple: true });
      // Without WAL a reader (tantale dump, a sqlite3 shell) would block commits, and the README's durability model would not hold.
      if (mode !== "wal") throw new Error(`the file system refused journal_mode=WAL (it stays "${String(mode)}"; a network file system?)`);
      db.pragma(`synchronous = ${this.config.synchronous === "full" ? "FULL" : "NORMAL"}`);
      db.pragma(`cache_size = -${CACHE_KIB}`);
      db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT}`);
      migrate(db);
      this.prepared = prepare(db);
    } catch (err) {
      db?.close();
      throw new SqliteStoreError(this.file, "open", { cause: err });
    }
    this.db = db;
    this.stopped = false;
    this.log.info("sqlite store opened", { file: this.file, synchronous: this.config.synchronous, schema_version: SCHEMA_VERSION });
    if (this.config.log_retention_days > 0) {
      this.expireLogOrWarn();
      this.expireTimer = setInterval(() => this.expireLogOrWarn(), HOUR_MS);
      this.expireTimer.unref();
    }
  }

  /**
   * One transaction: upserts, then deletes, then log rows. SQLite's COMMIT has written
   * (and with synchronous=full flushed) the WAL when this resolves; on any error the
   * transaction is rolled back and this rejects.
   */
  async commit(changes: ChangeSet): Promise<void> {
    const p = this.open("commit");
    if (isEmptyChangeSet(changes)) return;
    const t0 = performance.now();
    try {
      p.apply.immediate(changes);
    } catch (err) {
      this.stats.add("commit_errors");
      throw new SqliteStoreError(this.file, `commit (${changes.upserts.length} upserts, ${changes.deletes.length} deletes, ${changes.log.length} log rows)`, { cause: err });
    }
    this.stats.add("commits");
    this.stats.add("rows_upserted", changes.upserts.length);
    this.stats.add("rows_deleted", changes.deletes.length);
    this.stats.add("log_rows", changes.log.length);
    this.stats.add("commit_ms", performance.now() - t0);
  }

  async load(): Promise<StoredState> {
    const p = this.prepared;
    if (p !== undefined) return { checks: this.guard("load", () => readChecks(p.checks)) };
    return { checks: this.readOnly("load", (db) => readChecks(selectChecks(db)), []) };
  }

  async readLog(query: LogQuery): Promise<readonly LogEntry[]> {
    const { filter, params } = this.guard("readLog", () => logParamsOf(query));
    const p = this.prepared;
    if (p !== undefined) return this.guard("readLog", () => readLogRows(p.log.get(filter)!, params));
    return this.readOnly("readLog", (db) => readLogRows(selectLog(db, filter), params), []);
  }

  /** Deletes the log rows older than log_retention_days (the hourly timer calls it); returns how many. */
  expireLog(): number {
    const p = this.open("expire log");
    const days = this.config.log_retention_days;
    if (days === 0) return 0;
    const before = this.clock.now() / 1000 - days * DAY_S;
    const rows = this.guard("expire log", () => p.expire.run(before).changes);
    if (rows > 0) {
      this.stats.add("log_rows_expired", rows);
      this.log.info("old log rows deleted", { rows, before, retention_days: days });
    }
    return rows;
  }

  async stop(): Promise<void> {
    clearInterval(this.expireTimer);
    this.expireTimer = undefined;
    const db = this.db;
    this.db = undefined;
    this.prepared = undefined;
    this.stopped = true;
    // The last connection to close checkpoints the WAL into the file and removes it.
    if (db !== undefined) this.guard("close", () => db.close());
  }

  /** A failed hourly deletion is retried at the next hour: another process may hold the lock. */
  private expireLogOrWarn(): void {
    try {
      this.expireLog();
    } catch (err) {
      this.log.warn("could not delete old log rows", { error: describeError(err) });
    }
  }

  private open(operation: string): Prepared {
    if (this.prepared === undefined) throw new SqliteStoreError(this.file, operation, { cause: new Error(this.stopped ? "the store is stopped" : "the store is not started") });
    return this.prepared;
  }

  private guard<T>(operation: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw err instanceof SqliteStoreError ? err : new SqliteStoreError(this.file, operation, { cause: err });
    }
  }

  /**
   * Reads through a connection of its own, opened read-only and closed after: WAL lets it
   * read the last committed state while a daemon writes. A missing file (never started)
   * or one without a schema yet is empty; it is never created.
   */
  private readOnly<T>(operation: string, fn: (db: Database.Database) => T, empty: T): T {
    if (!fs.existsSync(this.file)) return empty;
    let db: Database.Database | undefined;
    try {
      db = new Database(this.file, { readonly: true, fileMustExist: true, timeout: this.config.busy_timeout });
      const version = userVersion(db);
      if (version === 0) return empty;
      if (version !== SCHEMA_VERSION) throw new Error(`schema version ${version}, this Tantale reads version ${SCHEMA_VERSION}${version < SCHEMA_VERSION ? " (start the store once to migrate the file)" : ""}`);
      return fn(db);
    } catch (err) {
      throw new SqliteStoreError(this.file, `${operation} (read-only)`, { cause: err });
    } finally {
      db?.close();
    }
  }
}

function userVersion(db: Database.Database): number {
  const v = db.pragma("user_version", { simple: true });
  if (typeof v !== "number") throw new Error(`PRAGMA user_version returned ${String(v)}`);
  return v;
}

/** Brings the file to SCHEMA_VERSION in one transaction: a crash mid-way leaves the old version. */
function migrate(db: Database.Database): void {
  db.transaction(() => {
    const version = userVersion(db);
    if (version > SCHEMA_VERSION) throw new Error(`schema version ${version} was written by a newer Tantale (this one knows up to ${SCHEMA_VERSION})`);
    for (let v = version; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]!);
    if (version !== SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

function prepare(db: Database.Database): Prepared {
  const upsertMany = db.prepare<unknown[]>(upsertChecksSql(UPSERT_ROWS));
  const upsertOne = db.prepare<unknown[]>(upsertChecksSql(1));
  const remove = db.prepare<[string, string]>(DELETE_CHECK);
  const insertLog = db.prepare<unknown[]>(INSERT_LOG);
  const apply = db.transaction((changes: ChangeSet) => {
    const ups = changes.upserts;
    let i = 0;
    for (; i + UPSERT_ROWS <= ups.length; i += UPSERT_ROWS) {
      const params: unknown[] = [];
      for (let j = i; j < i + UPSERT_ROWS; j++) pushCheckParams(params, ups[j]!);
      upsertMany.run(...params);
    }
    for (; i < ups.length; i++) {
      const params: unknown[] = [];
      pushCheckParams(params, ups[i]!);
      upsertOne.run(...params);
    }
    for (const k of changes.deletes) remove.run(k.hostname, k.check);
    for (const e of changes.log) insertLog.run(...logParams(e));
  });
  return {
    apply,
    expire: db.prepare<[number]>(EXPIRE_LOG),
    checks: selectChecks(db),
    log: new Map(LOG_FILTERS.map((f) => [f, selectLog(db, f)])),
  };
}

/** Raw mode: rows as arrays (see CheckRow). */
function selectChecks(db: Database.Database): Database.Statement<[], CheckRow> {
  return db.prepare<[], CheckRow>(SELECT_CHECKS).raw(true);
}

function selectLog(db: Database.Database, filter: LogFilter): Database.Statement<unknown[], LogRow> {
  return db.prepare<unknown[], LogRow>(logQuerySql(filter)).raw(true);
}

function readChecks(statement: Database.Statement<[], CheckRow>): CheckState[] {
  const reader = new CheckRowReader();
  const out: CheckState[] = [];
  for (const row of statement.iterate()) out.push(reader.read(row));
  return out;
}

function readLogRows(statement: Database.Statement<unknown[], LogRow>, params: readonly unknown[]): LogEntry[] {
  return statement.all(...params).map(rowToLogEntry);
}

/** The statement shape and its parameters for a query (see logQuerySql); throws on a malformed query. */
export function logParamsOf(q: LogQuery): { filter: LogFilter; params: unknown[] } {
  const since = q.since ?? -Infinity;
  const until = q.until ?? Infinity;
  if (Number.isNaN(since) || Number.isNaN(until)) throw new TypeError("since and until must be numbers");
  const limit = q.limit ?? -1; // SQLite: a negative LIMIT is no limit
  if (q.limit !== undefined && (!Number.isSafeInteger(q.limit) || q.limit < 0)) throw new TypeError(`limit must be a whole number ≥ 0, not ${q.limit}`);
  const params: unknown[] = [since, until];
  let filter: LogFilter = "none";
  if (q.hostname !== undefined) {
    params.push(q.hostname);
    filter = q.check === undefined ? "host" : "host-check";
  }
  if (q.check !== undefined) {
    params.push(q.check);
    if (filter === "none") filter = "check";
  }
  params.push(limit);
  return { filter, params };
}
