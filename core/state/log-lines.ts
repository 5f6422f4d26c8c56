import { HOST_CHECK } from "../model/check-result";
import type { CheckState } from "./check-state";
import { HOST_STATE_NAMES, LOG_CLASS, SERVICE_STATE_NAMES, type LogEntry } from "./log-entry";

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
  return Object.freeze({
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
