import { HOST_CHECK } from "../model/check-result";
import type { CheckState } from "./check-state";
import { HOST_STATE_NAMES, LOG_CLASS, SERVICE_STATE_NAMES, type LogEntry, logEntry } from "./log-entry";

export function stateName(check: string, state: number): string {
  const names: readonly string[] = check === HOST_CHECK ? HOST_STATE_NAMES : SERVICE_STATE_NAMES;
  return names[state] ?? "UNKNOWN";
}

/** The HOST ALERT / SERVICE ALERT log entry of a state, worded as Nagios writes it. */
export function alertEntry(s: CheckState, time: number): LogEntry {
  const isHost = s.check === HOST_CHECK;
  const type = isHost ? "HOST ALERT" : "SERVICE ALERT";
  const object = isHost ? s.hostname : `${s.hostname};${s.check}`;
  const seconds = Math.floor(time);
  return logEntry({
    time,
    class: LOG_CLASS.alert,
    type,
    hostname: s.hostname,
    check: isHost ? "" : s.check,
    state: s.state,
    stateType: "HARD",
    attempt: 1,
    output: s.output,
    message: `[${seconds}] ${type}: ${object};${stateName(s.check, s.state)};HARD;1;${s.output}`,
  });
}

/** How a downtime's life is logged (Nagios' wording, `HOST DOWNTIME ALERT: web1;STARTED; ...`). */
export type DowntimeEvent = "STARTED" | "STOPPED" | "CANCELLED";

const DOWNTIME_TEXT: Readonly<Record<DowntimeEvent, (object: string) => string>> = {
  STARTED: (o) => `${o} has entered a period of scheduled downtime`,
  STOPPED: (o) => `${o} has exited from a period of scheduled downtime`,
  CANCELLED: (o) => `Scheduled downtime for ${o.toLowerCase()} has been cancelled.`,
};

/** A HOST DOWNTIME ALERT / SERVICE DOWNTIME ALERT entry (log class 1, state_type the event). */
export function downtimeEntry(hostname: string, check: string, event: DowntimeEvent, time: number): LogEntry {
  const isHost = check === HOST_CHECK;
  const type = isHost ? "HOST DOWNTIME ALERT" : "SERVICE DOWNTIME ALERT";
  const object = isHost ? hostname : `${hostname};${check}`;
  const text = DOWNTIME_TEXT[event](isHost ? "Host" : "Service");
  return logEntry({
    time,
    class: LOG_CLASS.alert,
    type,
    hostname,
    check: isHost ? "" : check,
    state: 0,
    stateType: event,
    attempt: 0,
    output: text,
    message: `[${Math.floor(time)}] ${type}: ${object};${event}; ${text}`,
  });
}

/**
 * An `EXTERNAL COMMAND: NAME;args` entry (log class 5), as Nagios logs every command it
 * accepts. `hostname`/`check` name the command's object when it has one, so that the log
 * of a host shows what was done to it (and AuthUser filters it as the host's).
 */
export function commandEntry(name: string, rawArgs: string | undefined, hostname: string, check: string, time: number): LogEntry {
  const text = rawArgs === undefined ? name : `${name};${rawArgs}`;
  return logEntry({
    time,
    class: LOG_CLASS.command,
    type: "EXTERNAL COMMAND",
    hostname,
    check: check === HOST_CHECK ? "" : check,
    state: 0,
    stateType: "",
    attempt: 0,
    output: text,
    message: `[${Math.floor(time)}] EXTERNAL COMMAND: ${text}`,
  });
}
