import { defineTable } from "../../../core";
import { contactgroupsTable } from "./contactgroups-table";
import { contactgroupsSchema } from "./schema";

export default defineTable({
  name: "contactgroups",
  description: "The Livestatus contactgroups table: every contact name carried by a result, as a group holding that contact.",
  schema: contactgroupsSchema,
  // Multisite lists contact groups: it runs without a conf file (contactgroups.conf with enabled = false turns it off).
  defaultEnabled: true,
  table: contactgroupsTable,
});
