/**
 * Keeps each turn of the event loop short while much work is ready: Livestatus requests
 * and the lines of input connections take turns, first come first served, a budget's
 * worth per phase of a turn.
 *
 * Why: libuv (1.46, in Node 20) accepts ONE connection per turn of the loop. A turn that
 * answers every client with a request ready (1000 busy KeepAlive clients: a quarter of a
 * second) and parses every sender's lines leaves the clients that just connected in the
 * kernel's accept queue for seconds (the soak saw first answers after 22 s). With a budget,
 * work that does not fit waits for the check phase of this turn or of the following ones;
 * every turn reads every socket and accepts a newcomer; nobody is served later than
 * before (the same work in the same order, in more and shorter turns). While connections
 * are being accepted (one came in this turn: more may wait in the queue), work starts
 * only one unit per turn, so a crowd connecting at once is let in within a few
 * milliseconds each.
 *
 * Idle or lightly loaded, nothing waits: work starts in the turn that read it.
 */

/** Work a turn may start in its I/O phase, and again in its check phase (ms). */
export const DEFAULT_TURN_BUDGET_MS = 4;

export class LoopTurns {
  /** When the budgeted work of this turn began; undefined: none yet in this turn. */
  private turnStart: number | undefined;
  /** A connection was accepted in this turn. */
  private accepting = false;
  private readonly waiting: (() => void)[] = [];
  private runScheduled = false;

  /**
   * @param budgetMs the work a turn may start in each of its two phases.
   * @param clock a monotonic clock in ms (tests drive their own).
   */
  constructor(
    private readonly budgetMs: number = DEFAULT_TURN_BUDGET_MS,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** Units of work waiting for a turn. */
  get waitingCount(): number {
    return this.waiting.length;
  }

  /** Whether a unit of work (a request, a batch of lines) may start now: none waits before it and this turn's budget lasts. */
  mayStart(): boolean {
    return this.waiting.length === 0 && !this.spent();
  }

  /** Whether work under way should stop and wait for a turn: this turn's budget is used up. */
  spent(): boolean {
    if (this.accepting) return true;
    const now = this.clock();
    if (this.turnStart === undefined) {
      this.turnStart = now;
      // The check phase of this turn closes it: the next turn starts with a whole budget.
      this.scheduleRun();
      return false;
    }
    return now - this.turnStart >= this.budgetMs;
  }

  /** Calls `resume` at its turn, after every unit that waited before it; `resume` goes on synchronously without asking again. */
  wait(resume: () => void): void {
    this.waiting.push(resume);
    this.scheduleRun();
  }

  /** A listener accepted a connection in this turn: libuv takes one per turn, so more may be queued behind it. */
  accepted(): void {
    this.accepting = true;
    this.scheduleRun();
  }

  private scheduleRun(): void {
    if (this.runScheduled) return;
    this.runScheduled = true;
    setImmediate(this.run);
  }

  private readonly run = (): void => {
    this.runScheduled = false;
    // While connections come in, one unit per turn: the next turn (and accept) comes sooner.
    const budget = this.accepting ? 0 : this.budgetMs;
    this.accepting = false;
    const start = this.clock();
    this.turnStart = start;
    do {
      const resume = this.waiting.shift();
      if (resume === undefined) break;
      resume();
    } while (this.clock() - start < budget);
    this.turnStart = undefined;
    // Scheduled from the check phase: runs in the next turn, after its I/O (and its accept).
    if (this.waiting.length > 0) this.scheduleRun();
  };
}
