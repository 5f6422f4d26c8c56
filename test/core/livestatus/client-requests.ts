/**
 * Every request captured from real clients in peer/client-queries.md (NagVis 1.9.34,
 * Nagstamon 3.10.1, Monitoring::Livestatus 0.84), verbatim, plus requests in the shape
 * Checkmk Multisite sends (docs/livestatus.md [mk]: Localtime, AuthUser, Negate over And: 2,
 * python output, prefixed columns). Each is the text of one request without its final empty line.
 *
 * The requests captured from NagVis, Nagstamon and Monitoring::Livestatus are also exported
 * one by one (NAGVIS_*, NAGSTAMON_*, PERL_*): test/integration/livestatus-client-queries.test.ts
 * sends them to a daemon; CLIENT_REQUESTS lists them all under the names the unit tests use.
 */

/** Around when the requests were captured: the server's `now` for their Localtime headers. */
export const CAPTURED_AT = 1_795_486_700;

/** NagVis #1: the host state counts of each group of the map's host group. */
export const NAGVIS_HOSTSBYGROUP_STATS = `GET hostsbygroup
Filter: groups >= hg-0
Stats: has_been_checked = 0
Stats: state = 0
Stats: has_been_checked != 0
Stats: scheduled_downtime_depth = 0
Stats: staleness < 1.5
StatsAnd: 4
Stats: state = 0
Stats: has_been_checked != 0
Stats: scheduled_downtime_depth = 0
Stats: staleness >= 1.5
StatsAnd: 4
Stats: state = 0
Stats: has_been_checked != 0
Stats: scheduled_downtime_depth > 0
StatsAnd: 3
Stats: state = 1
Stats: acknowledged = 0
Stats: scheduled_downtime_depth = 0
Stats: staleness < 1.5
StatsAnd: 4
Stats: state = 1
Stats: acknowledged = 0
Stats: scheduled_downtime_depth = 0
Stats: staleness >= 1.5
StatsAnd: 4
Stats: state = 1
Stats: acknowledged = 1
StatsAnd: 2
Stats: state = 1
Stats: scheduled_downtime_depth > 0
StatsAnd: 2
Stats: state = 2
Stats: acknowledged = 0
Stats: scheduled_downtime_depth = 0
Stats: staleness < 1.5
StatsAnd: 4
Stats: state = 2
Stats: acknowledged = 0
Stats: scheduled_downtime_depth = 0
Stats: staleness >= 1.5
StatsAnd: 4
Stats: state = 2
Stats: acknowledged = 1
StatsAnd: 2
Stats: state = 2
Stats: scheduled_downtime_depth > 0
StatsAnd: 2
Columns: hostgroup_name hostgroup_alias
OutputFormat: json
KeepAlive: on
ResponseHeader: fixed16`;

