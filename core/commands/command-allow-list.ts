/**
 * Which external commands a socket accepts (the Livestatus listener's `commands` option):
 * command names, `*` wildcards (`PROCESS_*`, `*_DOWNTIME`), and groups in lower case. The
 * default an operator expects from a GUI socket is `gui`: everything Thruk, Multisite,
 * NagVis and Nagstamon send, but not `results`, which would let anyone who can connect
 * forge check results with no token; results come through the line input, which has one.
 */
import { KNOWN_COMMANDS } from "./parse-command";

/** Groups by the patterns of their names, so that a new command of a family falls into it. */
const GROUPS: Readonly<Record<string, readonly string[]>> = {
  acknowledgements: ["ACKNOWLEDGE_*", "REMOVE_*_ACKNOWLEDGEMENT"],
  downtimes: ["SCHEDULE_*_DOWNTIME", "DEL_*_DOWNTIME"],
  comments: ["ADD_*_COMMENT", "DEL_*_COMMENT"],
  rechecks: ["SCHEDULE_*_CHECK"],
  removals: ["DEL_HOST", "DEL_SVC"],
  results: ["PROCESS_*_CHECK_RESULT"],
};

/** Every group with the commands it stands for; `gui` is all of them but `results`. */
export const COMMAND_GROUPS: Readonly<Record<string, readonly string[]>> = (() => {
  const groups: Record<string, readonly string[]> = {};
  for (const [name, patterns] of Object.entries(GROUPS)) groups[name] = KNOWN_COMMANDS.filter((c) => patterns.some((p) => matches(p, c)));
  groups.gui = KNOWN_COMMANDS.filter((c) => !groups.results!.includes(c));
  return Object.freeze(groups);
})();

export const DEFAULT_COMMANDS: readonly string[] = Object.freeze(["gui"]);

/**
 * The set of command names the entries allow; an empty list allows none. The entries are
 * those the schema accepted (commandEntryProblem); one that names nothing throws.
 */
export function commandAllowList(entries: readonly string[]): ReadonlySet<string> {
  const allowed = new Set<string>();
  for (const entry of entries) {
    const problem = commandEntryProblem(entry);
    if (problem !== undefined) throw new Error(`commands: ${problem}`);
    for (const n of commandsOf(entry)) allowed.add(n);
  }
  return allowed;
}

/** Why an entry of the `commands` option names no command (a typo would otherwise refuse commands in silence); undefined when it names some. */
export function commandEntryProblem(entry: string): string | undefined {
  if (commandsOf(entry).length > 0) return undefined;
  return `"${entry}" is no group (${Object.keys(COMMAND_GROUPS).join(", ")}) and matches no command Tantale knows (${KNOWN_COMMANDS.join(", ")})`;
}

function commandsOf(entry: string): readonly string[] {
  return COMMAND_GROUPS[entry] ?? KNOWN_COMMANDS.filter((c) => matches(entry.toUpperCase(), c));
}

/** A name against a pattern whose `*` stands for any run of characters. */
function matches(pattern: string, name: string): boolean {
  if (!pattern.includes("*")) return pattern === name;
  const parts = pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${parts.join(".*")}$`).test(name);
}
