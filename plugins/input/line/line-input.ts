import { isUtf8 } from "node:buffer";
import { createHash, timingSafeEqual } from "node:crypto";
import net from "node:net";
import { inject, injectable } from "tsyringe";
import type { Clock } from "../../../core/clock";
import type { Logger } from "../../../core/log/logger";
import { Throttle } from "../../../core/log/throttle";
import type { InstanceStats } from "../../../core/metrics/self-stats";
import { checkResultFromCommand, parseExternalCommand } from "../../../core/model/external-command";
import { normalizeResult, reject, type Normalized } from "../../../core/model/normalize-result";
import type { InputPlugin, Sink } from "../../../core/plugin/api";
import { CLOCK, INSTANCE_STATS, LOGGER, PLUGIN_CONFIG, SINK } from "../../../core/tokens";
import { LineFramer, TOO_LONG } from "./line-framer";
import type { LineConfig } from "./schema";

/** Fatal: a bad byte rejects the line instead of becoming U+FFFD. Without `stream`, each call is independent. */
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const PREVIEW_BYTES = 200;
/** After `ERROR authentication required`, how long the peer gets to read it before the socket is destroyed. */
const AUTH_FAILURE_LINGER_MS = 1000;
const AUTH_ERROR = "ERROR authentication required\n";
const AUTH_PREFIX = Buffer.from("AUTH ");

/** One client connection: its framing state and where it is in its life. */
class Connection {
  readonly framer: LineFramer;
  lineNo = 0;
  authenticated: boolean;
  /** The peer sent FIN: an unterminated tail may be a last result. */
  eof = false;
  /** Why the stream ended without a clean FIN (reset, error, idle, stop): the tail is dropped. */
  aborted: string | undefined;
  /** Authentication failed: everything further is ignored. */
  refused = false;
  closed = false;
  /** The tail was handled: nothing is left to process. */
  finished = false;
  draining = false;
  /** SYNCs not answered yet: a half-closed connection stays open for them. */
  syncsPending = 0;

