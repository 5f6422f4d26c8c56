import crypto from "node:crypto";

/**
 * One line of the monitoring log (the Livestatus `log` table): state changes, freshness,
 * and later the commands. `message` is the whole Nagios-style line, e.g.
 * `[1764100000] SERVICE ALERT: web1;disk;CRITICAL;HARD;1;DISK CRITICAL`.
 */
export interface LogEntry {
  /**
   * Deterministic: derived from the entry's content (logEntryId), so an entry written again
   * (a retried commit, a spool replay, two Tantales logging one event) has the same id and a
   * store keeps it once. Also the tie-break of entries with the same time.
   */
  readonly id: string;
  /** Seconds since the epoch. */
  readonly time: number;
  /** Livestatus log class: 0 info, 1 alert, 2 program, 3 notification, 4 passive check, 5 command, 6 state. */
  readonly class: number;
  /** e.g. "HOST ALERT", "SERVICE ALERT". */
  readonly type: string;
  readonly hostname: string;
  /** Service description; "" for host entries. */
  readonly check: string;
  readonly state: number;
  /** "HARD" for every passive result. */
  readonly stateType: string;
  readonly attempt: number;
  readonly output: string;
  readonly message: string;
}

export const LOG_CLASS = { info: 0, alert: 1, program: 2, notification: 3, passive: 4, command: 5, state: 6 } as const;

export const SERVICE_STATE_NAMES = ["OK", "WARNING", "CRITICAL", "UNKNOWN"] as const;
export const HOST_STATE_NAMES = ["UP", "DOWN", "UNREACHABLE"] as const;

/** The content of an entry, without its id. */
export type LogEntryFields = Omit<LogEntry, "id">;

/**
 * The id of an entry: a SHA-1 of what makes it one event (time, class, type, object, state,
 * message), base64url (27 characters). Output and state type are part of the message.
 */
export function logEntryId(e: LogEntryFields): string {
  return sha1(`${e.time}\u0000${e.class}\u0000${e.type}\u0000${e.hostname}\u0000${e.check}\u0000${e.state}\u0000${e.message}`);
}

/** crypto.hash (Node ≥ 20.12) is one call, no Hash object: 2–3× cheaper per log line; createHash on older Node. */
const sha1: (text: string) => string =
  typeof crypto.hash === "function" ? (text) => crypto.hash("sha1", text, "base64url") : (text) => crypto.createHash("sha1").update(text).digest("base64url");

/** A frozen entry with its id. */
export function logEntry(fields: LogEntryFields): LogEntry {
  return Object.freeze({ id: logEntryId(fields), ...fields });
}
