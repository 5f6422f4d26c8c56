import type { ConfigSchema } from "../../../core/plugin/api";

export const internalSchema = {
  interval: { doc: "How often Tantale reports on itself.", format: "duration", default: 60_000 },
  hostname: { doc: "Host the results are filed under (default: this machine's host name).", format: "string", default: "" },
  check: { doc: "Service description of the results.", format: "string", default: "tantale" },
} as const satisfies ConfigSchema;

export interface InternalConfig {
  readonly interval: number;
  readonly hostname: string;
  readonly check: string;
}
