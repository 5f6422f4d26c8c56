import type { HostGroupView } from "../common/group-index";
import { groupsTable } from "../common/group-tables";
import { HOSTGROUP_COLUMNS } from "../common/host-group-columns";

/** The Livestatus `hostgroups` table over the state: one row per host group some result names, sorted by name. */
export const hostgroupsTable = groupsTable<HostGroupView>(
  "hostgroup_",
  HOSTGROUP_COLUMNS,
  (index) => index.hostGroups(),
  (group, user) => group.visibleTo(user),
);
