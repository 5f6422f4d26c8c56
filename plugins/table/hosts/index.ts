import { defineTable } from "../../../core";
import { hostsTable } from "./hosts-table";
import { hostsSchema } from "./schema";

export default defineTable({
  name: "hosts",
  description: "The Livestatus hosts table: every host's state, its services' counters, groups, contacts and custom variables.",
  schema: hostsSchema,
  // GUIs cannot work without it: it runs without a conf file (hosts.conf with enabled = false turns it off).
  defaultEnabled: true,
  table: hostsTable,
});
