import os from "node:os";
import path from "node:path";
import { inject, injectable } from "tsyringe";
import type { Clock } from "../../../core/clock";
import type { Logger } from "../../../core/log/logger";
import { Throttle } from "../../../core/log/throttle";
import type { InstanceStats } from "../../../core/metrics/self-stats";
import { LoopTurns } from "../../../core/net/loop-turns";
import type { Endpoint, InputPlugin, Sink } from "../../../core/plugin/api";
import { peerOf } from "../../../core/net/peer-access";
import { CLOCK, DATA_DIR, INSTANCE_STATS, LOGGER, LOOP_TURNS, SINK } from "../../../core/tokens";
import { FifoReader } from "../../../core/input/fifo-reader";
import { preview } from "../../../core/input/line-preview";
import { compileCheck, normalizePrefix, runCheck, type DiamondCheck } from "./diamond-check";
import { parseGraphiteLine } from "./graphite-line";
import { GraphiteListener, type SourceLineHandler } from "./graphite-listener";
import { MetricHistory } from "./metric-history";
import { DIAMOND_CONFIG, type DiamondConfig } from "./schema";

/** Counted on the hot path as plain fields, read by the stats as gauges (no map update per line). */
interface LineCounters {
  lines: number;
  recorded: number;
  ignored: number;
  rejected: number;
}

/**
 * Diamond writes one metric per write(), far under PIPE_BUF, so a line is never split between
 * writes: a partial line still there after this long is a writer that died mid-line.
 */
const STALE_LINE_MS = 2000;

/** This machine's name up to its first dot: Diamond's default (hostname_method smart, fqdn_short). */
function shortHostname(): string {
  return os.hostname().split(".")[0] || "localhost";
}

/**
 * Turns every check section of the conf into a check ready to run, the instance's options
 * filling what a section leaves unset. The schema refused every bad option at load; a problem
 * left here is a bug, thrown with the section and option named.
 */
export function checksOf(config: DiamondConfig): DiamondCheck[] {
  const instanceHost = config.hostname.trim() === "" ? shortHostname() : config.hostname.trim();
  return Object.entries(config.check).map(([name, section]) => {
    const hostname = section.hostname ?? instanceHost;
    const prefix = normalizePrefix((section.prefix ?? config.prefix).replaceAll("{hostname}", hostname));
    const compiled = compileCheck(name, {
      expression: section.expression,
      condition: section.condition,
      thresholds: section.thresholds,
      warning: section.warning,
      critical: section.critical,
      prefix,
      hostname,
      service: section.service,
      interval: section.interval ?? config.interval,
      contacts: section.contacts ?? config.contacts,
    });
    if (compiled.problems) throw new Error(`check.${name}: ${compiled.problems.map((p) => `${p.key}: ${p.message}`).join("; ")}`);
    return compiled.check;
  });
}

/**
 * The diamond input: Graphite plaintext lines (Diamond, collectd, Telegraf) from a FIFO and/or
 * a TCP listener feed a short, bounded history of the metrics the checks name; each check is
 * evaluated every `interval` and its result goes to the sink. Bad lines are logged (throttled,
 * with the source, the line number and a preview) and skipped; they never cost a good line.
 */
@injectable()
export class DiamondInput implements InputPlugin, SourceLineHandler {
  readonly checks: readonly DiamondCheck[];
  readonly history: MetricHistory;
  private listener: GraphiteListener | undefined;
  private fifo: FifoReader | undefined;
  private fifoLineNo = 0;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly throttle: Throttle;
  private readonly counters: LineCounters = { lines: 0, recorded: 0, ignored: 0, rejected: 0 };
  private stopping: Promise<void> | undefined;

  constructor(
    @inject(DIAMOND_CONFIG) private readonly config: DiamondConfig,
    @inject(SINK) private readonly sink: Sink,
    @inject(LOGGER) private readonly log: Logger,
    @inject(INSTANCE_STATS) private readonly stats: InstanceStats,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(DATA_DIR) private readonly dataDir: string,
    @inject(LOOP_TURNS) private readonly turns: LoopTurns = new LoopTurns(),
  ) {
    this.checks = checksOf(config);
    const watched = new Map<string, number>();
    for (const check of this.checks) for (const ref of check.refs) watched.set(ref.path, Math.max(watched.get(ref.path) ?? 0, ref.age));
    this.history = new MetricHistory(watched, { maxMetrics: config.max_metrics, maxPoints: config.max_points, staleAfter: config.stale_after / 1000 });
    this.throttle = new Throttle(clock);
    stats.gauge("lines_received", () => this.counters.lines);
    stats.gauge("metrics_recorded", () => this.counters.recorded);
    stats.gauge("metrics_ignored", () => this.counters.ignored);
    stats.gauge("lines_rejected", () => this.counters.rejected);
    stats.gauge("metrics_held", () => this.history.metricCount);
    stats.gauge("points_dropped", () => this.history.counters.pointsDropped);
    stats.gauge("metrics_refused", () => this.history.counters.metricsRefused);
  }