  constructor(
    readonly socket: net.Socket,
    readonly peer: string,
    maxLineBytes: number,
    authenticated: boolean,
  ) {
    this.framer = new LineFramer(maxLineBytes);
    this.authenticated = authenticated;
  }
}

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
    let start = 0;
    while (start < line.length && isBlank(line[start]!)) start++;
    if (start === line.length) return false;
    let text: string;
    try {
      text = decoder.decode(line);
    } catch {
      this.rejectLine(conn, reject("invalid_utf8", "invalid UTF-8"), line);
      return false;
    }
    const first = line[start];
    if (first === 0x53 /* S */ && text.trim() === "SYNC") {
      this.sync(conn);
      return false;
    }
    // Leading blanks are ASCII: the byte offset is the character offset.
    const outcome = first === 0x7b /* { */ ? fromJson(text, now) : first === 0x5b /* [ */ ? fromCommand(start === 0 ? text : text.slice(start), now) : fromOther(text, now);
    return this.settle(conn, outcome, line);
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
        answer("ERROR sync failed\n");
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
    let start = 0;
    while (start < tail.length && isBlank(tail[start]!)) start++;
    if (start === tail.length || !conn.authenticated) return false;
    let text: string;
    try {
      text = decoder.decode(tail);
    } catch {
      this.rejectLine(conn, reject("invalid_utf8", "invalid UTF-8"), tail);
      return false;
    }
    if (tail[start] !== 0x7b) {
      this.rejectLine(conn, reject("unterminated", "last line has no newline, discarded (only a complete JSON object is taken without one)"), tail);
      return false;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      this.rejectLine(conn, reject("unterminated", "last line has no newline and is incomplete JSON, discarded"), tail);
      return false;
    }
    return this.settle(conn, normalizeResult(value, now), tail);
  }

  /** The first line when a token is set (blank lines aside): `AUTH <token>`, compared as bytes in constant time. */
  private authenticate(conn: Connection, line: Buffer | typeof TOO_LONG): void {
    if (line !== TOO_LONG) {
      let start = 0;
      while (start < line.length && isBlank(line[start]!)) start++;
      if (start === line.length) return;
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

function fromJson(text: string, now: number): Normalized {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return reject("invalid_json", `invalid JSON: ${jsonError(err)}`);
  }
  return normalizeResult(value, now);
}

function fromCommand(text: string, now: number): Normalized {
  const command = parseExternalCommand(text);
  if (command.ok) return checkResultFromCommand(command, now);
  // `[]`, `[1,2]`: JSON, just not an object.
  if (text.charCodeAt(text.length - 1) === 0x5d /* ] */) {
    try {
      return normalizeResult(JSON.parse(text), now);
    } catch {
      // not JSON either: the command's reason says more
    }
  }
  return command;
}

function fromOther(text: string, now: number): Normalized {
  const trimmed = text.trim();
  if (trimmed.startsWith("AUTH ")) return reject("unexpected_auth", "unexpected AUTH line (no token is configured, or already authenticated)");
  if (looksLikeGraphite(trimmed)) return reject("graphite", "not JSON (graphite plaintext? wrong port)");
  try {
    // `null`, `42`, `"x"`: JSON, but not an object (normalizeResult says so).
    return normalizeResult(JSON.parse(trimmed), now);
  } catch {
    return reject("not_json", "not JSON nor a Nagios external command");
  }
}

/** `path value [timestamp]`: what Diamond and collectd send to Carbon's 2003. */
function looksLikeGraphite(text: string): boolean {
  const fields = text.split(/[ \t]+/, 4);
  if (fields.length < 2 || fields.length > 3) return false;
  const value = fields[1]!.toLowerCase();
  return !/["{}[\]]/.test(fields[0]!) && (Number.isFinite(Number(value)) || value === "nan" || value === "inf" || value === "-inf");
}

/** V8's message without the quoted piece of the line (the preview shows it). */
function jsonError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (message.startsWith("Unexpected token '") && message.endsWith(" is not valid JSON")) {
    const close = message.indexOf("', ", 19);
    if (close > 0) return message.slice(0, close + 1);
  }
  return message.length > 120 ? `${message.slice(0, 120)}...` : message;
}

function isBlank(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0d || byte === 0x0b || byte === 0x0c;
}

function digest(token: string | Buffer): Buffer {
  // Equal-length digests let timingSafeEqual compare tokens of any length.
  return createHash("sha256").update(token).digest();
}

function peerOf(address: string | undefined, port: number | undefined): string {
  const a = address ?? "?";
  return `${a.includes(":") ? `[${a}]` : a}:${port ?? "?"}`;
}

/**
 * The first 200 bytes of a line, for the log: readable text with control characters and
 * backslashes escaped, or, when the bytes are not UTF-8, non-ASCII bytes as \xNN.
 */
export function preview(line: Buffer): string {
  let end = Math.min(line.length, PREVIEW_BYTES);
  // Do not cut a character in two.
  if (end < line.length) while (end > PREVIEW_BYTES - 3 && (line[end]! & 0xc0) === 0x80) end--;
  const slice = line.subarray(0, end);
  let text = "";
  if (isUtf8(slice)) text = slice.toString("utf8").replace(/[\u0000-\u001f\u007f\\]/g, escapeChar);
  else for (const b of slice) text += b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : escapeChar(String.fromCharCode(b));
  return end < line.length ? `${text}...` : text;
}

function escapeChar(c: string): string {
  switch (c) {
    case "\\": return "\\\\";
    case "\n": return "\\n";
    case "\r": return "\\r";
    case "\t": return "\\t";
    default: return `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
  }
}

/**
 * The allow option as a predicate on a peer address: addresses and CIDRs, IPv4 and IPv6.
 * An IPv4-mapped IPv6 peer (`::ffff:127.0.0.1`, from a socket bound to `::`) matches the
 * IPv4 entries. Empty: everyone. A bad entry throws, naming it.
 */
export function allowList(entries: readonly string[]): (address: string | undefined) => boolean {
  if (entries.length === 0) return () => true;
  const list = new net.BlockList();
  for (const entry of entries) {
    const slash = entry.indexOf("/");
    const address = slash < 0 ? entry : entry.slice(0, slash);
    const family = net.isIP(address);
    if (family === 0) throw new Error(`allow: "${entry}" is not an IP address or CIDR`);
    const type = family === 4 ? "ipv4" : "ipv6";
    if (slash < 0) {
      list.addAddress(address, type);
      continue;
    }
    const bits = entry.slice(slash + 1);
    const prefix = Number(bits);
    if (!/^\d{1,3}$/.test(bits) || prefix > (family === 4 ? 32 : 128)) throw new Error(`allow: "${entry}" has a bad prefix length`);
    list.addSubnet(address, prefix, type);
  }
  return (address) => {
    if (address === undefined) return false;
    const family = net.isIP(address);
    if (family === 0) return false;
    try {
      if (family === 4) return list.check(address, "ipv4");
      const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
      if (mapped !== null && list.check(mapped[1]!, "ipv4")) return true;
      return list.check(address, "ipv6");
    } catch {
      return false; // a zone id (fe80::1%eth0) BlockList does not take
    }
  };
}
