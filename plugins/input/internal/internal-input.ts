import os from "node:os";
import { inject, injectable } from "tsyringe";
import type { Clock } from "../../../core/clock";
import type { SelfStats } from "../../../core/metrics/self-stats";
import type { CheckResult } from "../../../core/model/check-result";
import { normalizeResult } from "../../../core/model/normalize-result";
import type { InputPlugin, Sink } from "../../../core/plugin/api";
import { CLOCK, PLUGIN_CONFIG, SELF_STATS, SINK } from "../../../core/tokens";
import type { InternalConfig } from "./schema";

/**
 * Tantale's own health as a passive result (Carbon's carbon.agents.*, Telegraf's
 * inputs.internal): results accepted, queued per output, write errors, input pauses.
 * WARNING while outputs fail to write or inputs are paused, so a GUI shows it.
 */
@injectable()
export class InternalInput implements InputPlugin {
  private timer: NodeJS.Timeout | undefined;
  private lastErrors: number | undefined;

  constructor(
    @inject(PLUGIN_CONFIG) private readonly config: InternalConfig,
    @inject(SINK) private readonly sink: Sink,
    @inject(SELF_STATS) private readonly stats: SelfStats,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  async start(): Promise<void> {
    this.sink.accept(this.report());
    this.timer = setInterval(() => this.sink.accept(this.report()), this.config.interval);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  report(): CheckResult {
    const snapshot = this.stats.snapshot();
    const core = snapshot.core ?? {};
    const outputs = Object.entries(snapshot).filter(([, s]) => "queue_length" in s || "written" in s);
    const queued = outputs.reduce((n, [, s]) => n + (s.queue_length ?? 0), 0);
    const errors = outputs.reduce((n, [, s]) => n + (s.write_errors ?? 0), 0);
    const paused = this.sink.paused;
    const status = paused || errors > (this.lastErrors ?? errors) ? 1 : 0;
    this.lastErrors = errors;
    const perf = [`accepted=${core.results_accepted ?? 0}c`, `queued=${queued}`, `write_errors=${errors}c`, `pauses=${core.input_pauses ?? 0}c`];
    for (const [id, s] of outputs) perf.push(`'${id}_queued'=${s.queue_length ?? 0}`, `'${id}_written'=${s.written ?? 0}c`);
    const state = status === 0 ? "OK" : "WARNING";
    const why = paused ? "inputs paused: outputs are behind" : status === 1 ? "output writes are failing" : `${queued} results queued`;
    const now = this.clock.now();
    // Through the one validator, as any input's results: a bad hostname or check option fails the start.
    const outcome = normalizeResult(
      { hostname: this.config.hostname || os.hostname(), check: this.config.check, status, output: `TANTALE ${state} - ${why} | ${perf.join(" ")}`, timestamp: now / 1000, interval: Math.max(1, Math.round(this.config.interval / 1000)) },
      now,
    );
    if (!outcome.ok) throw new Error(`cannot report: ${outcome.reason}`);
    return outcome.result;
  }
}
