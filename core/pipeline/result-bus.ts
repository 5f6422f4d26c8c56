import type { Clock } from "../clock";
import type { OutputSettings } from "../config/common-schema";
import type { Logger } from "../log/logger";
import type { SelfStats } from "../metrics/self-stats";
import type { CheckResult } from "../model/check-result";
import type { OutputPlugin, Sink } from "../plugin/api";
import { TantaleError } from "../errors";
import { OutputRunner } from "./output-runner";

/** A SYNC that cannot be answered SYNCED: an output (the store) cannot write what it waits for. */
export class SyncError extends TantaleError {}

/** Inputs resume once every output queue is back under this share of `queue_size`. */
const RESUME_AT = 0.8;

/**
 * The Sink of every input: hands each accepted result (the same frozen object, no copy)
 * to the runner of every output. It never drops: when an output queue reaches
 * `queue_size` it tells the inputs to pause (sockets stop reading), and to resume once
 * the queues are back under 80% (Carbon's watermarks).
 */
export class ResultBus implements Sink {
  private readonly runners = new Map<string, OutputRunner>();
  /** Per runner: how many results the bus had accepted when it was created (its first is the next). */
  private readonly firstSeq = new Map<OutputRunner, number>();
  private accepted = 0;
  private syncWaiters: { readonly seq: number; readonly resolve: () => void; readonly reject: (err: SyncError) => void }[] = [];
  /** How messages name an output: "the store" for the state engine, "output <id>" otherwise. */
  private readonly labels = new Map<string, string>();
  private readonly listeners = new Set<(paused: boolean) => void>();
  private isPaused = false;

  constructor(
    private readonly queueSize: number,
    private readonly log: Logger,
    private readonly stats: SelfStats,
    private readonly clock: Clock,
  ) {
    stats.of("core").gauge("results_accepted", () => this.accepted);
  }

  get paused(): boolean {
    return this.isPaused;
  }

  accept(result: CheckResult): void {
    this.accepted++;
    let full = false;
    for (const runner of this.runners.values()) {
      runner.push(result);
      if (runner.length >= this.queueSize) full = true;
    }
    if (full && !this.isPaused) this.setPaused(true);
  }

