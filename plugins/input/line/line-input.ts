import { createHash, timingSafeEqual } from "node:crypto";
import net from "node:net";
import { inject, injectable } from "tsyringe";
import type { Clock } from "../../../core/clock";
import type { Logger } from "../../../core/log/logger";
import { Throttle } from "../../../core/log/throttle";
import type { InstanceStats } from "../../../core/metrics/self-stats";
import { ConnectionSlots } from "../../../core/net/connection-slots";
import { FdLimitWatch } from "../../../core/net/fd-limit-watch";
import { listenServer } from "../../../core/net/listen";
import { peerKey } from "../../../core/net/peer-key";
import { reject, type Normalized } from "../../../core/model/normalize-result";
import type { Endpoint, InputPlugin, Sink } from "../../../core/plugin/api";
import { CLOCK, DATA_DIR, INSTANCE_STATS, LOGGER, LOOP_TURNS, SINK } from "../../../core/tokens";
import { LoopTurns } from "../../../core/net/loop-turns";
import { AuthLockout } from "./auth-lockout";
import { Connection } from "./line-connection";
import { TOO_LONG } from "../../../core/input/line-framer";
import { decodeLine, parseLine, parseTail, skipBlanks } from "./line-parser";
import { preview } from "../../../core/input/line-preview";
import { allowList, peerOf } from "./peer-access";
import { LINE_CONFIG, type LineConfig } from "./schema";
import { createLineServer } from "./listen-server";

/** After `ERROR authentication required`, how long the peer gets to read it before the socket is destroyed. */
const AUTH_FAILURE_LINGER_MS = 1000;
const AUTH_ERROR = "ERROR authentication required\n";
const LOCKED_OUT_ERROR = "ERROR too many wrong AUTH tokens from this address, try again later\n";
const AUTH_PREFIX = Buffer.from("AUTH ");

/**
 * The line socket input: check results over TCP, one per line, as JSON objects or Nagios
 * external commands (docs/inputs.md §0 and §5). Framing is on bytes; every bad line is logged
 * (rate-limited, with peer, line number, reason and preview) and skipped, never the
 * connection. While the sink is paused every socket stops reading (TCP pushes back on the
 * senders); lines already received wait in memory, nothing is dropped.
 *
 * Slots are defended against clients that connect and say little: a line must end within
 * line_timeout; when max_connections (or a peer's max_connections_per_peer) is reached,
 * the quietest connection with nothing pending gives its slot to the newcomer
 * (ConnectionSlots); wrong AUTH tokens lock their address out for a while (AuthLockout);
 * running out of file descriptors is logged (FdLimitWatch).
 */
@injectable()
export class LineInput implements InputPlugin {
  private server: net.Server | undefined;
  private readonly connections = new Set<Connection>();
  private readonly throttle: Throttle;
  private allowed: (address: string | undefined) => boolean = () => true;
  private unsubscribe: (() => void) | undefined;
  private stopping: Promise<void> | undefined;
  /** Set once stop() begins: lines still buffered are processed whatever the sink says (it queues, never drops). */
  private isStopping = false;
  private readonly tokenDigest: Buffer | undefined;
  private readonly slots: ConnectionSlots<Connection>;
  private readonly lockout: AuthLockout;
  private readonly fdWatch: FdLimitWatch;

  constructor(
    @inject(LINE_CONFIG) private readonly config: LineConfig,
    @inject(SINK) private readonly sink: Sink,
    @inject(LOGGER) private readonly log: Logger,
    @inject(INSTANCE_STATS) private readonly stats: InstanceStats,
    @inject(CLOCK) private readonly clock: Clock,
    /** Shared with the Livestatus listener: lines wait their turn when much is ready at once. */
    @inject(LOOP_TURNS) private readonly turns: LoopTurns = new LoopTurns(),
    /** Where relative tls_* files are. */
    @inject(DATA_DIR) private readonly dataDir = ".",
  ) {
    this.throttle = new Throttle(clock);
    this.tokenDigest = config.token === "" ? undefined : digest(config.token);
    this.slots = new ConnectionSlots<Connection>(
      { maxConnections: config.max_connections, maxPerPeer: config.max_connections_per_peer },
      (c) => c.quietSince(clock.now()),
      (c) => c.firstLineSince(),
    );
    this.lockout = new AuthLockout(clock, config.auth_max_failures, config.auth_lockout);
    this.fdWatch = new FdLimitWatch(
      log,
      clock,
      () => `line port ${this.port}`,
      () => this.slots.size,
    );
  }

