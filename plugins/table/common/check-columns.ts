import {
  type CheckState,
  type ColumnSpec,
  type Comment,
  type Constant,
  constants,
  dict,
  type Downtime,
  EMPTY_DICT,
  EMPTY_LIST,
  float,
  int,
  isActive,
  list,
  type LivestatusValue,
  stable,
  string,
  time,
} from "../../../core";
import { perfLabels } from "./perf-labels";

/** How the shared columns reach the check state of a row, and the query's time. */
export interface CheckAccess<Row> {
  /** undefined: the check never got a result (a pending host). */
  readonly check: (row: Row) => CheckState | undefined;
  /** Seconds since the epoch, the same for every row of one query. */
  readonly now: (row: Row) => number;
  /** The check's downtimes (active and pending) and comments, each by id; read only by the columns that list them. */
  readonly downtimes: (row: Row) => readonly Downtime[];
  readonly comments: (row: Row) => readonly Comment[];
}

/**
 * Nagios counts check_interval in interval_length units (60 s); Tantale's intervals are
 * seconds. Multisite multiplies check_interval by 60 to show it.
 */
const INTERVAL_LENGTH = 60;

/**
 * `(now - last_check) / interval`: 1 when a result is exactly one interval old; NagVis
 * calls an object stale from 1.5. A pending check is not stale (it has no result to age)
 * and a result stamped slightly in the future (clock skew) counts as fresh, not negative.
 */
export function staleness(s: CheckState | undefined, now: number): number {
  if (s === undefined || s.interval <= 0) return 0;
  return Math.max(0, (now - s.lastCheck) / s.interval);
}

/**
 * When the check was last in `state`, from what the state keeps: the current state was
 * seen at the last result, the previous one until the last state change; older states are
 * not kept (0, as Nagios before it ever saw them).
 */
function lastTimeIn(s: CheckState | undefined, state: number): number {
  if (s === undefined) return 0;
  if (s.state === state) return s.lastCheck;
  if (s.lastState === state && s.lastStateChange > 0) return s.lastStateChange;
  return 0;
}

/** A list column's value: one entry per record, the shared empty list without records (the usual case). */
function each<T>(records: readonly T[], entry: (r: T) => LivestatusValue): readonly LivestatusValue[] {
  return records.length === 0 ? EMPTY_LIST : records.map(entry);
}

/** Whole seconds, as the time columns answer them (command and result times may be fractional). */
const seconds = Math.floor;

/** Flexible downtimes not started yet (Nagios 4 counts them from their scheduling until they start). */
function pendingFlexible(downtimes: readonly Downtime[]): number {
  let n = 0;
  for (const d of downtimes) if (!d.fixed && !isActive(d)) n++;
  return n;
}

/**
 * The columns hosts and services both compute from a check state. `stateNames` name the
 * `last_time_<state>` columns: up/down/unreachable for hosts, ok/warning/critical/unknown
 * for services. A pending host (no state) reads as Checkmk shows it: state 0 (UP), a hard
 * state, has_been_checked 0, times 0, empty output. The columns that read nothing but the
 * check state are `stable` (reusable while the state object is the same); those that read
 * the clock (staleness) or the downtimes and comments are not.
 */
