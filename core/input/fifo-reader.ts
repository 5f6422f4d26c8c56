import { execFile } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import { promisify } from "node:util";
import type { Clock } from "../clock";
import type { Logger } from "../log/logger";
import type { LoopTurns } from "../net/loop-turns";
import type { Sink } from "../plugin/api";
import { LineFramer, TOO_LONG } from "./line-framer";

const execFileAsync = promisify(execFile);

/**
 * Reading lines from a named pipe (FIFO) without ever blocking the event loop, for the
 * inputs that writers feed through one (the Nagios command file, Diamond's FIFO handler).
 * (Node.js issues 23220 and 3628 show what a blocking open does.)
 *
 * - The path is created with `mkfifo -m <mode>` when missing (Node has no mkfifo; coreutils'
 *   is on every system Tantale runs on, and `-m` sets the mode whatever the umask). A path
 *   that exists and is not a FIFO is refused: never read a regular file in its place.
 * - It is opened O_RDWR | O_NONBLOCK, as Nagios does, and the fd handed to a net.Socket (an
 *   epoll-driven pipe handle): the open never waits for a writer (a blocking open holds a
 *   libuv pool thread, and `process.exit` with it), and since this process holds a write end
 *   itself, the last writer closing is no EOF: no reopen loop, no busy wakeups.
 * - Lines are framed on bytes (LineFramer): a line split across reads or writes is whole
 *   again; one over maxLineBytes is discarded up to its newline (the handler is told once).
 * - Writers cannot be told apart on a pipe: a writer that dies mid-line leaves a partial line
 *   that Nagios glues onto the next writer's line (nagioscore #35). Here, a partial line that
 *   saw no new byte for `staleLineMs` while we were reading is dropped when the next bytes
 *   come (the handler is told), so the next writer's line stands alone. 0 keeps Nagios' way.
 * - Writes of at most PIPE_BUF (4096) bytes are atomic (pipe(7)); longer ones from several
 *   writers at once may interleave, and the mixed lines fail their parsing downstream.
 * - Backpressure: while the sink is paused (or the handler holds, or the lines wait their turn
 *   of the loop: LoopTurns), the socket is paused; the kernel's pipe (64 KiB) fills and the
 *   writers wait. Nothing read is dropped.
 * - Every `inodeCheckMs` the path is looked at again: replaced or removed, the FIFO is
 *   reopened (recreated if missing); a failed reopen is retried with a capped backoff.
 * - stop() reads what the pipe holds, hands over every complete line, and closes the fd.
 */

/** What the reader hands over. */
export interface FifoLineHandler {
  /**
   * One complete line, without `\n` and one `\r`: a view valid during the call only. A
   * promise holds the following lines until it settles (a command applied in arrival order).
   */
  line(line: Buffer): void | Promise<void>;
  /** A line over maxLineBytes was discarded (`bytes`: how much of it was seen). */
  tooLong(bytes: number): void;
  /** A partial line whose writer stopped mid-line was dropped (`bytes` long). */
  stale(bytes: number): void;
}

export interface FifoReaderOptions {
  readonly path: string;
  /** Permissions of the FIFO when it is created (e.g. 0o660). */
  readonly mode: number;
  readonly maxLineBytes: number;
  /** A partial line idle this long is dropped when bytes come again; 0 keeps it (Nagios). */
  readonly staleLineMs: number;
  /** How often the path is compared with the open FIFO (0: never). */
  readonly inodeCheckMs?: number;
  /** First retry after a failed reopen; doubled up to maxBackoffMs. */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
}

export interface FifoReaderDeps {
  readonly log: Logger;
  readonly sink: Pick<Sink, "paused" | "onFlowChange">;
  readonly turns: LoopTurns;
  readonly clock: Clock;
}

/** The path exists and is not a FIFO, or cannot be created or opened. */
export class FifoPathError extends Error {
  constructor(
    readonly path: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`FIFO ${path}: ${message}`, options);
    this.name = "FifoPathError";
  }
}

/** Counters, for self-monitoring and for tests that check the reader stays idle. */
export interface FifoReaderCounters {
  /** 'data' events (reads that returned bytes). */
  reads: number;
  /** 'end' events: with the write end held, never (an EOF loop would count here). */
  ends: number;
  /** Times the FIFO was opened. */
  opens: number;
  lines: number;
}

export class FifoReader {
  readonly counters: FifoReaderCounters = { reads: 0, ends: 0, opens: 0, lines: 0 };
  private socket: net.Socket | undefined;
  private fd: number | undefined;
  private ino: number | undefined;
  private framer: LineFramer;
  private draining = false;
  private waitingTurn = false;
  /** A handler's promise is pending: the following lines wait. */
  private holding = false;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  /** When the lines read so far were last all handed over (the stale-line clock). */
  private lastDrainAt = 0;
  private unsubscribe: (() => void) | undefined;
  private inodeTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private backoff: number;
  private reopening = false;

  constructor(
    private readonly options: FifoReaderOptions,
    private readonly handler: FifoLineHandler,
    private readonly deps: FifoReaderDeps,
  ) {
    this.framer = new LineFramer(options.maxLineBytes);
    this.backoff = options.backoffMs ?? 1000;
  }

