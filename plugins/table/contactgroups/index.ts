import { definePlugin } from "../../../core/plugin/define";
import { ContactgroupsTable } from "./contactgroups-table";
import { contactgroupsSchema } from "./schema";

export default definePlugin({
  name: "contactgroups",
  kind: "table",
  description: "The Livestatus contactgroups table: every contact name carried by a result, as a group holding that contact.",
  schema: contactgroupsSchema,
  // Multisite lists contact groups: it runs without a conf file (contactgroups.conf with enabled = false turns it off).
  defaultEnabled: true,
  create: ContactgroupsTable,
});
