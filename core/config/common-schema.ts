import type { ConfigOf, ConfigSchema } from "../plugin/api";
import type { PluginKind } from "../plugin/api";
import { DATA_ACCESS } from "../daemon/data-access";
import { LOG_FORMAT_SETTINGS } from "../log/pretty";

/** Keys every instance file may set; the core consumes them, the plugin never sees them. */
const INSTANCE_SCHEMA = {
  plugin: { doc: "The plugin this instance runs (default: the file's name without .conf).", format: "string", default: "" },
  enabled: { doc: "false keeps the instance off without deleting its file.", format: "bool", default: true },
  // null (not set) inherits the daemon's level.
  log_level: { doc: "Log level of this instance (default: the daemon's).", format: "log-level", default: null, nullable: true },
} as const satisfies ConfigSchema;

/** Longest wait between two tries of a failed write, for outputs (the state engine's is shorter: state-wiring.ts). */
export const DEFAULT_RETRY_MAX_DELAY = 30_000;

/** Batching and retry of an output, applied by the core's output runner. */
const OUTPUT_SCHEMA = {
  batch_size: { doc: "Most results handed to the output in one write.", format: "integer", default: 1000, min: 1 },
  flush_interval: { doc: "Longest wait before a partial batch is written.", format: "duration", default: 1000 },
  retry_max_delay: {
    doc: "Longest wait between two tries of a failed write (the wait doubles from 100ms).",
    format: "duration",
    default: DEFAULT_RETRY_MAX_DELAY,
  },
} as const satisfies ConfigSchema;

export type InstanceSettings = ConfigOf<typeof INSTANCE_SCHEMA>;

export type OutputSettings = ConfigOf<typeof OUTPUT_SCHEMA>;

export const RESERVED_KEYS: ReadonlySet<string> = new Set([...Object.keys(INSTANCE_SCHEMA), ...Object.keys(OUTPUT_SCHEMA)]);

export function commonSchemaFor(kind: PluginKind): ConfigSchema {
  return kind === "output" ? { ...INSTANCE_SCHEMA, ...OUTPUT_SCHEMA } : INSTANCE_SCHEMA;
}

/** The daemon's own settings: `tantale.conf` in the conf dir (the one file that is no plugin instance). */
export const DAEMON_SCHEMA = {
  log_level: { doc: "Log level: trace, debug, info, warn, error, fatal or silent.", format: "log-level", default: "info" },
  log_format: {
    doc: "Log lines: json (one JSON object a line), pretty (readable, for a person), or auto: pretty when the log goes to a terminal (--foreground, no --log-file), json otherwise.",
    format: LOG_FORMAT_SETTINGS,
    default: "auto",
  },
  queue_size: { doc: "Results queued per output before inputs are paused (they resume at 80%).", format: "integer", default: 100_000, min: 1 },
  shutdown_timeout: { doc: "Longest graceful stop: inputs close, queued results are written, outputs close.", format: "duration", default: 30_000 },
  start_timeout: { doc: "Longest start of one plugin instance.", format: "duration", default: 30_000, min: 1000 },
  freshness_factor: {
    doc: "A check is outdated (OK becomes CRITICAL, output prefixed OUTDATED -) after this many intervals without a result.",
    format: "number",
    default: 2,
    min: 1,
  },
  freshness_check_interval: {
    doc: "How often the timers run: freshness deadlines, downtimes starting and ending, acknowledgements expiring.",
    format: "duration",
    default: 1000,
    min: 100,
  },
  state_batch_size: { doc: "Most results the state engine applies and commits to the store at once.", format: "integer", default: 20_000, min: 1 },
  state_flush_interval: {
    doc: "Longest wait before results are applied and committed (the delay before a query sees them). 0: at once, whatever is queued, as soon as the engine can take a batch (it applies one while the store commits the one before), so batches grow only under load.",
    format: "duration",
    default: 0,
  },
  summary_interval: {
    doc: "How often one info line sums up the last interval: results per second accepted and rejected, queue depths, store commit latency, Livestatus requests per second, connections (0: never).",
    format: "duration",
    default: 60_000,
  },
  data_access: {
    doc: "Who may read the data dir, the store, the pid file and the daemon log: private (dir 0700, files 0600) or group (0750 and 0640: the data dir's group may read). Applied at start, to existing files too.",
    format: DATA_ACCESS,
    default: "private",
  },
  plugin_dir: {
    doc: "A folder whose node_modules holds npm plugins (npm install --prefix DIR tantale-plugin-x); relative to the conf dir (plugin_dir = ../plugins.d is a folder beside it).",
    format: "string",
    default: "",
  },
} as const satisfies ConfigSchema;

export type DaemonSettings = ConfigOf<typeof DAEMON_SCHEMA>;

/** The reserved file name of the daemon settings in the conf dir. */
export const DAEMON_CONF_ID = "tantale";
