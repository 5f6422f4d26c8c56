import fs from "node:fs";
import path from "node:path";

/** Who may read the data dir and its files: `tantale.conf`'s `data_access`. */
export const DATA_ACCESS = ["private", "group"] as const;
export type DataAccess = (typeof DATA_ACCESS)[number];

export interface DataModes {
  /** The data dir and the folders Tantale creates in it. */
  readonly dir: number;
  /** The store's files (SQLite's -wal and -shm take the main file's mode), the pid file, the daemon log. */
  readonly file: number;
}

/** private: only Tantale's user; group: its group may read too (a backup, `tantale dump` run by an operator). Never other users. */
export function dataModes(access: DataAccess): DataModes {
  return access === "group" ? { dir: 0o750, file: 0o640 } : { dir: 0o700, file: 0o600 };
}

/** What a call changed on an existing path, for a log line. */
export interface ModeChange {
  readonly path: string;
  readonly from: string;
  readonly to: string;
}

const octal = (mode: number) => `0${(mode & 0o7777).toString(8)}`;

/**
 * Creates the folder (and the missing parents) with `mode`, whatever the umask; an existing
 * one gets `mode` too (its setgid and sticky bits kept). Returns the change made to an
 * existing folder, so that the caller can say it tightened a data dir left world-readable.
 */
export function ensureDir(dir: string, mode: number): ModeChange | undefined {
  return createDir(dir, mode) ? undefined : setMode(path.resolve(dir), mode);
}

/** Creates the folder and its missing parents with `mode`, whatever the umask; leaves an existing one as it is. True when it created it. */
export function createDir(dir: string, mode: number): boolean {
  const missing: string[] = [];
  for (let d = path.resolve(dir); !fs.existsSync(d); d = path.dirname(d)) missing.unshift(d);
  for (const d of missing) {
    fs.mkdirSync(d, { mode });
    fs.chmodSync(d, mode); // mkdir's mode is filtered by the umask
  }
  return missing.length > 0;
}

/** Creates the file empty with `mode` if it is missing; gives an existing one `mode`. Returns the change made to an existing file. */
export function ensureFile(file: string, mode: number): ModeChange | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, mode);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    return setMode(file, mode);
  }
  try {
    fs.fchmodSync(fd, mode); // open's mode is filtered by the umask
  } finally {
    fs.closeSync(fd);
  }
  return undefined;
}

/** Gives an existing file `mode` (nothing when it is missing). */
export function narrowIfPresent(file: string, mode: number): ModeChange | undefined {
  return fs.existsSync(file) ? setMode(file, mode) : undefined;
}

function setMode(p: string, mode: number): ModeChange | undefined {
  const current = fs.statSync(p).mode & 0o7777;
  const wanted = (current & 0o7000) | mode;
  if (current === wanted) return undefined;
  fs.chmodSync(p, wanted);
  return { path: p, from: octal(current), to: octal(wanted) };
}