  /** The port listened on (the configured one, or the one the system chose for port 0). */
  get port(): number {
    const address = this.server?.address();
    return typeof address === "object" && address !== null ? address.port : this.config.port;
  }

  endpoints(): Endpoint[] {
    const tls = this.config.tls_cert !== "";
    return [
      {
        role: "listen",
        address: peerOf(this.config.bind, this.port),
        note: `JSON and Nagios lines${tls ? ", TLS" : ""}${this.config.token === "" ? "" : ", AUTH token"}`,
      },
    ];
  }

  /** The options are valid: the schema's ranges and checks refused the others (check-config too). */
  async start(): Promise<void> {
    this.allowed = allowList(this.config.allow);
    // Paused at accept: a connection arriving while the sink is paused must not read.
    // No server.maxConnections: Node would drop the newcomer, where ConnectionSlots may evict an idle one.
    const server = createLineServer(
      this.config,
      this.dataDir,
      (socket) => this.onConnection(socket),
      (err) => this.logThrottled("warn", "tls", `TLS handshake failed: ${err.message}`),
    );
    await listenServer(server, { host: this.config.bind, port: this.config.port }, (err) => {
      if (!this.fdWatch.serverError(err)) this.log.error(`server error: ${err.message}`, { err: String(err) });
    });
    this.server = server;
    this.fdWatch.start();
    this.unsubscribe = this.sink.onFlowChange((paused) => this.onFlowChange(paused));
    this.log.info(`listening on ${peerOf(this.config.bind, this.port)}`, { bind: this.config.bind, port: this.port });
  }

  stop(): Promise<void> {
    return (this.stopping ??= this.shutdown());
  }

  private async shutdown(): Promise<void> {
    this.isStopping = true;
    this.fdWatch.stop();
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    const server = this.server;
    const closed = new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
    for (const conn of [...this.connections]) {
      // What Node already read but did not hand over (the socket was paused): read()
      // emits it as 'data', which frames it.
      if (!conn.socket.destroyed && !conn.refused) while (conn.socket.read() !== null);
      this.drain(conn);
      // Then the unterminated tail, dropped unless the peer had ended cleanly.
      conn.aborted ??= "stopping";
      this.drain(conn);
      conn.socket.destroy();
      this.finish(conn);
    }
    await closed;
    this.log.info("stopped");
  }

  private onConnection(socket: net.Socket): void {
    const peer = peerOf(socket.remoteAddress, socket.remotePort);
    let known: Connection | undefined;
    // Before anything else: an unhandled 'error' (ECONNRESET, EPIPE) would crash the daemon.
    socket.on("error", (err: NodeJS.ErrnoException) => {
      if (known !== undefined) known.aborted ??= `error ${err.code ?? err.message}`;
      this.log.debug(`connection from ${peer}: ${err.message}`, { peer });
    });
    if (this.isStopping) {
      socket.destroy();
      return;
    }
    if (!this.allowed(socket.remoteAddress)) {
      this.stats.add("connections_refused");
      this.logThrottled("warn", "not_allowed", `connection from ${peer} refused: not in allow`, { peer });
      socket.destroy();
      return;
    }
    const key = peerKey(socket.remoteAddress);
    if (!this.admit(socket, peer, key)) return;
    const conn = new Connection(socket, peer, key, this.clock.now(), this.config.max_line_bytes, this.tokenDigest === undefined);
    known = conn;
    this.connections.add(conn);
    this.slots.add(conn, key);
    this.stats.add("connections");
    this.stats.set("connections_open", this.connections.size);
    this.log.debug(`connection from ${peer}`, { peer });

    socket.on("data", (chunk: Buffer) => {
      if (conn.refused) return;
      conn.framer.push(chunk);
      this.drain(conn);
      this.trackLine(conn, chunk);
    });
    socket.on("end", () => {
      conn.eof = true;
      this.watchLine(conn);
      this.drain(conn);
    });
    socket.on("timeout", () => {
      if (!conn.refused) {
        this.stats.add("connections_idle_closed");
        this.logThrottled("info", "idle", `connection from ${peer} closed: nothing received for ${this.config.idle_timeout}ms`, { peer });
      }
      conn.aborted ??= "idle timeout";
      socket.destroy();
    });
    socket.on("close", () => {
      conn.closed = true;
      this.slots.remove(conn);
      this.watchLine(conn);
      if (!conn.eof) conn.aborted ??= "closed before the end of the stream";
      this.drain(conn);
      this.finish(conn);
    });
    if (!this.sink.paused) this.resumeSocket(conn);
  }

