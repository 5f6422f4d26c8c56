import type { ConfigOf, ConfigSchema } from "../../../core/plugin/api";
import { configToken } from "../../../core/tokens";
import { commandEntryProblem } from "../../../core/commands/command-allow-list";

export const livestatusSchema = {
  bind: { doc: "Address to listen on (0.0.0.0 or :: for every interface).", format: "host", default: "127.0.0.1" },
  port: { doc: "TCP port to listen on (Livestatus' usual port).", format: "port", default: 6557 },
  path: { doc: "A unix socket to listen on as well, relative to the data dir (empty: none).", format: "data-path", default: "" },
  mode: {
    doc: "Permissions of the unix socket, in octal.",
    format: "string",
    default: "0660",
    validate: (mode) => (/^[0-7]{3,4}$/.test(mode) ? undefined : `must be 3 or 4 octal digits such as 0660, got "${mode}"`),
  },
  max_request_bytes: { doc: "Largest request; a larger one is answered 413 and the connection closed.", format: "size", default: 1_048_576, min: 1 },
  idle_timeout: { doc: "A connection that sends and reads nothing for this long is closed without a word (0: never).", format: "duration", default: 300_000 },
  request_timeout: {
    doc: "A request begun and not ended (no empty line) after this long is answered 451 and the connection closed (0: never).",
    format: "duration",
    default: 10_000,
  },
  write_timeout: {
    doc: "A client that reads nothing of its answer for this long is disconnected, with a warning naming it (0: never).",
    format: "duration",
    default: 30_000,
  },
  answer_memory: {
    doc: "Answers rendered and not yet read, all clients together, beyond which large fixed16 answers wait their turn (small answers never wait).",
    format: "size",
    default: 67_108_864,
    min: 1,
  },
  max_connections: {
    doc: "Most clients connected at once, TCP and unix socket together; when full, the connection idle the longest (between requests) is closed to let a newcomer in, and only when every one is busy is the newcomer disconnected (0: no limit).",
    format: "integer",
    default: 500,
    min: 0,
  },
  max_connections_per_peer: {
    doc: "Most connections from one address (an IPv6 /64; the unix socket counts as one) at once; at the limit its own longest idle connection makes room, or the newcomer is disconnected (0: no limit).",
    format: "integer",
    default: 250,
    min: 0,
  },
  commands: {
    doc: "The COMMANDs this listener accepts: names, * wildcards (PROCESS_*) and groups (gui, acknowledgements, downtimes, comments, rechecks, removals, results); others are refused with 403 (empty: none).",
    format: "list",
    default: ["gui"],
    validate: (entries) => entries.map(commandEntryProblem).find((p) => p !== undefined),
  },
} as const satisfies ConfigSchema;

/** The options as the plugin receives them (durations in milliseconds, sizes in bytes). */
export type LivestatusConfig = ConfigOf<typeof livestatusSchema>;
/** What the plugin's class injects its options with. */
export const LIVESTATUS_CONFIG = configToken(livestatusSchema);
