import type { ConfigOf, ConfigSchema } from "../../../core/plugin/api";
import { configToken } from "../../../core/tokens";

export const internalSchema = {
  interval: { doc: "How often Tantale reports on itself.", format: "duration", default: 60_000 },
  hostname: { doc: "Host the results are filed under (default: this machine's host name).", format: "string", default: "" },
  check: { doc: "Service description of the results.", format: "string", default: "tantale" },
} as const satisfies ConfigSchema;

/** The options as the plugin receives them (durations in milliseconds, sizes in bytes). */
export type InternalConfig = ConfigOf<typeof internalSchema>;
/** What the plugin's class injects its options with. */
export const INTERNAL_CONFIG = configToken(internalSchema);