  /**
   * Whether a newcomer gets a slot: not while its address is locked out after wrong tokens;
   * at a limit, by taking the slot of the quietest connection (its own address's first).
   * Refusals and evictions are counted and logged (throttled).
   */
  private admit(socket: net.Socket, peer: string, key: string): boolean {
    const locked = this.lockout.lockedFor(key);
    if (locked > 0) {
      this.stats.add("connections_locked_out");
      this.logThrottled(
        "warn",
        "locked_out",
        `connection from ${peer} refused: too many wrong AUTH tokens from ${key}, locked out for ${Math.ceil(locked / 1000)}s more`,
        { peer },
      );
      // Told why, then closed at once: a guesser must not hold descriptors while locked out.
      socket.end(LOCKED_OUT_ERROR, () => socket.destroy());
      return false;
    }
    const admission = this.slots.admit(key);
    if (admission.kind === "refuse") {
      const perPeer = admission.limit === "max_connections_per_peer";
      this.stats.add(perPeer ? "connections_refused_per_peer" : "connections_dropped");
      const limit = perPeer
        ? `max_connections_per_peer (${this.config.max_connections_per_peer}) reached for ${key}`
        : `max_connections (${this.config.max_connections}) reached`;
      this.logThrottled("warn", admission.limit, `connection from ${peer} dropped: ${limit} and every connection is busy`, { peer });
      socket.destroy();
      return false;
    }
    if (admission.kind === "evict") {
      const victim = admission.victim;
      const quiet = victim.quietSince(this.clock.now());
      this.slots.remove(victim); // its slot is the newcomer's from now on, even before its 'close'
      this.stats.add("connections_evicted");
      const limit =
        admission.limit === "max_connections_per_peer"
          ? `max_connections_per_peer (${this.config.max_connections_per_peer}) reached for ${key}`
          : `max_connections (${this.config.max_connections}) reached`;
      const since = quiet === undefined || quiet === 0 ? "" : `, no line for ${Math.round((this.clock.now() - quiet) / 1000)}s`;
      this.logThrottled("info", "evicted", `connection from ${victim.peer} closed to let ${peer} in: ${limit}, and it was the quietest${since}`, {
        peer: victim.peer,
        for: peer,
      });
      victim.aborted ??= "evicted";
      victim.socket.destroy();
    }
    return true;
  }

  /** After a chunk: is a line left half received? A completed line restarts the line deadline for the next one. */
  private trackLine(conn: Connection, chunk: Buffer): void {
    if (chunk.length === 0 || conn.refused) return;
    const ended = chunk[chunk.length - 1] === 0x0a;
    const completed = ended || chunk.includes(0x0a);
    if (completed) {
      conn.sawNewline = true;
      clearTimeout(conn.lineTimer);
      conn.lineTimer = undefined;
    }
    // A line that begins in this chunk: after a newline in it, or after a chunk that ended one.
    if (!ended && (completed || !conn.lineOpen)) conn.lineOpenedAt = this.clock.now();
    conn.lineOpen = !ended;
    this.watchLine(conn);
  }

