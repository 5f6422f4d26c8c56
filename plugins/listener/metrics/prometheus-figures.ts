import { Counter, Gauge, Histogram, type MetricType, Registry, collectDefaultMetrics } from "prom-client";
import type { Figures } from "../../../core/metrics/figures";
import type { HistogramData } from "../../../core/metrics/histogram";
import type { InstanceView } from "../../../core/metrics/self-stats";

/** What one scrape reads: the figures, and every instance's raw counters for the catch-all. */
export interface Scrape {
  readonly figures: Figures;
  readonly instances: readonly InstanceView[];
}

type Labels = Record<string, string>;

/** prom-client's types declare MetricType a numeric enum it does not export; its registry writes the type's string, which is this. */
const HISTOGRAM = "histogram" as unknown as MetricType;

/**
 * A histogram whose buckets are kept by Tantale (core/metrics/histogram.ts) and copied at
 * scrape: prom-client's Histogram can only be observed into, so get() is overridden to give
 * the figures' buckets (cumulative, as the text format wants) under each label set.
 */
class FiguresHistogram extends Histogram {
  constructor(
    private readonly metricName: string,
    private readonly metricHelp: string,
    labelNames: readonly string[],
    registry: Registry,
    private readonly read: () => readonly { readonly labels: Labels; readonly data: HistogramData }[],
  ) {
    super({ name: metricName, help: metricHelp, labelNames: [...labelNames], registers: [registry], buckets: [1] });
  }

  override get(): ReturnType<Histogram["get"]> {
    const values: Awaited<ReturnType<Histogram["get"]>>["values"] = [];
    for (const { labels, data } of this.read()) {
      let cumulative = 0;
      data.counts.forEach((count, i) => {
        cumulative += count;
        values.push({
          metricName: `${this.metricName}_bucket`,
          labels: { ...labels, le: i < data.bounds.length ? data.bounds[i]! : "+Inf" },
          value: cumulative,
        });
      });
      values.push({ metricName: `${this.metricName}_sum`, labels, value: data.sum }, { metricName: `${this.metricName}_count`, labels, value: data.count });
    }
    return Promise.resolve({ name: this.metricName, help: this.metricHelp, type: HISTOGRAM, aggregator: "sum", collect: () => undefined, values });
  }

  /** What prom-client's registry reads when a metric has it (missing from its types): the same as get(). */
  getForPromString(): ReturnType<Histogram["get"]> {
    return this.get();
  }
}

/**
 * The registry the metrics plugin serves: its own (never prom-client's global one), each
 * metric filled at scrape by a collect() that reads the scrape's figures, plus prom-client's
 * process metrics. `current()` is set by the HTTP handler before each scrape.
 */
