import {
  type ColumnSpec,
  type Constant,
  constants,
  EMPTY_DICT,
  EMPTY_LIST,
  float,
  histogramMean,
  histogramQuantile,
  int,
  STORE_QUEUE,
  string,
  tantaleVersion,
  time,
} from "../../../core";
import type { StatusRow } from "./status-row";

/** A Checkmk counter Tantale has nothing to count for: 0, and 0 per second. */
function zeroCounter(name: string, what: string): Constant[] {
  return [
    [name, "int", 0, `Number of ${what} since program start: always 0`],
    [`${name}_rate`, "float", 0, `Number of ${what} per second: always 0`],
  ];
}

function serviceResults(r: StatusRow): number {
  return r.figures.engine.resultsApplied - r.figures.engine.hostResultsApplied;
}

/**
 * Tantale's own figures (core/metrics/figures.ts), the same the metrics plugin serves, for
 * a Livestatus-only user: counters since program start, gauges now, latencies in seconds.
 */
function tantaleColumns(): ColumnSpec<StatusRow>[] {
  return [
    int("tantale_results_accepted", "Results the inputs handed to Tantale since program start", (r) => r.figures.resultsAccepted),
    float("tantale_results_accepted_rate", "Results accepted per second, averaged since program start", (r) => r.rate(r.figures.resultsAccepted)),
    int("tantale_results_rejected", "Lines and results the inputs refused since program start (malformed, invalid), all reasons", (r) => r.totals.rejected),
    float("tantale_results_rejected_rate", "Lines and results refused per second, averaged since program start", (r) => r.rate(r.totals.rejected)),
    int(
      "tantale_results_ignored",
      "Results not applied since program start: older than the state, the same result again, or stamped before their check's removal",
      (r) => r.totals.ignored,
    ),
    int("tantale_queue_depth", "Results queued now for the store and every output, together", (r) => r.totals.queued),
    int("tantale_store_queue_depth", "Results queued now for the store (accepted, not yet committed: not yet seen by queries)", (r) =>
      r.figures.queues.filter((q) => q.id === STORE_QUEUE).reduce((n, q) => n + q.depth, 0),
    ),
    int("tantale_input_pauses", "How often full queues paused the inputs since program start", (r) => r.figures.inputPauses),
    int("tantale_commits", "Store commits since program start", (r) => r.figures.engine.commits),
    int("tantale_commit_errors", "Store commits that failed since program start (retried)", (r) => r.figures.engine.commitErrors),
    float("tantale_commit_latency_avg", "Mean seconds of a store commit since program start", (r) => latency(r, "commit", "mean")),
    float("tantale_commit_latency_p99", "99th percentile of a store commit's seconds since program start (estimated from histogram buckets)", (r) =>
      latency(r, "commit", "p99"),
    ),
    float("tantale_livestatus_latency_avg", "Mean seconds from a Livestatus request read to its answer written, since program start", (r) =>
      latency(r, "livestatus", "mean"),
    ),
    float(
      "tantale_livestatus_latency_p99",
      "99th percentile of the seconds from a Livestatus request to its answer, since program start (estimated from histogram buckets)",
      (r) => latency(r, "livestatus", "p99"),
    ),
    int(
      "tantale_input_connections",
      "Client connections open now on the inputs that listen (the line input, diamond's TCP listener)",
      (r) => r.totals.inputConnectionsOpen,
    ),
    int("tantale_spool_bytes", "Bytes waiting now in the disk spools (forwarder, Elasticsearch store during an outage)", (r) => r.totals.spoolBytes),
    int("tantale_checks_outdated", "Checks outdated since program start (no result for freshness_factor × interval)", (r) => r.figures.engine.checksOutdated),
  ];
}

function latency(r: StatusRow, of: "commit" | "livestatus", stat: "mean" | "p99"): number {
  const h = of === "commit" ? r.figures.engine.commitLatency : r.totals.livestatusLatency;
  if (h === undefined) return 0;
  return stat === "mean" ? histogramMean(h) : histogramQuantile(h, 0.99);
}