  /**
   * Runs the line deadline while a line is half received, or from connecting until the first
   * newline; not while the connection is paused by us (the sink, or waiting for its turn) or done sending.
   */
  private watchLine(conn: Connection): void {
    const waiting = conn.lineOpen || !conn.sawNewline;
    const pausedByUs = (this.sink.paused || conn.waitingTurn) && !this.isStopping;
    const running = this.config.line_timeout > 0 && waiting && !conn.eof && !conn.closed && !conn.refused && !pausedByUs;
    if (!running) {
      clearTimeout(conn.lineTimer);
      conn.lineTimer = undefined;
      return;
    }
    if (conn.lineTimer !== undefined) return;
    conn.lineTimer = setTimeout(() => this.lineTimedOut(conn), this.config.line_timeout);
    conn.lineTimer.unref();
  }

  private lineTimedOut(conn: Connection): void {
    conn.lineTimer = undefined;
    if (conn.closed || conn.eof || conn.refused || !(conn.lineOpen || !conn.sawNewline)) return;
    this.stats.add("connections_line_timeout");
    const what = conn.sawNewline || conn.lineOpen ? `line ${conn.lineNo + 1} not ended` : "no line";
    const after = conn.sawNewline ? "" : " of connecting";
    this.logThrottled("warn", "line_timeout", `connection from ${conn.peer} closed: ${what} within ${this.config.line_timeout}ms${after}`, {
      peer: conn.peer,
      line: conn.lineNo + 1,
    });
    conn.aborted ??= "line timeout";
    conn.socket.destroy();
  }

  private onFlowChange(paused: boolean): void {
    if (paused) {
      this.stats.add("pauses");
      for (const conn of this.connections) {
        if (conn.closed || conn.refused) continue;
        conn.socket.pause();
        // A connection we stopped reading from is not idle, nor late with its line.
        conn.socket.setTimeout(0);
        this.watchLine(conn);
      }
      return;
    }
    for (const conn of [...this.connections]) {
      // Lines left over when the pause came first; one of them may pause again.
      this.drain(conn);
      if (this.sink.paused) return;
      if (!conn.closed && !conn.refused) this.resumeSocket(conn);
      this.finish(conn);
    }
  }

  private resumeSocket(conn: Connection): void {
    conn.socket.setTimeout(this.config.idle_timeout);
    this.watchLine(conn);
    // Its turn resumes it.
    if (!conn.waitingTurn) conn.socket.resume();
  }

  /** Forgets a connection once it is closed and nothing it sent is left. */
  private finish(conn: Connection): void {
    if (!conn.closed || !conn.finished) return;
    if (this.connections.delete(conn)) this.stats.set("connections_open", this.connections.size);
  }

  /**
   * Processes every complete line buffered for the connection, until the sink pauses
   * (checked between lines, so a paused sink takes at most one more result per connection).
   * At the end of the stream, handles the unterminated tail.
   */
  private drain(conn: Connection, granted = false): void {
    if (conn.draining || conn.finished) return;
    // Lines wait their turn while much work is ready (loop-turns.ts); when stopping, everything read is handled at once.
    if (!this.isStopping && !granted && (conn.waitingTurn || !this.turns.mayStart())) {
      if (!conn.waitingTurn) this.awaitTurn(conn);
      return;
    }
    conn.draining = true;
    const now = this.clock.now();
    let received = 0;
    let accepted = 0;
    try {
      while (this.isStopping || !this.sink.paused) {
        // The clock is looked at every 64 lines (about 0.2 ms of work).
        if ((received & 63) === 63 && !this.isStopping && this.turns.spent()) {
          this.awaitTurn(conn);
          break;
        }
        if (conn.refused) {
          conn.finished = true;
          break;
        }
        const line = conn.framer.next();
        if (line === undefined) {
          if (conn.eof || conn.aborted !== undefined) {
            if (this.tail(conn, now)) accepted++;
            conn.finished = true;
          }
          break;
        }
        conn.lineNo++;
        received++;
        if (!conn.authenticated) this.authenticate(conn, line, now);
        else if (line === TOO_LONG) {
          conn.lastLineAt = now;
          this.rejectLine(conn, reject("line_too_long", `line too long (≥${conn.framer.discardedBytes} bytes), discarded`), undefined);
        } else if (this.handleLine(conn, line, now)) accepted++;
      }
    } finally {
      conn.draining = false;
      if (conn.finished) this.endIfAnswered(conn);
      // Counted per batch of lines, not per line: the counters are map updates.
      if (received > 0) this.stats.add("lines_received", received);
      if (accepted > 0) this.stats.add("results_accepted", accepted);
    }
  }

