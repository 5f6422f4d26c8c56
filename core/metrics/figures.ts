import { histogramSum, type HistogramData } from "./histogram";
import type { LabelledData } from "./labelled-counter";
import type { InstanceView } from "./self-stats";

/** What the figures are read from: the daemon's SelfStats (a table's `stats`). */
export interface StatsSource {
  instances(): Iterable<InstanceView>;
}

/** The state engine's id in the self-stats (state-wiring.ts's STATE_ID; repeated here so that metrics import nothing of the daemon). */
const ENGINE_ID = "(state)";

/** How the figures name the state engine's queue: the store it commits to. */
export const STORE_QUEUE = "store";

export interface InputFigures {
  readonly id: string;
  /** Results the input handed to the daemon. */
  readonly accepted: number;
  /** Lines or results refused, by reason (the `rejected_<reason>` counters of the input, `invalid_result` for `results_rejected`). */
  readonly rejected: ReadonlyMap<string, number>;
  readonly rejectedTotal: number;
  /** Client connections open now, for inputs that listen. */
  readonly connectionsOpen: number | undefined;
}

export interface QueueFigures {
  /** The output's instance id, or `store` for the state engine's queue. */
  readonly id: string;
  readonly depth: number;
  readonly written: number;
  readonly writeErrors: number;
  /** 1 from a failed write until one works. */
  readonly failing: number;
  /** Seconds per write that worked (for the store: a batch applied and committed). */
  readonly writeLatency: HistogramData | undefined;
}

export interface LivestatusFigures {
  readonly id: string;
  readonly connections: number;
  readonly connectionsOpen: number;
  readonly connectionsMax: number;
  readonly requests: number;
  readonly overflows: number;
  /** Requests served by table and status code. */
  readonly served: LabelledData | undefined;
  readonly latency: HistogramData | undefined;
}

export interface SpoolFigures {
  readonly id: string;
  readonly bytes: number;
  readonly records: number;
}

export interface EngineFigures {
  readonly hosts: number;
  readonly checks: number;
  readonly resultsApplied: number;
  readonly hostResultsApplied: number;
  /** Results not applied: older than the state, the same result again, stamped before the check's removal. */
  readonly ignored: { readonly older: number; readonly duplicate: number; readonly removed: number };
  /** Checks outdated since the start (no result for freshness_factor × interval). */
  readonly checksOutdated: number;
  readonly commits: number;
  readonly commitErrors: number;
  /** Seconds per store commit. */
  readonly commitLatency: HistogramData | undefined;
}

/**
 * Every figure the daemon shows of itself, read from the self-stats at one moment: the one
 * source for the metrics plugin, the status table and the summary line. Instances are told
 * apart by their kind (set by the plugin host) and by the figures they keep: a queue has
 * `queue_length`, a Livestatus listener counts `requests`, a spool keeps `spool_bytes`.
 */
export interface Figures {
  readonly inputs: readonly InputFigures[];
  readonly queues: readonly QueueFigures[];
  readonly livestatus: readonly LivestatusFigures[];
  readonly spools: readonly SpoolFigures[];
  readonly engine: EngineFigures;
  /** Results the daemon accepted from all inputs (the bus' count). */
  readonly resultsAccepted: number;
  /** How often full queues paused the inputs. */
  readonly inputPauses: number;
}

export function readFigures(stats: StatsSource): Figures {
  const inputs: InputFigures[] = [];
  const queues: QueueFigures[] = [];
  const livestatus: LivestatusFigures[] = [];
  const spools: SpoolFigures[] = [];
  let engine: EngineFigures = engineFigures(undefined);
  let core: Readonly<Record<string, number>> = {};
  for (const view of stats.instances()) {
    const v = view.values;
    if (view.id === "core") core = v;
    if (view.id === ENGINE_ID) engine = engineFigures(view);
    if (view.kind === "input") inputs.push(inputFigures(view));
    if (v.queue_length !== undefined)
      queues.push({
        id: view.id === ENGINE_ID ? STORE_QUEUE : view.id,
        depth: v.queue_length,
        written: v.written ?? 0,
        writeErrors: v.write_errors ?? 0,
        failing: v.write_failing ?? 0,
        writeLatency: view.histograms.get("write_seconds")?.read(),
      });
    if (v.requests !== undefined)
      livestatus.push({
        id: view.id,
        connections: v.connections ?? 0,
        connectionsOpen: v.connections_open ?? 0,
        connectionsMax: v.connections_max ?? 0,
        requests: v.requests,
        overflows: v.overflows ?? 0,
        served: view.labelled.get("requests_served")?.read(),
        latency: view.histograms.get("request_seconds")?.read(),
      });
    if (v.spool_bytes !== undefined) spools.push({ id: view.id, bytes: v.spool_bytes, records: v.spool_records ?? 0 });
  }
  return { inputs, queues, livestatus, spools, engine, resultsAccepted: core.results_accepted ?? 0, inputPauses: core.input_pauses ?? 0 };
}

