import type { CheckState } from "../../../core/state/check-state";
import type { LogEntry } from "../../../core/state/log-entry";
import type { CheckRow, LogRow } from "./tables";

/** Parameters of UPSERT_CHECK for one state (booleans and objects have no SQLite type). */
export function checkParams(s: CheckState): unknown[] {
  const a = s.acknowledgement;
  return [
    s.hostname, s.check, s.state, s.lastState, s.output, s.longOutput, s.perfData, s.lastCheck, s.lastStateChange,
    s.lastHardStateChange, s.interval, jsonList(s.contacts), jsonList(s.hostgroups), jsonList(s.servicegroups),
    JSON.stringify(s.customVariables), s.outdated ? 1 : 0,
    a === null ? null : a.type, a === null ? null : a.author, a === null ? null : a.comment,
    a === null ? null : a.time, a === null ? null : a.expireTime, s.downtimeDepth,
  ];
}

/** Most lists are empty: skip the serializer for them. */
function jsonList(list: readonly string[]): string {
  return list.length === 0 ? "[]" : JSON.stringify(list);
}

export function logParams(e: LogEntry): unknown[] {
  return [e.time, e.class, e.type, e.hostname, e.check, e.state, e.stateType, e.attempt, e.output, e.message];
}

/** A stored row back as the state it was written from; a malformed JSON column throws, naming it. */
export function rowToCheckState(r: CheckRow): CheckState {
  let acknowledgement: CheckState["acknowledgement"] = null;
  if (r.ack_type !== null) {
    if ((r.ack_type !== 1 && r.ack_type !== 2) || r.ack_author === null || r.ack_comment === null || r.ack_time === null || r.ack_expire_time === null) {
      throw new Error(`${where(r, "ack_*")}: incomplete acknowledgement`);
    }
    acknowledgement = { type: r.ack_type, author: r.ack_author, comment: r.ack_comment, time: r.ack_time, expireTime: r.ack_expire_time };
  }
  return {
    hostname: r.hostname,
    check: r.check,
    state: r.state,
    lastState: r.last_state,
    output: r.output,
    longOutput: r.long_output,
    perfData: r.perf_data,
    lastCheck: r.last_check,
    lastStateChange: r.last_state_change,
    lastHardStateChange: r.last_hard_state_change,
    interval: r.interval,
    contacts: stringList(r, "contacts"),
    hostgroups: stringList(r, "hostgroups"),
    servicegroups: stringList(r, "servicegroups"),
    customVariables: stringRecord(r, "custom_variables"),
    outdated: r.outdated !== 0,
    acknowledgement,
    downtimeDepth: r.downtime_depth,
  };
}

export function rowToLogEntry(r: LogRow): LogEntry {
  return {
    time: r.time,
    class: r.class,
    type: r.type,
    hostname: r.hostname,
    check: r.check,
    state: r.state,
    stateType: r.state_type,
    attempt: r.attempt,
    output: r.output,
    message: r.message,
  };
}

/** Where a bad value is, for the error (only built when there is one). */
function where(r: CheckRow, column: string): string {
  return `checks row (${JSON.stringify(r.hostname)}, ${JSON.stringify(r.check)}) column ${column}`;
}

function parseJson(r: CheckRow, column: "contacts" | "hostgroups" | "servicegroups" | "custom_variables"): unknown {
  try {
    return JSON.parse(r[column]) as unknown;
  } catch (err) {
    throw new Error(`${where(r, column)}: not JSON`, { cause: err });
  }
}

function stringList(r: CheckRow, column: "contacts" | "hostgroups" | "servicegroups"): string[] {
  if (r[column] === "[]") return [];
  const v = parseJson(r, column);
  if (!Array.isArray(v) || !v.every((s) => typeof s === "string")) throw new Error(`${where(r, column)}: not a JSON list of strings`);
  return v as string[];
}

function stringRecord(r: CheckRow, column: "custom_variables"): Record<string, string> {
  if (r[column] === "{}") return {};
  const v = parseJson(r, column);
  if (typeof v !== "object" || v === null || Array.isArray(v) || !Object.values(v).every((s) => typeof s === "string")) {
    throw new Error(`${where(r, column)}: not a JSON object of strings`);
  }
  return v as Record<string, string>;
}
