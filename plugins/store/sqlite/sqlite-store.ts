import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import type { Worker } from "node:worker_threads";
import Database from "better-sqlite3";
import { inject, injectable } from "tsyringe";
import type { Clock } from "../../../core/clock";
import type { DaemonSettings } from "../../../core/config/common-schema";
import { createDir, dataModes, ensureFile, narrowIfPresent, type ModeChange } from "../../../core/daemon/data-access";
import { describeError, TantaleError } from "../../../core/errors";
import type { Logger } from "../../../core/log/logger";
import type { InstanceStats } from "../../../core/metrics/self-stats";
import type { Endpoint, StorePlugin } from "../../../core/plugin/api";
import type { BackupReport } from "../../../core/store/state-store";
import { isEmptyChangeSet, type ChangeSet, type LastIds } from "../../../core/state/change-set";
import type { CheckState } from "../../../core/state/check-state";
import { COMPLETE_COMMIT, type CommitReport } from "../../../core/store/commit-report";
import type { LogPage, LogQuery } from "../../../core/store/log-query";
import { EMPTY_STORED_STATE, type LoadSink, type StateScan, type StoredState } from "../../../core/store/state-store";
import { CLOCK, DAEMON_SETTINGS, DATA_DIR, INSTANCE_STATS, LOGGER } from "../../../core/tokens";
import { CommitThread } from "./commit-thread";
import type { Checkpoint, WriterError } from "./writer-messages";
import { LogReads } from "./log-sql";
import { onlineBackup } from "./online-backup";
import { CheckRowReader, rowToComment, rowToDowntime } from "./rows";
import { SQLITE_CONFIG, type SqliteConfig } from "./schema";
import { scanSqliteState } from "./state-scan";
import {
  COUNT_CHECKS,
  MIGRATIONS,
  SCHEMA_VERSION,
  SELECT_CHECKS,
  SELECT_CHECKS_AFTER,
  SELECT_CHECKS_FIRST,
  SELECT_COMMENTS,
  SELECT_COUNTERS,
  SELECT_DOWNTIMES,
  type CheckRow,
  type CommentRow,
  type CounterRow,
  type DowntimeRow,
} from "./tables";

const HOUR_MS = 3_600_000;
const DAY_S = 86_400;

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

/** The rows of the counters table, by name. */
const COUNTERS: readonly (keyof LastIds)[] = ["downtime", "comment"];
const NO_IDS: LastIds = EMPTY_STORED_STATE.lastIds;

/** The reads of load(), on the writer connection or on a read-only one. */
interface StateReads {
  readonly checks: Database.Statement<[], CheckRow>;
  readonly checksFirst: Database.Statement<[number], CheckRow>;
  readonly checksAfter: Database.Statement<[string, string, number], CheckRow>;
  readonly countChecks: Database.Statement<[], [number]>;
  readonly downtimes: Database.Statement<[], DowntimeRow>;
  readonly comments: Database.Statement<[], CommentRow>;
  readonly counters: Database.Statement<[], CounterRow>;
}

/** Statements of the main thread's connection (reads only), prepared once at start. */
interface Prepared {
  readonly state: StateReads;
  readonly log: LogReads;
}

/**
 * The embedded store: the state engine's current state, downtimes, comments and log in one SQLite file
 * (WAL mode, one transaction per commit). Commits and the log's expiry run in a writer thread
 * with its own connection (commit-thread.ts, commit-worker.ts), so that the event loop answering
 * queries never waits for SQLite's writes; the main thread's connection only reads (WAL lets it
 * read the last commit while the writer writes). `load()` and `readLog()` also work on an
 * instance that was not started, through a read-only connection of their own, so that
 * tools can read the file of a running daemon.
 */
@injectable()
export class SqliteStore implements StorePlugin {
  readonly file: string;
  private db: Database.Database | undefined;
  private prepared: Prepared | undefined;
  private writer: CommitThread | undefined;
  private stopped = false;
  private expireTimer: NodeJS.Timeout | undefined;
  /** The counters known to be in the file: most commits hand out no id, and skipping the unchanged counters keeps their page out of the WAL. */
  private countersWritten: LastIds = NO_IDS;

  constructor(
    @inject(SQLITE_CONFIG) private readonly config: SqliteConfig,
    @inject(DATA_DIR) dataDir: string,
    @inject(LOGGER) private readonly log: Logger,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(INSTANCE_STATS) private readonly stats: InstanceStats,
    @inject(DAEMON_SETTINGS) private readonly settings: Pick<DaemonSettings, "data_access"> = { data_access: "private" },
  ) {
    this.file = path.resolve(dataDir, config.path);
  }

  endpoints(): Endpoint[] {
    return [{ role: "write", address: this.file }];
  }

