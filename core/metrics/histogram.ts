/** Upper bounds in seconds of the latency histograms: 0.5 ms to 30 s (slower falls in +Inf). */
export const LATENCY_BUCKETS: readonly number[] = Object.freeze([0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]);

/** What a histogram holds at one moment: a count per bucket (not cumulative; the last is +Inf), their sum and count. */
export interface HistogramData {
  /** Upper bounds, ascending; `counts` has one more entry (the +Inf bucket). */
  readonly bounds: readonly number[];
  readonly counts: readonly number[];
  readonly sum: number;
  readonly count: number;
}

/**
 * Prometheus-style buckets with fixed bounds. observe() scans a dozen bounds and adds to a
 * typed array: no allocation, so it can sit on paths that run per commit or per request.
 */
export class Histogram {
  readonly bounds: readonly number[];
  private readonly counts: Float64Array;
  private total = 0;
  private n = 0;

  constructor(bounds: readonly number[] = LATENCY_BUCKETS) {
    for (let i = 1; i < bounds.length; i++) if (!(bounds[i]! > bounds[i - 1]!)) throw new RangeError(`histogram bounds must ascend: ${bounds.join(", ")}`);
    this.bounds = bounds;
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]!++;
    this.total += value;
    this.n++;
  }

  read(): HistogramData {
    return { bounds: this.bounds, counts: Array.from(this.counts), sum: this.total, count: this.n };
  }
}

/** What was observed between two reads of the same histogram (`before` taken first). */
export function histogramDelta(now: HistogramData, before: HistogramData | undefined): HistogramData {
  if (before === undefined || before.bounds !== now.bounds) return now;
  return { bounds: now.bounds, counts: now.counts.map((c, i) => c - (before.counts[i] ?? 0)), sum: now.sum - before.sum, count: now.count - before.count };
}

/** Sums histograms of the same bounds (several listeners' latencies); undefined when there is none. */
export function histogramSum(all: readonly HistogramData[]): HistogramData | undefined {
  const [first, ...rest] = all;
  if (first === undefined) return undefined;
  const counts = [...first.counts];
  let sum = first.sum;
  let count = first.count;
  for (const h of rest) {
    if (h.counts.length !== counts.length) continue; // other bounds: not summable, left out
    h.counts.forEach((c, i) => (counts[i]! += c));
    sum += h.sum;
    count += h.count;
  }
  return { bounds: first.bounds, counts, sum, count };
}

/**
 * The q-quantile (0..1) estimated as Prometheus' histogram_quantile does: linear within the
 * bucket it falls in (from 0 for the first); in the +Inf bucket, the highest bound. 0 when empty.
 */
export function histogramQuantile(h: HistogramData, q: number): number {
  if (h.count <= 0) return 0;
  const rank = q * h.count;
  let seen = 0;
  for (let i = 0; i < h.counts.length; i++) {
    const c = h.counts[i]!;
    if (seen + c >= rank && c > 0) {
      if (i >= h.bounds.length) return h.bounds[h.bounds.length - 1] ?? 0;
      const lower = i === 0 ? 0 : h.bounds[i - 1]!;
      return lower + (h.bounds[i]! - lower) * ((rank - seen) / c);
    }
    seen += c;
  }
  return h.bounds[h.bounds.length - 1] ?? 0;
}

/** The mean of what was observed, 0 when nothing was. */
export function histogramMean(h: HistogramData): number {
  return h.count > 0 ? h.sum / h.count : 0;
}
