/**
 * The writer thread of the SQLite store (started by commit-thread.ts): its own connection to
 * the file, the only one that writes. Each commit runs here as one transaction, so the main
 * thread (inputs, the state engine, Livestatus) never waits for SQLite's B-trees and fsyncs:
 * a large commit no longer holds every query behind it, and the two cores are both used.
 * It answers each request once durable (COMMIT returned), in the order received.
 */
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import { CHECK_NUMBERS, CHECK_STRINGS, LOG_STRINGS, checkOrder, checkParamsInto, concatRows, fromWire, logParamsOf, type PackedRows } from "./packed-changes";
import {
  DELETE_CHECK,
  DELETE_COMMENT,
  DELETE_DOWNTIME,
  EXPIRE_LOG,
  INSERT_LOG,
  UPSERT_COMMENT,
  UPSERT_COUNTER,
  UPSERT_DOWNTIME,
  UPSERT_ROWS,
  upsertChecksSql,
} from "./tables";
import type { Checkpoint, CommitTail, FromWriter, ToWriter, WriterError, WriterOptions } from "./writer-messages";

/** Page cache of the writer (KiB): the hot pages of a large checks table stay in memory between commits. */
const CACHE_KIB = 32 * 1024;
/** After a checkpoint the WAL is truncated to this, so one burst (or a long reader) does not keep it large. */
const WAL_SIZE_LIMIT = 64 * 1024 * 1024;
const PARAMS_PER_ROW = 22;

function errorOf(err: unknown): WriterError {
  return { message: err instanceof Error ? err.message : String(err), code: err instanceof Database.SqliteError ? err.code : undefined };
}

class Writer {
  private readonly apply: Database.Transaction<(rows: PackedRows, tail: CommitTail) => number>;
  private readonly expire: Database.Statement<[number]>;
  /** The check rows received for each commit not yet run. */
  private readonly pending = new Map<number, PackedRows[]>();
  /** The last commit failed with SQLITE_FULL: the next one first tries to give the WAL's space back. */
  private full = false;

  constructor(private readonly db: Database.Database) {
    const upsertMany = db.prepare(upsertChecksSql(UPSERT_ROWS));
    const upsertOne = db.prepare(upsertChecksSql(1));
    const remove = db.prepare<[string, string]>(DELETE_CHECK);
    const insertLog = db.prepare(INSERT_LOG);
    const upsertDowntime = db.prepare(UPSERT_DOWNTIME);
    const deleteDowntime = db.prepare<[number]>(DELETE_DOWNTIME);
    const upsertComment = db.prepare(UPSERT_COMMENT);
    const deleteComment = db.prepare<[number]>(DELETE_COMMENT);
    const upsertCounter = db.prepare<[string, number]>(UPSERT_COUNTER);
    const many: unknown[] = new Array<unknown>(UPSERT_ROWS * PARAMS_PER_ROW);
    const one: unknown[] = new Array<unknown>(PARAMS_PER_ROW);
    this.apply = db.transaction((rows: PackedRows, tail: CommitTail) => {
      const order = checkOrder(rows);
      let i = 0;
      for (; i + UPSERT_ROWS <= order.length; i += UPSERT_ROWS) {
        for (let j = 0; j < UPSERT_ROWS; j++) checkParamsInto(rows, order[i + j]!, many, j * PARAMS_PER_ROW);
        upsertMany.run(...many);
      }
      for (; i < order.length; i++) {
        checkParamsInto(rows, order[i]!, one, 0);
        upsertOne.run(...one);
      }
      for (const [hostname, check] of tail.deletes) remove.run(hostname, check);
      // A line already written (a replayed set) is skipped: the count is of the lines really added.
      let logged = 0;
      const log = fromWire(tail.log);
      const logRows = log.strings.length / LOG_STRINGS;
      for (let r = 0; r < logRows; r++) logged += insertLog.run(...logParamsOf(log, r)).changes;
      for (const d of tail.downtimes) upsertDowntime.run(...d);
      for (const id of tail.downtimeDeletes) deleteDowntime.run(id);
      for (const c of tail.comments) upsertComment.run(...c);
      for (const id of tail.commentDeletes) deleteComment.run(id);
      for (const [name, value] of tail.counters) upsertCounter.run(name, value);
      return logged;
    });
    this.expire = db.prepare<[number]>(EXPIRE_LOG);
  }