  onFlowChange(listener: (paused: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The runner of an output instance, created on first use and kept across its restarts. */
  runnerFor(id: string, settings: OutputSettings, log: Logger): OutputRunner {
    let runner = this.runners.get(id);
    if (runner === undefined) {
      const created: OutputRunner = new OutputRunner(
        id,
        settings,
        log,
        this.stats.of(id),
        this.clock,
        () => this.onWritten(),
        (err) => this.onFailed(created, err),
      );
      runner = created;
      this.runners.set(id, runner);
      this.firstSeq.set(runner, this.accepted);
    }
    return runner;
  }

  /** `pipeline`: most writes in flight at once (OutputRunner.attach); 1 for plugins. */
  attach(id: string, plugin: OutputPlugin, settings: OutputSettings, log: Logger, pipeline = 1): void {
    this.runnerFor(id, settings, log).attach(plugin, settings, pipeline);
  }

  /** Pauses an output's writes (for a restart); results keep queueing for it. */
  async detach(id: string): Promise<void> {
    await this.runners.get(id)?.detach();
  }

  /** Writes what is queued for the output, then forgets it (the instance is going away). */
  async retire(id: string): Promise<void> {
    const runner = this.runners.get(id);
    if (runner === undefined) return;
    await runner.drain();
    await runner.detach();
    this.runners.delete(id);
    this.stats.drop(id);
    this.onWritten();
  }

  /**
   * Drops an output whose queue could not be written before it was removed from the
   * configuration: the operator took that destination away. Returns how many results it
   * still held (the other outputs have their own copies).
   */
  forget(id: string): number {
    const runner = this.runners.get(id);
    if (runner === undefined) return 0;
    this.runners.delete(id);
    this.stats.drop(id);
    void runner.detach(); // no more writes; a write still in flight is not waited for
    this.onWritten();
    return runner.length;
  }

  /** Names an output in SYNC errors (the state engine's runner is "the store"). */
  describe(id: string, label: string): void {
    this.labels.set(id, label);
  }

  /**
   * Resolves once every result accepted before the call is written by every output (for the
   * state engine: committed to the store). What an input answers to a client's SYNC.
   * Rejects with a SyncError while an output that holds some of them cannot write (at once if
   * it is failing already): the results stay queued and are retried, but the client is told
   * now rather than left waiting for a disk to be freed.
   */
  sync(): Promise<void> {
    const seq = this.accepted;
    if (this.writtenThrough() >= seq) return Promise.resolve();
    for (const r of this.runners.values()) {
      const failure = r.failing;
      if (failure !== undefined && this.runnerThrough(r) < seq) return Promise.reject(this.syncError(r.id, failure.error));
    }
    return new Promise((resolve, reject) => this.syncWaiters.push({ seq, resolve, reject }));
  }

  /** The SYNCs waiting for results that `runner` failed to write are answered with the error. */
  private onFailed(runner: OutputRunner, err: unknown): void {
    if (this.runners.get(runner.id) !== runner) return;
    const through = this.runnerThrough(runner);
    const failed = this.syncWaiters.filter((w) => w.seq > through);
    if (failed.length === 0) return;
    this.syncWaiters = this.syncWaiters.filter((w) => w.seq <= through);
    const error = this.syncError(runner.id, err);
    for (const w of failed) w.reject(error);
  }

  /** One line a client can read: what cannot write and why (SQLite's code and words, not the file's path), and that nothing is lost. */
  private syncError(id: string, err: unknown): SyncError {
    return new SyncError(`${this.labels.get(id) ?? `output ${id}`} cannot write (${shortReason(err)}): the results are kept queued and retried`, {
      cause: err,
    });
  }

  private runnerThrough(r: OutputRunner): number {
    return this.firstSeq.get(r)! + r.writtenCount;
  }

  /** The highest sequence number up to which every present output has written everything. */
  private writtenThrough(): number {
    let low = this.accepted;
    for (const r of this.runners.values()) low = Math.min(low, this.runnerThrough(r));
    return low;
  }

  private onWritten(): void {
    this.maybeResume();
    if (this.syncWaiters.length === 0) return;
    const through = this.writtenThrough();
    const ready = this.syncWaiters.filter((w) => w.seq <= through);
    if (ready.length === 0) return;
    this.syncWaiters = this.syncWaiters.filter((w) => w.seq > through);
    for (const w of ready) w.resolve();
  }

  /** Resolves once every queue is written (or never, for an output that cannot write: bound it). */
  async drain(): Promise<void> {
    await Promise.all([...this.runners.values()].map((r) => r.drain()));
  }

  /** Results queued per output, for the stop report. */
  queued(): Record<string, number> {
    return Object.fromEntries([...this.runners].map(([id, r]) => [id, r.length]));
  }

  private maybeResume(): void {
    if (!this.isPaused) return;
    const limit = this.queueSize * RESUME_AT;
    for (const r of this.runners.values()) if (r.length > limit) return;
    this.setPaused(false);
  }

  private setPaused(paused: boolean): void {
    this.isPaused = paused;
    this.stats.of("core").add(paused ? "input_pauses" : "input_resumes");
    this.log.debug(paused ? "output queues full: pausing inputs" : "output queues drained: resuming inputs", { queued: this.queued() });
    // One listener that throws must not keep the others from hearing it.
    for (const listener of [...this.listeners]) {
      try {
        listener(paused);
      } catch (err) {
        this.log.error("flow listener failed", { error: String(err) });
      }
    }
  }
}

/** The innermost cause's message, with the code of the first error that has one (SQLITE_FULL, ENOSPC): short, one line. */
function shortReason(err: unknown): string {
  let code: string | undefined;
  let e: unknown = err;
  for (let depth = 0; depth < 10; depth++) {
    const c = (e as { code?: unknown } | null)?.code;
    if (code === undefined && typeof c === "string") code = c;
    const cause = e instanceof Error ? e.cause : undefined;
    if (cause === undefined) break;
    e = cause;
  }
  const message = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, " ").trim();
  return code === undefined || message.includes(code) ? message : `${code}: ${message}`;
}
