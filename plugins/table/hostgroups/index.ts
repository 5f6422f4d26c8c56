import { defineTable } from "../../../core";
import { hostgroupsTable } from "./hostgroups-table";
import { hostgroupsSchema } from "./schema";

export default defineTable({
  name: "hostgroups",
  description: "The Livestatus hostgroups table: the host groups named by results, with their members and state counters.",
  schema: hostgroupsSchema,
  // GUIs list host groups (NagVis, Thruk, Multisite): it runs without a conf file (hostgroups.conf with enabled = false turns it off).
  defaultEnabled: true,
  table: hostgroupsTable,
});