  get path(): string {
    return this.options.path;
  }

  /** Creates the FIFO if missing and opens it; rejects with FifoPathError (not a FIFO, no permission). */
  async start(): Promise<void> {
    await this.open();
    this.unsubscribe = this.deps.sink.onFlowChange(() => {
      if (!this.deps.sink.paused) this.drain();
      this.setReading();
    });
    const every = this.options.inodeCheckMs ?? 30_000;
    if (every > 0) {
      this.inodeTimer = setInterval(() => void this.checkInode(), every);
      this.inodeTimer.unref();
    }
  }

  /** Hands over every complete line the pipe holds, then closes it (the FIFO itself stays). */
  stop(): Promise<void> {
    return (this.stopped ??= this.shutdown());
  }

  private async shutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.inodeTimer);
    clearTimeout(this.retryTimer);
    this.unsubscribe?.();
    const socket = this.socket;
    if (socket !== undefined) {
      socket.pause();
      // What Node read and did not hand over yet, then what is still in the kernel's pipe.
      for (let chunk = socket.read() as Buffer | null; chunk !== null; chunk = socket.read() as Buffer | null) this.framer.push(chunk);
      this.readPipeDry();
    }
    // Holding (a command being applied): its lines follow once it is done.
    while (this.holding) await new Promise<void>((resolve) => setImmediate(resolve));
    await this.drainAll();
    this.close();
  }

  /** Non-blocking reads until the pipe is empty (EAGAIN), at most 16 MiB: writers may go on writing. */
  private readPipeDry(): void {
    const fd = this.fd;
    if (fd === undefined) return;
    const buffer = Buffer.allocUnsafe(65_536);
    for (let total = 0; total < 16 * 1024 * 1024;) {
      let n: number;
      try {
        n = fs.readSync(fd, buffer, 0, buffer.length, null);
      } catch {
        return; // EAGAIN: empty
      }
      if (n <= 0) return;
      this.framer.push(Buffer.from(buffer.subarray(0, n)));
      total += n;
    }
  }

  /** At stop: every complete line, waiting for handlers that hold. */
  private async drainAll(): Promise<void> {
    for (let line = this.framer.next(); line !== undefined; line = this.framer.next()) {
      this.counters.lines++;
      if (line === TOO_LONG) this.handler.tooLong(this.framer.discardedBytes);
      else await this.handler.line(line);
    }
  }

  private close(): void {
    this.socket?.removeAllListeners("data");
    this.socket?.destroy(); // closes the fd
    this.socket = undefined;
    this.fd = undefined;
  }

  /** lstat, mkfifo when missing, open O_RDWR|O_NONBLOCK, check the opened file is a FIFO, wrap it. */
  private async open(): Promise<void> {
    const path = this.options.path;
    await this.ensureFifo();
    let fd: number;
    try {
      // O_NOFOLLOW: a symlink put in its place is not followed. O_NONBLOCK: never waits for a writer.
      fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_NONBLOCK | fs.constants.O_NOFOLLOW);
    } catch (err) {
      throw new FifoPathError(path, `cannot open it: ${errorText(err)}`, { cause: err });
    }
    // The path may have been replaced between lstat and open: what counts is what was opened.
    const stat = fs.fstatSync(fd);
    if (!stat.isFIFO()) {
      fs.closeSync(fd);
      throw new FifoPathError(path, `${describeKind(stat)} replaced the FIFO while it was being opened: refusing to read it`);
    }
    const socket = new net.Socket({ fd, readable: true, writable: false });
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("end", () => {
      this.counters.ends++;
      this.lost(socket, "end of file");
    });
    socket.on("error", (err) => this.lost(socket, errorText(err)));
    socket.on("close", () => this.lost(socket, "closed"));
    this.socket = socket;
    this.fd = fd;
    this.ino = stat.ino;
    this.counters.opens++;
    this.lastDrainAt = this.deps.clock.now();
    this.setReading();
    this.deps.log.debug(`reading FIFO ${path}`, { path });
  }

  /** The path exists as a FIFO when this resolves: created with the mode when missing. */
  private async ensureFifo(): Promise<void> {
    const path = this.options.path;
    for (let attempt = 0; ; attempt++) {
      let stat: fs.Stats | undefined;
      try {
        stat = await fs.promises.lstat(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw new FifoPathError(path, `cannot look at it: ${errorText(err)}`, { cause: err });
      }
      if (stat !== undefined) {
        if (stat.isFIFO()) return;
        throw new FifoPathError(path, `it exists and is ${describeKind(stat)}, not a FIFO: refusing to read it (remove it, or set another path)`);
      }
      try {
        await execFileAsync("mkfifo", ["-m", this.options.mode.toString(8), path]);
        this.deps.log.info(`created FIFO ${path} (mode ${this.options.mode.toString(8).padStart(4, "0")})`, { path });
        return;
      } catch (err) {
        // Someone else created it in between: look again (once).
        if (attempt > 0) throw new FifoPathError(path, `cannot create it with mkfifo: ${mkfifoText(err)}`, { cause: err });
      }
    }
  }

  private onData(chunk: Buffer): void {
    this.counters.reads++;
    const staleMs = this.options.staleLineMs;
    // Everything before was handed over, the last bytes were a partial line, and nothing came for a while: its writer is gone.
    if (staleMs > 0 && this.framer.partialLength > 0 && this.framer.bufferedBytes === this.framer.partialLength) {
      if (this.deps.clock.now() - this.lastDrainAt >= staleMs) this.handler.stale(this.framer.dropPartial());
    }
    this.framer.push(chunk);
    this.drain();
  }

  /** Hands over complete lines while the sink takes them, a budget's worth per turn of the loop (loop-turns.ts). */
  private drain(granted = false): void {
    if (this.draining || this.holding || this.stopping) return;
    const turns = this.deps.turns;
    if (!granted && (this.waitingTurn || !turns.mayStart())) {
      if (!this.waitingTurn) this.awaitTurn();
      return;
    }
    this.draining = true;
    let n = 0;
    try {
      while (!this.deps.sink.paused) {
        // The clock is looked at every 64 lines.
        if ((n & 63) === 63 && turns.spent()) {
          this.awaitTurn();
          break;
        }
        const line = this.framer.next();
        if (line === undefined) {
          this.lastDrainAt = this.deps.clock.now();
          break;
        }
        n++;
        if (line === TOO_LONG) {
          this.handler.tooLong(this.framer.discardedBytes);
          continue;
        }
        const held = this.handler.line(line);
        if (held !== undefined) {
          this.hold(held);
          break;
        }
      }
    } finally {
      this.counters.lines += n;
      this.draining = false;
      this.setReading();
    }
  }

  private hold(work: Promise<void>): void {
    this.holding = true;
    const release = () => {
      this.holding = false;
      if (!this.stopping) this.drain();
      this.setReading();
    };
    work.then(release, (err: unknown) => {
      this.deps.log.error(`FIFO ${this.path}: handling a line failed: ${errorText(err)}`, { path: this.path });
      release();
    });
  }

  private awaitTurn(): void {
    this.waitingTurn = true;
    this.setReading();
    this.deps.turns.wait(() => {
      this.waitingTurn = false;
      this.drain(true);
      this.setReading();
    });
  }

  /** The socket reads only when the lines it brings can be handed over now. */
  private setReading(): void {
    const socket = this.socket;
    if (socket === undefined || socket.destroyed) return;
    const read = !this.stopping && !this.deps.sink.paused && !this.waitingTurn && !this.holding && !this.draining;
    if (read && socket.isPaused()) socket.resume();
    else if (!read && !socket.isPaused()) socket.pause();
  }

  /** The FIFO's socket ended or failed (it should not: we hold a write end): reopen. */
  private lost(socket: net.Socket, why: string): void {
    if (this.stopping || socket !== this.socket) return;
    this.deps.log.warn(`FIFO ${this.path}: ${why}; reopening it`, { path: this.path });
    void this.reopen();
  }

  /** The path still names the FIFO that is open? Replaced or removed: reopen. */
  private async checkInode(): Promise<void> {
    if (this.stopping || this.reopening) return;
    let ino: number | undefined;
    try {
      ino = (await fs.promises.lstat(this.path)).ino;
    } catch {
      ino = undefined;
    }
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- stop() may have begun while lstat ran
    if (ino === this.ino || this.stopping) return;
    this.deps.log.warn(`FIFO ${this.path} was ${ino === undefined ? "removed" : "replaced"}; reopening it`, { path: this.path });
    await this.reopen();
  }

  private async reopen(): Promise<void> {
    if (this.reopening || this.stopping) return;
    this.reopening = true;
    const old = this.socket;
    this.socket = undefined;
    this.fd = undefined;
    // Complete lines read from the old FIFO are kept; its unfinished line is not.
    this.framer.dropPartial();
    old?.removeAllListeners("data");
    old?.destroy();
    try {
      await this.open();
      this.backoff = this.options.backoffMs ?? 1000;
      this.reopening = false;
      this.drain();
    } catch (err) {
      this.reopening = false;
      const wait = this.backoff;
      this.backoff = Math.min(this.backoff * 2, this.options.maxBackoffMs ?? 30_000);
      this.deps.log.error(`${errorText(err)}; retrying in ${Math.round(wait / 1000)}s`, { path: this.path });
      this.retryTimer = setTimeout(() => void this.reopen(), wait);
      this.retryTimer.unref();
    }
  }
}

function describeKind(stat: fs.Stats): string {
  if (stat.isFile()) return "a regular file";
  if (stat.isDirectory()) return "a directory";
  if (stat.isSymbolicLink()) return "a symbolic link";
  if (stat.isSocket()) return "a socket";
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return "a device";
  return "not a FIFO";
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** mkfifo's own words (stderr: "No such file or directory", "Permission denied"). */
function mkfifoText(err: unknown): string {
  const stderr = (err as { stderr?: unknown }).stderr;
  return typeof stderr === "string" && stderr.trim() !== "" ? stderr.trim() : errorText(err);
}
