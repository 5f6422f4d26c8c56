import { type CheckState, type ColumnSpec, constants, EMPTY_LIST, int, joined, list, type LogEntry, string, time } from "../../../core";
import { checkColumns } from "../common/check-columns";
import type { HostView } from "../common/host-view";

/**
 * One row of the log table: a line read from the store, its position in the answer, and
 * the current state of the host and service it names (undefined when they are gone).
 */
export interface LogRow {
  readonly entry: LogEntry;
  /** 1 for the oldest line the query read. */
  readonly lineno: number;
  readonly host: HostView | undefined;
  /** undefined on host lines, and when the service is gone. */
  readonly service: CheckState | undefined;
  /** Seconds since the epoch, the same for every row of one query. */
  readonly now: number;
}

/**
 * AuthUser on log (docs/livestatus.md §2.3: a line follows the object it names): a contact of
 * the service, or of the host (the hosts table's rule; Checkmk's loose default for a
 * service line), as they are now. A line of a host that is gone is shown to nobody.
 */
export function logVisibleTo(row: LogRow, user: string): boolean {
  if (row.service !== undefined && row.service.contacts.includes(user)) return true;
  return row.host !== undefined && row.host.visibleTo(user);
}

const TIMESTAMP = /^\[\d+\] /;

/**
 * What follows the type in the line: `web1;disk;CRITICAL;HARD;1;DISK CRITICAL` in
 * `[1764100000] SERVICE ALERT: web1;disk;CRITICAL;HARD;1;DISK CRITICAL`. A line without
 * `TYPE: ` has none (Checkmk: the whole text is its type).
 */
export function logOptions(message: string, type: string): string {
  const text = message.replace(TIMESTAMP, "");
  if (type !== "" && text.startsWith(`${type}: `)) return text.slice(type.length + 2);
  const colon = text.indexOf(": ");
  return colon < 0 ? "" : text.slice(colon + 2);
}

/** The columns of the current state joined for the line's host and service: the ones GUIs show beside an event. */
const CURRENT_STATE_COLUMNS = new Set([
  "state",
  "has_been_checked",
  "plugin_output",
  "last_check",
  "last_state_change",
  "acknowledged",
  "scheduled_downtime_depth",
]);

/** `current_host_state`, ...: the shared check columns, read as pending (0, empty) when the object is gone. */
function currentState(prefix: string, check: (row: LogRow) => CheckState | undefined, object: string): ColumnSpec<LogRow>[] {
  // The downtime and comment lists are not among the columns kept: no records to read.
  const columns = checkColumns<LogRow>({ check, now: (r) => r.now, downtimes: () => [], comments: () => [] }, []).filter((c) =>
    CURRENT_STATE_COLUMNS.has(c.name),
  );
  return joined<LogRow, LogRow>(
    prefix,
    columns,
    (r) => r,
    (d) => `The line's ${object} now: ${d.charAt(0).toLowerCase()}${d.slice(1)}`,
  );
}

/** The log table's columns (docs/livestatus.md §4.6, Checkmk's TableLog). */
export function logColumns(): ColumnSpec<LogRow>[] {
  return [
    time("time", "Time of the line (epoch seconds)", (r) => r.entry.time),
    int("lineno", "Position of the line among those the query read from the store, oldest first, from 1 (Tantale keeps no log files)", (r) => r.lineno),
    int(
      "class",
      "Class: 0 info, 1 alert, 2 program, 3 notification, 4 passive check, 5 external command, 6 initial or current state, 8 alert handler",
      (r) => r.entry.class,
    ),
    string("type", "Type of the line: HOST ALERT, SERVICE ALERT, ...", (r) => r.entry.type),
    int("state", "State the line reports (hosts: 0 UP, 1 DOWN, 2 UNREACHABLE; services: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)", (r) => r.entry.state),
    string("state_type", "HARD or SOFT: HARD for every passive result", (r) => r.entry.stateType),
    int("attempt", "Check attempt: 1 for every passive result", (r) => r.entry.attempt),
    string("host_name", "Host the line is about", (r) => r.entry.hostname),
    string("service_description", "Service the line is about; empty on host lines", (r) => r.entry.check),
    string("plugin_output", "Output of the result the line reports", (r) => r.entry.output),
    string("message", "The whole line, as Nagios writes it: [time] TYPE: options", (r) => r.entry.message),
    string("options", "The part of the line after TYPE: (for alerts: host;service;state;state type;attempt;output)", (r) =>
      logOptions(r.entry.message, r.entry.type),
    ),
    ...constants<LogRow>([
      ["contact_name", "string", "", "Contact of a notification line: always empty (Tantale sends no notifications)"],
      ["command_name", "string", "", "Command of a notification line: always empty"],
      ["comment", "string", "", "Comment of an acknowledgement or downtime line: always empty"],
    ]),
    string("current_host_name", "Name of the line's host as the state engine knows it now; empty once the host is gone", (r) => r.host?.name ?? ""),
    ...currentState("current_host_", (r) => r.host?.check, "host"),
    list(
      "current_host_contacts",
      "The line's host now: contacts of its Host check, of its services while it is pending; empty once it is gone",
      (r) => r.host?.contacts() ?? EMPTY_LIST,
    ),
    string(
      "current_service_description",
      "Description of the line's service as the state engine knows it now; empty on host lines and once the service is gone",
      (r) => r.service?.check ?? "",
    ),
    ...currentState("current_service_", (r) => r.service, "service"),
    list(
      "current_service_contacts",
      "The line's service now: contacts of its last result; empty on host lines and once the service is gone",
      (r) => r.service?.contacts ?? EMPTY_LIST,
    ),
  ];
}

export const LOG_COLUMNS: readonly ColumnSpec<LogRow>[] = Object.freeze(logColumns());