  /** Stops reading until the connection's turn comes (what the peer sends meanwhile waits in the kernel), then drains on. */
  private awaitTurn(conn: Connection): void {
    conn.waitingTurn = true;
    if (!conn.closed && !conn.refused) conn.socket.pause();
    this.watchLine(conn);
    this.turns.wait(() => {
      conn.waitingTurn = false;
      this.watchLine(conn);
      this.drain(conn, true);
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- drain() may have set waitingTurn again (another turn awaited); the narrowing from the line above does not see that
      if (!conn.closed && !conn.refused && !conn.waitingTurn && !this.sink.paused && !this.isStopping) conn.socket.resume();
      this.finish(conn);
    });
  }

  /** Ends our side once the peer has ended its own and every SYNC is answered. */
  private endIfAnswered(conn: Connection): void {
    if (conn.eof && conn.syncsPending === 0 && !conn.socket.destroyed && !conn.socket.writableEnded) conn.socket.end();
  }

  /** One complete line; true when it gave a result. */
  private handleLine(conn: Connection, line: Buffer, now: number): boolean {
    const start = skipBlanks(line);
    if (start === line.length) return false;
    conn.lastLineAt = now;
    const text = decodeLine(line);
    if (text === undefined) {
      this.rejectLine(conn, reject("invalid_utf8", "invalid UTF-8"), line);
      return false;
    }
    if (line[start] === 0x53 /* S */ && text.trim() === "SYNC") {
      this.sync(conn);
      return false;
    }
    return this.settle(conn, parseLine(text, start, now), line);
  }

  /**
   * `SYNC`: answered `SYNCED` once every result accepted before it (this connection's
   * earlier lines included) is committed. Lines are handled in order, so the answers are too.
   */
  private sync(conn: Connection): void {
    this.stats.add("syncs");
    conn.syncsPending++;
    const answer = (text: string) => {
      conn.syncsPending--;
      if (!conn.socket.destroyed && conn.socket.writable) conn.socket.write(text);
      if (conn.finished) this.endIfAnswered(conn);
    };
    this.sink.sync().then(
      () => answer("SYNCED\n"),
      (err: unknown) => {
        this.log.error(`SYNC from ${conn.peer} failed: ${String(err)}`, { peer: conn.peer });
        // The bus says what cannot write and that the results stay queued (one line, no path).
        answer(`ERROR ${(err instanceof Error ? err.message : String(err)).replace(/\s+/g, " ")}\n`);
      },
    );
  }

  /** Accepts a result (logging its warnings) or logs the rejection; true when accepted. */
  private settle(conn: Connection, outcome: Normalized, line: Buffer): boolean {
    if (!outcome.ok) {
      this.rejectLine(conn, outcome, line);
      return false;
    }
    this.sink.accept(outcome.result);
    for (const warning of outcome.warnings) {
      this.stats.add("result_warnings");
      // Warnings start with their field: a stable key whatever values they quote.
      const space = warning.indexOf(" ");
      const key = `warning:${space < 0 ? warning : warning.slice(0, space)}`;
      // info, not warn: the result was kept (a backfill of old results is normal), only noted.
      this.logThrottled("info", key, () => [
        `line ${conn.lineNo} from ${conn.peer} accepted with a warning: ${warning}`,
        { peer: conn.peer, line: conn.lineNo, warning, preview: preview(line) },
      ]);
    }
    return true;
  }

