import { joined, type ColumnSpec, type TableContext, type TableParts } from "../../../core";
import type { HostGroupView } from "../common/group-index";
import { byGroupColumns, byGroupTable } from "../common/group-tables";
import { HOST_COLUMNS } from "../common/host-columns";
import { HOSTGROUP_COLUMNS } from "../common/host-group-columns";
import type { HostView } from "../common/host-view";

/** One row of hostsbygroup: a host and one of its host groups. */
export interface HostInGroup {
  readonly host: HostView;
  readonly group: HostGroupView;
}

/** Every hosts column (same name, read from the row's host), then every hostgroups column as `hostgroup_<name>`. */
export const HOSTSBYGROUP_COLUMNS: readonly ColumnSpec<HostInGroup>[] = byGroupColumns(
  joined<HostInGroup, HostView>(
    "",
    HOST_COLUMNS,
    (r) => r.host,
    (d) => d,
  ),
  "hostgroup_",
  HOSTGROUP_COLUMNS,
  "Host group",
);

/**
 * The Livestatus `hostsbygroup` table: one row per (host, host group) pair, sorted by host
 * name then group name; a host in no group has no row. Key: the host's `name`.
 */
export function hostsbygroupTable(context: TableContext): TableParts<HostInGroup> {
  return byGroupTable(context, {
    prefix: "host_",
    columns: HOSTSBYGROUP_COLUMNS,
    keyColumn: "name",
    expand: (host, index) => host.groups().map((name) => ({ host, group: index.hostGroup(name) })),
    // The hosts table's rule: a row is the host's.
    visibleTo: (row, user) => row.host.visibleTo(user),
  });
}
