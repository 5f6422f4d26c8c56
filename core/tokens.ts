import type { InjectionToken } from "tsyringe";
import type { Clock } from "./clock";
import type { CommandExecutor } from "./commands/command-executor";
import type { DaemonSettings } from "./config/common-schema";
import type { Logger } from "./log/logger";
import type { InstanceStats, SelfStats } from "./metrics/self-stats";
import type { LoopTurns } from "./net/loop-turns";
import type { ConfigOf, ConfigSchema, Sink } from "./plugin/api";
import type { StateEngine } from "./state/state-engine";
import type { StateView } from "./state/state-view";
import type { TableRegistry } from "./livestatus/query/table-registry";

/**
 * Every injection token. Symbols come from the global registry (`Symbol.for`) so that a
 * plugin that resolved another copy of this module still names the same tokens.
 */
function token<T>(name: string): InjectionToken<T> {
  return Symbol.for(`tantale.${name}`);
}

// Root container: core services, one per daemon.
export const CLOCK = token<Clock>("clock");
export const DAEMON_SETTINGS = token<DaemonSettings>("daemon-settings");
/** Absolute path of the data dir (created at start). */
export const DATA_DIR = token<string>("data-dir");
export const SELF_STATS = token<SelfStats>("self-stats");
/** The current state of every host and service, and the log through the store. */
export const STATE_ENGINE = token<StateEngine>("state-engine");
/** The same state, read-only: what query tables read (the engine behind STATE_ENGINE). */
export const STATE_VIEW = token<StateView>("state-view");
/** The Livestatus tables: table plugins add theirs, the listener serves them. */
export const TABLES = token<TableRegistry>("tables");
/** Where inputs put accepted results. */
export const SINK = token<Sink>("sink");
/** Carries out external commands (Livestatus COMMAND, the Nagios command FIFO). */
export const COMMANDS = token<CommandExecutor>("commands");
/** Turns of the event loop shared by listeners and inputs: much ready work must not hold up accepts (loop-turns.ts). */
export const LOOP_TURNS = token<LoopTurns>("loop-turns");

// Child container: one per plugin instance.
/**
 * The instance's validated, frozen options (the plugin's own keys only). Untyped: a plugin
 * injects the token `configToken(schema)` gives, which is this one typed by its schema.
 */
export const PLUGIN_CONFIG = token<unknown>("plugin-config");

/**
 * PLUGIN_CONFIG typed by a plugin's schema: `export const LINE_CONFIG = configToken(lineSchema)`
 * beside the schema, then `@inject(LINE_CONFIG) config: ConfigOf<typeof lineSchema>` in the class.
 * One token for every plugin (each instance has its own container); the schema only gives the type.
 */
export function configToken<S extends ConfigSchema>(_schema: S): InjectionToken<ConfigOf<S>> {
  return token<ConfigOf<S>>("plugin-config");
}
/** The instance id: its conf file's name without `.conf`. */
export const INSTANCE_ID = token<string>("instance-id");
/** A logger bound to `{ plugin, instance }` (the root logger in the root container). */
export const LOGGER = token<Logger>("logger");
/** The instance's own counters, shown by the self-monitoring. */
export const INSTANCE_STATS = token<InstanceStats>("instance-stats");
