import type { ConfigOf, ConfigSchema } from "../../../core/plugin/api";
import { configToken } from "../../../core/tokens";

export const okSchema = {
  hostname: { doc: "The host that says it is alive; empty: this machine's host name.", format: "string", default: "" },
  interval: {
    doc: "Time between two heartbeats; also the result's freshness interval (missed beats make the host OUTDATED).",
    format: "duration",
    default: 60_000,
    min: 1000,
  },
  output: { doc: "The heartbeat's output.", format: "string", default: "Ok check" },
  contacts: { doc: "Contacts of the host check.", format: "list", default: [] },
} as const satisfies ConfigSchema;

/** The options as the plugin receives them (durations in milliseconds). */
export type OkConfig = ConfigOf<typeof okSchema>;
/** What the plugin's class injects its options with. */
export const OK_CONFIG = configToken(okSchema);
