import type { ConfigOf, ConfigSchema } from "../../../core/plugin/api";
import { normalizeResult } from "../../../core/model/normalize-result";
import { configToken } from "../../../core/tokens";

/** The results go through the one validator of every input: a name it would refuse is refused in the conf file. */
function refusedName(field: "hostname" | "check", name: string): string | undefined {
  const outcome = normalizeResult({ hostname: "probe", check: "probe", status: 0, [field]: name }, Date.now());
  return outcome.ok ? undefined : outcome.reason.replace(`${field} `, "");
}

export const internalSchema = {
  interval: { doc: "How often Tantale reports on itself.", format: "duration", default: 60_000, min: 1000 },
  hostname: {
    doc: "Host the results are filed under (default: this machine's host name).",
    format: "string",
    default: "",
    validate: (name) => (name === "" ? undefined : refusedName("hostname", name)),
  },
  check: { doc: "Service description of the results.", format: "string", default: "tantale", validate: (name) => refusedName("check", name) },
  host_result: {
    doc: "Also file the host's own check, UP, every interval, so that the host is not pending; false when another source sends it (the ok input, a ping).",
    format: "bool",
    default: true,
  },
} as const satisfies ConfigSchema;

/** The options as the plugin receives them (durations in milliseconds, sizes in bytes). */
export type InternalConfig = ConfigOf<typeof internalSchema>;
/** What the plugin's class injects its options with. */
export const INTERNAL_CONFIG = configToken(internalSchema);
