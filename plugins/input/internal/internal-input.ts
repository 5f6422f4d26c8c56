import os from "node:os";
import { inject, injectable } from "tsyringe";
import type { Clock } from "../../../core/clock";
import { STATE_ID } from "../../../core/daemon/state-wiring";
import type { SelfStats } from "../../../core/metrics/self-stats";
import { HOST_CHECK, type CheckResult } from "../../../core/model/check-result";
import { normalizeResult } from "../../../core/model/normalize-result";
import type { InputPlugin, Sink } from "../../../core/plugin/api";
import type { StateEngine } from "../../../core/state/state-engine";
import { tantaleVersion } from "../../../core/tantale-version";
import { CLOCK, SELF_STATS, SINK, STATE_ENGINE } from "../../../core/tokens";
import { INTERNAL_CONFIG, type InternalConfig } from "./schema";

const STATUS_NAMES = ["OK", "WARNING", "CRITICAL"] as const;

/**
 * Tantale's own health as a passive result (Carbon's carbon.agents.*, Telegraf's
 * inputs.internal): results accepted, queued per output, write errors, input pauses.
 * CRITICAL while an output (the store) cannot write, WARNING while inputs are paused or
 * after writes that failed and work again, so a GUI shows it. With it, the host's own check
 * (UP: Tantale runs there), or the host would stay pending for ever.
 */
@injectable()
export class InternalInput implements InputPlugin {
  private timer: NodeJS.Timeout | undefined;
  private lastErrors: number | undefined;
  private readonly since = new Date();

  constructor(
    @inject(INTERNAL_CONFIG) private readonly config: InternalConfig,
    @inject(SINK) private readonly sink: Sink,
    @inject(SELF_STATS) private readonly stats: SelfStats,
    @inject(CLOCK) private readonly clock: Clock,
    /** Only `applyNow`: the health check must show a store that cannot write, which it cannot commit. */
    @inject(STATE_ENGINE) private readonly engine: Pick<StateEngine, "applyNow">,
  ) {}

  async start(): Promise<void> {
    this.fileAll();
    this.timer = setInterval(() => this.fileAll(), this.config.interval);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The service first: its counters are those from before this report. */
  private fileAll(): void {
    this.file(this.report());
    if (this.config.host_result) this.file(this.hostReport());
  }

  /**
   * Into the sink like any result (for every output, committed in order). While the store
   * cannot commit, queries show only what is committed: the engine shows this one at once.
   */
  private file(result: CheckResult): void {
    this.sink.accept(result);
    if ((this.stats.snapshot()[STATE_ID]?.write_failing ?? 0) > 0) this.engine.applyNow(result);
  }

  /** The Host check of the host Tantale files under: UP, since this result comes from a Tantale that runs there. */
  hostReport(): CheckResult {
    const now = this.clock.now();
    return this.validated(
      {
        hostname: this.hostname(),
        check: HOST_CHECK,
        status: 0,
        output: `TANTALE UP - Tantale ${tantaleVersion()} runs here (pid ${process.pid}, since ${this.since.toISOString()})`,
        timestamp: now / 1000,
        interval: Math.max(1, Math.round(this.config.interval / 1000)),
      },
      now,
    );
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
    return this.validated(
      {
        hostname: this.hostname(),
        check: this.config.check,
        status,
        output: `TANTALE ${STATUS_NAMES[status]} - ${why} | ${perf.join(" ")}`,
        timestamp: now / 1000,
        interval: Math.max(1, Math.round(this.config.interval / 1000)),
      },
      now,
    );
  }

  private hostname(): string {
    return this.config.hostname || os.hostname();
  }

  /** Through the one validator, as any input's results: a bad hostname or check option fails the start. */
  private validated(raw: Readonly<Record<string, string | number>>, now: number): CheckResult {
    const outcome = normalizeResult(raw, now);
    if (!outcome.ok) throw new Error(`cannot report: ${outcome.reason}`);
    return outcome.result;
  }
}
