import { definePlugin } from "../../../core/plugin/define";
import { servicesbygroupSchema } from "./schema";
import { ServicesbygroupTable } from "./servicesbygroup-table";

export default definePlugin({
  name: "servicesbygroup",
  kind: "table",
  description: "The Livestatus servicesbygroup table: one row per service and service group, the services columns with the group's as servicegroup_*.",
  schema: servicesbygroupSchema,
  // NagVis counts service group states on it: it runs without a conf file (servicesbygroup.conf with enabled = false turns it off).
  defaultEnabled: true,
  create: ServicesbygroupTable,
});