export function checkColumns<Row>(a: CheckAccess<Row>, stateNames: readonly string[]): ColumnSpec<Row>[] {
  const c = a.check;
  return [
    stable(
      int(
        "state",
        "Current state (hosts: 0 UP, 1 DOWN, 2 UNREACHABLE; services: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN); 0 while pending",
        (r) => c(r)?.state ?? 0,
      ),
    ),
    stable(int("has_been_checked", "1 once a result arrived, 0 while pending", (r) => (c(r) === undefined ? 0 : 1))),
    stable(int("state_type", "State type: always 1 (hard): every passive result is a hard state", () => 1)),
    stable(int("hard_state", "Current hard state: the state, every passive result being hard", (r) => c(r)?.state ?? 0)),
    stable(int("last_state", "State before the last state change", (r) => c(r)?.lastState ?? 0)),
    stable(
      int(
        "last_hard_state",
        "Last hard state: the state itself, every passive result being hard (Nagios updates it on each hard result)",
        (r) => c(r)?.state ?? 0,
      ),
    ),
    stable(string("plugin_output", "First line of the output of the last result (prefixed OUTDATED - once outdated)", (r) => c(r)?.output ?? "")),
    stable(string("long_plugin_output", "Further lines of the output of the last result", (r) => c(r)?.longOutput ?? "")),
    stable(string("perf_data", "Performance data of the last result", (r) => c(r)?.perfData ?? "")),
    stable(list("metrics", "Metric names found in the performance data", (r) => perfLabels(c(r)?.perfData ?? ""))),
    stable(time("last_check", "Time of the last result (its timestamp); 0 while pending", (r) => c(r)?.lastCheck ?? 0)),
    stable(
      time("next_check", "Time the next result is expected (last_check + interval); 0 while pending", (r) => {
        const s = c(r);
        return s === undefined ? 0 : s.lastCheck + s.interval;
      }),
    ),
    stable(time("last_state_change", "Time of the last state change (or of the first result)", (r) => c(r)?.lastStateChange ?? 0)),
    stable(time("last_hard_state_change", "Time of the last hard state change: the last state change", (r) => c(r)?.lastHardStateChange ?? 0)),
    ...stateNames.map((name, state) =>
      stable(
        time<Row>(
          `last_time_${name}`,
          `Last time the state was ${name.toUpperCase()} (the last result, or the last state change for the previous state; 0 if not known)`,
          (r) => lastTimeIn(c(r), state),
        ),
      ),
    ),
    stable(int("acknowledged", "1 while the problem is acknowledged", (r) => ((c(r)?.acknowledgement ?? null) === null ? 0 : 1))),
    stable(int("acknowledgement_type", "0 none, 1 normal (ends with any state change), 2 sticky (ends on recovery)", (r) => c(r)?.acknowledgement?.type ?? 0)),
    // A pending host has no state to hold its depth: its active downtimes are counted instead.
    stable(int("scheduled_downtime_depth", "Number of active scheduled downtimes", (r) => c(r)?.downtimeDepth ?? a.downtimes(r).filter(isActive).length)),
    int("in_downtime", "1 while at least one downtime is active (scheduled_downtime_depth > 0), else 0", (r) =>
      (c(r)?.downtimeDepth ?? a.downtimes(r).filter(isActive).length) > 0 ? 1 : 0,
    ),
    int("pending_flex_downtime", "Number of flexible downtimes scheduled and not started yet", (r) => pendingFlexible(a.downtimes(r))),
    list("downtimes", "Ids of the downtimes, active and pending, by id", (r) => each(a.downtimes(r), (d) => d.id)),
    list("downtimes_with_info", "The downtimes as [id, author, comment]", (r) => each(a.downtimes(r), (d) => [d.id, d.author, d.comment])),
    list(
      "downtimes_with_extra_info",
      "The downtimes as [id, author, comment, origin (always 0: a command), entry_time, start_time, end_time, fixed, duration, recurring (always 0), is_pending]",
      (r) =>
        each(a.downtimes(r), (d) => [
          d.id,
          d.author,
          d.comment,
          0,
          seconds(d.entryTime),
          seconds(d.startTime),
          seconds(d.endTime),
          d.fixed ? 1 : 0,
          d.duration,
          0,
          isActive(d) ? 0 : 1,
        ]),
    ),
    list("comments", "Ids of the comments (operators' and acknowledgements'), by id", (r) => each(a.comments(r), (m) => m.id)),
    list("comments_with_info", "The comments as [id, author, comment]", (r) => each(a.comments(r), (m) => [m.id, m.author, m.comment])),
    list("comments_with_extra_info", "The comments as [id, author, comment, entry_type (1 user, 4 acknowledgement), entry_time]", (r) =>
      each(a.comments(r), (m) => [m.id, m.author, m.comment, m.entryType, seconds(m.entryTime)]),
    ),
    float("staleness", "Age of the last result in intervals: (now - last_check) / interval; 0 while pending", (r) => staleness(c(r), a.now(r))),
    stable(
      float(
        "check_interval",
        "Expected interval between results, in minutes (interval_length 60 s); 0 while pending",
        (r) => (c(r)?.interval ?? 0) / INTERVAL_LENGTH,
      ),
    ),
    stable(float("retry_interval", "Same as check_interval: passive checks have no retries", (r) => (c(r)?.interval ?? 0) / INTERVAL_LENGTH)),
    stable(list("custom_variable_names", "Names of the custom variables of the last result", (r) => Object.keys(c(r)?.customVariables ?? EMPTY_DICT))),
    stable(
      list("custom_variable_values", "Values of the custom variables, in the order of custom_variable_names", (r) =>
        Object.values(c(r)?.customVariables ?? EMPTY_DICT),
      ),
    ),
    stable(dict("custom_variables", "Custom variables of the last result, name to value", (r) => c(r)?.customVariables ?? EMPTY_DICT)),
    ...constants<Row>(CHECK_CONSTANTS),
  ];
}

/**
 * Columns Checkmk (and Icinga 2) have on both hosts and services that describe a scheduler,
 * notifier or object configuration Tantale does not have. Their values say what is true of
 * passive checks (check_type 1, one hard attempt, active checks off, passive on) or are
 * empty, so that GUIs that ask for them (Multisite asks for many) get a typed answer.
 */