  async start(): Promise<void> {
    if (this.db !== undefined) throw new SqliteStoreError(this.file, "start", { cause: new Error("already started") });
    let db: Database.Database | undefined;
    try {
      this.prepareFiles();
      // timeout is sqlite3_busy_timeout, i.e. PRAGMA busy_timeout.
      db = new Database(this.file, { timeout: this.config.busy_timeout });
      const mode = db.pragma("journal_mode = WAL", { simple: true });
      // Without WAL a reader (tantale dump, a sqlite3 shell) would block commits, and the README's durability model would not hold.
      if (mode !== "wal") throw new Error(`the file system refused journal_mode=WAL (it stays "${String(mode)}"; a network file system?)`);
      migrate(db);
      this.prepared = { state: selectState(db), log: new LogReads(db) };
    } catch (err) {
      db?.close();
      throw new SqliteStoreError(this.file, openFailure(err, this.config.busy_timeout), { cause: err });
    }
    const writer = new CommitThread({ file: this.file, synchronous: this.config.synchronous, busyTimeout: this.config.busy_timeout }, (err) =>
      this.log.warn("sqlite writer thread died: the commits it held failed and are retried, a new thread starts with the next one", {
        file: this.file,
        error: describeError(err),
      }),
    );
    try {
      await writer.start();
    } catch (err) {
      this.prepared = undefined;
      db.close();
      throw new SqliteStoreError(this.file, `${openFailure(err, this.config.busy_timeout)} (writer thread)`, { cause: err });
    }
    this.writer = writer;
    this.db = db;
    this.stopped = false;
    // Unknown until the first commit writes them (the max keeps a higher value in the file).
    this.countersWritten = NO_IDS;
    this.log.info("sqlite store opened", { file: this.file, synchronous: this.config.synchronous, schema_version: SCHEMA_VERSION });
    if (this.config.log_retention_days > 0) {
      await this.expireLogOrWarn();
      this.expireTimer = setInterval(() => void this.expireLogOrWarn(), HOUR_MS);
      this.expireTimer.unref();
    }
  }

  /**
   * One transaction of the writer thread: check upserts, then deletes, then log rows, then
   * downtimes, comments and the id counters. SQLite's COMMIT has written (and with
   * synchronous=full flushed) the WAL when this resolves; on any error the transaction is
   * rolled back and this rejects (also when the writer thread died: the next commit starts another).
   */
  async commit(changes: ChangeSet): Promise<CommitReport> {
    const writer = this.writing("commit");
    if (isEmptyChangeSet(changes)) return COMPLETE_COMMIT;
    const written = this.countersWritten;
    const counters = COUNTERS.filter((name) => changes.lastIds[name] > written[name]).map((name) => [name, changes.lastIds[name]] as const);
    const t0 = performance.now();
    let logged: number;
    try {
      const done = await writer.commit(changes, counters);
      this.noteCheckpoint(done.checkpoint);
      logged = done.count;
    } catch (err) {
      this.stats.add("commit_errors");
      throw new SqliteStoreError(this.file, `commit (${describeChanges(changes)})`, { cause: err });
    }
    // Only once committed: after a rollback the next commit must write them again.
    if (counters.length > 0)
      this.countersWritten = { downtime: Math.max(written.downtime, changes.lastIds.downtime), comment: Math.max(written.comment, changes.lastIds.comment) };
    this.stats.add("commits");
    this.stats.add("rows_upserted", changes.upserts.length);
    this.stats.add("rows_deleted", changes.deletes.length);
    this.stats.add("log_rows", logged);
    if (logged < changes.log.length) this.stats.add("log_rows_already_written", changes.log.length - logged);
    this.stats.add("downtimes_upserted", changes.downtimes.upserts.length);
    this.stats.add("downtimes_deleted", changes.downtimes.deletes.length);
    this.stats.add("comments_upserted", changes.comments.upserts.length);
    this.stats.add("comments_deleted", changes.comments.deletes.length);
    this.stats.add("commit_ms", performance.now() - t0);
    return COMPLETE_COMMIT;
  }

