import { defineTable } from "../../../core";
import { statusSchema } from "./schema";
import { statusTable } from "./status-table";

export default defineTable({
  name: "status",
  description: "The Livestatus status table: one row with Tantale's version, start time, pid, host and service counts, feature flags and Livestatus counters.",
  schema: statusSchema,
  // Multisite asks it on every page: it runs without a conf file (status.conf with enabled = false turns it off).
  defaultEnabled: true,
  table: statusTable,
});
