import os from "node:os";
import { inject, injectable } from "tsyringe";
import type { Clock } from "../../../core/clock";
import { FixedRate } from "../../../core/input/fixed-rate";
import type { Logger } from "../../../core/log/logger";
import { HOST_CHECK } from "../../../core/model/check-result";
import { normalizeResult } from "../../../core/model/normalize-result";
import type { InputPlugin, Sink } from "../../../core/plugin/api";
import { CLOCK, LOGGER, SINK } from "../../../core/tokens";
import { OK_CONFIG, type OkConfig } from "./schema";

/**
 * The heartbeat of a monitored host, as the original Tantale client's `ok` source: its Host
 * check UP ("Ok check") at start and every interval. The central Tantale sees the host go
 * OUTDATED when the beats stop (the client, or the way to the central side, is down).
 */
@injectable()
export class OkInput implements InputPlugin {
  private schedule: FixedRate | undefined;
  private readonly hostname: string;

  constructor(
    @inject(OK_CONFIG) private readonly config: OkConfig,
    @inject(SINK) private readonly sink: Sink,
    @inject(LOGGER) private readonly log: Logger,
    @inject(CLOCK) private readonly clock: Clock,
  ) {
    this.hostname = config.hostname === "" ? os.hostname() : config.hostname;
  }

  start(): Promise<void> {
    this.schedule = new FixedRate(this.config.interval, () => this.beat());
    this.schedule.start();
    this.log.info(`heartbeat of ${this.hostname} every ${this.config.interval}ms`, { hostname: this.hostname });
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.schedule?.stop();
    return Promise.resolve();
  }

  private beat(): void {
    const now = this.clock.now();
    const outcome = normalizeResult(
      {
        hostname: this.hostname,
        check: HOST_CHECK,
        status: 0,
        output: this.config.output,
        timestamp: Math.floor(now / 1000),
        interval: this.config.interval / 1000,
        contacts: this.config.contacts,
      },
      now,
    );
    // One result per interval: taken even while the sink is paused (it queues, never drops).
    if (outcome.ok) this.sink.accept(outcome.result);
    else this.log.error(`heartbeat of ${this.hostname} refused: ${outcome.reason}`, { hostname: this.hostname });
  }
}
