import type { DaemonSettings } from "../../core/config/common-schema";

/** Daemon settings for in-process tests: small queues and batches, short timeouts and flushes. */
export function testDaemonSettings(overrides: Partial<DaemonSettings> = {}): DaemonSettings {
  return {
    log_level: "info",
    log_format: "auto",
    queue_size: 1000,
    shutdown_timeout: 500,
    start_timeout: 500,
    plugin_dir: "",
    freshness_factor: 2,
    freshness_check_interval: 1000,
    state_batch_size: 100,
    state_flush_interval: 10,
    data_access: "private",
    summary_interval: 0,
    ...overrides,
  };
}
