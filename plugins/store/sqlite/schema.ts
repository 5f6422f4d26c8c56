import type { ConfigOf, ConfigSchema } from "../../../core/plugin/api";
import { configToken } from "../../../core/tokens";

export const SYNCHRONOUS_MODES = ["normal", "full"] as const;
export type SynchronousMode = (typeof SYNCHRONOUS_MODES)[number];

export const sqliteSchema = {
  path: {
    doc: "SQLite database file; relative to the data dir (its folders are created).",
    format: "data-path",
    default: "tantale.db",
    validate: (file) => (file === "" ? "must name the database file" : undefined),
  },
  log_retention_days: {
    doc: "Days of log kept: older log rows are deleted at start and then hourly; 0 keeps them forever.",
    format: "integer",
    default: 31,
    min: 0,
  },
  synchronous: {
    doc: "normal: a commit survives a crash of Tantale (kill -9), not a power loss; full: also a power loss or an OS crash, at the cost of a disk flush per commit.",
    format: SYNCHRONOUS_MODES,
    default: "normal",
  },
  busy_timeout: {
    doc: "Longest wait for a lock held by another process (a sqlite3 shell, a backup) before a commit fails.",
    format: "duration",
    default: 5000,
  },
} as const satisfies ConfigSchema;

/** The options as the plugin receives them (durations in milliseconds, sizes in bytes). */
export type SqliteConfig = ConfigOf<typeof sqliteSchema>;
/** What the plugin's class injects its options with. */
export const SQLITE_CONFIG = configToken(sqliteSchema);
