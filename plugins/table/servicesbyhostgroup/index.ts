import { defineTable } from "../../../core";
import { servicesbyhostgroupSchema } from "./schema";
import { servicesbyhostgroupTable } from "./servicesbyhostgroup-table";

export default defineTable({
  name: "servicesbyhostgroup",
  description:
    "The Livestatus servicesbyhostgroup table: one row per service and host group of its host, the services columns with the group's as hostgroup_*.",
  schema: servicesbyhostgroupSchema,
  // NagVis counts the service states of host groups on it: it runs without a conf file (servicesbyhostgroup.conf with enabled = false turns it off).
  defaultEnabled: true,
  table: servicesbyhostgroupTable,
});
