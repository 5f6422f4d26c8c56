import type { Clock } from "../clock";
import type { Logger } from "../log/logger";
import { readFigures, STORE_QUEUE, totalsOf, type Figures, type FigureTotals, type StatsSource } from "./figures";
import { histogramDelta, histogramMean, histogramQuantile, histogramSum, type HistogramData } from "./histogram";

/** Runs `tick` every `ms`; returns what stops it. Injected so that tests tick by hand. */
export type Every = (ms: number, tick: () => void) => () => void;

/** setInterval, unref'd: the summary never keeps the process alive. */
export const systemEvery: Every = (ms, tick) => {
  const timer = setInterval(tick, ms);
  timer.unref();
  return () => clearInterval(timer);
};

/** The counters the summary takes differences of, at one moment. */
interface Reading {
  readonly at: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly ignored: number;
  readonly requests: number;
  readonly commit: HistogramData | undefined;
  readonly livestatus: HistogramData | undefined;
}

/**
 * One info line every `summary_interval` (daemon option; 0 = none), so that a daemon that
 * runs for hours says how it does: results per second accepted, rejected and ignored over
 * the interval, queue depths, store commit latency, Livestatus requests per second and
 * latency, connections open, spool bytes. Rates and latencies are over the interval (the
 * differences of the counters and histograms between two lines), gauges are now.
 */
export class SummaryLine {
  private last: Reading | undefined;
  private cancel: (() => void) | undefined;

  constructor(
    private readonly stats: StatsSource,
    private readonly log: Logger,
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly every: Every = systemEvery,
  ) {}

  start(): void {
    if (this.intervalMs <= 0 || this.cancel !== undefined) return;
    const figures = readFigures(this.stats);
    this.last = this.reading(figures, totalsOf(figures));
    this.cancel = this.every(this.intervalMs, () => this.tick());
  }

  stop(): void {
    this.cancel?.();
    this.cancel = undefined;
  }

  /** Logs the line for the time since the last one (or since start). */
  tick(): void {
    const figures = readFigures(this.stats);
    const totals = totalsOf(figures);
    const now = this.reading(figures, totals);
    const before = this.last ?? now;
    this.last = now;
    const seconds = Math.max(0.001, (now.at - before.at) / 1000);
    const rate = (a: number, b: number): number => round((a - b) / seconds);
    const commit = histogramDelta(now.commit ?? EMPTY, before.commit);
    const requests = histogramDelta(now.livestatus ?? EMPTY, before.livestatus);
    const storeQueue = figures.queues.find((q) => q.id === STORE_QUEUE);
    const storeQueued = storeQueue?.depth ?? 0;
    const storeFailing = storeQueue?.failing ?? 0;
    const fields = {
      interval_s: round(seconds),
      accepted_per_s: rate(now.accepted, before.accepted),
      rejected_per_s: rate(now.rejected, before.rejected),
      ignored_per_s: rate(now.ignored, before.ignored),
      queued: totals.queued,
      store_queued: storeQueued,
      commits: commit.count,
      commit_avg_ms: ms(histogramMean(commit)),
      commit_p99_ms: ms(histogramQuantile(commit, 0.99)),
      livestatus_requests_per_s: rate(now.requests, before.requests),
      livestatus_p99_ms: ms(histogramQuantile(requests, 0.99)),
      livestatus_connections: totals.livestatusConnectionsOpen,
      input_connections: totals.inputConnectionsOpen,
      spool_bytes: totals.spoolBytes,
      ...(storeFailing > 0 ? { store_failing: true } : {}),
    };
    const parts = [
      `results ${fields.accepted_per_s}/s accepted, ${fields.rejected_per_s}/s rejected, ${fields.ignored_per_s}/s ignored`,
      `queued ${fields.queued} (store ${storeQueued}${storeFailing > 0 ? ", failing" : ""})`,
      `commits ${commit.count}, p99 ${fields.commit_p99_ms} ms`,
      `livestatus ${fields.livestatus_requests_per_s} req/s, p99 ${fields.livestatus_p99_ms} ms`,
      `connections ${fields.livestatus_connections} livestatus, ${fields.input_connections} inputs`,
      ...(totals.spoolBytes > 0 ? [`spooled ${totals.spoolBytes} bytes`] : []),
    ];
    this.log.info(`summary of the last ${fields.interval_s} s: ${parts.join("; ")}`, fields);
  }

  /** The counters of one reading of the figures (taken once per line, for the gauges too). */
  private reading(figures: Figures, totals: FigureTotals): Reading {
    return {
      at: this.clock.now(),
      accepted: figures.resultsAccepted,
      rejected: totals.rejected,
      ignored: totals.ignored,
      requests: totals.livestatusRequests,
      commit: figures.engine.commitLatency,
      livestatus: histogramSum(figures.livestatus.flatMap((l) => (l.latency === undefined ? [] : [l.latency]))),
    };
  }
}

const EMPTY: HistogramData = { bounds: [], counts: [0], sum: 0, count: 0 };

/** Two decimals at most: a log line, not a measurement. */
function round(x: number): number {
  return Math.round(x * 100) / 100;
}

function ms(seconds: number): number {
  return round(seconds * 1000);
}
