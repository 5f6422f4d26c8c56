import { EvaluationError, type MetricRef } from "./expression";

/** A metric's points, oldest first, from `head` on (dropping from the front only moves `head`). */
class Series {
  ts: number[] = [];
  values: number[] = [];
  head = 0;

  get size(): number {
    return this.ts.length - this.head;
  }

  /** Inserts in timestamp order; a point of the same second replaces the value. */
  add(ts: number, value: number): void {
    const last = this.ts.length - 1;
    if (last < this.head || this.ts[last]! < ts) {
      this.ts.push(ts);
      this.values.push(value);
      return;
    }
    // Out of order or the same second (rare): the first point not older, by binary search.
    let lo = this.head;
    let hi = last;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ts[mid]! < ts) lo = mid + 1;
      else hi = mid;
    }
    if (this.ts[lo] === ts) this.values[lo] = value;
    else {
      this.ts.splice(lo, 0, ts);
      this.values.splice(lo, 0, value);
    }
  }

  dropOldest(n: number): void {
    this.head += n;
    // Compacted once the dead front outweighs the live points: amortised O(1) per point.
    if (this.head > 32 && this.head * 2 > this.ts.length) {
      this.ts = this.ts.slice(this.head);
      this.values = this.values.slice(this.head);
      this.head = 0;
    }
  }
}

export interface HistoryLimits {
  /** Most metrics held; a new metric beyond it is refused (counted), the ones held keep their history. */
  readonly maxMetrics: number;
  /** Most points per metric; beyond it the oldest is dropped (counted). */
  readonly maxPoints: number;
  /** A value older than this (seconds) is stale: UNKNOWN rather than an alert on old data (0: never). */
  readonly staleAfter: number;
}

export interface HistoryCounters {
  /** Points dropped because a metric reached maxPoints. */
  pointsDropped: number;
  /** Points of new metrics refused because maxMetrics were held. */
  metricsRefused: number;
}

/**
 * The recent values of the metrics the checks read, and nothing else: a point of a metric no
 * check names is ignored at the cost of one map lookup. Each metric keeps what its oldest trend
 * reference needs (its age, measured from its newest point, plus the point just before),
 * bounded by maxPoints.
 */
export class MetricHistory {
  private readonly series = new Map<string, Series>();
  readonly counters: HistoryCounters = { pointsDropped: 0, metricsRefused: 0 };

  /**
   * @param watched each metric path the checks read, with the oldest age (seconds) they read it at.
   */
  constructor(
    private readonly watched: ReadonlyMap<string, number>,
    private readonly limits: HistoryLimits,
  ) {}

  /** Metrics the checks name. */
  get watchedCount(): number {
    return this.watched.size;
  }

  /** Metrics held (with at least one point). */
  get metricCount(): number {
    return this.series.size;
  }

  /** Records a point; false when the metric is not watched or refused (full). */
  record(path: string, ts: number, value: number): boolean {
    const keep = this.watched.get(path);
    if (keep === undefined) return false;
    let s = this.series.get(path);
    if (s === undefined) {
      if (this.series.size >= this.limits.maxMetrics) {
        this.counters.metricsRefused++;
        return false;
      }
      s = new Series();
      this.series.set(path, s);
    }
    s.add(ts, value);
    // Keep the newest point at or before (newest - keep): the trend's reference.
    const cutoff = s.ts[s.ts.length - 1]! - keep;
    let drop = 0;
    while (s.head + drop + 1 < s.ts.length && s.ts[s.head + drop + 1]! <= cutoff) drop++;
    const over = s.size - drop - this.limits.maxPoints;
    if (over > 0) {
      drop += over;
      this.counters.pointsDropped += over;
    }
    if (drop > 0) s.dropOldest(drop);
    return true;
  }

  /**
   * The value a reference reads at `now` (seconds): the newest point for `{path}`, the newest
   * point at or before `now - age` for `{age|path}`. Throws EvaluationError saying why there is
   * none: no point yet, the value is stale, the history is too short.
   */
  read(ref: MetricRef, now: number): { readonly value: number; readonly ts: number } {
    const s = this.series.get(ref.path);
    if (s === undefined || s.size === 0) throw new EvaluationError(`no value yet for ${ref.path}`);
    const stale = this.limits.staleAfter;
    if (ref.age === 0) {
      const i = s.ts.length - 1;
      const ts = s.ts[i]!;
      if (stale > 0 && now - ts > stale) throw new EvaluationError(`${ref.path}: the last value is ${Math.round(now - ts)}s old (stale after ${stale}s)`);
      return { value: s.values[i]!, ts };
    }
    const target = now - ref.age;
    // Newest point at or before the target (binary search over the live part).
    let lo = s.head;
    let hi = s.ts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (s.ts[mid]! <= target) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) {
      // Collection times wander: the oldest point serves when it is at least 90% of the age old.
      const oldest = s.ts[s.head]!;
      if (now - oldest >= ref.age * 0.9) return { value: s.values[s.head]!, ts: oldest };
      throw new EvaluationError(`{${ref.age}|${ref.path}}: not enough history yet (the oldest value is ${Math.round(now - oldest)}s old, ${ref.age}s needed)`);
    }
    const ts = s.ts[found]!;
    if (stale > 0 && target - ts > stale)
      throw new EvaluationError(`{${ref.age}|${ref.path}}: no value near ${ref.age}s ago (the closest before is ${Math.round(now - ts)}s old)`);
    return { value: s.values[found]!, ts };
  }
}