/** NagVis #2: the service state counts of each of those host groups. */
export const NAGVIS_SERVICESBYHOSTGROUP_STATS = `GET servicesbyhostgroup
Filter: host_groups >= hg-0
Stats: has_been_checked = 0
Stats: state = 0
Stats: has_been_checked != 0
Stats: scheduled_downtime_depth = 0
Stats: host_scheduled_downtime_depth = 0
Stats: staleness < 1.5
StatsAnd: 5
Stats: state = 0
Stats: has_been_checked != 0
Stats: scheduled_downtime_depth = 0
Stats: host_scheduled_downtime_depth = 0
Stats: staleness >= 1.5
StatsAnd: 5
Stats: state = 0
Stats: has_been_checked != 0
Stats: scheduled_downtime_depth > 0
Stats: host_scheduled_downtime_depth > 0
StatsOr: 2
StatsAnd: 3
Stats: state = 1
Stats: acknowledged = 0
Stats: host_acknowledged = 0
Stats: scheduled_downtime_depth = 0
Stats: host_scheduled_downtime_depth = 0
Stats: staleness < 1.5
StatsAnd: 6
Stats: state = 1
Stats: acknowledged = 0
Stats: host_acknowledged = 0
Stats: scheduled_downtime_depth = 0
Stats: host_scheduled_downtime_depth = 0
Stats: staleness >= 1.5
StatsAnd: 6
Stats: state = 1
Stats: acknowledged = 1
Stats: host_acknowledged = 1
StatsOr: 2
StatsAnd: 2
Stats: state = 1
Stats: scheduled_downtime_depth > 0
Stats: host_scheduled_downtime_depth > 0
StatsOr: 2
StatsAnd: 2
Stats: state = 2
Stats: acknowledged = 0
Stats: host_acknowledged = 0
Stats: scheduled_downtime_depth = 0
Stats: host_scheduled_downtime_depth = 0
Stats: staleness < 1.5
StatsAnd: 6
Stats: state = 2
Stats: acknowledged = 0
Stats: host_acknowledged = 0
Stats: scheduled_downtime_depth = 0
Stats: host_scheduled_downtime_depth = 0
Stats: staleness >= 1.5
StatsAnd: 6
Stats: state = 2
Stats: acknowledged = 1
Stats: host_acknowledged = 1
StatsOr: 2
StatsAnd: 2
Stats: state = 2
Stats: scheduled_downtime_depth > 0
Stats: host_scheduled_downtime_depth > 0
StatsOr: 2
StatsAnd: 2
Stats: state = 3
Stats: acknowledged = 0
Stats: host_acknowledged = 0
Stats: scheduled_downtime_depth = 0
Stats: host_scheduled_downtime_depth = 0
Stats: staleness < 1.5
StatsAnd: 6
Stats: state = 3
Stats: acknowledged = 0
Stats: host_acknowledged = 0
Stats: scheduled_downtime_depth = 0
Stats: host_scheduled_downtime_depth = 0
Stats: staleness >= 1.5
StatsAnd: 6
Stats: state = 3
Stats: acknowledged = 1
Stats: host_acknowledged = 1
StatsOr: 2
StatsAnd: 2
Stats: state = 3
Stats: scheduled_downtime_depth > 0
Stats: host_scheduled_downtime_depth > 0
StatsOr: 2
StatsAnd: 2
Columns: hostgroup_name
OutputFormat: json
KeepAlive: on
ResponseHeader: fixed16`;

/** NagVis #3: the hosts of the map's host group. */
export const NAGVIS_HOSTS_OF_GROUP = `GET hosts
Columns: state plugin_output alias display_name address notes last_check next_check state_type current_attempt max_check_attempts last_state_change last_hard_state_change perf_data acknowledged scheduled_downtime_depth has_been_checked name check_command custom_variable_names custom_variable_values staleness
Filter: host_groups >= hg-0
OutputFormat: json
KeepAlive: on
ResponseHeader: fixed16`;

/** NagVis #4: the service state counts of each host of the map's host group. */
export const NAGVIS_SERVICES_OF_GROUP_STATS = `GET services
Filter: host_groups >= hg-0
Stats: has_been_checked = 0
Stats: state = 0
Stats: has_been_checked != 0
Stats: scheduled_downtime_depth = 0
Stats: host_scheduled_downtime_depth = 0
Stats: staleness < 1.5
StatsAnd: 5
Stats: state = 0
Stats: has_been_checked != 0
Stats: scheduled_downtime_depth = 0
Stats: host_scheduled_downtime_depth = 0
Stats: staleness >= 1.5
StatsAnd: 5
Stats: state = 0
Stats: has_been_checked != 0
Stats: scheduled_downtime_depth > 0
Stats: host_scheduled_downtime_depth > 0
StatsOr: 2
StatsAnd: 3
Stats: state = 1
Stats: acknowledged = 0
Stats: host_acknowledged = 0
Stats: scheduled_downtime_depth = 0
Stats: host_scheduled_downtime_depth = 0
Stats: staleness < 1.5
StatsAnd: 6
Stats: state = 1
Stats: acknowledged = 0
Stats: host_acknowledged = 0
Stats: scheduled_downtime_depth = 0
Stats: host_scheduled_downtime_depth = 0
Stats: staleness >= 1.5
StatsAnd: 6
Stats: state = 1
Stats: acknowledged = 1
Stats: host_acknowledged = 1
StatsOr: 2
StatsAnd: 2
Stats: state = 1
Stats: scheduled_downtime_depth > 0
Stats: host_scheduled_downtime_depth > 0
StatsOr: 2
StatsAnd: 2
Stats: state = 2
Stats: acknowledged = 0
Stats: host_acknowledged = 0
Stats: scheduled_downtime_depth = 0
Stats: host_scheduled_downtime_depth = 0
Stats: staleness < 1.5
StatsAnd: 6
Stats: state = 2
Stats: acknowledged = 0
Stats: host_acknowledged = 0
Stats: scheduled_downtime_depth = 0
Stats: host_scheduled_downtime_depth = 0
Stats: staleness >= 1.5
StatsAnd: 6
Stats: state = 2
Stats: acknowledged = 1
Stats: host_acknowledged = 1
StatsOr: 2
StatsAnd: 2
Stats: state = 2
Stats: scheduled_downtime_depth > 0
Stats: host_scheduled_downtime_depth > 0
StatsOr: 2
StatsAnd: 2
Stats: state = 3
Stats: acknowledged = 0
Stats: host_acknowledged = 0
Stats: scheduled_downtime_depth = 0
Stats: host_scheduled_downtime_depth = 0
Stats: staleness < 1.5
StatsAnd: 6
Stats: state = 3
Stats: acknowledged = 0
Stats: host_acknowledged = 0
Stats: scheduled_downtime_depth = 0
Stats: host_scheduled_downtime_depth = 0
Stats: staleness >= 1.5
StatsAnd: 6
Stats: state = 3
Stats: acknowledged = 1
Stats: host_acknowledged = 1
StatsOr: 2
StatsAnd: 2
Stats: state = 3
Stats: scheduled_downtime_depth > 0
Stats: host_scheduled_downtime_depth > 0
StatsOr: 2
StatsAnd: 2
Columns: host_name host_alias
OutputFormat: json
KeepAlive: on
ResponseHeader: fixed16`;

