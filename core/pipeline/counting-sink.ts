import type { InstanceStats } from "../metrics/self-stats";
import type { CheckResult } from "../model/check-result";
import type { Sink } from "../plugin/api";

/**
 * The Sink one input instance sees: the daemon's, counting what this input hands it as the
 * instance's `results_accepted` (a plain field, read as a gauge: one increment per result).
 * Every input is counted alike, third-party ones too. A restarted instance gets a new one
 * that goes on from the old count.
 */
export class CountingSink implements Sink {
  private accepted: number;

  constructor(
    private readonly inner: Sink,
    stats: InstanceStats,
  ) {
    this.accepted = stats.get("results_accepted");
    stats.gauge("results_accepted", () => this.accepted);
  }

  accept(result: CheckResult): void {
    this.accepted++;
    this.inner.accept(result);
  }

  get paused(): boolean {
    return this.inner.paused;
  }

  onFlowChange(listener: (paused: boolean) => void): () => void {
    return this.inner.onFlowChange(listener);
  }

  sync(): Promise<void> {
    return this.inner.sync();
  }
}
