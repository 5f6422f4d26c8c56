/** Counters and gauges per plugin instance: Tantale's view of its own health. */
export interface InstanceStats {
  /** Adds to a counter (created at 0 on first use). */
  add(name: string, n?: number): void;
  /** Sets a gauge to its current value. */
  set(name: string, value: number): void;
  get(name: string): number;
  /** A gauge read when a snapshot is taken: for values the owner keeps anyway (queue lengths), so the hot path pays nothing. */
  gauge(name: string, read: () => number): void;
}

export type StatsSnapshot = Readonly<Record<string, Readonly<Record<string, number>>>>;

class InstanceCounters implements InstanceStats {
  readonly values = new Map<string, number>();
  readonly gauges = new Map<string, () => number>();
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
  read(): Record<string, number> {
    const out = Object.fromEntries(this.values);
    for (const [name, read] of this.gauges) out[name] = read();
    return out;
  }
}

export class SelfStats {
  private readonly byInstance = new Map<string, InstanceCounters>();

  /** The stats of one instance ("core" for the daemon's own), kept across plugin restarts. */
  of(instance: string): InstanceStats {
    let s = this.byInstance.get(instance);
    if (s === undefined) {
      s = new InstanceCounters();
      this.byInstance.set(instance, s);
    }
    return s;
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
