import type { Clock } from "../clock";

/**
 * Lets through at most `burst` events per key and window, then counts the rest, so a flood
 * of identical errors cannot fill the disk. `take()` says whether to log now and how many
 * events were suppressed since the last one logged.
 */
export class Throttle {
  private readonly windows = new Map<string, { start: number; seen: number; suppressed: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly burst = 5,
    private readonly windowMs = 60_000,
  ) {}

  take(key = ""): { log: boolean; suppressed: number } {
    const now = this.clock.now();
    let w = this.windows.get(key);
    if (w === undefined || now - w.start >= this.windowMs) {
      const suppressed = w?.suppressed ?? 0;
      if (this.windows.size > 1000) this.windows.clear(); // bound memory under many keys
      w = { start: now, seen: 0, suppressed: 0 };
      this.windows.set(key, w);
      w.seen++;
      return { log: true, suppressed };
    }
    w.seen++;
    if (w.seen <= this.burst) return { log: true, suppressed: 0 };
    w.suppressed++;
    return { log: false, suppressed: 0 };
  }
}