  /** The TCP listener's port (the system's choice for port 0), undefined without one. */
  get port(): number | undefined {
    return this.listener?.port;
  }

  /** The FIFO's path (absolute), undefined without one. */
  get fifoPath(): string | undefined {
    return this.fifo?.path;
  }

  endpoints(): Endpoint[] {
    const out: Endpoint[] = [];
    if (this.fifoPath !== undefined) out.push({ role: "read", address: this.fifoPath, note: "Graphite lines FIFO" });
    if (this.port !== undefined) out.push({ role: "listen", address: peerOf(this.config.bind, this.port), note: "Graphite lines" });
    return out;
  }

  async start(): Promise<void> {
    const deps = { log: this.log, sink: this.sink, turns: this.turns, clock: this.clock, stats: this.stats };
    if (this.config.path !== "") {
      const fifoPath = path.resolve(this.dataDir, this.config.path);
      const source = `FIFO ${this.config.path}`;
      this.fifo = new FifoReader(
        { path: fifoPath, mode: Number.parseInt(this.config.mode, 8), maxLineBytes: this.config.max_line_bytes, staleLineMs: STALE_LINE_MS },
        {
          line: (line) => this.line(line, source, ++this.fifoLineNo),
          tooLong: (bytes) => this.tooLong(bytes, source, ++this.fifoLineNo),
          stale: (bytes) => {
            this.stats.add("fifo_partial_lines_dropped");
            this.log.debug(`${source}: a partial line of ${bytes} bytes whose writer stopped mid-line was dropped`, { source });
          },
        },
        deps,
      );
      await this.fifo.start();
    }
    if (this.config.port !== null) {
      this.listener = new GraphiteListener(
        {
          bind: this.config.bind,
          port: this.config.port,
          allow: this.config.allow,
          maxLineBytes: this.config.max_line_bytes,
          maxConnections: this.config.max_connections,
          maxConnectionsPerPeer: 0,
          idleTimeout: this.config.idle_timeout,
        },
        this,
        deps,
      );
      await this.listener.start();
    }
    // One timer per interval, not per check: 100 checks of one interval are one wake-up.
    const byInterval = new Map<number, DiamondCheck[]>();
    for (const check of this.checks) byInterval.set(check.interval, [...(byInterval.get(check.interval) ?? []), check]);
    for (const [interval, checks] of byInterval) {
      const timer = setInterval(() => this.runChecks(checks), interval);
      this.timers.push(timer);
    }
    this.log.info(`${this.checks.length} check(s) defined, reading ${this.history.watchedCount} metric(s)`, { checks: this.checks.length });
  }

  stop(): Promise<void> {
    return (this.stopping ??= this.shutdown());
  }

  private async shutdown(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers.length = 0;
    await this.listener?.stop();
    await this.fifo?.stop();
  }

  /** Evaluates checks now and hands their results to the sink (the timers call it; so may tests). */
  runChecks(checks: readonly DiamondCheck[] = this.checks): void {
    const now = this.clock.now();
    for (const check of checks) this.sink.accept(runCheck(check, this.history, now));
    this.stats.add("checks_run", checks.length);
  }

  /** One Graphite line from a source (a peer, the FIFO). */
  line(line: Buffer, source: string, lineNo: number): void {
    this.counters.lines++;
    if (isBlank(line)) return;
    const parsed = parseGraphiteLine(line, this.clock.now() / 1000);
    if (!parsed.ok) {
      this.counters.rejected++;
      this.stats.add(`rejected_${parsed.key}`);
      this.logBad(parsed.key, parsed.reason, source, lineNo, line, parsed.quiet === true);
      return;
    }
    const { path, timestamp, value } = parsed.metric;
    if (this.history.record(path, timestamp, value)) this.counters.recorded++;
    else this.counters.ignored++;
  }

  tooLong(bytes: number, source: string, lineNo: number): void {
    this.counters.lines++;
    this.counters.rejected++;
    this.stats.add("rejected_line_too_long");
    this.logBad("line_too_long", `line too long (≥${bytes} bytes), discarded`, source, lineNo, undefined, false);
  }

  private logBad(key: string, reason: string, source: string, lineNo: number, line: Buffer | undefined, quiet: boolean): void {
    const level = quiet ? "debug" : "warn";
    if (!this.log.isLevelEnabled(level)) return;
    const t = this.throttle.take(key);
    if (!t.log) return;
    const fields: Record<string, unknown> = { source, line: lineNo, reason };
    if (line !== undefined) fields.preview = preview(line);
    if (t.suppressed > 0) fields.suppressed = t.suppressed;
    this.log[level](`line ${lineNo} from ${source} rejected: ${reason}`, fields);
  }
}

function isBlank(line: Buffer): boolean {
  for (const b of line) if (b !== 0x20 && b !== 0x09 && b !== 0x0d) return false;
  return true;
}
