import type { Clock } from "../clock";
import type { OutputSettings } from "../config/common-schema";
import { describeError } from "../errors";
import type { Logger } from "../log/logger";
import { Throttle } from "../log/throttle";
import type { Histogram, InstanceStats } from "../metrics/self-stats";
import type { CheckResult } from "../model/check-result";
import type { OutputPlugin } from "../plugin/api";
import { FifoQueue } from "./fifo-queue";

const FIRST_RETRY_MS = 100;

/** The last write failed: with what, and since when (ms since the epoch) writes have failed. */
export interface WriteFailure {
  readonly error: unknown;
  readonly since: number;
}

/** One write handed to the plugin and not yet taken off the queue. */
interface WriteInFlight {
  readonly size: number;
  readonly started: number;
  outcome: "pending" | "written" | "failed";
  error?: unknown;
  /** Settles (never rejects) once the write did and settle() ran. */
  done: Promise<void>;
}

/**
 * The policy around one output (Telegraf's RunningOutput): its queue, batches of at most
 * `batch_size` flushed when full or after `flush_interval`, one write in flight (or up to
 * `pipeline` full batches, for the state engine: the next batch is applied while the store
 * commits the last), and failed writes retried with doubling delays. A result leaves the
 * queue only once written, in order. The queue outlives the plugin instance, so a reload that
 * restarts the output loses nothing.
 */
export class OutputRunner {
  private readonly queue = new FifoQueue<CheckResult>();
  /** Results ever pushed; with the queue length it tells how many of them are written. */
  private pushed = 0;
  private target: OutputPlugin | undefined;
  /** Most writes in flight at once (attach()). */
  private pipeline = 1;
  /** The writes in flight, oldest first; they hold the queue's first `taken` results. */
  private readonly writes: WriteInFlight[] = [];
  private taken = 0;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private retryDelay = 0;
  private draining = false;
  private readonly errorLog: Throttle;
  private readonly waiters: (() => void)[] = [];
  private failure: WriteFailure | undefined;
  /** Seconds per write that worked: for the state engine's runner, a batch applied and committed to the store. */
  private readonly writeLatency: Histogram;

  constructor(
    readonly id: string,
    private settings: OutputSettings,
    private readonly log: Logger,
    private readonly stats: InstanceStats,
    private readonly clock: Clock,
    /** Called after results left the queue, so the bus can resume paused inputs. */
    private readonly onShrink: () => void,
    /** Called after a failed write, so the bus can answer the SYNCs that wait for this output. */
    private readonly onFail: (error: unknown) => void = () => undefined,
  ) {
    this.errorLog = new Throttle(clock, 3, 60_000);
    // Present from the start, so that the self-monitoring lists every output.
    stats.gauge("queue_length", () => this.queue.length);
    stats.add("written", 0);
    this.writeLatency = stats.histogram("write_seconds");
    // 1 from a failed write until the next write works: the health check stays critical that long.
    stats.gauge("write_failing", () => (this.failure === undefined ? 0 : 1));
    stats.gauge("write_failing_ms", () => (this.failure === undefined ? 0 : Math.max(0, this.clock.now() - this.failure.since)));
  }

  /** Set while writes fail (from a failed write until one works). */
  get failing(): WriteFailure | undefined {
    return this.failure;
  }

  get length(): number {
    return this.queue.length;
  }

  /** How many of the results pushed so far (in push order) are written. */
  get writtenCount(): number {
    return this.pushed - this.queue.length;
  }

  push(result: CheckResult): void {
    this.pushed++;
    this.queue.push(result);
    if (this.eager || this.queue.length - this.taken >= this.settings.batch_size) this.kick();
    else this.schedule(this.settings.flush_interval);
  }

  /**
   * flush_interval 0: a batch goes as soon as a write slot is free, with whatever is queued
   * (group commit): batches stay small while writes are quick and grow by themselves when
   * they are not. The state engine's default, so that a result is applied, and visible, at once.
   */
  private get eager(): boolean {
    return this.settings.flush_interval === 0;
  }

  /**
   * Starts handing batches to `plugin` (after start or restart of the instance). With
   * `pipeline` > 1 the plugin is handed up to that many full batches at once and must
   * complete them in order, each failing if one before it failed (the state engine does).
   */
  attach(plugin: OutputPlugin, settings: OutputSettings, pipeline = 1): void {
    this.target = plugin;
    this.settings = settings;
    this.pipeline = Math.max(1, pipeline);
    this.retryDelay = 0;
    this.kick();
  }

  /** Stops handing out batches and waits for the write in flight; the queue stays. */
  async detach(): Promise<void> {
    this.target = undefined;
    this.clearTimer();
    await Promise.all(this.writes.map((w) => w.done));
  }

