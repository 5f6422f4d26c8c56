/**
 * Running state for `Stats: <agg> <column>` (docs/livestatus.md §3.4), updated once per row.
 * Every result is a finite number because JSON has no NaN or Infinity: an empty set gives
 * 0 for every aggregate (Checkmk gives 0 for sum/min/max and NaN for the averages).
 */
import type { Aggregate } from "../protocol/query";

export interface Aggregator {
  add(x: number): void;
  result(): number;
}

class Sum implements Aggregator {
  private sum = 0;
  add(x: number): void {
    this.sum += x;
  }
  result(): number {
    return this.sum;
  }
}

class Extreme implements Aggregator {
  private value: number | undefined;
  constructor(private readonly better: (x: number, current: number) => boolean) {}
  add(x: number): void {
    if (this.value === undefined || this.better(x, this.value)) this.value = x;
  }
  result(): number {
    return this.value ?? 0;
  }
}

class Avg implements Aggregator {
  private sum = 0;
  private count = 0;
  add(x: number): void {
    this.sum += x;
    this.count++;
  }
  result(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }
}

/**
 * Population standard deviation, sqrt(E[x²] − E[x]²) as Checkmk defines it, computed with
 * Welford's update: the textbook formula loses everything on epoch-sized values (x² ≈ 3e18,
 * where a double's spacing is 512) and can even go negative.
 */
class Std implements Aggregator {
  private count = 0;
  private mean = 0;
  private m2 = 0;
  add(x: number): void {
    this.count++;
    const delta = x - this.mean;
    this.mean += delta / this.count;
    this.m2 += delta * (x - this.mean);
  }
  result(): number {
    return this.count === 0 ? 0 : Math.sqrt(Math.max(0, this.m2 / this.count));
  }
}

/**
 * Σ 1/x (`suminv`) or its mean (`avginv`). A zero has no inverse (Checkmk would emit inf,
 * which no JSON parser reads), so zeros are skipped entirely: they neither add nor count.
 */
class Inverse implements Aggregator {
  private sum = 0;
  private count = 0;
  constructor(private readonly average: boolean) {}
  add(x: number): void {
    if (x === 0) return;
    this.sum += 1 / x;
    this.count++;
  }
  result(): number {
    if (!this.average) return this.sum;
    return this.count === 0 ? 0 : this.sum / this.count;
  }
}

export function newAggregator(fn: Aggregate): Aggregator {
  switch (fn) {
    case "sum":
      return new Sum();
    case "min":
      return new Extreme((x, current) => x < current);
    case "max":
      return new Extreme((x, current) => x > current);
    case "avg":
      return new Avg();
    case "std":
      return new Std();
    case "suminv":
      return new Inverse(false);
    case "avginv":
      return new Inverse(true);
  }
}
