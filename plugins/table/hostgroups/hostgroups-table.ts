import type { TableContext, TableParts } from "../../../core";
import type { HostGroupView } from "../common/group-index";
import { groupsTable } from "../common/group-tables";
import { HOSTGROUP_COLUMNS } from "../common/host-group-columns";

/** The Livestatus `hostgroups` table over the state: one row per host group some result names, sorted by name. */
export function hostgroupsTable(context: TableContext): TableParts<HostGroupView> {
  return groupsTable(context, {
    prefix: "hostgroup_",
    columns: HOSTGROUP_COLUMNS,
    keyColumn: "name",
    groups: (index) => index.hostGroups(),
    visibleTo: (row, user) => row.visibleTo(user),
  });
}
