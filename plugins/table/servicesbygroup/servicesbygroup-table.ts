import { serviceGroupNames, type ServiceGroupView } from "../common/group-index";
import { servicesByGroupTable, type ServiceInGroupOf } from "../common/group-tables";
import { SERVICEGROUP_COLUMNS } from "../common/service-group-columns";

/** One row of servicesbygroup: a service (with its host) and one of its service groups. */
export type ServiceInGroup = ServiceInGroupOf<ServiceGroupView>;

/** The Livestatus `servicesbygroup` table: one row per (service, service group) pair; the servicegroups columns as `servicegroup_<name>`. */
export const servicesbygroupTable = servicesByGroupTable(
  "servicegroup_",
  SERVICEGROUP_COLUMNS,
  "Service group",
  (_host, index) => (service) => serviceGroupNames(service).map((name) => index.serviceGroup(name)),
);