  /**
   * With a sink, the checks go to it in chunks of keys in order. On the started store (the
   * daemon's load) the event loop runs between two chunks: only this process writes the
   * file and nothing commits before the load is done, so the chunks see one state.
   */
  async load(sink?: LoadSink): Promise<StoredState> {
    const p = this.prepared;
    if (p === undefined) {
      // One read transaction: another process may commit between the statements, and all of them must see the same commit.
      return this.readOnly(
        "load",
        (db) =>
          db.transaction(() => {
            const reads = selectState(db);
            const state = readState(reads, sink === undefined);
            if (sink !== undefined) for (const chunk of checkChunks(reads, sink)) sink.checks(chunk);
            return state;
          })(),
        EMPTY_STORED_STATE,
      );
    }
    const state = this.guard("load", () => readState(p.state, sink === undefined));
    if (sink === undefined) return state;
    const chunks = this.guard("load", () => checkChunks(p.state, sink));
    for (;;) {
      const next = this.guard("load", () => chunks.next());
      if (next.done === true) break;
      sink.checks(next.value);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return state;
  }

  /** What load() returns, read as it is consumed (tantale dump): state-scan.ts. */
  scanState(host?: string): StateScan {
    return scanSqliteState(this.file, this.config.busy_timeout, host, (err) => new SqliteStoreError(this.file, "scan (read-only)", { cause: err }));
  }

  /** The query in one SQL statement (log-sql.ts): condition, order, limit and cursor applied by SQLite, through an index. */
  async readLog(query: LogQuery): Promise<LogPage> {
    const p = this.prepared;
    if (p !== undefined) return this.guard("readLog", () => p.log.read(query));
    return this.readOnly("readLog", (db) => new LogReads(db).read(query), { entries: [] });
  }

  /**
   * `tantale backup`: a consistent copy of the file while a daemon commits to it (SQLite's
   * online backup API through a read-only connection: see online-backup.ts). The copy is a
   * store a daemon starts from as it is.
   */
  async backup(destination: string): Promise<BackupReport> {
    try {
      return await onlineBackup({
        source: this.file,
        destination,
        busyTimeoutMs: this.config.busy_timeout,
        fileMode: dataModes(this.settings.data_access).file,
        checkSource: (db) => {
          const version = userVersion(db);
          if (version === 0) throw new Error("the file has no schema yet (a daemon never started on it): nothing to back up");
          if (version !== SCHEMA_VERSION) throw new Error(`schema version ${version}, this Tantale backs up version ${SCHEMA_VERSION}`);
        },
      });
    } catch (err) {
      throw new SqliteStoreError(this.file, `backup to ${destination}`, { cause: err });
    }
  }

  /** Deletes the log rows older than log_retention_days (the hourly timer calls it; in the writer thread); resolves with how many. */
  async expireLog(): Promise<number> {
    const writer = this.writing("expire log");
    const days = this.config.log_retention_days;
    if (days === 0) return 0;
    const before = this.clock.now() / 1000 - days * DAY_S;
    let rows: number;
    try {
      rows = (await writer.expire(before)).count;
    } catch (err) {
      throw new SqliteStoreError(this.file, "expire log", { cause: err });
    }
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
    const writer = this.writer;
    this.db = undefined;
    this.prepared = undefined;
    this.writer = undefined;
    this.stopped = true;
    // The writer first (after the commits it was handed): the last connection to close checkpoints the WAL into the file and removes it.
    try {
      await writer?.close();
    } catch (err) {
      throw new SqliteStoreError(this.file, "close", { cause: err });
    } finally {
      if (db !== undefined) this.guard("close", () => db.close());
    }
  }

  /**
   * Creates the file's folders and the file itself with data_access's modes before SQLite
   * opens it (SQLite gives its -wal and -shm the main file's mode), and narrows the modes of
   * files made before data_access existed (0644: readable by every user).
   */
  private prepareFiles(): void {
    const modes = dataModes(this.settings.data_access);
    createDir(path.dirname(this.file), modes.dir);
    const changed: ModeChange[] = [];
    for (const change of [
      ensureFile(this.file, modes.file),
      narrowIfPresent(`${this.file}-wal`, modes.file),
      narrowIfPresent(`${this.file}-shm`, modes.file),
    ]) {
      if (change !== undefined) changed.push(change);
    }
    for (const c of changed) this.log.warn(`mode of ${c.path} changed from ${c.from} to ${c.to} (data_access = ${this.settings.data_access})`, { ...c });
  }

  /** The writer gave the WAL's space back after SQLITE_FULL (commit-worker.ts, makeRoom): the log says how it went. */
  private noteCheckpoint(checkpoint: Checkpoint | WriterError | undefined): void {
    if (checkpoint === undefined) return;
    if ("message" in checkpoint) this.log.debug("store full: WAL checkpoint failed too", { error: checkpoint.message });
    else this.log.info("store full: WAL checkpointed and truncated to give its space back", { ...checkpoint });
  }

  /** A failed hourly deletion is retried at the next hour: another process may hold the lock. */
  private async expireLogOrWarn(): Promise<void> {
    try {
      await this.expireLog();
    } catch (err) {
      this.log.warn("could not delete old log rows", { error: describeError(err) });
    }
  }

  private writing(operation: string): CommitThread {
    if (this.writer === undefined)
      throw new SqliteStoreError(this.file, operation, { cause: new Error(this.stopped ? "the store is stopped" : "the store is not started") });
    return this.writer;
  }

  /** The writer thread while the store runs (tests end it to see a writer die). */
  get writerThread(): Worker | undefined {
    return this.writer?.thread;
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
      if (version !== SCHEMA_VERSION)
        throw new Error(
          `schema version ${version}, this Tantale reads version ${SCHEMA_VERSION}${version < SCHEMA_VERSION ? " (start the store once to migrate the file)" : ""}`,
        );
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
    for (let v = version; v < SCHEMA_VERSION; v++) {
      const step = MIGRATIONS[v]!;
      if (typeof step === "string") db.exec(step);
      else step(db);
    }
    if (version !== SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

/** The reads of load(). Raw mode: rows as arrays (see CheckRow). */
function selectState(db: Database.Database): StateReads {
  return {
    checks: db.prepare<[], CheckRow>(SELECT_CHECKS).raw(true),
    checksFirst: db.prepare<[number], CheckRow>(SELECT_CHECKS_FIRST).raw(true),
    checksAfter: db.prepare<[string, string, number], CheckRow>(SELECT_CHECKS_AFTER).raw(true),
    countChecks: db.prepare<[], [number]>(COUNT_CHECKS).raw(true),
    downtimes: db.prepare<[], DowntimeRow>(SELECT_DOWNTIMES).raw(true),
    comments: db.prepare<[], CommentRow>(SELECT_COMMENTS).raw(true),
    counters: db.prepare<[], CounterRow>(SELECT_COUNTERS).raw(true),
  };
}

function readChecks(statement: Database.Statement<[], CheckRow>): CheckState[] {
  const reader = new CheckRowReader();
  const out: CheckState[] = [];
  for (const row of statement.iterate()) out.push(reader.read(row));
  return out;
}

/** Says the count to the sink, then yields the checks in key order, `sink.chunkChecks` at a time (keyset paging). */
function* checkChunks(reads: StateReads, sink: LoadSink): Generator<CheckState[], void, undefined> {
  const size = Math.max(1, sink.chunkChecks);
  sink.total(reads.countChecks.get()![0]);
  const reader = new CheckRowReader();
  let after: CheckRow | undefined;
  for (;;) {
    // iterate(), not all(): each row's array dies young (a third less time than holding the chunk's rows).
    const rows = after === undefined ? reads.checksFirst.iterate(size) : reads.checksAfter.iterate(after[0], after[1], size);
    const chunk: CheckState[] = [];
    for (const row of rows) {
      chunk.push(reader.read(row));
      after = row;
    }
    if (chunk.length > 0) yield chunk;
    if (chunk.length < size) return;
  }
}

/**
 * Everything committed. The last ids are the counters, raised to the highest id present:
 * the counters normally cover every id already, but a file edited by hand must not make
 * an id be handed out twice either.
 */
function readState(reads: StateReads, withChecks: boolean): StoredState {
  const downtimes = reads.downtimes.all().map(rowToDowntime);
  const comments = reads.comments.all().map(rowToComment);
  const lastIds = { downtime: 0, comment: 0 };
  for (const [name, value] of reads.counters.all()) if (name === "downtime" || name === "comment") lastIds[name] = value;
  // Rows come in id order: the last one has the highest id.
  lastIds.downtime = Math.max(lastIds.downtime, downtimes.at(-1)?.id ?? 0);
  lastIds.comment = Math.max(lastIds.comment, comments.at(-1)?.id ?? 0);
  return { checks: withChecks ? readChecks(reads.checks) : [], downtimes, comments, lastIds };
}

function describeChanges(c: ChangeSet): string {
  const parts = [`${c.upserts.length} upserts, ${c.deletes.length} deletes, ${c.log.length} log rows`];
  const downtimes = c.downtimes.upserts.length + c.downtimes.deletes.length;
  const comments = c.comments.upserts.length + c.comments.deletes.length;
  // Most commits are check results only: their message stays short.
  if (downtimes > 0) parts.push(`${downtimes} downtime changes`);
  if (comments > 0) parts.push(`${comments} comment changes`);
  return parts.join(", ");
}

/** The operation named in an open error: a lock held by another process says so, with the wait. */
function openFailure(err: unknown, busyTimeoutMs: number): string {
  const code = err instanceof Database.SqliteError ? err.code : undefined;
  if (code === "SQLITE_BUSY" || code === "SQLITE_LOCKED") {
    return `open (the file is locked by another process: waited busy_timeout ${busyTimeoutMs} ms; stop the sqlite3 shell, backup or other Tantale that holds it)`;
  }
  return "open";
}
