import os from "node:os";
import { inject, injectable } from "tsyringe";
import type { Clock } from "../../../core/clock";
import { STATE_ID } from "../../../core/daemon/state-wiring";
import type { SelfStats } from "../../../core/metrics/self-stats";
import type { CheckResult } from "../../../core/model/check-result";
import { normalizeResult } from "../../../core/model/normalize-result";
import type { InputPlugin, Sink } from "../../../core/plugin/api";
import type { StateEngine } from "../../../core/state/state-engine";
import { CLOCK, SELF_STATS, SINK, STATE_ENGINE } from "../../../core/tokens";
import { INTERNAL_CONFIG, type InternalConfig } from "./schema";

const STATUS_NAMES = ["OK", "WARNING", "CRITICAL"] as const;

/**
 * Tantale's own health as a passive result (Carbon's carbon.agents.*, Telegraf's
 * inputs.internal): results accepted, queued per output, write errors, input pauses.
 * CRITICAL while an output (the store) cannot write, WARNING while inputs are paused or
 * after writes that failed and work again, so a GUI shows it.
 */
@injectable()
export class InternalInput implements InputPlugin {
  private timer: NodeJS.Timeout | undefined;
  private lastErrors: number | undefined;

  constructor(
    @inject(INTERNAL_CONFIG) private readonly config: InternalConfig,
    @inject(SINK) private readonly sink: Sink,
    @inject(SELF_STATS) private readonly stats: SelfStats,
    @inject(CLOCK) private readonly clock: Clock,
    /** Only `applyNow`: the health check must show a store that cannot write, which it cannot commit. */
    @inject(STATE_ENGINE) private readonly engine: Pick<StateEngine, "applyNow">,
  ) {}

  async start(): Promise<void> {
    this.file(this.report());
    this.timer = setInterval(() => this.file(this.report()), this.config.interval);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Into the sink like any result (for every output, committed in order). While the store
   * cannot commit, queries show only what is committed: the engine shows this one at once.
   */
  private file(result: CheckResult): void {
    this.sink.accept(result);
    if ((this.stats.snapshot()[STATE_ID]?.write_failing ?? 0) > 0) this.engine.applyNow(result);
  }

  report(): CheckResult {
    const snapshot = this.stats.snapshot();
    const core = snapshot.core ?? {};
    const outputs = Object.entries(snapshot).filter(([, s]) => "queue_length" in s || "written" in s);
    const queued = outputs.reduce((n, [, s]) => n + (s.queue_length ?? 0), 0);
    const errors = outputs.reduce((n, [, s]) => n + (s.write_errors ?? 0), 0);
    const failing = outputs.filter(([, s]) => (s.write_failing ?? 0) > 0);
    const paused = this.sink.paused;
    const status = failing.length > 0 ? 2 : paused || errors > (this.lastErrors ?? errors) ? 1 : 0;
    this.lastErrors = errors;
    const perf = [`accepted=${core.results_accepted ?? 0}c`, `queued=${queued}`, `write_errors=${errors}c`, `pauses=${core.input_pauses ?? 0}c`];
    for (const [id, s] of outputs) perf.push(`'${id}_queued'=${s.queue_length ?? 0}`, `'${id}_written'=${s.written ?? 0}c`);
    const why =
      failing.length > 0
        ? `${failing.map(([id, s]) => `${id === STATE_ID ? "the store" : `output ${id}`} cannot write (for ${Math.round((s.write_failing_ms ?? 0) / 1000)} s)`).join(", ")}: ${queued} results queued, not stored`
        : paused
          ? "inputs paused: outputs are behind"
          : status === 1
            ? "output writes failed since the last report"
            : `${queued} results queued`;
    const now = this.clock.now();
    // Through the one validator, as any input's results: a bad hostname or check option fails the start.
    const outcome = normalizeResult(
      {
        hostname: this.config.hostname || os.hostname(),
        check: this.config.check,
        status,
        output: `TANTALE ${STATUS_NAMES[status]} - ${why} | ${perf.join(" ")}`,
        timestamp: now / 1000,
        interval: Math.max(1, Math.round(this.config.interval / 1000)),
      },
      now,
    );
    if (!outcome.ok) throw new Error(`cannot report: ${outcome.reason}`);
    return outcome.result;
  }
}
