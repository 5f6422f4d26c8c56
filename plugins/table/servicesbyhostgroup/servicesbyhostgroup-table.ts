import type { HostGroupView } from "../common/group-index";
import { servicesByGroupTable, type ServiceInGroupOf } from "../common/group-tables";
import { HOSTGROUP_COLUMNS } from "../common/host-group-columns";

/** One row of servicesbyhostgroup: a service (with its host) and one of its host's host groups. */
export type ServiceInHostGroup = ServiceInGroupOf<HostGroupView>;

/** The Livestatus `servicesbyhostgroup` table: one row per (service, host group of its host) pair; the hostgroups columns as `hostgroup_<name>`. */
export const servicesbyhostgroupTable = servicesByGroupTable("hostgroup_", HOSTGROUP_COLUMNS, "Host group", (host, index) => {
  const groups = host.groups().map((name) => index.hostGroup(name));
  return () => groups;
});
