import { type Clock, type Figures, type FigureTotals, readFigures, type StateView, type TableContext, totalsOf } from "../../../core";

/** What the status row reads: the state, the clock, the daemon's self-stats, and when the program started. */
export interface StatusSource {
  readonly state: StateView;
  readonly clock: Clock;
  readonly stats: TableContext["stats"];
  /** Epoch seconds: when the status table started (the daemon's start). */
  readonly programStart: number;
}

/**
 * The one row of the status table, for one query: its clock is read once (every column of
 * the answer has the same "now"), and what costs a pass (the services, the self-stats
 * figures) is computed on first use only.
 */
export class StatusRow {
  private servicesMemo: number | undefined;
  private figuresMemo: Figures | undefined;
  private totalsMemo: FigureTotals | undefined;

  constructor(
    private readonly source: StatusSource,
    /** Seconds since the epoch, taken once per query. */
    readonly now: number,
  ) {}

  get programStart(): number {
    return this.source.programStart;
  }

  get numHosts(): number {
    return this.source.state.hostCount;
  }

  /** Services of every host (Host checks are not services): one look per host. */
  get numServices(): number {
    if (this.servicesMemo === undefined) {
      let n = 0;
      for (const h of this.source.state.allHosts()) n += h.services.size;
      this.servicesMemo = n;
    }
    return this.servicesMemo;
  }

  /** The daemon's figures (core/metrics/figures.ts), read once per query. */
  get figures(): Figures {
    return (this.figuresMemo ??= readFigures(this.source.stats));
  }

  /** Their totals: Livestatus figures summed over the listeners (the instances that count `requests`), queues over outputs and the store. */
  get totals(): FigureTotals {
    return (this.totalsMemo ??= totalsOf(this.figures));
  }

  /** A counter per second, averaged since the program start (at least one second). */
  rate(counter: number): number {
    return counter / Math.max(1, this.now - this.programStart);
  }
}
