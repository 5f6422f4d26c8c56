import { createHash, timingSafeEqual } from "node:crypto";
import net from "node:net";
import { inject, injectable } from "tsyringe";
import type { Clock } from "../../../core/clock";
import type { Logger } from "../../../core/log/logger";
import { Throttle } from "../../../core/log/throttle";
import type { InstanceStats } from "../../../core/metrics/self-stats";
import { reject, type Normalized } from "../../../core/model/normalize-result";
import type { InputPlugin, Sink } from "../../../core/plugin/api";
import { CLOCK, INSTANCE_STATS, LOGGER, PLUGIN_CONFIG, SINK } from "../../../core/tokens";
import { Connection } from "./line-connection";
import { TOO_LONG } from "./line-framer";
import { decodeLine, parseLine, parseTail, skipBlanks } from "./line-parser";
import { preview } from "./line-preview";
import { allowList, peerOf } from "./peer-access";
import type { LineConfig } from "./schema";

/** After `ERROR authentication required`, how long the peer gets to read it before the socket is destroyed. */
const AUTH_FAILURE_LINGER_MS = 1000;
const AUTH_ERROR = "ERROR authentication required\n";
const AUTH_PREFIX = Buffer.from("AUTH ");

/**
 * The line socket input: check results over TCP, one per line, as JSON objects or Nagios
 * external commands (inputs.md §0 and §5). Framing is on bytes; every bad line is logged
 * (rate-limited, with peer, line number, reason and preview) and skipped, never the
 * connection. While the sink is paused every socket stops reading (TCP pushes back on the
 * senders); lines already received wait in memory, nothing is dropped.
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

  constructor(
    @inject(PLUGIN_CONFIG) private readonly config: LineConfig,
    @inject(SINK) private readonly sink: Sink,
    @inject(LOGGER) private readonly log: Logger,
    @inject(INSTANCE_STATS) private readonly stats: InstanceStats,
    @inject(CLOCK) private readonly clock: Clock,
  ) {
    this.throttle = new Throttle(clock);
    this.tokenDigest = config.token === "" ? undefined : digest(config.token);
  }

  /** The port listened on (the configured one, or the one the system chose for port 0). */
  get port(): number {
    const address = this.server?.address();
    return typeof address === "object" && address !== null ? address.port : this.config.port;
  }

  async start(): Promise<void> {
    if (!Number.isSafeInteger(this.config.max_line_bytes) || this.config.max_line_bytes < 1) {
      throw new Error(`max_line_bytes must be at least 1 byte, got ${this.config.max_line_bytes}`);
    }
    this.allowed = allowList(this.config.allow);
    // Paused at accept: a connection arriving while the sink is paused must not read.
    // Half-open: `printf '...\nSYNC\n' | nc -q1` sends FIN at once and still waits for SYNCED.
    const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true }, (socket) => this.onConnection(socket));
    server.maxConnections = this.config.max_connections; // 0 = no limit (Node only checks when truthy)
    server.on("drop", (data) => {
      this.stats.add("connections_dropped");
      this.logThrottled("warn", "max_connections", `connection from ${peerOf(data?.remoteAddress, data?.remotePort)} dropped: max_connections (${this.config.max_connections}) reached`);
    });
    await new Promise<void>((resolve, fail) => {
      server.once("error", fail);
      server.listen({ host: this.config.bind, port: this.config.port }, () => {
        server.off("error", fail);
        resolve();
      });
    });
    server.on("error", (err) => this.log.error(`server error: ${err.message}`, { err: String(err) }));
    this.server = server;
    this.unsubscribe = this.sink.onFlowChange((paused) => this.onFlowChange(paused));
    this.log.info(`listening on ${peerOf(this.config.bind, this.port)}`, { bind: this.config.bind, port: this.port });
  }

  stop(): Promise<void> {
    return (this.stopping ??= this.shutdown());
  }

  private async shutdown(): Promise<void> {
    this.isStopping = true;
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
    const conn = new Connection(socket, peer, this.config.max_line_bytes, this.tokenDigest === undefined);
    known = conn;
    this.connections.add(conn);
    this.stats.add("connections");
    this.stats.set("connections_open", this.connections.size);
    this.log.debug(`connection from ${peer}`, { peer });

    socket.on("data", (chunk: Buffer) => {
      if (conn.refused) return;
      conn.framer.push(chunk);
      this.drain(conn);
    });
    socket.on("end", () => {
      conn.eof = true;
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
      if (!conn.eof) conn.aborted ??= "closed before the end of the stream";
      this.drain(conn);
      this.finish(conn);
    });
    if (!this.sink.paused) this.resumeSocket(conn);
  }

  private onFlowChange(paused: boolean): void {
    if (paused) {
      this.stats.add("pauses");
      for (const conn of this.connections) {
        if (conn.closed || conn.refused) continue;
        conn.socket.pause();
        // A connection we stopped reading from is not idle.
        conn.socket.setTimeout(0);
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
    conn.socket.resume();
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
  private drain(conn: Connection): void {
    if (conn.draining || conn.finished) return;
    conn.draining = true;
    const now = this.clock.now();
    let received = 0;
    let accepted = 0;
    try {
      while (this.isStopping || !this.sink.paused) {
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
        if (!conn.authenticated) this.authenticate(conn, line);
        else if (line === TOO_LONG) this.rejectLine(conn, reject("line_too_long", `line too long (≥${conn.framer.discardedBytes} bytes), discarded`), undefined);
        else if (this.handleLine(conn, line, now)) accepted++;
      }
    } finally {
      conn.draining = false;
      if (conn.finished) this.endIfAnswered(conn);
      // Counted per batch of lines, not per line: the counters are map updates.
      if (received > 0) this.stats.add("lines_received", received);
      if (accepted > 0) this.stats.add("results_accepted", accepted);
    }
  }

  /** Ends our side once the peer has ended its own and every SYNC is answered. */
  private endIfAnswered(conn: Connection): void {
    if (conn.eof && conn.syncsPending === 0 && !conn.socket.destroyed && !conn.socket.writableEnded) conn.socket.end();
  }

  /** One complete line; true when it gave a result. */
  private handleLine(conn: Connection, line: Buffer, now: number): boolean {
    const start = skipBlanks(line);
    if (start === line.length) return false;
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
      this.logThrottled("info", key, () => [`line ${conn.lineNo} from ${conn.peer} accepted with a warning: ${warning}`, { peer: conn.peer, line: conn.lineNo, warning, preview: preview(line) }]);
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
      this.log.debug(`connection from ${conn.peer} ended (${conn.aborted}): unterminated line of ${tail.length} bytes dropped`, { peer: conn.peer, line: conn.lineNo + 1 });
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

  /** The first line when a token is set (blank lines aside): `AUTH <token>`, compared as bytes in constant time. */
  private authenticate(conn: Connection, line: Buffer | typeof TOO_LONG): void {
    if (line !== TOO_LONG) {
      if (skipBlanks(line) === line.length) return;
      if (this.tokenDigest !== undefined && line.subarray(0, 5).equals(AUTH_PREFIX) && timingSafeEqual(digest(line.subarray(5)), this.tokenDigest)) {
        conn.authenticated = true;
        return;
      }
    }
    conn.refused = true;
    this.stats.add("auth_failures");
    // No preview: the line may be a mistyped token.
    this.logThrottled("warn", "auth", `connection from ${conn.peer} closed: line ${conn.lineNo} is not AUTH with the right token`, { peer: conn.peer, line: conn.lineNo });
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
  private logThrottled(level: "warn" | "info", key: string, line: string | (() => [string, Record<string, unknown>]), fields: Record<string, unknown> = {}): void {
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
