import { definePlugin } from "../../../core/plugin/define";
import { servicesbyhostgroupSchema } from "./schema";
import { ServicesbyhostgroupTable } from "./servicesbyhostgroup-table";

export default definePlugin({
  name: "servicesbyhostgroup",
  kind: "table",
  description: "The Livestatus servicesbyhostgroup table: one row per service and host group of its host, the services columns with the group's as hostgroup_*.",
  schema: servicesbyhostgroupSchema,
  // NagVis counts the service states of host groups on it: it runs without a conf file (servicesbyhostgroup.conf with enabled = false turns it off).
  defaultEnabled: true,
  create: ServicesbyhostgroupTable,
});
