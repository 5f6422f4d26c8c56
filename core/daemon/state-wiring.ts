import { DEFAULT_RETRY_MAX_DELAY, type DaemonSettings } from "../config/common-schema";
import type { Logger } from "../log/logger";
import type { ResultBus } from "../pipeline/result-bus";
import type { OutputPlugin } from "../plugin/api";
import type { StoreBinding } from "../plugin/host";
import type { StateEngine } from "../state/state-engine";

/** The state engine's id on the bus and in the self-stats: not a valid instance id, so it never meets a plugin's. */
export const STATE_ID = "(state)";

/**
 * Puts the state engine on the bus like an output (its own bounded queue, batches, retries:
 * a batch leaves the queue once the store committed it) and returns how store instances
 * plug into it. Without a store the engine keeps the state in memory only.
 */
export function connectStateEngine(engine: StateEngine, bus: ResultBus, settings: DaemonSettings, log: Logger): StoreBinding {
  // The runner retries a batch whose commit failed; the engine already applied it and keeps
  // its changes pending, so the results at the head of the queue that were applied are
  // skipped on the retry (applying them twice would log their alerts twice).
  let applied = 0;
  const asOutput: OutputPlugin = {
    start: () => Promise.resolve(),
    stop: () => Promise.resolve(),
    async write(batch) {
      const fresh = applied === 0 ? batch : batch.slice(applied);
      applied = batch.length;
      await engine.write(fresh);
      applied = 0;
    },
  };
  const batching = { batch_size: settings.state_batch_size, flush_interval: settings.state_flush_interval, retry_max_delay: DEFAULT_RETRY_MAX_DELAY };
  const resume = () => bus.attach(STATE_ID, asOutput, batching, log);
  resume();
  return {
    async attach(_id, store) {
      // Results queue up while the store loads; the engine applies them on top of what it loaded.
      await bus.detach(STATE_ID);
      await engine.attachStore(store);
      resume();
    },
    async detach(_id, removed) {
      await bus.detach(STATE_ID);
      await engine.detachStore(removed);
      // A store that restarts finds the results queued for it; without a store the engine runs on in memory.
      if (removed) resume();
    },
  };
}
