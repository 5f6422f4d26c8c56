/**
 * The Livestatus server: accepts connections on TCP and, optionally, a unix socket, and
 * gives each to a LivestatusConnection (framing, ordering, answers). This file owns what
 * is shared: the listeners, the connection limit, idle timeouts and the stop.
 *
 * Nothing a client does may crash or stall the daemon: every socket has an 'error'
 * handler before anything else, each connection waits only for its own writes, and a
 * client that stops reading only holds up its own answers.
 */
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import type { Clock } from "../../clock";
import type { Logger } from "../../log/logger";
import type { InstanceStats } from "../../metrics/self-stats";
import type { ChangeFeed } from "../../state/change-feed";
import { Throttle } from "../../log/throttle";
import { ConnectionSlots, type Admission, type SlotLimit } from "../../net/connection-slots";
import { FdLimitWatch } from "../../net/fd-limit-watch";
import { listenServer } from "../../net/listen";
import { peerKey } from "../../net/peer-key";
import { AnswerMemory } from "./answer-output";
import { LivestatusConnection, type CommandHandler } from "./livestatus-connection";
import { DEFAULT_MAX_REQUEST_BYTES } from "./request-framer";
import type { TableRegistry } from "../query/table-registry";
import { LoopTurns } from "../../net/loop-turns";
import { SliceTurns } from "../query/work-slicer";

export type { CommandHandler } from "./livestatus-connection";

export interface LivestatusServerOptions {
  readonly tables: TableRegistry;
  readonly onCommand: CommandHandler;
  readonly log: Logger;
  readonly clock: Clock;
  /** Largest request (default 1 MiB); a larger one is answered 413 and the connection closed. */
  readonly maxRequestBytes?: number;
  /** A connection that sends and reads nothing for this long is closed without a word (ms; 0 = never; default 300 s). */
  readonly idleTimeoutMs?: number;
  /**
   * Most connections open at once, TCP and unix together (0 = no limit; default 500). When
   * full, the connection idle the longest (between requests) is closed to let a newcomer in;
   * only when every connection is busy is the newcomer closed at once.
   */
  readonly maxConnections?: number;
  /** Most connections from one address (an IPv6 /64; the unix socket counts as one address) (0 = no limit; default 250); at the limit its own longest idle connection makes room. */
  readonly maxConnectionsPerPeer?: number;
  /** How often a Wait condition is re-evaluated (ms, default 200). */
  readonly waitPollMs?: number;
  /** A request begun and not finished after this long is answered 451 and the connection closed (ms; 0 = never; default 10 s). */
  readonly requestTimeoutMs?: number;
  /** A client that reads nothing of its answers for this long is cut, and logged (ms; 0 = never; default 30 s). */
  readonly writeTimeoutMs?: number;
  /** Rendered answers not yet sent, all connections together, beyond which large fixed16 renders wait (bytes; default 64 MiB). */
  readonly answerMemoryBytes?: number;
  /**
   * Where to count `connections` (accepted), `requests`, `overflows` (connections that found
   * the server full: an idle one evicted for them, or they were refused), `evictions` and
   * `refusals`, with the gauge `connections_open`, `connections_max`, the requests served by
   * table and status code (`requests_served`) and their latency (`request_seconds`): the
   * status table and the metrics plugin read them.
   */
  readonly stats?: InstanceStats;
  /** Change notices that wake Wait queries at once (the state engine's); without them Wait conditions are polled only. */
  readonly changes?: ChangeFeed;
  /** The turns of work shared with the daemon's inputs (loop-turns.ts); a server of its own by default. */
  readonly loopTurns?: LoopTurns;
}

export interface ListenOptions {
  readonly tcp?: { readonly host: string; readonly port: number };
  /** An absolute path; `mode` (e.g. 0o660) is applied to the socket file once it exists. */
  readonly unix?: { readonly path: string; readonly mode?: number };
}

export class LivestatusServer {
  private readonly servers: net.Server[] = [];
  private readonly connections = new Set<LivestatusConnection>();
  private readonly throttle: Throttle;
  private readonly maxConnections: number;
  private readonly maxPerPeer: number;
  private readonly slots: ConnectionSlots<LivestatusConnection>;
  private readonly fdWatch: FdLimitWatch;
  private readonly idleTimeoutMs: number;
  private stopping: Promise<void> | undefined;
  private unixCount = 0;
  /** Shared by the connections: a client's unsent answers count against all of them; paused renders take turns. */
  private readonly answerMemory: AnswerMemory;
  private readonly turns = new SliceTurns();
  private readonly loopTurns: LoopTurns;

