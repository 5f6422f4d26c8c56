import type { ConfigOf, ConfigSchema } from "../../../core/plugin/api";
import { configToken } from "../../../core/tokens";
import { splitCommand } from "./split-command";

/** One check: a section `[check <name>]` of the instance's conf file. */
const checkSchema = {
  command: {
    doc: "The plugin to run and its arguments, split like a shell's simple command (quotes, backslashes) but run without a shell: use sh -c '...' for pipes or variables. Required.",
    format: "string",
    default: "",
    validate: (c) => {
      if (c.trim() === "") return "is required: the plugin to run (e.g. /usr/lib/nagios/plugins/check_disk -w 10% -c 5% -p /)";
      const split = splitCommand(c);
      return split.ok ? undefined : `cannot be split into words: ${split.reason}`;
    },
  },
  name: { doc: "The check's name (service description) in Tantale; empty: the section's name.", format: "string", default: "" },
  hostname: { doc: "The host the result is for; empty: the instance's hostname.", format: "string", default: "" },
  interval: {
    doc: "Time between two runs; 0: the instance's interval.",
    format: "duration",
    default: 0,
    validate: (v) => (v !== 0 && v < 1000 ? "must be 0 (the instance's interval) or at least 1s" : undefined),
  },
  timeout: {
    doc: "Longest run; 0: the instance's timeout.",
    format: "duration",
    default: 0,
    validate: (v) => (v !== 0 && v < 100 ? "must be 0 (the instance's timeout) or at least 100ms" : undefined),
  },
  contacts: { doc: "Contacts of the check; unset: the instance's contacts.", format: "list", default: null, nullable: true },
} as const satisfies ConfigSchema;

export const commandSchema = {
  hostname: { doc: "The host the results are for (each check may set its own); empty: this machine's host name.", format: "string", default: "" },
  interval: {
    doc: "Time between two runs of a check (each check may set its own); also the results' freshness interval.",
    format: "duration",
    default: 60_000,
    min: 1000,
  },
  timeout: {
    doc: "Longest run of a plugin: then it is killed with its process group and the result is UNKNOWN (each check may set its own).",
    format: "duration",
    default: 30_000,
    min: 100,
  },
  concurrency: {
    doc: "Most plugins running at once; a check due while its previous run is still going or waiting is skipped (logged).",
    format: "integer",
    default: 4,
    min: 1,
  },
  contacts: { doc: "Contacts of the checks (each check may set its own).", format: "list", default: [] },
  check: {
    doc: "The checks, one section each: [check <name>] then its options.",
    sections: checkSchema,
  },
} as const satisfies ConfigSchema;

/** The options as the plugin receives them (durations in milliseconds). */
export type CommandConfig = ConfigOf<typeof commandSchema>;
export type CheckConfig = CommandConfig["check"][string];
/** What the plugin's class injects its options with. */
export const COMMAND_CONFIG = configToken(commandSchema);
