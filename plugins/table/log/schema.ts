import type { ConfigOf, ConfigSchema } from "../../../core/plugin/api";
import { configToken } from "../../../core/tokens";

export const logSchema = {
  max_rows: {
    doc: "Most log lines one query reads from the store (oldest first), to bound memory; a query whose time range holds more gets the oldest max_rows of them.",
    format: "integer",
    default: 100_000,
    min: 1,
  },
} as const satisfies ConfigSchema;

/** The options as the plugin receives them (durations in milliseconds, sizes in bytes). */
export type LogConfig = ConfigOf<typeof logSchema>;
/** What the plugin's class injects its options with. */
export const LOG_CONFIG = configToken(logSchema);
