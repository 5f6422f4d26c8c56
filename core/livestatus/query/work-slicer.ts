/**
 * Cooperative time slicing of a query's work (scan, filter, stats, render), so that one
 * expensive request cannot hold the event loop: the query engine asks `spent()` after each
 * row and, once its slice has used its time, hands the loop back before going on.
 *
 * A query that is done within one slice (nearly all: one host's services, a KeepAlive
 * round trip, Stats over 20k rows) never pauses, so it pays no extra tick: only a clock
 * read now and then.
 */

/** Time one slice of a query may run before it lets others run (ms). */
export const DEFAULT_SLICE_MS = 2;

/**
 * Most rows between two looks at the clock. A clock read costs about 30 ns: every 256 cheap
 * rows (about 60 µs of work) it is lost in the noise.
 */
const MAX_STRIDE = 256;

/** Rows that cost this share of a slice or more make the stride shrink (8 looks per slice). */
const LOOKS_PER_SLICE = 8;

/**
 * Tells when a slice of work has used its time. The clock is read every `stride` rows; the
 * stride adapts to what rows cost: it doubles while rows are cheap (up to MAX_STRIDE) and
 * drops at once to what fits an eighth of a slice when they are not, so a filter costing
 * 1 ms per row is looked at every row while a plain scan reads the clock every 256 rows.
 */
export class WorkSlicer {
  private deadline: number;
  private lastLook: number;
  private stride = 1;
  private left = 1;
  private readonly lookEvery: number;

  /**
   * @param sliceMs the time a slice may take.
   * @param clock a monotonic clock in ms (performance.now; tests drive their own).
   */
  constructor(
    private readonly sliceMs: number = DEFAULT_SLICE_MS,
    private readonly clock: () => number = monotonicMs,
  ) {
    this.lastLook = clock();
    this.deadline = this.lastLook + sliceMs;
    this.lookEvery = sliceMs / LOOKS_PER_SLICE;
  }

  /** Called once per row: whether the slice's time is used up (then pause, and call restart()). */
  spent(): boolean {
    if (--this.left > 0) return false;
    const now = this.clock();
    const perRow = (now - this.lastLook) / this.stride;
    this.lastLook = now;
    // Grow by doubling (a run of cheap rows may be followed by dear ones), shrink at once.
    const fits = perRow > 0 ? Math.floor(this.lookEvery / perRow) : MAX_STRIDE;
    this.stride = Math.max(1, Math.min(this.stride * 2, fits, MAX_STRIDE));
    this.left = this.stride;
    return now >= this.deadline;
  }

  /** A new slice starts now (after the pause). */
  restart(): void {
    this.lastLook = this.clock();
    this.deadline = this.lastLook + this.sliceMs;
  }
}

function monotonicMs(): number {
  return performance.now();
}

/**
 * Turns of the event loop for paused work, shared by a server's connections: each loop
 * iteration resumes ONE paused slice, then lets I/O (other clients' requests, the inputs)
 * run. With setImmediate per query instead, 20 heavy queries paused together would all run
 * their slices in the same check phase, and a small query would wait 20 slices.
 */
export class SliceTurns {
  private readonly queue: (() => void)[] = [];
  private scheduled = false;

  /** Resolves at the paused work's turn: after pending I/O, and after the work paused before it. */
  next(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.queue.push(resolve);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(this.run);
  }

  private readonly run = (): void => {
    this.scheduled = false;
    const resume = this.queue.shift();
    // Scheduled before resuming: the resumed slice runs in this turn's microtasks, the next one a turn later.
    this.schedule();
    resume?.();
  };
}
