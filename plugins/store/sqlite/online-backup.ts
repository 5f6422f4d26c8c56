import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { ensureFile } from "../../../core/daemon/data-access";
import type { BackupReport } from "../../../core/store/state-store";

/** Pages per backup step: all of them, so that the copy is one read transaction (below). */
const ALL_PAGES = 0x7fffffff;

export interface OnlineBackupOptions {
  /** The store's file. */
  readonly source: string;
  readonly destination: string;
  /** Longest wait for a lock (SQLite's busy_timeout), in milliseconds. */
  readonly busyTimeoutMs: number;
  /** Mode of the copy (data_access's file mode: it holds what the store holds). */
  readonly fileMode: number;
  /** Checked on the source before copying: the copy must be a file this Tantale can start from. */
  readonly checkSource: (db: Database.Database) => void;
}

/**
 * Copies the store with SQLite's online backup API, through a read-only connection of its
 * own: a daemon may go on committing meanwhile. The pages are copied in one step, hence in
 * one read transaction: the copy is the state of one commit. (In steps, any commit of the
 * daemon between two steps would restart the copy, and under a steady flow of results it
 * might never end.) The copy is written to a temporary file beside the destination, checked
 * with `PRAGMA integrity_check`, flushed to the disk, then renamed: a destination is either
 * a whole, checked backup or left as it was.
 */
export async function onlineBackup(options: OnlineBackupOptions): Promise<BackupReport> {
  const destination = path.resolve(options.destination);
  const source = path.resolve(options.source);
  if (!fs.existsSync(source)) throw new Error(`no store file ${source}`);
  const dir = path.dirname(destination);
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`${dir} is not a directory`);
  refuseStoreFiles(source, destination);
  if (fs.statSync(destination, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`${destination} is a directory: name the backup file`);
  const temporary = path.join(dir, `.${path.basename(destination)}.${process.pid}.tmp`);
  // A leftover of a backup killed mid-way (same pid, after a reboot) is no database to copy into.
  fs.rmSync(temporary, { force: true });
  ensureFile(temporary, options.fileMode);
  try {
    const db = new Database(source, { readonly: true, fileMustExist: true, timeout: options.busyTimeoutMs });
    try {
      options.checkSource(db);
      await db.backup(temporary, { progress: () => ALL_PAGES });
    } finally {
      db.close();
    }
    const contents = verify(temporary);
    syncFile(temporary);
    fs.renameSync(temporary, destination);
    syncDir(dir);
    return { file: destination, bytes: fs.statSync(destination).size, contents, checked: "PRAGMA integrity_check: ok" };
  } catch (err) {
    fs.rmSync(temporary, { force: true });
    throw err;
  }
}

/** `tantale backup data/tantale.db` (or its -wal) would replace the live store with its own copy. */
function refuseStoreFiles(source: string, destination: string): void {
  const real = (f: string) => {
    try {
      return fs.realpathSync(f);
    } catch {
      return path.resolve(fs.realpathSync(path.dirname(f)), path.basename(f));
    }
  };
  const target = real(destination);
  for (const f of [source, `${source}-wal`, `${source}-shm`, `${source}-journal`])
    if (real(f) === target) throw new Error(`${destination} is the store's own file: back it up to another file`);
}

/**
 * Makes the copy one self-contained file and checks it as a daemon will read it; counts what
 * it holds; throws on any damage. The copy took the store's WAL mode with its pages: back in
 * rollback mode, it needs no -wal and -shm beside it (a daemon starting from it sets WAL again).
 */
function verify(file: string): Record<string, number> {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma("journal_mode = DELETE");
    const problems = db.pragma("integrity_check", { simple: false }) as { integrity_check: string }[];
    if (problems.length !== 1 || problems[0]!.integrity_check !== "ok")
      throw new Error(`the copy fails PRAGMA integrity_check: ${problems.map((p) => p.integrity_check).join("; ")}`);
    const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { checks: count("checks"), "log lines": count("log"), downtimes: count("downtimes"), comments: count("comments") };
  } finally {
    db.close();
  }
}

function syncFile(file: string): void {
  const fd = fs.openSync(file, "r+");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** The rename itself survives a crash once its directory is flushed. */
function syncDir(dir: string): void {
  const fd = fs.openSync(dir, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
