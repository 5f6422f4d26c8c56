import net from "node:net";
import type { Clock } from "../../../core/clock";
import type { Logger } from "../../../core/log/logger";
import { Throttle } from "../../../core/log/throttle";
import type { InstanceStats } from "../../../core/metrics/self-stats";
import { ConnectionSlots } from "../../../core/net/connection-slots";
import { FdLimitWatch } from "../../../core/net/fd-limit-watch";
import { listenServer } from "../../../core/net/listen";
import type { LoopTurns } from "../../../core/net/loop-turns";
import { allowList, peerOf } from "../../../core/net/peer-access";
import { peerKey } from "../../../core/net/peer-key";
import type { Sink } from "../../../core/plugin/api";
import { LineFramer, TOO_LONG } from "../../../core/input/line-framer";

export interface GraphiteListenerOptions {
  readonly bind: string;
  readonly port: number;
  readonly allow: readonly string[];
  readonly maxLineBytes: number;
  readonly maxConnections: number;
  readonly maxConnectionsPerPeer: number;
  /** A connection that sends nothing this long is closed (0: never). */
  readonly idleTimeout: number;
}

/** Where the listener hands its lines; `source` names the peer for the log. */
export interface SourceLineHandler {
  /** One complete line (a view valid during the call). */
  line(line: Buffer, source: string, lineNo: number): void;
  /** A line over maxLineBytes was discarded up to its newline. */
  tooLong(bytes: number, source: string, lineNo: number): void;
}

export interface GraphiteListenerDeps {
  readonly log: Logger;
  readonly sink: Pick<Sink, "paused" | "onFlowChange">;
  readonly turns: LoopTurns;
  readonly clock: Clock;
  readonly stats: InstanceStats;
}

/**
 * A half-received line with no byte for this long counts as stalled (as the line input's
 * STALLED_LINE_MS): senders write a line at once, so a slow-drip client does not keep its slot.
 */
const STALLED_LINE_MS = 1000;

/** One sender: Diamond's GraphiteHandler, collectd's write_graphite, Telegraf's graphite output. */
class Sender {
  readonly framer: LineFramer;
  lineNo = 0;
  lastLineAt: number | undefined;
  lastDataAt: number;
  waitingTurn = false;
  draining = false;
  closed = false;

  constructor(
    readonly socket: net.Socket,
    readonly peer: string,
    readonly connectedAt: number,
    maxLineBytes: number,
  ) {
    this.framer = new LineFramer(maxLineBytes);
    this.lastDataAt = connectedAt;
  }

  /**
   * Quiet since (for eviction when slots run out), or undefined while it has work pending:
   * complete lines not handled yet, or a line being received (unless stalled).
   */
  quietSince(now: number): number | undefined {
    if (this.closed || this.draining || this.socket.readableLength > 0) return undefined;
    if (this.framer.bufferedBytes > this.framer.partialLength) return undefined;
    if (this.framer.partialLength > 0 && now - this.lastDataAt < STALLED_LINE_MS) return undefined;
    return this.lastLineAt ?? this.connectedAt;
  }
}

/**
 * Graphite plaintext over TCP (carbon's line receiver protocol), for the senders that speak
 * nothing else. Built from the line input's parts (core/net): connection slots that evict
 * the quietest sender when full, an allow list, turns of the loop for big batches, the
 * descriptor watch. Lines are framed on bytes; while the sink is paused every socket stops
 * reading (TCP pushes back on the senders). Graphite has no acknowledgement, so a sender
 * never waits for an answer: the connection is one-way, and a line cut by the end of the
 * stream is dropped (a truncated timestamp or value would still parse).
 */
export class GraphiteListener {
  private server: net.Server | undefined;
  private readonly senders = new Set<Sender>();
  private readonly slots: ConnectionSlots<Sender>;
  private readonly fdWatch: FdLimitWatch;
  private readonly throttle: Throttle;
  private allowed: (address: string | undefined) => boolean = () => true;
  private unsubscribe: (() => void) | undefined;
  private stopping: Promise<void> | undefined;
  private isStopping = false;

