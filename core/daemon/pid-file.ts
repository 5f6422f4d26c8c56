import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { TantaleError } from "../errors";

export class PidFileError extends TantaleError {}

/**
 * What a pid file holds: the pid on its first line (what systemd's PIDFile= and scripts read),
 * then the identity of that process when it was written. A pid is reused after a crash or a
 * reboot; the identity tells the daemon that wrote the file from whatever got its pid since.
 */
export interface PidRecord {
  readonly pid: number;
  /** Absent in a file written by an older Tantale, or where the system tells no identity. */
  readonly identity: string | undefined;
}

/** Whether the process a pid file names is the one that wrote it. */
export type PidHolder =
  | { readonly state: "none" } // no file, or its process is gone or is another one: stale
  | { readonly state: "running"; readonly pid: number }
  | { readonly state: "unverified"; readonly pid: number }; // alive, but this system cannot tell whose it is

export function readPidRecord(file: string): PidRecord | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  const [first = "", second = ""] = text.split("\n");
  const pid = Number(first.trim());
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  const identity = second.trim();
  return { pid, identity: identity === "" ? undefined : identity };
}

export function readPid(file: string): number | undefined {
  return readPidRecord(file)?.pid;
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
  const fields = procStatFields(pid);
  return fields !== undefined && fields[0] === "Z";
}

/** The fields of /proc/PID/stat from the third (state) on; the command name before them may hold spaces and parentheses. */
function procStatFields(pid: number): string[] | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

const HAS_PROC = fs.existsSync("/proc/self/stat");

/**
 * Who a process is, beyond its pid: on Linux the boot id and the start time in clock ticks
 * (field 22 of /proc/PID/stat), unique for the life of the machine; elsewhere the start time
 * that `ps` prints. Undefined when the process is gone or the system tells nothing.
 */
export function processIdentity(pid: number): string | undefined {
  if (HAS_PROC) {
    const startTicks = procStatFields(pid)?.[19];
    if (startTicks === undefined) return undefined;
    let boot = "";
    try {
      boot = fs.readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    } catch {
      // no boot id (an unusual kernel): the start time alone still tells processes of one boot apart
    }
    return `linux:${boot}:${startTicks}`;
  }
  const started = psField(pid, "lstart");
  return started === undefined ? undefined : `ps:${started}`;
}

function psField(pid: number, field: "lstart" | "args"): string | undefined {
  const r = spawnSync("ps", ["-o", `${field}=`, "-p", String(pid)], { encoding: "utf8", timeout: 5000 });
  const text = r.status === 0 ? r.stdout.trim() : "";
  return text === "" ? undefined : text;
}

/** Whether the process's command line runs a `tantale` executable (for pid files that carry no identity). */
function runsTantale(pid: number): boolean | undefined {
  let args: string[] | undefined;
  if (HAS_PROC) {
    try {
      args = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    } catch {
      return undefined;
    }
  } else {
    args = psField(pid, "args")?.split(/\s+/);
  }
  return args === undefined ? undefined : args.some((a) => path.basename(a) === "tantale");
}

/** The state of the process a pid record names. */
export function holderOf(record: PidRecord | undefined): PidHolder {
  if (record === undefined || !isAlive(record.pid)) return { state: "none" };
  if (record.identity !== undefined) {
    const now = processIdentity(record.pid);
    if (now === undefined) return { state: "unverified", pid: record.pid };
    return now === record.identity ? { state: "running", pid: record.pid } : { state: "none" };
  }
  const tantale = runsTantale(record.pid);
  if (tantale === undefined) return { state: "unverified", pid: record.pid };
  return tantale ? { state: "running", pid: record.pid } : { state: "none" };
}

/** The state of the process holding the pid file (a stale file, or one naming another process, counts as none). */
export function pidFileHolder(file: string): PidHolder {
  return holderOf(readPidRecord(file));
}

/** The pid of the Tantale holding the pid file, if any: only a process proven to be the one that wrote it. */
export function runningPid(file: string): number | undefined {
  const holder = pidFileHolder(file);
  return holder.state === "running" ? holder.pid : undefined;
}

/**
 * Claims the pid file for this process, or throws when a live Tantale holds it (or a live
 * process that cannot be told apart from one). A stale file (its process is gone, as after
 * kill -9, or its pid now belongs to another program) is replaced. `wx` makes two daemons
 * that start at the same moment race on the create, not on a check. Created with `mode`
 * whatever the umask.
 */
export function acquirePidFile(file: string, mode = 0o600): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const identity = processIdentity(process.pid);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(file, "wx", mode);
      try {
        fs.fchmodSync(fd, mode); // open's mode is filtered by the umask
        fs.writeSync(fd, `${process.pid}\n${identity ?? ""}\n`);
      } finally {
        fs.closeSync(fd);
      }
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw new PidFileError(`cannot write pid file ${file}`, { cause: err });
    }
    const record = readPidRecord(file);
    if (record !== undefined && record.pid !== process.pid) {
      const holder = holderOf(record);
      if (holder.state === "running") throw new PidFileError(`tantale is already running as pid ${holder.pid} (pid file ${file})`);
      if (holder.state === "unverified")
        throw new PidFileError(
          `pid file ${file} names live process ${holder.pid}, which cannot be told apart from a running tantale: remove the file if it is not one`,
        );
    }
    // Remove only the stale file that was read: one a racing daemon just wrote is left alone.
    if (readPid(file) === record?.pid) fs.rmSync(file, { force: true });
  }
  throw new PidFileError(`cannot claim pid file ${file}: another process keeps creating it`);
}

/** Removes the pid file if it is still ours. */
export function releasePidFile(file: string): void {
  if (readPid(file) === process.pid) fs.rmSync(file, { force: true });
}