/**
 * The status table's columns (docs/livestatus.md §4.7): program data, the feature flags of a
 * passive-only daemon, the host and service counts, the Livestatus counters of the
 * self-stats, and fixed values for Checkmk's and Nagios' columns Tantale has no data for.
 */
export function statusColumns(): ColumnSpec<StatusRow>[] {
  return [
    string("program_version", "Version of Tantale (its package version)", () => tantaleVersion()),
    string("livestatus_version", "Version of the Livestatus implementation: tantale- followed by the version of Tantale", () => `tantale-${tantaleVersion()}`),
    time("program_start", "Time Tantale started (taken when this table started)", (r) => r.programStart),
    int("nagios_pid", "Process id of the Tantale daemon", () => process.pid),
    int("core_pid", "Process id of the Tantale daemon", () => process.pid),
    int("num_hosts", "Number of hosts, pending ones (no Host result yet) included", (r) => r.numHosts),
    int("num_services", "Number of services of all hosts", (r) => r.numServices),
    time("last_command_check", "Time of the last look for commands: now (commands are handled as they come)", (r) => r.now),
    int(
      "connections",
      "Number of client connections to Livestatus since program start (counted by the Livestatus listeners)",
      (r) => r.totals.livestatusConnections,
    ),
    float("connections_rate", "Number of client connections to Livestatus per second, averaged since program start", (r) =>
      r.rate(r.totals.livestatusConnections),
    ),
    int("requests", "Number of requests to Livestatus since program start (counted by the Livestatus listeners)", (r) => r.totals.livestatusRequests),
    float("requests_rate", "Number of requests to Livestatus per second, averaged since program start", (r) => r.rate(r.totals.livestatusRequests)),
    int("livestatus_active_connections", "Number of Livestatus connections open now", (r) => r.totals.livestatusConnectionsOpen),
    float("livestatus_usage", "Share of the Livestatus connection slots (max_connections) in use now, from 0.0 to 1.0 (0 without a limit)", (r) =>
      r.totals.livestatusConnectionsMax > 0 ? r.totals.livestatusConnectionsOpen / r.totals.livestatusConnectionsMax : 0,
    ),
    int(
      "livestatus_overflows",
      "Number of Livestatus connections that found max_connections reached (an idle one closed to make room, or they were refused) since program start",
      (r) => r.totals.livestatusOverflows,
    ),
    float("livestatus_overflows_rate", "Livestatus connections that found max_connections reached, per second, averaged since program start", (r) =>
      r.rate(r.totals.livestatusOverflows),
    ),
    int("service_checks", "Number of service results applied to the state since program start (results are pushed: no check is executed)", (r) =>
      serviceResults(r),
    ),
    float("service_checks_rate", "Number of service results applied per second, averaged since program start", (r) => r.rate(serviceResults(r))),
    int("host_checks", "Number of Host results applied to the state since program start", (r) => r.figures.engine.hostResultsApplied),
    float("host_checks_rate", "Number of Host results applied per second, averaged since program start", (r) => r.rate(r.figures.engine.hostResultsApplied)),
    ...tantaleColumns(),
    ...constants<StatusRow>([
      ["interval_length", "int", 60, "Seconds of an interval unit: 60 (check_interval columns are in minutes)"],
      ["enable_notifications", "int", 1, "Whether notifications are enabled in general: always 1 (nothing disables them; GUIs flag 0 as switched off)"],
      ["execute_service_checks", "int", 0, "Whether active service checks are executed: always 0 (Tantale has no poller)"],
      ["execute_host_checks", "int", 0, "Whether active host checks are executed: always 0 (Tantale has no poller)"],
      ["accept_passive_service_checks", "int", 1, "Whether passive service results are accepted: always 1"],
      ["accept_passive_host_checks", "int", 1, "Whether passive host results are accepted: always 1"],
      ["enable_event_handlers", "int", 0, "Whether event handlers are enabled: always 0"],
      ["enable_flap_detection", "int", 0, "Whether flap detection is enabled: always 0"],
      ["process_performance_data", "int", 1, "Whether performance data is processed: always 1 (it is stored)"],
      ["check_service_freshness", "int", 1, "Whether service freshness is checked: always 1 (outdated after freshness_factor intervals)"],
      ["check_host_freshness", "int", 1, "Whether host freshness is checked: always 1 (outdated after freshness_factor intervals)"],
      ["check_external_commands", "int", 1, "Whether external commands are accepted: always 1 (Livestatus COMMAND)"],
      ["obsess_over_services", "int", 0, "Whether the core obsesses over services: always 0"],
      ["obsess_over_hosts", "int", 0, "Whether the core obsesses over hosts: always 0"],
      ["last_log_rotation", "time", 0, "Time of the last log file rotation: always 0 (the log is kept by the store, not in rotated files)"],
      ["is_trial_screen", "int", 0, "Checkmk: whether this is a trial version: always 0"],
      ["is_trial_expired", "int", 0, "Checkmk: whether the trial has expired: always 0"],
      ["has_event_handlers", "int", 0, "Checkmk: whether alert handlers are configured: always 0"],
      ...zeroCounter("external_commands", "external commands counted"),
      ...zeroCounter("log_messages", "log messages counted"),
      ...zeroCounter("forks", "process creations"),
      ...zeroCounter("neb_callbacks", "NEB callbacks (Tantale has no event broker)"),
      ...zeroCounter("livechecks", "checks executed by livecheck"),
      ...zeroCounter("livecheck_overflows", "livecheck overflows"),
      ["livestatus_queued_connections", "int", 0, "Number of queued Livestatus connections: always 0 (connections are served as they come)"],
      ["livestatus_threads", "int", 0, "Number of Livestatus threads: always 0 (one event loop)"],
      ["cached_log_messages", "int", 0, "Number of log messages kept in memory: always 0 (the log is read from the store)"],
      ["external_command_buffer_slots", "int", 0, "Size of the external command buffer: always 0"],
      ["external_command_buffer_usage", "int", 0, "Slots used in the external command buffer: always 0"],
      ["external_command_buffer_max", "int", 0, "Most slots ever used in the external command buffer: always 0"],
      ["average_latency_generic", "float", 0, "Checkmk: average latency of active checks: always 0 (no scheduler)"],
      ["average_latency_cmk", "float", 0, "Checkmk: average latency of Checkmk checks: always 0"],
      ["average_latency_fetcher", "float", 0, "Checkmk: average latency of Checkmk fetchers: always 0"],
      ["average_latency_real_time", "float", 0, "Checkmk: average latency of real time checks: always 0"],
      ["helper_usage_generic", "float", 0, "Checkmk: average usage of the generic check helpers: always 0"],
      ["helper_usage_cmk", "float", 0, "Checkmk: average usage of the Checkmk check helpers: always 0"],
      ["helper_usage_fetcher", "float", 0, "Checkmk: average usage of the fetcher helpers: always 0"],
      ["helper_usage_checker", "float", 0, "Checkmk: average usage of the checker helpers: always 0"],
      ["helper_usage_real_time", "float", 0, "Checkmk: average usage of the real time check helpers: always 0"],
      ["average_runnable_jobs_fetcher", "float", 0, "Checkmk: average number of fetcher jobs waiting: always 0"],
      ["average_runnable_jobs_checker", "float", 0, "Checkmk: average number of checker jobs waiting: always 0"],
      ["num_queued_notifications", "int", 0, "Checkmk: notifications queued for the notification helper: always 0"],
      ["num_queued_alerts", "int", 0, "Checkmk: alerts queued for the alert helper: always 0"],
      ["mk_inventory_last", "time", 0, "Checkmk: time of the last HW/SW inventory: always 0"],
      ["state_file_created", "time", 0, "Checkmk: time the state file was created: always 0"],
      ["custom_variable_names", "list", EMPTY_LIST, "Names of the core's custom variables: always empty"],
      ["custom_variable_values", "list", EMPTY_LIST, "Values of the core's custom variables: always empty"],
      ["custom_variables", "dict", EMPTY_DICT, "The core's custom variables: always empty"],
    ]),
  ];
}

/** Built once: the same for every status table. */
export const STATUS_COLUMNS: readonly ColumnSpec<StatusRow>[] = Object.freeze(statusColumns());
