import { type ColumnSpec, constants, int, list, string } from "../../../core";
import type { ServiceGroupView } from "./group-index";
import { GROUP_CONSTANTS, serviceCountColumns } from "./host-group-columns";

/**
 * The servicegroups table's columns (docs/livestatus.md §4.4, the 18 columns of Icinga 2's
 * servicegroups), reused by servicesbygroup behind the `servicegroup_` prefix.
 */
export function serviceGroupColumns(): ColumnSpec<ServiceGroupView>[] {
  return [
    string("name", "Service group name, as results name it", (g) => g.name),
    string("alias", "Alias: the group name (results carry no alias)", (g) => g.name),
    list("members", "The member services as [host name, description] pairs, sorted (csv: joined by the host/service separator)", (g) =>
      g.membersList("members", (all) => all.map((m) => [m.host.name, m.service.check])),
    ),
    list("members_with_state", "The members as [host name, description, state, has_been_checked]", (g) =>
      g.membersList("members_with_state", (all) => all.map((m) => [m.host.name, m.service.check, m.service.state, 1])),
    ),
    ...serviceCountColumns<ServiceGroupView>((g) => g.counts(), "in the group"),
    int("worst_service_state", "Worst state of the member services (CRITICAL, then UNKNOWN, WARNING, OK); 0 without services", (g) => g.counts().worst),
    ...constants<ServiceGroupView>(GROUP_CONSTANTS),
  ];
}

/** Built once: the servicegroups and servicesbygroup tables share them. */
export const SERVICEGROUP_COLUMNS: readonly ColumnSpec<ServiceGroupView>[] = Object.freeze(serviceGroupColumns());