  constructor(
    private readonly options: GraphiteListenerOptions,
    private readonly handler: SourceLineHandler,
    private readonly deps: GraphiteListenerDeps,
  ) {
    this.slots = new ConnectionSlots<Sender>({ maxConnections: options.maxConnections, maxPerPeer: options.maxConnectionsPerPeer }, (s) =>
      s.quietSince(deps.clock.now()),
    );
    this.fdWatch = new FdLimitWatch(
      deps.log,
      deps.clock,
      () => `graphite port ${this.port}`,
      () => this.senders.size,
    );
    this.throttle = new Throttle(deps.clock);
  }

  /** The port listened on (the system's choice for port 0). */
  get port(): number {
    const address = this.server?.address();
    return typeof address === "object" && address !== null ? address.port : this.options.port;
  }

  async start(): Promise<void> {
    this.allowed = allowList(this.options.allow);
    // Paused at accept: a sender arriving while the sink is paused must not be read.
    const server = net.createServer({ pauseOnConnect: true }, (socket) => this.onConnection(socket));
    await listenServer(server, { host: this.options.bind, port: this.options.port }, (err) => {
      if (!this.fdWatch.serverError(err)) this.deps.log.error(`graphite listener error: ${err.message}`, { err: String(err) });
    });
    this.server = server;
    this.fdWatch.start();
    this.unsubscribe = this.deps.sink.onFlowChange((paused) => this.onFlowChange(paused));
    this.deps.log.info(`listening for Graphite lines on ${peerOf(this.options.bind, this.port)}`, { bind: this.options.bind, port: this.port });
  }

  stop(): Promise<void> {
    return (this.stopping ??= this.shutdown());
  }

  private async shutdown(): Promise<void> {
    this.isStopping = true;
    this.fdWatch.stop();
    this.unsubscribe?.();
    const server = this.server;
    const closed = new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
    for (const sender of [...this.senders]) {
      // What Node read and did not hand over yet (the socket was paused), then every complete line.
      if (!sender.socket.destroyed) while (sender.socket.read() !== null);
      this.drain(sender);
      sender.socket.destroy();
    }
    await closed;
  }

  private onConnection(socket: net.Socket): void {
    const peer = peerOf(socket.remoteAddress, socket.remotePort);
    // Before anything else: an unhandled 'error' (ECONNRESET) would crash the daemon.
    socket.on("error", (err: NodeJS.ErrnoException) => this.deps.log.debug(`graphite sender ${peer}: ${err.message}`, { peer }));
    this.deps.turns.accepted();
    if (this.isStopping) {
      socket.destroy();
      return;
    }
    if (!this.allowed(socket.remoteAddress)) {
      this.deps.stats.add("connections_refused");
      this.logThrottled("not_allowed", `graphite connection from ${peer} refused: not in allow`, { peer });
      socket.destroy();
      return;
    }
    const key = peerKey(socket.remoteAddress);
    const admission = this.slots.admit(key);
    if (admission.kind === "refuse") {
      this.deps.stats.add("connections_dropped");
      this.logThrottled(admission.limit, `graphite connection from ${peer} dropped: ${admission.limit} reached and every sender is busy`, { peer });
      socket.destroy();
      return;
    }
    if (admission.kind === "evict") {
      this.slots.remove(admission.victim);
      this.deps.stats.add("connections_evicted");
      this.logThrottled(
        "evicted",
        `graphite connection from ${admission.victim.peer} closed to let ${peer} in: ${admission.limit} reached, it was the quietest`,
        {
          peer: admission.victim.peer,
        },
      );
      admission.victim.socket.destroy();
    }
    const sender = new Sender(socket, peer, this.deps.clock.now(), this.options.maxLineBytes);
    this.senders.add(sender);
    this.slots.add(sender, key);
    this.deps.stats.add("connections");
    this.deps.stats.set("connections_open", this.senders.size);
    this.deps.log.debug(`graphite sender ${peer} connected`, { peer });
    socket.on("data", (chunk: Buffer) => {
      sender.lastDataAt = this.deps.clock.now();
      sender.framer.push(chunk);
      this.drain(sender);
    });
    socket.on("timeout", () => {
      this.deps.stats.add("connections_idle_closed");
      this.logThrottled("idle", `graphite sender ${peer} closed: nothing received for ${this.options.idleTimeout}ms`, { peer }, "info");
      socket.destroy();
    });
    socket.on("close", () => {
      sender.closed = true;
      this.slots.remove(sender);
      // Everything complete it sent, now, whatever turn it waited for.
      this.drain(sender, true);
      const tail = sender.framer.takeTail();
      if (tail !== undefined && tail.length > 0) {
        this.deps.stats.add("tails_dropped");
        this.deps.log.debug(`graphite sender ${peer} ended in the middle of line ${sender.lineNo + 1} (${tail.length} bytes): dropped`, { peer });
      }
      if (this.senders.delete(sender)) this.deps.stats.set("connections_open", this.senders.size);
    });
    if (!this.deps.sink.paused) this.resume(sender);
  }

