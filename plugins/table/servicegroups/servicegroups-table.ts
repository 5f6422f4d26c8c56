import type { TableContext, TableParts } from "../../../core";
import type { ServiceGroupView } from "../common/group-index";
import { groupsTable } from "../common/group-tables";
import { SERVICEGROUP_COLUMNS } from "../common/service-group-columns";
import { serviceVisibleTo } from "../services/service-columns";

/**
 * AuthUser on service groups, Checkmk's loose rule: visible to whoever sees any member
 * service (the services table's rule: a contact of the service or of its host).
 */
export function serviceGroupVisibleTo(group: ServiceGroupView, user: string): boolean {
  return group.members().some((m) => serviceVisibleTo(m, user));
}

/** The Livestatus `servicegroups` table over the state: one row per service group some service result names, sorted by name. */
export function servicegroupsTable(context: TableContext): TableParts<ServiceGroupView> {
  return groupsTable(context, {
    prefix: "servicegroup_",
    columns: SERVICEGROUP_COLUMNS,
    keyColumn: "name",
    groups: (index) => index.serviceGroups(),
    visibleTo: serviceGroupVisibleTo,
  });
}