export function figuresRegistry(prefix: string, current: () => Scrape, processMetrics: boolean): Registry {
  const registry = new Registry();
  const n = (name: string): string => `${prefix}${name}`;

  const counter = (name: string, help: string, labelNames: readonly string[], values: (s: Scrape) => Iterable<readonly [Labels, number]>): void => {
    new Counter({
      name: n(name),
      help,
      labelNames: [...labelNames],
      registers: [registry],
      collect() {
        this.reset();
        for (const [labels, value] of values(current())) this.inc(labels, value);
      },
    });
  };
  const gauge = (name: string, help: string, labelNames: readonly string[], values: (s: Scrape) => Iterable<readonly [Labels, number]>): void => {
    new Gauge({
      name: n(name),
      help,
      labelNames: [...labelNames],
      registers: [registry],
      collect() {
        this.reset();
        for (const [labels, value] of values(current())) this.set(labels, value);
      },
    });
  };
  const histogram = (
    name: string,
    help: string,
    labelNames: readonly string[],
    values: (s: Scrape) => readonly { labels: Labels; data: HistogramData }[],
  ): void => {
    new FiguresHistogram(n(name), help, labelNames, registry, () => values(current()));
  };
  const one = (value: number): [Labels, number][] => [[{}, value]];

  // Results, per input.
  counter("results_accepted_total", "Results an input handed to the daemon.", ["input"], ({ figures }) =>
    figures.inputs.map((i) => [{ input: i.id }, i.accepted]),
  );
  counter("results_rejected_total", "Lines or results an input refused, by reason (invalid_json, line_too_long...).", ["input", "reason"], ({ figures }) =>
    figures.inputs.flatMap((i) => [...i.rejected].map(([reason, value]): [Labels, number] => [{ input: i.id, reason }, value])),
  );
  counter(
    "results_ignored_total",
    "Results not applied: older than the state (older), the same result again (duplicate), stamped before their check's removal (removed).",
    ["reason"],
    ({ figures }) => Object.entries(figures.engine.ignored).map(([reason, value]) => [{ reason }, value]),
  );
  counter("results_applied_total", "Results applied to the state, by check type (host: the Host check).", ["type"], ({ figures }) => [
    [{ type: "host" }, figures.engine.hostResultsApplied],
    [{ type: "service" }, figures.engine.resultsApplied - figures.engine.hostResultsApplied],
  ]);
  counter("input_pauses_total", "How often full queues paused the inputs.", [], ({ figures }) => one(figures.inputPauses));
  gauge("input_connections_open", "Client connections open on an input that listens.", ["input"], ({ figures }) =>
    figures.inputs.flatMap((i): [Labels, number][] => (i.connectionsOpen === undefined ? [] : [[{ input: i.id }, i.connectionsOpen]])),
  );

  // Queues: every output's and the store's (queue="store").
  gauge("queue_depth", "Results queued, by queue: an output's instance id, or store (accepted, not yet committed).", ["queue"], ({ figures }) =>
    figures.queues.map((q) => [{ queue: q.id }, q.depth]),
  );
  counter("output_written_total", "Results written, by output (store: committed).", ["output"], ({ figures }) =>
    figures.queues.map((q) => [{ output: q.id }, q.written]),
  );
  counter("output_write_errors_total", "Writes that failed and are retried, by output.", ["output"], ({ figures }) =>
    figures.queues.map((q) => [{ output: q.id }, q.writeErrors]),
  );
  gauge("output_failing", "1 while an output's writes fail (from a failed write until one works).", ["output"], ({ figures }) =>
    figures.queues.map((q) => [{ output: q.id }, q.failing]),
  );
  histogram("output_write_seconds", "Seconds per write that worked, by output (store: a batch applied and committed).", ["output"], ({ figures }) =>
    figures.queues.flatMap((q) => (q.writeLatency === undefined ? [] : [{ labels: { output: q.id }, data: q.writeLatency }])),
  );

  // The state engine and its store.
  gauge("hosts", "Hosts the state holds, pending ones included.", [], ({ figures }) => one(figures.engine.hosts));
  gauge("checks", "Checks (Host checks and services) the state holds.", [], ({ figures }) => one(figures.engine.checks));
  counter("checks_outdated_total", "Checks outdated: no result for freshness_factor × interval.", [], ({ figures }) => one(figures.engine.checksOutdated));
  counter("store_commits_total", "Commits to the store.", [], ({ figures }) => one(figures.engine.commits));
  counter("store_commit_errors_total", "Commits to the store that failed (rolled back, retried).", [], ({ figures }) => one(figures.engine.commitErrors));
  histogram("store_commit_seconds", "Seconds per commit to the store.", [], ({ figures }) =>
    figures.engine.commitLatency === undefined ? [] : [{ labels: {}, data: figures.engine.commitLatency }],
  );

  // Livestatus, per listener.
  counter("livestatus_connections_total", "Livestatus connections accepted.", ["listener"], ({ figures }) =>
    figures.livestatus.map((l) => [{ listener: l.id }, l.connections]),
  );
  gauge("livestatus_connections_open", "Livestatus connections open.", ["listener"], ({ figures }) =>
    figures.livestatus.map((l) => [{ listener: l.id }, l.connectionsOpen]),
  );
  counter(
    "livestatus_overflows_total",
    "Livestatus connections that found max_connections reached (an idle one closed for them, or refused).",
    ["listener"],
    ({ figures }) => figures.livestatus.map((l) => [{ listener: l.id }, l.overflows]),
  );
  counter(
    "livestatus_requests_total",
    "Livestatus requests served, by table (COMMAND for commands, - when not understood) and status code (abandoned: the client left first).",
    ["listener", "table", "code"],
    ({ figures }) =>
      figures.livestatus.flatMap((l) =>
        (l.served?.values ?? []).map(({ labels, value }): [Labels, number] => [{ listener: l.id, table: labels[0] ?? "", code: labels[1] ?? "" }, value]),
      ),
  );
  histogram(
    "livestatus_request_seconds",
    "Seconds from a Livestatus request read to its answer written (a Wait query's wait included).",
    ["listener"],
    ({ figures }) => figures.livestatus.flatMap((l) => (l.latency === undefined ? [] : [{ labels: { listener: l.id }, data: l.latency }])),
  );

  // Spools (forwarder, Elasticsearch store).
  gauge("spool_bytes", "Bytes waiting in a disk spool, by instance.", ["instance"], ({ figures }) => figures.spools.map((s) => [{ instance: s.id }, s.bytes]));
  gauge("spool_records", "Records waiting in a disk spool, by instance.", ["instance"], ({ figures }) =>
    figures.spools.map((s) => [{ instance: s.id }, s.records]),
  );

  // Everything else an instance counts (third-party plugins' figures included), as it stands.
  gauge(
    "instance_stat",
    "Every figure of every instance's self-stats as it stands, counters and gauges alike (what the metrics above do not name).",
    ["instance", "stat"],
    ({ instances }) => instances.flatMap((v) => Object.entries(v.values).map(([stat, value]): [Labels, number] => [{ instance: v.id, stat }, value])),
  );

  if (processMetrics) collectDefaultMetrics({ register: registry, prefix });
  return registry;
}