/** NagVis #5: the map's hosts by name (Or: 4). */
export const NAGVIS_HOSTS_BY_NAME = `GET hosts
Columns: state plugin_output alias display_name address notes last_check next_check state_type current_attempt max_check_attempts last_state_change last_hard_state_change perf_data acknowledged scheduled_downtime_depth has_been_checked name check_command custom_variable_names custom_variable_values staleness
Filter: name = host-0001
Filter: name = host-0002
Filter: name = host-0003
Filter: name = host-0004
Or: 4
OutputFormat: json
KeepAlive: on
ResponseHeader: fixed16`;

/** NagVis #6: the service state counts of each of the map's hosts. */
export const NAGVIS_SERVICES_OF_HOSTS_STATS = `GET services
Filter: host_name = host-0001
Filter: host_name = host-0002
Filter: host_name = host-0003
Filter: host_name = host-0004
Or: 4
Stats: has_been_checked = 0
Stats: state = 0
Stats: has_been_checked != 0
Stats: scheduled_downtime_depth = 0
Stats: host_scheduled_downtime_depth = 0
Stats: staleness < 1.5
StatsAnd: 5
Stats: state = 0
Stats: has_been_checked != 0
Stats: scheduled_downtime_depth = 0
Stats: host_scheduled_downtime_depth = 0
Stats: staleness >= 1.5
StatsAnd: 5
Stats: state = 0
Stats: has_been_checked != 0
Stats: scheduled_downtime_depth > 0
Stats: host_scheduled_downtime_depth > 0
StatsOr: 2
StatsAnd: 3
Stats: state = 1
Stats: acknowledged = 0
Stats: host_acknowledged = 0
Stats: scheduled_downtime_depth = 0
Stats: host_scheduled_downtime_depth = 0
Stats: staleness < 1.5
StatsAnd: 6
Stats: state = 1
Stats: acknowledged = 0
Stats: host_acknowledged = 0
Stats: scheduled_downtime_depth = 0
Stats: host_scheduled_downtime_depth = 0
Stats: staleness >= 1.5
StatsAnd: 6
Stats: state = 1
Stats: acknowledged = 1
Stats: host_acknowledged = 1
StatsOr: 2
StatsAnd: 2
Stats: state = 1
Stats: scheduled_downtime_depth > 0
Stats: host_scheduled_downtime_depth > 0
StatsOr: 2
StatsAnd: 2
Stats: state = 2
Stats: acknowledged = 0
Stats: host_acknowledged = 0
Stats: scheduled_downtime_depth = 0
Stats: host_scheduled_downtime_depth = 0
Stats: staleness < 1.5
StatsAnd: 6
Stats: state = 2
Stats: acknowledged = 0
Stats: host_acknowledged = 0
Stats: scheduled_downtime_depth = 0
Stats: host_scheduled_downtime_depth = 0
Stats: staleness >= 1.5
StatsAnd: 6
Stats: state = 2
Stats: acknowledged = 1
Stats: host_acknowledged = 1
StatsOr: 2
StatsAnd: 2
Stats: state = 2
Stats: scheduled_downtime_depth > 0
Stats: host_scheduled_downtime_depth > 0
StatsOr: 2
StatsAnd: 2
Stats: state = 3
Stats: acknowledged = 0
Stats: host_acknowledged = 0
Stats: scheduled_downtime_depth = 0
Stats: host_scheduled_downtime_depth = 0
Stats: staleness < 1.5
StatsAnd: 6
Stats: state = 3
Stats: acknowledged = 0
Stats: host_acknowledged = 0
Stats: scheduled_downtime_depth = 0
Stats: host_scheduled_downtime_depth = 0
Stats: staleness >= 1.5
StatsAnd: 6
Stats: state = 3
Stats: acknowledged = 1
Stats: host_acknowledged = 1
StatsOr: 2
StatsAnd: 2
Stats: state = 3
Stats: scheduled_downtime_depth > 0
Stats: host_scheduled_downtime_depth > 0
StatsOr: 2
StatsAnd: 2
Columns: host_name host_alias
OutputFormat: json
KeepAlive: on
ResponseHeader: fixed16`;

