import type { DaemonSettings } from "../config/common-schema";
import type { Logger } from "../log/logger";
import type { ResultBus } from "../pipeline/result-bus";
import type { OutputPlugin } from "../plugin/api";
import type { StoreBinding } from "../plugin/host";
import type { StateEngine } from "../state/state-engine";

/** The bus queue of the state engine: not a valid instance id, so it never meets a plugin's. */
export const STATE_RUNNER_ID = "(state)";

/**
 * Puts the state engine on the bus like an output (its own bounded queue, batches, retries:
 * a batch leaves the queue once the store committed it) and returns how store instances
 * plug into it. Without a store the engine keeps the state in memory only.
 */
export function connectStateEngine(engine: StateEngine, bus: ResultBus, settings: DaemonSettings, log: Logger): StoreBinding {
  const asOutput: OutputPlugin = {
    start: () => Promise.resolve(),
    stop: () => Promise.resolve(),
    write: (batch) => engine.write(batch),
  };
  const batching = { batch_size: settings.state_batch_size, flush_interval: settings.state_flush_interval, retry_max_delay: 30_000 };
  const resume = () => bus.attach(STATE_RUNNER_ID, asOutput, batching, log);
  resume();
  return {
    async attach(_id, store) {
      // Results queue up while the store loads; the engine applies them on top of what it loaded.
      await bus.detach(STATE_RUNNER_ID);
      try {
        await engine.attachStore(store);
      } finally {
        resume();
      }
    },
    async detach(_id, removed) {
      await bus.detach(STATE_RUNNER_ID);
      await engine.detachStore();
      // A store that restarts finds the results queued for it; without a store the engine runs on in memory.
      if (removed) resume();
    },
  };
}
