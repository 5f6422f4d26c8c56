import os from "node:os";
import { inject, injectable } from "tsyringe";
import type { Clock } from "../../../core/clock";
import { FixedRate } from "../../../core/input/fixed-rate";
import type { Logger } from "../../../core/log/logger";
import { Throttle } from "../../../core/log/throttle";
import type { InstanceStats } from "../../../core/metrics/self-stats";
import { normalizeResult } from "../../../core/model/normalize-result";
import type { InputPlugin, Sink } from "../../../core/plugin/api";
import { CLOCK, INSTANCE_STATS, LOGGER, SINK } from "../../../core/tokens";
import { runPlugin, type PluginRun } from "./run-plugin";
import { COMMAND_CONFIG, type CommandConfig } from "./schema";
import { splitCommand } from "./split-command";

/** One configured check, its options resolved against the instance's. */
interface Check {
  readonly section: string;
  readonly name: string;
  readonly hostname: string;
  readonly argv: readonly string[];
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly contacts: readonly string[];
  /** Due and waiting for a free slot, or running: a new due time is skipped. */
  busy: boolean;
}

/**
 * Runs Nagios plugins (any executable) on their intervals, as the original Tantale client's
 * `external` source did: each check at start, then every interval (fixed rate); at most
 * `concurrency` at once (the others wait their turn, in due order); a plugin running past
 * its timeout is killed with its process group. Exit codes 0..3 are the status, anything
 * else UNKNOWN; the output is split into output, long output and perfdata by the core.
 * While the sink is paused, no new plugin starts.
 */
@injectable()
export class CommandInput implements InputPlugin {
  private readonly checks: Check[];
  private readonly schedules: FixedRate[] = [];
  private readonly queue: Check[] = [];
  /** Process groups of the plugins running now. */
  private readonly running = new Set<number>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly throttle: Throttle;
  private unsubscribe: (() => void) | undefined;
  private stopping = false;

  constructor(
    @inject(COMMAND_CONFIG) private readonly config: CommandConfig,
    @inject(SINK) private readonly sink: Sink,
    @inject(LOGGER) private readonly log: Logger,
    @inject(INSTANCE_STATS) private readonly stats: InstanceStats,
    @inject(CLOCK) private readonly clock: Clock,
  ) {
    this.throttle = new Throttle(clock);
    const hostname = config.hostname === "" ? os.hostname() : config.hostname;
    this.checks = Object.entries(config.check).map(([section, c]) => {
      const split = splitCommand(c.command);
      // The schema refused a command that does not split.
      if (!split.ok) throw new Error(`[check ${section}] command: ${split.reason}`);
      return {
        section,
        name: c.name === "" ? section : c.name,
        hostname: c.hostname === "" ? hostname : c.hostname,
        argv: split.argv,
        intervalMs: c.interval === 0 ? config.interval : c.interval,
        timeoutMs: c.timeout === 0 ? config.timeout : c.timeout,
        contacts: c.contacts ?? config.contacts,
        busy: false,
      };
    });
  }

  start(): Promise<void> {
    this.unsubscribe = this.sink.onFlowChange((paused) => {
      if (!paused) this.pump();
    });
    for (const check of this.checks) {
      const schedule = new FixedRate(check.intervalMs, () => this.due(check));
      this.schedules.push(schedule);
      schedule.start();
    }
    this.log.info(`running ${this.checks.length} check(s), at most ${this.config.concurrency} at once`, { checks: this.checks.length });
    return Promise.resolve();
  }

  /** Stops scheduling, kills the plugins still running (their results are dropped) and waits for them. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.unsubscribe?.();
    for (const s of this.schedules) s.stop();
    this.queue.length = 0;
    for (const pid of this.running) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    await Promise.all([...this.inFlight]);
  }

  private due(check: Check): void {
    if (this.stopping) return;
    if (check.busy) {
      this.stats.add("runs_skipped");
      this.logThrottled(
        `skip:${check.section}`,
        `check ${check.name} on ${check.hostname}: due again while its previous run is still going or waiting for a slot; this run is skipped`,
        {
          check: check.name,
        },
      );
      return;
    }
    check.busy = true;
    this.queue.push(check);
    this.pump();
  }

  /** Starts waiting checks while slots are free and the sink takes results. */
  private pump(): void {
    while (!this.stopping && !this.sink.paused && this.inFlight.size < this.config.concurrency) {
      const check = this.queue.shift();
      if (check === undefined) return;
      const run = this.run(check).finally(() => {
        this.inFlight.delete(run);
        check.busy = false;
        this.pump();
      });
      this.inFlight.add(run);
    }
  }

  private async run(check: Check): Promise<void> {
    let pid: number | undefined;
    const started = this.clock.now();
    this.stats.add("runs");
    const result: PluginRun = await runPlugin(check.argv, check.timeoutMs, (p) => {
      pid = p;
      this.running.add(p);
    });
    if (pid !== undefined) this.running.delete(pid);
    if (this.stopping) return;
    if (result.timedOut) {
      this.stats.add("timeouts");
      this.logThrottled(
        `timeout:${check.section}`,
        `check ${check.name} on ${check.hostname}: ${check.argv[0] ?? ""} timed out after ${check.timeoutMs}ms, killed with its process group`,
        {
          check: check.name,
        },
      );
    }
    const outcome = normalizeResult(
      {
        hostname: check.hostname,
        check: check.name,
        status: result.status,
        output: result.output,
        timestamp: Math.floor(started / 1000),
        interval: check.intervalMs / 1000,
        contacts: check.contacts,
      },
      this.clock.now(),
    );
    if (!outcome.ok) {
      this.stats.add("results_rejected");
      this.logThrottled(`rejected:${check.section}`, `check ${check.name} on ${check.hostname}: result refused: ${outcome.reason}`, { check: check.name });
      return;
    }
    this.sink.accept(outcome.result);
    this.stats.add("results_accepted");
  }

  private logThrottled(key: string, msg: string, fields: Record<string, unknown>): void {
    const t = this.throttle.take(key);
    if (!t.log) return;
    this.log.warn(msg, t.suppressed > 0 ? { ...fields, suppressed: t.suppressed } : fields);
  }
}
