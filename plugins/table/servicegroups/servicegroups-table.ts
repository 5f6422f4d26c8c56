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
export const servicegroupsTable = groupsTable<ServiceGroupView>("servicegroup_", SERVICEGROUP_COLUMNS, (index) => index.serviceGroups(), serviceGroupVisibleTo);