  constructor(private readonly options: LivestatusServerOptions) {
    this.throttle = new Throttle(options.clock);
    this.maxConnections = options.maxConnections ?? 500;
    this.maxPerPeer = options.maxConnectionsPerPeer ?? 250;
    this.slots = new ConnectionSlots({ maxConnections: this.maxConnections, maxPerPeer: this.maxPerPeer }, (c) => c.idleSince);
    this.fdWatch = new FdLimitWatch(
      options.log,
      options.clock,
      () => this.where(),
      () => this.connections.size,
    );
    this.idleTimeoutMs = options.idleTimeoutMs ?? 300_000;
    this.answerMemory = new AnswerMemory(options.answerMemoryBytes ?? 64 * 1024 * 1024);
    this.loopTurns = options.loopTurns ?? new LoopTurns();
    // Present from the start: the status table tells a Livestatus listener's figures by `requests`.
    options.stats?.add("requests", 0);
    options.stats?.add("connections", 0);
    options.stats?.gauge("connections_open", () => this.connections.size);
    options.stats?.set("connections_max", this.maxConnections);
    if (options.stats !== undefined) {
      const byTable = options.stats.labelled("requests_served", ["table", "code"]);
      const latency = options.stats.histogram("request_seconds");
      this.requestServed = (table, status, seconds) => {
        byTable.add([table, status]);
        latency.observe(seconds);
      };
    }
  }

  /** Counts a served request by table and status and times it (undefined without stats). */
  private readonly requestServed: ((table: string, status: string, seconds: number) => void) | undefined;

