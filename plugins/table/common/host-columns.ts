import { type CheckState, type ColumnSpec, constants, EMPTY_LIST, HOST_CHECK, int, list, string } from "../../../core";
import { checkColumns } from "./check-columns";
import type { HostView } from "./host-view";

const HOST_STATE_NAMES = ["up", "down", "unreachable"] as const;

/** [description, state, has_been_checked]: every stored service has a result. */
function withState(s: CheckState): (string | number)[] {
  return [s.check, s.state, 1];
}

/**
 * The hosts table's columns (docs/livestatus.md §4.1, Checkmk's TableHosts and Icinga 2's host
 * columns), reused by the services table behind the `host_` prefix. Order: identity, state
 * (shared with services), the host's services, configuration Tantale does not have.
 */
export function hostColumns(): ColumnSpec<HostView>[] {
  return [
    string("name", "Host name", (h) => h.name),
    string("display_name", "Name to display: the host name", (h) => h.name),
    string("alias", "Alias: the host name (results carry no alias)", (h) => h.name),
    string("address", "Address: the host name (results carry no address)", (h) => h.name),
    ...checkColumns<HostView>(
      { check: (h) => h.check, now: (h) => h.now, downtimes: (h) => h.downtimesOf(HOST_CHECK), comments: (h) => h.commentsOf(HOST_CHECK) },
      HOST_STATE_NAMES,
    ),
    list("groups", "Host groups named by any result of the host (Host check and services)", (h) => h.groups()),
    list("contacts", "Contacts of the Host check; of its services while the host is pending", (h) => h.contacts()),
    list("contact_groups", "Contact groups: every contact is also a contact group of its name", (h) => h.contacts()),
    list("services", "Descriptions of the host's services, sorted", (h) => h.servicesList("services", (all) => all.map((s) => s.check))),
    list("services_with_state", "The services as [description, state, has_been_checked]", (h) =>
      h.servicesList("services_with_state", (all) => all.map(withState)),
    ),
    list("services_with_info", "The services as [description, state, has_been_checked, plugin_output]", (h) =>
      h.servicesList("services_with_info", (all) => all.map((s) => [...withState(s), s.output])),
    ),
    list(
      "services_with_fullstate",
      "The services as [description, state, has_been_checked, plugin_output, last_hard_state, current_attempt, max_check_attempts, scheduled_downtime_depth, acknowledged, in_service_period]",
      (h) =>
        h.servicesList("services_with_fullstate", (all) =>
          all.map((s) => [...withState(s), s.output, s.state, 1, 1, s.downtimeDepth, s.acknowledgement === null ? 0 : 1, 1]),
        ),
    ),
    int("num_services", "Number of services", (h) => h.summary().total),
    int("total_services", "Number of services", (h) => h.summary().total),
    int("num_services_ok", "Services in state OK", (h) => h.summary().byState[0] ?? 0),
    int("num_services_warn", "Services in state WARNING", (h) => h.summary().byState[1] ?? 0),
    int("num_services_crit", "Services in state CRITICAL", (h) => h.summary().byState[2] ?? 0),
    int("num_services_unknown", "Services in state UNKNOWN", (h) => h.summary().byState[3] ?? 0),
    int("num_services_pending", "Services without a result: always 0 (a service exists from its first result)", () => 0),
    int("num_services_hard_ok", "Services in hard state OK (every state is hard)", (h) => h.summary().byState[0] ?? 0),
    int("num_services_hard_warn", "Services in hard state WARNING", (h) => h.summary().byState[1] ?? 0),
    int("num_services_hard_crit", "Services in hard state CRITICAL", (h) => h.summary().byState[2] ?? 0),
    int("num_services_hard_unknown", "Services in hard state UNKNOWN", (h) => h.summary().byState[3] ?? 0),
    int("num_services_handled_problems", "Services with a problem that is acknowledged or in downtime", (h) => h.summary().handled),
    int("num_services_unhandled_problems", "Services with a problem neither acknowledged nor in downtime", (h) => h.summary().unhandled),
    int("worst_service_state", "Worst state of the services (CRITICAL, then UNKNOWN, WARNING, OK); 0 without services", (h) => h.summary().worst),
    int("worst_service_hard_state", "Worst hard state of the services: the same, every state being hard", (h) => h.summary().worst),
    ...constants<HostView>([
      ["address6", "string", "", "IPv6 address: always empty"],
      ["parents", "list", EMPTY_LIST, "Parent hosts: always empty"],
      ["childs", "list", EMPTY_LIST, "Child hosts: always empty"],
      ["filename", "string", "", "Checkmk: the file that defines the host: always empty"],
      ["obsess_over_host", "int", 0, "Whether the core obsesses over the host: always 0"],
      ["statusmap_image", "string", "", "Status map image: always empty"],
      ["x_2d", "int", 0, "Status map x coordinate: always 0"],
      ["y_2d", "int", 0, "Status map y coordinate: always 0"],
      ["x_3d", "float", 0, "3D status map x coordinate: always 0"],
      ["y_3d", "float", 0, "3D status map y coordinate: always 0"],
      ["z_3d", "float", 0, "3D status map z coordinate: always 0"],
      ["mk_inventory", "string", "", "Checkmk HW/SW inventory: always empty"],
      ["mk_inventory_gz", "string", "", "Checkmk HW/SW inventory, compressed: always empty"],
      ["mk_inventory_last", "time", 0, "Time of the last Checkmk inventory: always 0"],
      ["mk_logwatch_files", "list", EMPTY_LIST, "Checkmk logwatch files: always empty"],
      ["structured_status", "string", "", "Checkmk structured status: always empty"],
      ["smartping_timeout", "int", 0, "Checkmk smartping timeout: always 0"],
    ]),
  ];
}

/** Hosts columns are the same for every hosts and services table: built once. */
export const HOST_COLUMNS: readonly ColumnSpec<HostView>[] = Object.freeze(hostColumns());