const CHECK_CONSTANTS: readonly Constant[] = [
  ["check_type", "int", 1, "0 active, 1 passive: always 1"],
  ["current_attempt", "int", 1, "Current attempt: always 1 (every passive result is hard)"],
  ["max_check_attempts", "int", 1, "Attempts before a hard state: always 1"],
  ["checks_enabled", "int", 0, "Whether active checks are enabled: always 0 (Tantale has no poller)"],
  ["active_checks_enabled", "int", 0, "Whether active checks are enabled: always 0 (Tantale has no poller)"],
  ["accept_passive_checks", "int", 1, "Whether passive results are accepted: always 1"],
  ["check_freshness", "int", 1, "Whether freshness is checked: always 1 (outdated after freshness_factor intervals)"],
  ["check_options", "int", 0, "Pending check options: always 0"],
  ["should_be_scheduled", "int", 0, "Whether the core schedules active checks: always 0"],
  ["is_executing", "int", 0, "Whether a check is running: always 0"],
  ["initial_state", "int", 0, "Initial state: always 0"],
  ["notifications_enabled", "int", 1, "Whether notifications are enabled: 1 (nothing disables them; GUIs flag 0 as switched off)"],
  ["current_notification_number", "int", 0, "Notifications sent for the current problem: always 0"],
  ["last_notification", "time", 0, "Time of the last notification: always 0"],
  ["next_notification", "time", 0, "Time of the next notification: always 0"],
  ["no_more_notifications", "int", 0, "Whether notifications stopped for this problem: always 0"],
  ["notification_interval", "float", 0, "Interval between notifications: always 0"],
  ["first_notification_delay", "float", 0, "Delay of the first notification: always 0"],
  ["notification_postponement_reason", "string", "", "Why a notification is postponed: always empty"],
  ["event_handler_enabled", "int", 0, "Whether the event handler is enabled: always 0"],
  ["event_handler", "string", "", "Event handler command: always empty"],
  ["flap_detection_enabled", "int", 0, "Whether flap detection is enabled: always 0"],
  ["is_flapping", "int", 0, "Whether the check is flapping: always 0"],
  ["check_flapping_recovery_notification", "int", 0, "Whether a flapping recovery notification is checked: always 0"],
  ["percent_state_change", "float", 0, "Flap detection state change percentage: always 0"],
  ["flappiness", "float", 0, "Flappiness: always 0"],
  ["low_flap_threshold", "float", 0, "Low flap threshold: always 0"],
  ["high_flap_threshold", "float", 0, "High flap threshold: always 0"],
  ["process_performance_data", "int", 1, "Whether performance data is processed: always 1 (it is stored)"],
  ["latency", "float", 0, "Check latency in seconds: always 0 (no scheduler)"],
  ["execution_time", "float", 0, "Check execution time in seconds: always 0 (not reported by passive results)"],
  ["in_check_period", "int", 1, "Whether now is in the check period: always 1"],
  ["in_notification_period", "int", 1, "Whether now is in the notification period: always 1"],
  ["in_service_period", "int", 1, "Whether now is in the service period: always 1"],
  ["check_period", "string", "24X7", "Check period: always 24X7"],
  ["notification_period", "string", "24X7", "Notification period: always 24X7"],
  ["service_period", "string", "", "Service period: always empty"],
  ["check_command", "string", "", "Check command: always empty (results are pushed)"],
  ["check_command_expanded", "string", "", "Check command with macros expanded: always empty"],
  ["check_source", "string", "", "Icinga 2's check source: always empty"],
  ["notes", "string", "", "Notes: always empty"],
  ["notes_expanded", "string", "", "Notes with macros expanded: always empty"],
  ["notes_url", "string", "", "Notes URL: always empty"],
  ["notes_url_expanded", "string", "", "Notes URL with macros expanded: always empty"],
  ["action_url", "string", "", "Action URL: always empty"],
  ["action_url_expanded", "string", "", "Action URL with macros expanded: always empty"],
  ["icon_image", "string", "", "Icon image: always empty"],
  ["icon_image_expanded", "string", "", "Icon image with macros expanded: always empty"],
  ["icon_image_alt", "string", "", "Alternative text of the icon image: always empty"],
  ["pnpgraph_present", "int", 0, "Whether a PNP4Nagios graph exists: always 0"],
  ["modified_attributes", "int", 0, "Bitmask of attributes changed at runtime: always 0"],
  ["modified_attributes_list", "list", EMPTY_LIST, "Names of attributes changed at runtime: always empty"],
  ["original_attributes", "string", "", "Icinga 2's original attributes: always empty"],
  ["cv_is_json", "int", 0, "Icinga 2: whether custom variables are JSON: always 0"],
  ["is_reachable", "int", 1, "Icinga 2: whether the object is reachable: always 1 (no parents)"],
  ["hourly_value", "int", 0, "Checkmk's hourly value: always 0"],
  ["tag_names", "list", EMPTY_LIST, "Checkmk tag names: always empty"],
  ["tag_values", "list", EMPTY_LIST, "Checkmk tag values: always empty"],
  ["tags", "dict", EMPTY_DICT, "Checkmk tags: always empty"],
  ["label_names", "list", EMPTY_LIST, "Checkmk label names: always empty"],
  ["label_values", "list", EMPTY_LIST, "Checkmk label values: always empty"],
  ["labels", "dict", EMPTY_DICT, "Checkmk labels: always empty"],
  ["label_source_names", "list", EMPTY_LIST, "Checkmk label source names: always empty"],
  ["label_source_values", "list", EMPTY_LIST, "Checkmk label source values: always empty"],
  ["label_sources", "dict", EMPTY_DICT, "Checkmk label sources: always empty"],
];
