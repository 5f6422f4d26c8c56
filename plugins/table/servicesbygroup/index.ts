import { defineTable } from "../../../core";
import { servicesbygroupSchema } from "./schema";
import { servicesbygroupTable } from "./servicesbygroup-table";

export default defineTable({
  name: "servicesbygroup",
  description: "The Livestatus servicesbygroup table: one row per service and service group, the services columns with the group's as servicegroup_*.",
  schema: servicesbygroupSchema,
  // NagVis counts service group states on it: it runs without a conf file (servicesbygroup.conf with enabled = false turns it off).
  defaultEnabled: true,
  table: servicesbygroupTable,
});
