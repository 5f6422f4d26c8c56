import { type ColumnSpec, type Constant, constants, int, list, string } from "../../../core";
import type { HostGroupView, ServiceCounts } from "./group-index";

/** notes, notes_url, action_url: results carry none of them. */
export const GROUP_CONSTANTS: readonly Constant[] = [
  ["notes", "string", "", "Notes: always empty (results carry none)"],
  ["notes_url", "string", "", "Notes URL: always empty"],
  ["action_url", "string", "", "Action URL: always empty"],
];

/**
 * The service counters of a group (docs/livestatus.md §4.4): every stored service has a result,
 * so none is pending, and every state is hard.
 */
export function serviceCountColumns<Row>(counts: (row: Row) => ServiceCounts, of: string): ColumnSpec<Row>[] {
  const n = (row: Row, state: number): number => counts(row).byState[state] ?? 0;
  return [
    int("num_services", `Number of services ${of}`, (r) => counts(r).total),
    int("num_services_ok", `Services ${of} in state OK`, (r) => n(r, 0)),
    int("num_services_warn", `Services ${of} in state WARNING`, (r) => n(r, 1)),
    int("num_services_crit", `Services ${of} in state CRITICAL`, (r) => n(r, 2)),
    int("num_services_unknown", `Services ${of} in state UNKNOWN`, (r) => n(r, 3)),
    int("num_services_pending", "Services without a result: always 0 (a service exists from its first result)", () => 0),
    int("num_services_hard_ok", `Services ${of} in hard state OK (every state is hard)`, (r) => n(r, 0)),
    int("num_services_hard_warn", `Services ${of} in hard state WARNING`, (r) => n(r, 1)),
    int("num_services_hard_crit", `Services ${of} in hard state CRITICAL`, (r) => n(r, 2)),
    int("num_services_hard_unknown", `Services ${of} in hard state UNKNOWN`, (r) => n(r, 3)),
  ];
}

/**
 * The hostgroups table's columns (docs/livestatus.md §4.4, the 25 columns of Icinga 2's and
 * Checkmk's hostgroups), reused by hostsbygroup and servicesbyhostgroup behind the
 * `hostgroup_` prefix. A group exists because results name it: it has no alias of its own.
 */
export function hostGroupColumns(): ColumnSpec<HostGroupView>[] {
  const hosts = (g: HostGroupView, state: number): number => g.summary().hostsByState[state] ?? 0;
  return [
    string("name", "Host group name, as results name it", (g) => g.name),
    string("alias", "Alias: the group name (results carry no alias)", (g) => g.name),
    list("members", "Names of the member hosts (those naming the group in their Host check or a service's result), sorted", (g) =>
      g.membersList("members", (all) => all.map((h) => h.name)),
    ),
    list("members_with_state", "The members as [name, state, has_been_checked]", (g) =>
      g.membersList("members_with_state", (all) => all.map((h) => [h.name, h.check?.state ?? 0, h.check === undefined ? 0 : 1])),
    ),
    int("num_hosts", "Number of member hosts", (g) => g.members().length),
    int("num_hosts_up", "Member hosts checked and UP", (g) => hosts(g, 0)),
    int("num_hosts_down", "Member hosts DOWN", (g) => hosts(g, 1)),
    int("num_hosts_unreach", "Member hosts UNREACHABLE", (g) => hosts(g, 2)),
    int("num_hosts_pending", "Member hosts whose Host check has not come (has_been_checked 0)", (g) => g.summary().pending),
    ...serviceCountColumns<HostGroupView>((g) => g.summary().services, "of the member hosts"),
    int("worst_host_state", "Worst state of the member hosts (DOWN, then UNREACHABLE, UP; a pending host counts as UP)", (g) => g.summary().worstHost),
    int(
      "worst_service_state",
      "Worst state of the member hosts' services (CRITICAL, then UNKNOWN, WARNING, OK); 0 without services",
      (g) => g.summary().services.worst,
    ),
    int("worst_service_hard_state", "Worst hard state of the member hosts' services: the same, every state being hard", (g) => g.summary().services.worst),
    ...constants<HostGroupView>(GROUP_CONSTANTS),
  ];
}

/** Built once: the hostgroups, hostsbygroup and servicesbyhostgroup tables share them. */
export const HOSTGROUP_COLUMNS: readonly ColumnSpec<HostGroupView>[] = Object.freeze(hostGroupColumns());
