/**
 * One line of the monitoring log (the Livestatus `log` table): state changes, freshness,
 * and later the commands. `message` is the whole Nagios-style line, e.g.
 * `[1764100000] SERVICE ALERT: web1;disk;CRITICAL;HARD;1;DISK CRITICAL`.
 */
export interface LogEntry {
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
