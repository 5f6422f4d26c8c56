import fs from "node:fs";
import path from "node:path";
import { TantaleError } from "../errors";

export class PidFileError extends TantaleError {}

export function readPid(file: string): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  return !isZombie(pid);
}

/**
 * A detached daemon that exited stays a zombie until init reaps it, which some inits do
 * late; it answers kill(pid, 0) all the same. On Linux /proc tells the truth.
 */
function isZombie(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) === "Z";
  } catch {
    return false;
  }
}

/** The pid of the live process holding the pid file, if any (a stale file counts as none). */
export function runningPid(file: string): number | undefined {
  const pid = readPid(file);
  return pid !== undefined && isAlive(pid) ? pid : undefined;
}

/**
 * Claims the pid file for this process, or throws when a live process holds it. A stale
 * file (its process is gone, as after kill -9) is replaced. `wx` makes two daemons that
 * start at the same moment race on the create, not on a check. Created with `mode` whatever the umask.
 */
export function acquirePidFile(file: string, mode = 0o600): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(file, "wx", mode);
      try {
        fs.fchmodSync(fd, mode); // open's mode is filtered by the umask
        fs.writeSync(fd, `${process.pid}\n`);
      } finally {
        fs.closeSync(fd);
      }
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw new PidFileError(`cannot write pid file ${file}`, { cause: err });
    }
    const holder = readPid(file);
    if (holder !== undefined && holder !== process.pid && isAlive(holder)) throw new PidFileError(`tantale is already running as pid ${holder} (pid file ${file})`);
    // Remove only the stale file that was read: one a racing daemon just wrote is left alone.
    if (readPid(file) === holder) fs.rmSync(file, { force: true });
  }
  throw new PidFileError(`cannot claim pid file ${file}: another process keeps creating it`);
}

/** Removes the pid file if it is still ours. */
export function releasePidFile(file: string): void {
  if (readPid(file) === process.pid) fs.rmSync(file, { force: true });
}