  /** Writes without waiting for the flush interval until the queue is empty. */
  drain(): Promise<void> {
    if (this.queue.length === 0 && this.writes.length === 0) return Promise.resolve();
    this.draining = true;
    this.kick();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Flushes on the next turn of the event loop (once, however often it is asked). */
  private kick(): void {
    if (this.retryDelay > 0) {
      this.schedule(this.retryDelay);
      return;
    }
    if (this.immediate !== undefined || this.writes.length >= this.pipeline) return;
    this.clearTimer();
    this.immediate = setImmediate(() => {
      this.immediate = undefined;
      this.flush();
    });
  }

  private schedule(ms: number): void {
    if (this.timer !== undefined || this.writes.length > 0) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.flush();
      },
      this.draining && this.retryDelay === 0 ? 0 : ms,
    );
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.immediate = undefined;
  }

  private flush(): void {
    const target = this.target;
    if (target === undefined || this.writes.length >= this.pipeline) return;
    const untaken = this.queue.length - this.taken;
    if (untaken === 0) {
      if (this.writes.length === 0) this.wakeDrainers();
      return;
    }
    // Behind a write in flight only a full batch goes (or the rest, when draining or eager); a
    // failed write stops the pipeline until every write in flight has settled (settle()).
    if (this.writes.length > 0 && ((untaken < this.settings.batch_size && !this.draining && !this.eager) || this.writes.some((w) => w.outcome === "failed")))
      return;
    // A flush timer still pending (set by push() while a kick was waiting) must not cut a
    // retry delay short or hold it back: the end of this write schedules what comes next.
    this.clearTimer();
    const batch = this.queue.peekAt(this.taken, this.settings.batch_size);
    this.taken += batch.length;
    const w: WriteInFlight = { size: batch.length, started: performance.now(), outcome: "pending", done: Promise.resolve() };
    this.writes.push(w);
    // A plugin that throws instead of rejecting is handled the same way.
    w.done = Promise.resolve()
      .then(() => target.write(batch))
      .then(
        () => {
          w.outcome = "written";
        },
        (err: unknown) => {
          w.outcome = "failed";
          w.error = err;
        },
      )
      .finally(() => this.settle());
    // The pipeline fills on the next turn, if a full batch waits (or anything, when eager).
    if (this.writes.length < this.pipeline && this.queue.length - this.taken >= (this.eager ? 1 : this.settings.batch_size)) this.kick();
  }

  /**
   * After a write settled: takes the written batches off the queue in order; once the oldest
   * write failed and nothing is in flight any more, retries from it (later batches written
   * meanwhile are handed again: writes are at least once); then schedules what comes next.
   */
  private settle(): void {
    while (this.writes[0]?.outcome === "written") {
      const w = this.writes.shift()!;
      this.queue.drop(w.size);
      this.taken -= w.size;
      this.retryDelay = 0;
      if (this.failure !== undefined) {
        this.log.info("writes work again", { failed_for_ms: this.clock.now() - this.failure.since, queued: this.queue.length });
        this.failure = undefined;
      }
      this.stats.add("written", w.size);
      const ms = performance.now() - w.started;
      this.stats.add("write_ms", ms);
      this.writeLatency.observe(ms / 1000);
      this.onShrink();
    }
    const head = this.writes[0];
    if (head !== undefined && head.outcome === "failed") {
      if (this.writes.some((w) => w.outcome === "pending")) return;
      this.writes.length = 0;
      this.taken = 0;
      this.failed(head.size, head.error);
    }
    if (this.target === undefined) return;
    if (this.writes.length > 0) {
      if (this.retryDelay === 0 && (this.draining || this.eager || this.queue.length - this.taken >= this.settings.batch_size)) this.kick();
      return;
    }
    if (this.queue.length === 0) this.wakeDrainers();
    else if (this.retryDelay > 0) this.schedule(this.retryDelay);
    else if (this.draining || this.eager || this.queue.length >= this.settings.batch_size) this.kick();
    else this.schedule(this.settings.flush_interval);
  }

  private failed(batch: number, err: unknown): void {
    this.stats.add("write_errors");
    this.retryDelay = Math.min(this.retryDelay === 0 ? FIRST_RETRY_MS : this.retryDelay * 2, Math.max(FIRST_RETRY_MS, this.settings.retry_max_delay));
    const t = this.errorLog.take();
    if (t.log)
      this.log.warn("write failed, batch kept for retry", {
        error: describeError(err),
        batch,
        queued: this.queue.length,
        retry_in_ms: this.retryDelay,
        suppressed: t.suppressed,
      });
    this.failure = { error: err, since: this.failure?.since ?? this.clock.now() };
    this.onFail(err);
  }

  private wakeDrainers(): void {
    this.draining = false;
    for (const w of this.waiters.splice(0)) w();
  }
}
