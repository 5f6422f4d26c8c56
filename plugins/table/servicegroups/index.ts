import { defineTable } from "../../../core";
import { servicegroupsSchema } from "./schema";
import { servicegroupsTable } from "./servicegroups-table";

export default defineTable({
  name: "servicegroups",
  description: "The Livestatus servicegroups table: the service groups named by results, with their member services and state counters.",
  schema: servicegroupsSchema,
  // GUIs list service groups (NagVis, Thruk, Multisite): it runs without a conf file (servicegroups.conf with enabled = false turns it off).
  defaultEnabled: true,
  table: servicegroupsTable,
});
