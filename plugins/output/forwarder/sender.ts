import type { Clock } from "../../../core/clock";
import { describeError } from "../../../core/errors";
import type { Logger } from "../../../core/log/logger";
import type { InstanceStats } from "../../../core/metrics/self-stats";
import type { Spool } from "../../../core/spool/spool";
import { CentralLink, type LinkOptions } from "./central-link";
import type { CentralServer } from "./central-server";

export interface SenderOptions {
  readonly servers: readonly CentralServer[];
  readonly link: LinkOptions;
  readonly syncEvery: number;
  readonly maxInFlight: number;
  readonly ackTimeoutMs: number;
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
  readonly failoverAfter: number;
  /** 0: never. */
  readonly failbackIntervalMs: number;
  /** [0, 1): the jitter's randomness (tests pass a fixed one). */
  readonly random?: () => number;
}

/** Most bytes of records read from the spool for one batch (one record is always taken). */
const BATCH_BYTES = 4 * 1024 * 1024;

/** A batch written and not yet answered SYNCED. */
interface InFlight {
  readonly lastSeq: number;
  readonly records: number;
  readonly sentAt: number;
}

/** An outage: from the first failure until the backlog spooled meanwhile is delivered. */
interface Outage {
  readonly since: number;
  readonly server: string;
  /** Records pending when a server answered again (set at the first SYNCED after the outage). */
  backlog: number | undefined;
  replayed: number;
  replayStart: number;
}

/**
 * Sends the spool's records, oldest first, to one central server at a time, and acknowledges
 * them in the spool only on the central side's SYNCED (everything before it is committed
 * there). Batches of `syncEvery` records are each followed by SYNC, up to `maxInFlight`
 * unanswered. A broken connection, an ERROR line or a SYNCED late by ackTimeout ends the
 * connection; the next one sends again from the oldest record not acknowledged, after a
 * wait of full jitter (random in [0, min(max, min × 2^failures))).
 *
 * Servers: `failoverAfter` failures in a row on one move to the next (in the listed order,
 * round); while not on the first, it is tried again every `failbackIntervalMs`, only when
 * nothing is in flight, and used if it answers. One connection at a time: every result
 * goes to the server of the moment.
 */
export class Sender {
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private link: CentralLink | undefined;
  private index = 0;
  private failures = 0;
  private attempt = 0;
  private nextFailback = 0;
  private outage: Outage | undefined;
  private readonly random: () => number;
  /** Aborts a connection attempt when stopping (an unanswered SYN would hold the stop for connect_timeout). */
  private readonly stopping = new AbortController();

  constructor(
    private readonly spool: Spool,
    private readonly options: SenderOptions,
    private readonly log: Logger,
    private readonly stats: InstanceStats,
    private readonly clock: Clock,
  ) {
    this.random = options.random ?? Math.random;
  }

  /** The server results go to now. */
  get current(): CentralServer {
    return this.options.servers[this.index]!;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run().catch((err: unknown) => this.log.error(`forwarder stopped sending: ${describeError(err)}`));
  }

  /** New records are in the spool. */
  wake(): void {
    const w = this.wakeUp;
    this.wakeUp = undefined;
    w?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopping.abort();
    this.link?.destroy(new Error("stopping"));
    this.wake();
    await this.loop;
  }

