import { defineTable } from "../../../core";
import { hostsbygroupTable } from "./hostsbygroup-table";
import { hostsbygroupSchema } from "./schema";

export default defineTable({
  name: "hostsbygroup",
  description: "The Livestatus hostsbygroup table: one row per host and host group, the hosts columns with the group's as hostgroup_*.",
  schema: hostsbygroupSchema,
  // NagVis counts host group states on it: it runs without a conf file (hostsbygroup.conf with enabled = false turns it off).
  defaultEnabled: true,
  table: hostsbygroupTable,
});
