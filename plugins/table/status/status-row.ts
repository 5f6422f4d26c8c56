import type { Clock, StateView, TableContext } from "../../../core";

/** What the status row reads: the state, the clock, the daemon's self-stats, and when the program started. */
export interface StatusSource {
  readonly state: StateView;
  readonly clock: Clock;
  readonly stats: TableContext["stats"];
  /** Epoch seconds: when the status table started (the daemon's start). */
  readonly programStart: number;
}

/** The Livestatus figures of the self-stats, summed over the Livestatus listener instances. */
export interface LivestatusCounters {
  readonly connections: number;
  readonly requests: number;
  readonly openConnections: number;
  /** Connections that found max_connections reached (an idle one evicted, or refused). */
  readonly overflows: number;
}

/**
 * The one row of the status table, for one query: its clock is read once (every column of
 * the answer has the same "now"), and what costs a pass (the services, the self-stats
 * snapshot) is computed on first use only.
 */
export class StatusRow {
  private servicesMemo: number | undefined;
  private countersMemo: LivestatusCounters | undefined;

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

  /**
   * The `connections`, `requests`, `connections_open` and `overflows` figures of the instances that
   * count `requests`: the Livestatus listeners. Other instances count connections too
   * (the line input's), which are no Livestatus connections. 0 while none counts.
   */
  get livestatus(): LivestatusCounters {
    if (this.countersMemo === undefined) {
      let connections = 0;
      let requests = 0;
      let openConnections = 0;
      let overflows = 0;
      for (const figures of Object.values(this.source.stats.snapshot())) {
        if (figures.requests === undefined) continue;
        requests += figures.requests;
        connections += figures.connections ?? 0;
        openConnections += figures.connections_open ?? 0;
        overflows += figures.overflows ?? 0;
      }
      this.countersMemo = { connections, requests, openConnections, overflows };
    }
    return this.countersMemo;
  }

  /** A counter per second, averaged since the program start (at least one second). */
  rate(counter: number): number {
    return counter / Math.max(1, this.now - this.programStart);
  }
}