  /** Resolves on wake() or after `ms` (one sleeper at a time: the loop). */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.wakeUp === done) this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  private async run(): Promise<void> {
    const servers = this.options.servers;
    while (this.running) {
      if (this.spool.pendingRecords === 0) {
        // Nothing to send: no connection is opened until there is.
        await this.sleep(60_000);
        continue;
      }
      const probing = this.failbackDue();
      const server = probing ? servers[0]! : this.current;
      let link: CentralLink;
      try {
        link = await CentralLink.connect(server, this.options.link, this.stopping.signal);
      } catch (err) {
        if (probing) {
          // The first server still does not answer: go on with the current one, no wait.
          this.nextFailback = this.clock.now() + this.options.failbackIntervalMs;
          this.log.debug(`${server.label} still unreachable (${describeError(err)}): staying on ${this.current.label}`);
        } else {
          this.failed(server, `cannot connect: ${describeError(err)}`);
          await this.backoff();
        }
        continue;
      }
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- stop() may have run during the await above
      if (!this.running) {
        link.destroy(new Error("stopping"));
        break;
      }
      if (probing) {
        this.log.info(`back to ${server.label} (from ${this.current.label})`, { server: server.label, from: this.current.label });
        this.index = 0;
        this.failures = 0;
      } else if (this.index > 0 && this.nextFailback <= this.clock.now()) {
        this.nextFailback = this.clock.now() + this.options.failbackIntervalMs;
      }
      this.link = link;
      let end: string;
      try {
        end = await this.session(link, server);
      } catch (err) {
        // The spool failed (a read or an ack): not the server's fault; try again after a wait.
        this.log.error(`forwarder: ${describeError(err)}`);
        end = "spool";
      } finally {
        this.link = undefined;
        link.destroy(new Error("session over"));
      }
      if (end === "spool") {
        await this.backoff();
        continue;
      }
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- stop() may have run during the session
      if (end === "failback" || end === "idle" || !this.running) continue;
      this.failed(server, end);
      await this.backoff();
    }
  }

  private failbackDue(): boolean {
    return this.index > 0 && this.options.failbackIntervalMs > 0 && this.clock.now() >= this.nextFailback;
  }

  /** Waits min(max, min × 2^attempt) × random (full jitter); only a stop cuts it short. */
  private async backoff(): Promise<void> {
    const ceiling = Math.min(this.options.reconnectMaxMs, this.options.reconnectMinMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    const until = this.clock.now() + this.random() * ceiling;
    while (this.running && this.clock.now() < until) await this.sleep(until - this.clock.now());
  }

  /** Counts a failure on `server`: logs the outage once, fails over after failoverAfter in a row. */
  private failed(server: CentralServer, why: string): void {
    if (!this.running) return;
    this.stats.add("failures");
    if (this.outage === undefined) {
      this.outage = { since: this.clock.now(), server: server.label, backlog: undefined, replayed: 0, replayStart: 0 };
      this.log.warn(
        `central server ${server.label} unreachable (${why}): results are kept in the spool (${this.spool.pendingRecords} pending) and sent when a server answers`,
        { server: server.label, reason: why, pending: this.spool.pendingRecords },
      );
    } else {
      this.log.debug(`central server ${server.label}: ${why}`, { server: server.label });
    }
    if (++this.failures >= this.options.failoverAfter && this.options.servers.length > 1) {
      const from = server.label;
      this.index = (this.options.servers.indexOf(server) + 1) % this.options.servers.length;
      this.failures = 0;
      this.attempt = 0;
      this.nextFailback = this.clock.now() + this.options.failbackIntervalMs;
      this.stats.add("failovers");
      this.log.warn(`failing over from ${from} to ${this.current.label} after ${this.options.failoverAfter} failures in a row`, {
        from,
        to: this.current.label,
      });
    }
  }

  /**
   * Sends batches on `link` until it breaks (resolves with why), it is idle (nothing pending
   * or in flight), or a failback is due with nothing in flight.
   */
  private async session(link: CentralLink, server: CentralServer): Promise<string> {
    const inFlight: InFlight[] = [];
    let answered = 0;
    let serverError: string | undefined;
    link.onLine = (line) => {
      if (line === "SYNCED") answered++;
      else if (line.startsWith("ERROR")) {
        serverError = line;
        link.destroy(new Error(`the server answered: ${line}`));
      }
      this.wake();
    };
    link.onClose(() => this.wake());
    let sent: number | undefined;
    for (;;) {
      if (!this.running) return "stopping";
      // Acknowledge what the server committed, in order.
      let acked: InFlight | undefined;
      let ackedRecords = 0;
      while (answered > 0 && inFlight.length > 0) {
        answered--;
        acked = inFlight.shift()!;
        ackedRecords += acked.records;
      }
      if (acked !== undefined) {
        await this.spool.ack(acked.lastSeq);
        this.stats.add("results_forwarded", ackedRecords);
        this.delivered(server, ackedRecords);
      }
      if (link.closed !== undefined) return serverError ?? describeError(link.closed);
      if (inFlight.length === 0 && this.failbackDue()) return "failback";
      if (inFlight.length === 0 && this.spool.pendingRecords === 0) {
        // Quiet: keep the connection for the next records, but a close now is no failure.
        await this.sleep(this.options.ackTimeoutMs);
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the link closes and answers come in event handlers, during the sleep above
        if (link.closed !== undefined && inFlight.length === 0) return "idle";
        continue;
      }
      if (inFlight.length < this.options.maxInFlight && !this.failbackDue()) {
        const records = await this.spool.read({ after: sent, maxRecords: this.options.syncEvery, maxBytes: BATCH_BYTES });
        if (records.length > 0) {
          const last = records[records.length - 1]!;
          const chunks: Buffer[] = records.map((r) => r.data);
          chunks.push(SYNC);
          inFlight.push({ lastSeq: last.seq, records: records.length, sentAt: this.clock.now() });
          sent = last.seq;
          try {
            await link.write(Buffer.concat(chunks));
          } catch {
            // closed: found at the top of the loop
          }
          continue;
        }
      }
      const oldest = inFlight[0];
      const wait = oldest === undefined ? this.options.ackTimeoutMs : oldest.sentAt + this.options.ackTimeoutMs - this.clock.now();
      if (wait <= 0) {
        link.destroy(new Error(`no SYNCED within ${this.options.ackTimeoutMs}ms`));
        continue;
      }
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- answers and the close come in event handlers, during the awaits above
      if (answered === 0 && link.closed === undefined) await this.sleep(wait);
    }
  }

  /** Records acknowledged by `server`: the end of an outage is logged once its backlog is delivered. */
  private delivered(server: CentralServer, records: number): void {
    this.failures = 0;
    this.attempt = 0;
    const outage = this.outage;
    if (outage === undefined) return;
    if (outage.backlog === undefined) {
      outage.backlog = this.spool.pendingRecords + records;
      outage.replayStart = this.clock.now();
    }
    outage.replayed += records;
    if (outage.replayed < outage.backlog && this.spool.pendingRecords > 0) return;
    this.outage = undefined;
    const now = this.clock.now();
    this.log.info(
      `central server ${server.label} answers again after ${Math.round((now - outage.since) / 1000)}s: ${outage.replayed} results replayed from the spool in ${((now - outage.replayStart) / 1000).toFixed(1)}s`,
      { server: server.label, down_ms: now - outage.since, replayed: outage.replayed, replay_ms: now - outage.replayStart },
    );
  }
}

const SYNC = Buffer.from("SYNC\n");
