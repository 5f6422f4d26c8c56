import fs from "node:fs";
import os from "node:os";
import type { Clock } from "../clock";
import type { Logger } from "../log/logger";
import { Throttle } from "../log/throttle";

/** How often the file-descriptor probe runs: cheap (one open and close of the null device). */
const PROBE_INTERVAL_MS = 1000;

/**
 * Says in the log when a listener cannot accept connections because the process is out of
 * file descriptors (EMFILE, or ENFILE for the whole system).
 *
 * Node never tells: at EMFILE libuv closes a spare descriptor it keeps, accepts the waiting
 * connections and closes them at once, so they are dropped and no error reaches JavaScript
 * (only when that spare is gone too does the server emit 'error'). So the watch probes: once
 * a second it opens and closes the null device, and a failure with EMFILE/ENFILE means any
 * connection arriving now is dropped. Logged as a warning with the listener's name and port
 * (at most once a minute while it lasts, with the count of probes that failed meanwhile),
 * and once at info level when descriptors are free again.
 */
export class FdLimitWatch {
  private timer: NodeJS.Timeout | undefined;
  private exhaustedSince: number | undefined;
  private readonly throttle: Throttle;

  constructor(
    private readonly log: Logger,
    private readonly clock: Clock,
    /** Names the listener in the log line, e.g. `port 2003`. */
    private readonly where: () => string,
    /** Its connections open now, for the log line. */
    private readonly openConnections: () => number,
  ) {
    this.throttle = new Throttle(clock, 1);
  }

  /** The soft RLIMIT_NOFILE, read at start (at the limit there is no descriptor left to read it with). */
  private limit: number | undefined;

  start(): void {
    if (this.timer !== undefined) return;
    this.limit = openFilesLimit();
    this.timer = setInterval(() => this.probe(), PROBE_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** For the server's 'error' handler: true when the error is the descriptor limit (then logged here, throttled). */
  serverError(err: NodeJS.ErrnoException): boolean {
    if (!isFdLimit(err)) return false;
    this.exhausted(err.code!);
    return true;
  }

  /** One probe; public for tests and for a caller that suspects the limit. */
  probe(): void {
    let fd: number;
    try {
      fd = fs.openSync(os.devNull, "r");
    } catch (err) {
      if (isFdLimit(err as NodeJS.ErrnoException)) this.exhausted((err as NodeJS.ErrnoException).code!);
      return;
    }
    fs.closeSync(fd);
    if (this.exhaustedSince === undefined) return;
    const seconds = Math.round((this.clock.now() - this.exhaustedSince) / 1000);
    this.exhaustedSince = undefined;
    this.log.info(`file descriptors available again after ${seconds}s: accepting connections on ${this.where()}`, { open_connections: this.openConnections() });
  }

  private exhausted(code: string): void {
    this.exhaustedSince ??= this.clock.now();
    const t = this.throttle.take(code);
    if (!t.log) return;
    const limit = this.limit;
    this.log.warn(
      `out of file descriptors (${code}${limit === undefined ? "" : `, limit ${limit}`}): new connections on ${this.where()} are dropped until some close`,
      {
        code,
        open_connections: this.openConnections(),
        ...(limit === undefined ? {} : { fd_limit: limit }),
        ...(t.suppressed > 0 ? { suppressed: t.suppressed } : {}),
      },
    );
  }
}

function isFdLimit(err: NodeJS.ErrnoException): boolean {
  return err.code === "EMFILE" || err.code === "ENFILE";
}

/** The soft RLIMIT_NOFILE, from /proc on Linux (Node has no getrlimit); undefined elsewhere. */
function openFilesLimit(): number | undefined {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(fs.readFileSync("/proc/self/limits", "utf8"));
    return m === null ? undefined : Number(m[1]);
  } catch {
    return undefined; // no /proc, or (at the limit) no descriptor to read it with
  }
}