function inputFigures(view: InstanceView): InputFigures {
  const rejected = new Map<string, number>();
  let rejectedTotal = 0;
  const count = (reason: string, n: number): void => {
    rejected.set(reason, (rejected.get(reason) ?? 0) + n);
    rejectedTotal += n;
  };
  for (const [name, n] of Object.entries(view.values)) {
    if (name.startsWith("rejected_")) count(name.slice("rejected_".length), n);
    else if (name === "results_rejected") count("invalid_result", n);
  }
  // A plugin that counts with labels (stats.labelled("results_rejected", ["reason"])).
  for (const { labels, value } of view.labelled.get("results_rejected")?.read().values ?? []) count(labels[0] ?? "", value);
  return { id: view.id, accepted: view.values.results_accepted ?? 0, rejected, rejectedTotal, connectionsOpen: view.values.connections_open };
}

function engineFigures(view: InstanceView | undefined): EngineFigures {
  const v = view?.values ?? {};
  return {
    hosts: v.hosts ?? 0,
    checks: v.checks ?? 0,
    resultsApplied: v.results_applied ?? 0,
    hostResultsApplied: v.host_results_applied ?? 0,
    ignored: { older: v.results_out_of_order ?? 0, duplicate: v.results_duplicate ?? 0, removed: v.results_before_removal ?? 0 },
    checksOutdated: v.checks_outdated ?? 0,
    commits: v.commits ?? 0,
    commitErrors: v.commit_errors ?? 0,
    commitLatency: view?.histograms.get("commit_seconds")?.read(),
  };
}

/** Totals over the parts, for the status table and the summary line. */
export interface FigureTotals {
  readonly rejected: number;
  readonly ignored: number;
  /** Results queued for all outputs and the store. */
  readonly queued: number;
  readonly spoolBytes: number;
  readonly livestatusRequests: number;
  readonly livestatusConnections: number;
  readonly livestatusConnectionsOpen: number;
  readonly livestatusConnectionsMax: number;
  readonly livestatusOverflows: number;
  readonly livestatusLatency: HistogramData | undefined;
  /** Client connections open on the inputs that listen. */
  readonly inputConnectionsOpen: number;
}

export function totalsOf(f: Figures): FigureTotals {
  const sum = <T>(xs: readonly T[], of: (x: T) => number): number => xs.reduce((n, x) => n + of(x), 0);
  return {
    rejected: sum(f.inputs, (i) => i.rejectedTotal),
    ignored: f.engine.ignored.older + f.engine.ignored.duplicate + f.engine.ignored.removed,
    queued: sum(f.queues, (q) => q.depth),
    spoolBytes: sum(f.spools, (s) => s.bytes),
    livestatusRequests: sum(f.livestatus, (l) => l.requests),
    livestatusConnections: sum(f.livestatus, (l) => l.connections),
    livestatusConnectionsOpen: sum(f.livestatus, (l) => l.connectionsOpen),
    livestatusConnectionsMax: sum(f.livestatus, (l) => l.connectionsMax),
    livestatusOverflows: sum(f.livestatus, (l) => l.overflows),
    livestatusLatency: histogramSum(f.livestatus.flatMap((l) => (l.latency === undefined ? [] : [l.latency]))),
    inputConnectionsOpen: sum(f.inputs, (i) => i.connectionsOpen ?? 0),
  };
}