  private onFlowChange(paused: boolean): void {
    for (const sender of [...this.senders]) {
      if (sender.closed) continue;
      if (paused) {
        sender.socket.pause();
        // Not idle: we stopped reading it.
        sender.socket.setTimeout(0);
        continue;
      }
      this.drain(sender);
      if (this.deps.sink.paused) return;
      this.resume(sender);
    }
  }

  private resume(sender: Sender): void {
    sender.socket.setTimeout(this.options.idleTimeout);
    if (!sender.waitingTurn) sender.socket.resume();
  }

  /** Hands over the complete lines received, until the sink pauses or this turn's budget is spent. */
  private drain(sender: Sender, granted = false): void {
    if (sender.draining) return;
    const turns = this.deps.turns;
    if (!this.isStopping && !granted && (sender.waitingTurn || !turns.mayStart())) {
      if (!sender.waitingTurn) this.awaitTurn(sender);
      return;
    }
    sender.draining = true;
    let n = 0;
    try {
      while (this.isStopping || sender.closed || !this.deps.sink.paused) {
        // The clock is looked at every 256 lines (a Graphite line costs about a microsecond).
        if ((n & 255) === 255 && !this.isStopping && !sender.closed && turns.spent()) {
          this.awaitTurn(sender);
          break;
        }
        const line = sender.framer.next();
        if (line === undefined) break;
        n++;
        sender.lineNo++;
        if (line === TOO_LONG) this.handler.tooLong(sender.framer.discardedBytes, sender.peer, sender.lineNo);
        else this.handler.line(line, sender.peer, sender.lineNo);
      }
    } finally {
      sender.draining = false;
      if (n > 0) sender.lastLineAt = this.deps.clock.now();
    }
  }

  /** Stops reading until the sender's turn comes (what it sends meanwhile waits in the kernel). */
  private awaitTurn(sender: Sender): void {
    sender.waitingTurn = true;
    if (!sender.closed) sender.socket.pause();
    this.deps.turns.wait(() => {
      sender.waitingTurn = false;
      this.drain(sender, true);
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- drain() may have set waitingTurn again
      if (!sender.closed && !sender.waitingTurn && !this.deps.sink.paused && !this.isStopping) sender.socket.resume();
    });
  }

  private logThrottled(key: string, msg: string, fields: Record<string, unknown>, level: "warn" | "info" = "warn"): void {
    const t = this.throttle.take(key);
    if (!t.log) return;
    this.deps.log[level](msg, t.suppressed > 0 ? { ...fields, suppressed: t.suppressed } : fields);
  }
}
