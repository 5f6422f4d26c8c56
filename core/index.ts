/**
 * Tantale's public API, for third-party plugins: `import { definePlugin, SINK } from "tantale"`.
 * Plugins must share this module and tsyringe with the running Tantale (peerDependencies).
 */
import "reflect-metadata";

export { definePlugin } from "./plugin/define";
export {
  PLUGIN_API_VERSION,
  PLUGIN_KINDS,
  type ConfigOf,
  type ConfigSchema,
  type Endpoint,
  type EndpointRole,
  type OptionCheck,
  type InputPlugin,
  type Lifecycle,
  type ListenerPlugin,
  type OptionSchema,
  type SectionsSchema,
  isSectionsNode,
  type OutputPlugin,
  type PluginDefinition,
  type PluginKind,
  type Sink,
  type StorePlugin,
  type TablePlugin,
} from "./plugin/api";
export * from "./tokens";
export type { CheckResult } from "./model/check-result";
export { HOST_CHECK } from "./model/check-result";
// The one validator of every input, and the Nagios command-line parser: third-party inputs use them too.
export { normalizeResult, type Normalized } from "./model/normalize-result";
export { parseExternalCommand, checkResultFromCommand, type ExternalCommand } from "./model/external-command";
export { splitPluginOutput, unescapeNagios } from "./model/plugin-output";
// Reading lines from a FIFO without blocking the loop (the nagios and diamond inputs use it too).
export { FifoReader, FifoPathError, type FifoLineHandler, type FifoReaderOptions, type FifoReaderDeps } from "./input/fifo-reader";
export type { CheckState, Acknowledgement } from "./state/check-state";
export type { StateEngine, Applied } from "./state/state-engine";
export type { Downtime } from "./state/downtime";
export type { Comment } from "./state/comment";
export type { BackupReport, LoadSink, StateScan, StateStore, StoredState } from "./store/state-store";
export type { LogCondition, LogNumberField, LogNumberOp, LogPage, LogQuery, LogTextField } from "./store/log-query";
export { ALL_LOG_ENTRIES, compareLogEntries, logCursorOf, logEntryMatches, logPageOf, NO_LOG_ENTRIES, parseLogCursor } from "./store/log-query";
export type { ChangePart, CommitReport, FailedChange } from "./store/commit-report";
export { COMPLETE_COMMIT } from "./store/commit-report";
export { EMPTY_STORED_STATE } from "./store/state-store";
export type { ChangeSet, RecordChanges, LastIds } from "./state/change-set";
// External commands for any input that takes them (a command FIFO): inject COMMANDS and call execute().
export type { CommandExecutor, CommandOutcome, CommandContext } from "./commands/command-executor";
export type { LogEntry, LogEntryFields } from "./state/log-entry";
export { logEntry, logEntryId } from "./state/log-entry";
export type { Clock } from "./clock";
export type { Logger, LogFields, LogLevel, LogMethod, LogArgs } from "./log/logger";
export { logCall } from "./log/logger";
export type { InstanceStats } from "./metrics/self-stats";
export type { DaemonSettings } from "./config/common-schema";
export type { FormatName } from "./config/formats";
export { TantaleError, RetryableError } from "./errors";
export { injectable, inject } from "tsyringe";
// Query tables: defineTable(), the table and column types, the column builders, the read-only StateView.
export * from "./table-api";