/** NagVis #7: the services of the map's hosts. */
export const NAGVIS_SERVICES_OF_HOSTS = `GET services
Filter: host_name = host-0001
Filter: host_name = host-0002
Filter: host_name = host-0003
Filter: host_name = host-0004
Or: 4
Columns: description display_name state host_alias host_address plugin_output notes last_check next_check state_type current_attempt max_check_attempts last_state_change last_hard_state_change perf_data scheduled_downtime_depth acknowledged host_acknowledged host_scheduled_downtime_depth has_been_checked host_name check_command custom_variable_names custom_variable_values staleness
OutputFormat: json
KeepAlive: on
ResponseHeader: fixed16`;

/** NagVis #8: the map's services by host and description (And: 2 ... Or: 8). */
export const NAGVIS_SERVICES_BY_KEY = `GET services
Filter: host_name = host-0001
Filter: service_description = svc-01
And: 2
Filter: host_name = host-0001
Filter: service_description = svc-02
And: 2
Filter: host_name = host-0002
Filter: service_description = svc-01
And: 2
Filter: host_name = host-0002
Filter: service_description = svc-02
And: 2
Filter: host_name = host-0003
Filter: service_description = svc-01
And: 2
Filter: host_name = host-0003
Filter: service_description = svc-02
And: 2
Filter: host_name = host-0004
Filter: service_description = svc-01
And: 2
Filter: host_name = host-0004
Filter: service_description = svc-02
And: 2
Or: 8
Columns: description display_name state host_alias host_address plugin_output notes last_check next_check state_type current_attempt max_check_attempts last_state_change last_hard_state_change perf_data scheduled_downtime_depth acknowledged host_acknowledged host_scheduled_downtime_depth has_been_checked host_name check_command custom_variable_names custom_variable_values staleness
OutputFormat: json
KeepAlive: on
ResponseHeader: fixed16`;

/** Nagstamon #1: the hosts with a problem. */
export const NAGSTAMON_HOSTS = `GET hosts
OutputFormat: json
ColumnHeaders: on
Filter: state != 0`;

/** Nagstamon #2: the services with a problem. */
export const NAGSTAMON_SERVICES = `GET services
OutputFormat: json
ColumnHeaders: on
Filter: state != 0`;

/** Monitoring::Livestatus #1: one host. */
export const PERL_HOSTS = `GET hosts
Columns: name state
Limit: 1
OutputFormat: json
ResponseHeader: fixed16
KeepAlive: on`;

/** Monitoring::Livestatus #2: a passive service check result. */
export const PERL_COMMAND = `COMMAND [1795486737] PROCESS_SERVICE_CHECK_RESULT;host-0001;svc-01;0;OK via perl`;