  handle(m: ToWriter): FromWriter | undefined {
    switch (m.type) {
      case "rows": {
        const parts = this.pending.get(m.id);
        if (parts === undefined) this.pending.set(m.id, [fromWire(m.rows)]);
        else parts.push(fromWire(m.rows));
        return undefined;
      }
      case "commit":
        return this.commit(m.id, m);
      case "expire":
        try {
          return { type: "done", id: m.id, count: this.expire.run(m.before).changes };
        } catch (err) {
          return { type: "done", id: m.id, count: 0, error: errorOf(err) };
        }
      case "close":
        try {
          // The last connection to close checkpoints the WAL into the file.
          this.db.close();
          return { type: "done", id: m.id, count: 0 };
        } catch (err) {
          return { type: "done", id: m.id, count: 0, error: errorOf(err) };
        }
    }
  }

  private commit(id: number, tail: CommitTail): FromWriter {
    const parts = this.pending.get(id) ?? [];
    this.pending.delete(id);
    const rows = parts.length === 0 ? { strings: [], numbers: new Float64Array(0) } : concatRows(parts, CHECK_NUMBERS, CHECK_STRINGS);
    // Space freed since the failure goes to the checkpoint first (copying the WAL into the
    // file needs little room when it holds updates), which then frees the whole WAL for this commit.
    let checkpoint = this.full ? this.makeRoom() : undefined;
    try {
      const logged = this.apply.immediate(rows, tail);
      this.full = false;
      return { type: "done", id, count: logged, ...(checkpoint === undefined ? {} : { checkpoint }) };
    } catch (err) {
      const error = errorOf(err);
      if (error.code === "SQLITE_FULL") {
        this.full = true;
        checkpoint = this.makeRoom();
      }
      return { type: "done", id, count: 0, error, ...(checkpoint === undefined ? {} : { checkpoint }) };
    }
  }

  /**
   * After SQLITE_FULL (and before each retry): copies the WAL into the database file and
   * truncates it, giving its space back. A failed commit leaves the WAL as large as it grew,
   * and as long as its frames are not copied back every retry needs room beyond them, so
   * freeing a little space would not be enough. On a disk too full for the copy itself
   * (the WAL holds pages the file does not have yet) this fails too, and is tried again.
   */
  private makeRoom(): Checkpoint | WriterError {
    try {
      const [r] = this.db.pragma("wal_checkpoint(TRUNCATE)") as Checkpoint[];
      return r!;
    } catch (err) {
      return errorOf(err);
    }
  }
}

function open(options: WriterOptions): Database.Database {
  // timeout is sqlite3_busy_timeout, i.e. PRAGMA busy_timeout. The main thread made the file, WAL mode and the schema.
  const db = new Database(options.file, { fileMustExist: true, timeout: options.busyTimeout });
  try {
    db.pragma(`synchronous = ${options.synchronous === "full" ? "FULL" : "NORMAL"}`);
    db.pragma(`cache_size = -${CACHE_KIB}`);
    db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT}`);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function main(): void {
  const port = parentPort;
  if (port === null) throw new Error("commit-worker runs as a worker thread (commit-thread.ts starts it)");
  let writer: Writer;
  try {
    writer = new Writer(open(workerData as WriterOptions));
  } catch (err) {
    port.postMessage({ type: "failed", error: errorOf(err) } satisfies FromWriter);
    return;
  }
  port.on("message", (m: ToWriter) => {
    const answer = writer.handle(m);
    if (answer !== undefined) port.postMessage(answer);
    if (m.type === "close") port.close();
  });
  port.postMessage({ type: "ready" } satisfies FromWriter);
}

main();
