import { Histogram, LATENCY_BUCKETS } from "./histogram";
import { LabelledCounter } from "./labelled-counter";

export { Histogram, LATENCY_BUCKETS, type HistogramData } from "./histogram";
export { LabelledCounter, type LabelledData } from "./labelled-counter";

/** Counters and gauges per plugin instance: Tantale's view of its own health. */
export interface InstanceStats {
  /** Adds to a counter (created at 0 on first use). */
  add(name: string, n?: number): void;
  /** Sets a gauge to its current value. */
  set(name: string, value: number): void;
  get(name: string): number;
  /** A gauge read when a snapshot is taken: for values the owner keeps anyway (queue lengths), so the hot path pays nothing. */
  gauge(name: string, read: () => number): void;
  /**
   * A histogram of this instance (latencies in seconds), created on first use and the same
   * object after: the owner keeps it and calls observe(), which allocates nothing.
   */
  histogram(name: string, bounds?: readonly number[]): Histogram;
  /** A counter with labels (e.g. table and status code), created on first use; its owner keeps it. */
  labelled(name: string, labelNames: readonly string[]): LabelledCounter;
}

export type StatsSnapshot = Readonly<Record<string, Readonly<Record<string, number>>>>;

class InstanceCounters implements InstanceStats {
  readonly values = new Map<string, number>();
  readonly gauges = new Map<string, () => number>();
  readonly histograms = new Map<string, Histogram>();
  readonly counters = new Map<string, LabelledCounter>();
  /** The plugin kind of the instance ("input", "output"...), undefined for the core's own. */
  kind: string | undefined;
  add(name: string, n = 1): void {
    this.values.set(name, (this.values.get(name) ?? 0) + n);
  }
  set(name: string, value: number): void {
    this.values.set(name, value);
  }
  get(name: string): number {
    return this.gauges.get(name)?.() ?? this.values.get(name) ?? 0;
  }
  gauge(name: string, read: () => number): void {
    this.gauges.set(name, read);
  }
  histogram(name: string, bounds: readonly number[] = LATENCY_BUCKETS): Histogram {
    let h = this.histograms.get(name);
    if (h === undefined) {
      h = new Histogram(bounds);
      this.histograms.set(name, h);
    }
    return h;
  }
  labelled(name: string, labelNames: readonly string[]): LabelledCounter {
    let c = this.counters.get(name);
    if (c === undefined) {
      c = new LabelledCounter(labelNames);
      this.counters.set(name, c);
    }
    return c;
  }
  read(): Record<string, number> {
    const out = Object.fromEntries(this.values);
    for (const [name, read] of this.gauges) out[name] = read();
    return out;
  }
}

/** Everything one instance holds, for the readers of the figures (figures.ts). */
export interface InstanceView {
  readonly id: string;
  readonly kind: string | undefined;
  readonly values: Readonly<Record<string, number>>;
  readonly histograms: ReadonlyMap<string, Histogram>;
  readonly labelled: ReadonlyMap<string, LabelledCounter>;
}

export class SelfStats {
  private readonly byInstance = new Map<string, InstanceCounters>();

  /** The stats of one instance ("core" for the daemon's own), kept across plugin restarts. */
  of(instance: string): InstanceStats {
    return this.counters(instance);
  }

  private counters(instance: string): InstanceCounters {
    let s = this.byInstance.get(instance);
    if (s === undefined) {
      s = new InstanceCounters();
      this.byInstance.set(instance, s);
    }
    return s;
  }

  /** Tells which plugin kind an instance is (set when the host builds it): the figures group inputs, outputs and listeners by it. */
  describe(instance: string, kind: string): void {
    this.counters(instance).kind = kind;
  }

  /** Every instance with its counters, gauges (read now), histograms and labelled counters. */
  *instances(): Iterable<InstanceView> {
    for (const [id, s] of this.byInstance) yield { id, kind: s.kind, values: s.read(), histograms: s.histograms, labelled: s.counters };
  }

  /** Forgets an instance that is gone for good (a removed output), so no stale figure stays. */
  drop(instance: string): void {
    this.byInstance.delete(instance);
  }

  snapshot(): StatsSnapshot {
    const out: Record<string, Record<string, number>> = {};
    for (const [id, s] of this.byInstance) out[id] = s.read();
    return out;
  }
}
