import type { DaemonSettings } from "../config/common-schema";
import type { Logger } from "../log/logger";
import type { ResultBus } from "../pipeline/result-bus";
import type { OutputPlugin } from "../plugin/api";
import type { StoreBinding } from "../plugin/host";
import type { StateEngine } from "../state/state-engine";

/**
 * Longest wait between two tries of a failed commit. Shorter than an output's: the store is
 * what SYNC and queries wait for, and once space returns on a full disk it should be used
 * within seconds; a try costs one batch applied and rolled back.
 */
export const STATE_RETRY_MAX_DELAY = 5_000;

/**
 * Batches in flight at once between the bus and the engine: one being applied while the store
 * commits the one before (in its writer thread, for SQLite), so that both cores work.
 */
export const STATE_PIPELINE = 8;

/** The state engine's id on the bus and in the self-stats: not a valid instance id, so it never meets a plugin's. */
export const STATE_ID = "(state)";

/**
 * Puts the state engine on the bus like an output (its own bounded queue, batches, retries:
 * a batch leaves the queue once the store committed it) and returns how store instances
 * plug into it. Without a store the engine keeps the state in memory only.
 */
export function connectStateEngine(engine: StateEngine, bus: ResultBus, settings: DaemonSettings, log: Logger): StoreBinding {
  // The runner retries a batch whose commit failed: the engine rolled it back, so it is applied again whole.
  const asOutput: OutputPlugin = {
    start: () => Promise.resolve(),
    stop: () => Promise.resolve(),
    write: (batch) => engine.write(batch),
  };
  const batching = { batch_size: settings.state_batch_size, flush_interval: settings.state_flush_interval, retry_max_delay: STATE_RETRY_MAX_DELAY };
  bus.describe(STATE_ID, "the store");
  const resume = () => bus.attach(STATE_ID, asOutput, batching, log, STATE_PIPELINE);
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