  /** The TCP port listened on (the one the system chose for port 0); undefined without TCP. */
  get port(): number | undefined {
    for (const server of this.servers) {
      const address = server.address();
      if (typeof address === "object" && address !== null) return address.port;
    }
    return undefined;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Starts listening; on a failure, whatever was already listening is closed again. */
  async listen(endpoints: ListenOptions): Promise<void> {
    if (this.stopping !== undefined) throw new Error("livestatus server already stopped");
    try {
      if (endpoints.tcp !== undefined) await this.open({ host: endpoints.tcp.host, port: endpoints.tcp.port });
      if (endpoints.unix !== undefined) {
        const { path: file, mode } = endpoints.unix;
        await clearStaleSocket(file);
        await this.open({ path: file });
        if (mode !== undefined) await fs.promises.chmod(file, mode);
      }
    } catch (err) {
      await this.closeServers();
      throw err;
    }
  }

  /** Closes the listeners and every connection. Idempotent: later calls get the same promise. */
  stop(): Promise<void> {
    return (this.stopping ??= this.shutdown());
  }

  private async shutdown(): Promise<void> {
    this.fdWatch.stop();
    const closing = this.closeServers();
    // server.close() waits for open connections: they are cut, answers in flight included.
    for (const conn of this.connections) conn.socket.destroy();
    this.connections.clear();
    await closing;
  }

  private closeServers(): Promise<void> {
    const servers = this.servers.splice(0);
    // A unix listener's close() also removes its socket file.
    return Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())))).then(() => undefined);
  }

  private async open(listen: net.ListenOptions): Promise<void> {
    // allowHalfOpen: a client that sends its request and shuts down its side (the Perl
    // client, `nc -q`) still gets the answer; we end our side ourselves once it is written.
    const server = net.createServer({ allowHalfOpen: true }, (socket) => this.onConnection(socket, listen.path));
    await listenServer(server, listen, (err) => {
      if (!this.fdWatch.serverError(err)) this.options.log.error(`livestatus listener error: ${err.message}`, { err: String(err) });
    });
    this.servers.push(server);
    this.fdWatch.start();
  }

  private readonly countRequest = (): void => this.options.stats?.add("requests");

  private readonly onWriteTimeout = (peer: string, unsent: number): void => {
    const t = this.throttle.take("write_timeout");
    const seconds = (this.options.writeTimeoutMs ?? 30_000) / 1000;
    if (t.log)
      this.options.log.warn(`livestatus connection ${peer} read nothing of its answer for ${seconds} s: closed`, { peer, unsent, suppressed: t.suppressed });
  };

  private onConnection(socket: net.Socket, unixPath: string | undefined): void {
    this.loopTurns.accepted();
    const peer = unixPath === undefined ? peerOf(socket) : `unix:${unixPath}#${++this.unixCount}`;
    const log = this.options.log;
    // First of all: an unhandled 'error' (ECONNRESET, EPIPE from a client gone mid-answer) would crash the daemon.
    socket.on("error", (err: NodeJS.ErrnoException) => log.debug(`livestatus connection ${peer}: ${err.code ?? err.message}`, { peer }));
    if (this.stopping !== undefined) {
      socket.destroy();
      return;
    }
    const key = unixPath === undefined ? peerKey(socket.remoteAddress) : "unix";
    if (!this.admit(this.slots.admit(key), peer, key)) {
      socket.destroy();
      return;
    }
    this.options.stats?.add("connections");
    // Answers are written whole, once: Nagle would only delay the last segment of each.
    socket.setNoDelay(true);
    const conn = new LivestatusConnection(socket, peer, {
      tables: this.options.tables,
      onCommand: this.options.onCommand,
      log,
      now: () => this.options.clock.now(),
      maxRequestBytes: this.options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES,
      waitPollMs: this.options.waitPollMs ?? 200,
      countRequest: this.countRequest,
      ...(this.requestServed === undefined ? {} : { requestServed: this.requestServed }),
      requestTimeoutMs: this.options.requestTimeoutMs ?? 10_000,
      writeTimeoutMs: this.options.writeTimeoutMs ?? 30_000,
      onWriteTimeout: this.onWriteTimeout,
      answerMemory: this.answerMemory,
      turns: this.turns,
      loopTurns: this.loopTurns,
      ...(this.options.changes === undefined ? {} : { changes: this.options.changes }),
    });
    this.connections.add(conn);
    this.slots.add(conn, key);
    socket.on("close", () => {
      this.connections.delete(conn);
      this.slots.remove(conn);
    });
    if (this.idleTimeoutMs > 0) {
      socket.setTimeout(this.idleTimeoutMs);
      socket.on("timeout", () => {
        log.debug(`livestatus connection ${peer} idle for ${this.idleTimeoutMs}ms: closed`, { peer });
        socket.destroy();
      });
    }
  }

  /** Where this server listens, for log lines. */
  private where(): string {
    const port = this.port;
    return port === undefined ? "the livestatus unix socket" : `livestatus port ${port}`;
  }

  /**
   * Admits a newcomer, evicting the connection idle the longest if the slots are full (its
   * own address's first, at max_connections_per_peer). Counted as an overflow either way.
   */
  private admit(admission: Admission<LivestatusConnection>, peer: string, key: string): boolean {
    if (admission.kind === "admit") return true;
    const stats = this.options.stats;
    stats?.add("overflows");
    const max = admission.limit === "max_connections" ? this.maxConnections : this.maxPerPeer;
    const limit = limitText(admission.limit, max, key);
    if (admission.kind === "refuse") {
      stats?.add("refusals");
      const t = this.throttle.take(admission.limit);
      if (t.log) this.options.log.warn(`livestatus connection from ${peer} refused: ${limit} and every connection is busy`, { peer, suppressed: t.suppressed });
      return false;
    }
    const victim = admission.victim;
    const idle = victim.idleSince;
    this.slots.remove(victim); // the newcomer's slot from now on, even before the victim's 'close'
    stats?.add("evictions");
    const t = this.throttle.take("evicted");
    if (t.log) {
      const seconds = idle === undefined ? "?" : String(Math.round((this.options.clock.now() - idle) / 1000));
      this.options.log.info(`livestatus connection ${victim.peer} closed to let ${peer} in: ${limit}, and it was idle the longest (${seconds}s)`, {
        peer: victim.peer,
        for: peer,
        suppressed: t.suppressed,
      });
    }
    victim.socket.destroy();
    return true;
  }
}

/** Mirrors the line input's wording; kept here because core does not import plugins. */
function limitText(limit: SlotLimit, max: number, key: string): string {
  return limit === "max_connections" ? `max_connections (${max}) reached` : `max_connections_per_peer (${max}) reached for ${key}`;
}

function peerOf(socket: net.Socket): string {
  const address = socket.remoteAddress ?? "?";
  return `${address.includes(":") ? `[${address}]` : address}:${socket.remotePort ?? "?"}`;
}

/**
 * A socket file left by a Tantale that was killed blocks listen() (EADDRINUSE). It is
 * removed only when nothing answers on it; a file that is not a socket is never removed.
 */
async function clearStaleSocket(file: string): Promise<void> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.lstat(file);
  } catch {
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    return;
  }
  if (!stat.isSocket()) throw new Error(`${file} exists and is not a socket`);
  const alive = await new Promise<boolean>((resolve) => {
    const probe = net.connect(file, () => {
      probe.destroy();
      resolve(true);
    });
    probe.on("error", () => resolve(false));
  });
  if (alive) throw new Error(`another process listens on ${file}`);
  await fs.promises.unlink(file);
}