  /**
   * The unterminated last line at the end of the stream. After a clean FIN it is taken only
   * when it is a complete JSON result (a cut Nagios line would still parse, with its output
   * cut short); after a reset, an error or a stop it is dropped.
   */
  private tail(conn: Connection, now: number): boolean {
    const tail = conn.framer.takeTail();
    if (tail === undefined || conn.refused) return false;
    if (conn.aborted !== undefined) {
      this.log.debug(`connection from ${conn.peer} ended (${conn.aborted}): unterminated line of ${tail.length} bytes dropped`, {
        peer: conn.peer,
        line: conn.lineNo + 1,
      });
      return false;
    }
    conn.lineNo++;
    this.stats.add("lines_received");
    const start = skipBlanks(tail);
    if (start === tail.length || !conn.authenticated) return false;
    const text = decodeLine(tail);
    if (text === undefined) {
      this.rejectLine(conn, reject("invalid_utf8", "invalid UTF-8"), tail);
      return false;
    }
    return this.settle(conn, parseTail(text, start, now), tail);
  }

  /**
   * The first line when a token is set (blank lines aside): `AUTH <token>`, compared in
   * constant time (sha256 digests of equal length, whatever the length of the guess). A
   * wrong token counts towards its address's lock-out; a first line that is not `AUTH` at
   * all (a sender not told about the token) guesses nothing and does not.
   */
  private authenticate(conn: Connection, line: Buffer | typeof TOO_LONG, now: number): void {
    let guessed = false;
    if (line !== TOO_LONG) {
      if (skipBlanks(line) === line.length) return;
      conn.lastLineAt = now;
      guessed = line.subarray(0, 5).equals(AUTH_PREFIX);
      if (this.tokenDigest !== undefined && guessed && tokenMatches(line.subarray(5), this.tokenDigest)) {
        conn.authenticated = true;
        return;
      }
    }
    conn.refused = true;
    this.stats.add("auth_failures");
    // No preview: the line may be a mistyped token.
    this.logThrottled("warn", "auth", `connection from ${conn.peer} closed: line ${conn.lineNo} is not AUTH with the right token`, {
      peer: conn.peer,
      line: conn.lineNo,
    });
    const lockout = guessed ? this.lockout.failed(conn.key) : 0;
    if (lockout > 0) {
      this.stats.add("auth_lockouts");
      // Not throttled with the rest: one line per lock-out, and lock-outs are minutes apart per address.
      this.log.warn(
        `${conn.key} locked out for ${Math.round(lockout / 1000)}s after ${this.config.auth_max_failures} wrong AUTH tokens (last from ${conn.peer})`,
        { peer: conn.peer, lockout_ms: lockout },
      );
    }
    conn.socket.end(AUTH_ERROR);
    conn.socket.setTimeout(AUTH_FAILURE_LINGER_MS);
    conn.socket.resume(); // read and ignore what else comes, so the peer is not blocked
  }

  private rejectLine(conn: Connection, rejection: { readonly reason: string; readonly key: string }, line: Buffer | undefined): void {
    this.stats.add("lines_rejected");
    this.stats.add(`rejected_${rejection.key}`);
    this.logThrottled("warn", rejection.key, () => {
      const fields: Record<string, unknown> = { peer: conn.peer, line: conn.lineNo, reason: rejection.reason };
      if (line !== undefined) fields.preview = preview(line);
      return [`line ${conn.lineNo} from ${conn.peer} rejected: ${rejection.reason}`, fields];
    });
  }

  /**
   * Logs at most a few lines per key and minute, with the count of those left out since.
   * The line is built only when it is written: a flood of bad lines costs no previews.
   */
  private logThrottled(
    level: "warn" | "info",
    key: string,
    line: string | (() => [string, Record<string, unknown>]),
    fields: Record<string, unknown> = {},
  ): void {
    const t = this.throttle.take(key);
    if (!t.log || !this.log.isLevelEnabled(level)) return;
    const [msg, f] = typeof line === "string" ? [line, fields] : line();
    this.log[level](msg, t.suppressed > 0 ? { ...f, suppressed: t.suppressed } : f);
  }
}

function digest(token: string | Buffer): Buffer {
  // Equal-length digests let timingSafeEqual compare tokens of any length.
  return createHash("sha256").update(token).digest();
}

/** A guess against the token's digest, in time that depends on neither's content nor length (beyond hashing the guess). */
export function tokenMatches(guess: Buffer, tokenDigest: Buffer): boolean {
  return timingSafeEqual(digest(guess), tokenDigest);
}
