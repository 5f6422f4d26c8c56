/**
 * Runs `tick` at once, then every `intervalMs` on a fixed rate: the n-th run is due at
 * start + n × interval whatever the previous one took, so results keep their rhythm (no drift
 * of a few milliseconds per run). Runs missed while the process was stopped or busy are not
 * made up: the next one is the next due time in the future. Timers are unref'd: a schedule
 * never keeps the daemon alive.
 */
export class FixedRate {
  private timer: NodeJS.Timeout | undefined;
  private next = 0;
  private stopped = false;

  constructor(
    private readonly intervalMs: number,
    private readonly tick: () => void,
    /** Milliseconds, monotonic in tests' eyes: the clock the schedule is kept on. */
    private readonly now: () => number = () => performance.now(),
    /** The first run after this delay (0: at once). */
    private readonly firstDelayMs = 0,
  ) {
    if (!(intervalMs > 0)) throw new RangeError(`interval must be positive, got ${intervalMs}`);
  }

  start(): void {
    this.next = this.now() + this.firstDelayMs;
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    if (this.stopped) return;
    this.timer = setTimeout(this.fire, Math.max(0, this.next - this.now()));
    this.timer.unref();
  }

  private readonly fire = (): void => {
    const now = this.now();
    // Catch up without bursts: skip the due times already past.
    while (this.next <= now) this.next += this.intervalMs;
    this.arm();
    this.tick();
  };
}
