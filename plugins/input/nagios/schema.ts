import { commandEntryProblem } from "../../../core/commands/command-allow-list";
import type { ConfigOf, ConfigSchema } from "../../../core/plugin/api";
import { configToken } from "../../../core/tokens";

/** `0660`, `660` or `0o660`: permission bits in octal. */
const MODE = /^(?:0o?)?([0-7]{3,4})$/;

/** The mode text as permission bits (the schema checked it). */
export function parseMode(text: string): number {
  const m = MODE.exec(text.trim());
  if (m === null) throw new Error(`mode: expected octal permissions such as 0660, got ${JSON.stringify(text)}`);
  return parseInt(m[1]!, 8);
}

export const nagiosSchema = {
  path: {
    doc: "The FIFO (Nagios command file) to read, relative to the data dir; created with mode when missing. Writers elsewhere link to it (a symbolic link at this path is refused).",
    format: "data-path",
    default: "nagios.cmd",
    validate: (p) => (p === "" ? "must name the FIFO to read (e.g. nagios.cmd)" : undefined),
  },
  mode: {
    doc: "Permissions of the FIFO when Tantale creates it, in octal (whoever may write it may send the commands allowed below).",
    format: "string",
    default: "0660",
    validate: (m) =>
      MODE.test(m.trim()) && parseInt(MODE.exec(m.trim())![1]!, 8) <= 0o7777 ? undefined : `must be octal permissions such as 0660, got ${JSON.stringify(m)}`,
  },
  commands: {
    doc: "The external commands taken from the FIFO: names, * wildcards (PROCESS_*) and groups (results, gui, acknowledgements, downtimes, comments, rechecks, removals); others are logged once and ignored (empty: none).",
    format: "list",
    default: ["results", "gui"],
    validate: (entries) => entries.map(commandEntryProblem).find((p) => p !== undefined),
  },
  max_line_bytes: { doc: "Longest line; a longer one is discarded up to its newline (Nagios' own limit is 8192).", format: "size", default: 65_536, min: 1 },
  partial_line_timeout: {
    doc: "A line left unfinished this long (its writer died mid-line) is dropped when the next bytes come, instead of being glued onto the next writer's line as Nagios does (0: glue, as Nagios).",
    format: "duration",
    default: 2000,
  },
} as const satisfies ConfigSchema;

/** The options as the plugin receives them (durations in milliseconds, sizes in bytes). */
export type NagiosConfig = ConfigOf<typeof nagiosSchema>;
/** What the plugin's class injects its options with. */
export const NAGIOS_CONFIG = configToken(nagiosSchema);