export const CLIENT_REQUESTS: readonly { readonly name: string; readonly text: string }[] = [
  { name: "NagVis #1: GET hostsbygroup", text: NAGVIS_HOSTSBYGROUP_STATS },
  { name: "NagVis #2: GET servicesbyhostgroup", text: NAGVIS_SERVICESBYHOSTGROUP_STATS },
  { name: "NagVis #3: GET hosts", text: NAGVIS_HOSTS_OF_GROUP },
  { name: "NagVis #4: GET services", text: NAGVIS_SERVICES_OF_GROUP_STATS },
  { name: "NagVis #5: GET hosts", text: NAGVIS_HOSTS_BY_NAME },
  { name: "NagVis #6: GET services", text: NAGVIS_SERVICES_OF_HOSTS_STATS },
  { name: "NagVis #7: GET services", text: NAGVIS_SERVICES_OF_HOSTS },
  { name: "NagVis #8: GET services", text: NAGVIS_SERVICES_BY_KEY },
  { name: "Nagstamon #1: GET hosts", text: NAGSTAMON_HOSTS },
  { name: "Nagstamon #2: GET services", text: NAGSTAMON_SERVICES },
  { name: "Monitoring::Livestatus #1: GET hosts", text: PERL_HOSTS },
  { name: "Monitoring::Livestatus #2: COMMAND [1795486737] PROCESS_SERVICE_CHECK_RESULT;host-0001;svc-01;0;OK via perl", text: PERL_COMMAND },
  // Nagstamon's commands (Nagstamon/Servers/Livestatus.py): fresh connection, no answer read.
  { name: "Nagstamon ack service", text: "COMMAND [1795486742] ACKNOWLEDGE_SVC_PROBLEM;host-0001;svc-01;2;1;1;nagstamon;looking into it" },
  { name: "Nagstamon ack host", text: "COMMAND [1795486742] ACKNOWLEDGE_HOST_PROBLEM;host-0001;1;1;1;nagstamon;looking into it" },
  { name: "Nagstamon forced service check", text: "COMMAND [1795486742] SCHEDULE_FORCED_SVC_CHECK;host-0001;svc-01;1795486742" },
  { name: "Nagstamon forced host check", text: "COMMAND [1795486742] SCHEDULE_FORCED_HOST_CHECK;host-0001;1795486742" },
  // Multisite shapes [mk].
  {
    name: "Multisite status",
    text: `GET status
Columns: livestatus_version program_version program_start num_hosts num_services
Localtime: 1795486737
OutputFormat: python
KeepAlive: on
ResponseHeader: fixed16`,
  },
  {
    name: "Multisite host problems (Negate over And: 2, Limit)",
    text: `GET hosts
Columns: host_scheduled_downtime_depth host_last_state_change host_plugin_output host_state host_has_been_checked host_name host_custom_variable_names
Filter: host_scheduled_downtime_depth = 0
Filter: host_acknowledged = 0
Filter: host_state = 0
Filter: host_has_been_checked = 1
And: 2
Negate:
Filter: host_has_been_checked = 1
Filter: host_custom_variable_names < _REALNAME
Localtime: 1795486737
OutputFormat: python
KeepAlive: on
ResponseHeader: fixed16
Limit: 1`,
  },
  {
    name: "Multisite host stats with AuthUser",
    text: `GET hosts
Stats: state >= 0
Stats: state > 0
Stats: scheduled_downtime_depth = 0
StatsAnd: 2
Stats: state > 0
Stats: scheduled_downtime_depth = 0
Stats: acknowledged = 0
StatsAnd: 3
Filter: custom_variable_names < _REALNAME
Localtime: 1795486737
OutputFormat: python
KeepAlive: on
ResponseHeader: fixed16
AuthUser: user_2`,
  },
  {
    name: "Multisite log",
    text: `GET log
Columns: log_state_type log_plugin_output log_comment log_state log_lineno host_name service_description log_time log_type
Filter: log_time >= 1795472337
Filter: class = 1
Filter: class = 3
Or: 2
Localtime: 1795486737
OutputFormat: python
KeepAlive: on
ResponseHeader: fixed16`,
  },
  {
    name: "Multisite downtimes",
    text: `GET downtimes
Columns: downtime_id downtime_author downtime_start_time downtime_end_time downtime_is_service service_description host_name
Localtime: 1795486737
OutputFormat: python
KeepAlive: on
ResponseHeader: fixed16
Limit: 1001`,
  },
  {
    name: "Multisite commands table",
    text: `GET commands
Columns: name
ColumnHeaders: off
OutputFormat: python
KeepAlive: on
ResponseHeader: fixed16`,
  },
  {
    name: "Multisite downtime command",
    text: "COMMAND [1795486737] SCHEDULE_SVC_DOWNTIME;host-0001;svc-01;1795486737;1795490337;1;0;0;nagiosadmin;maintenance",
  },
];
