import { definePlugin } from "../../../core/plugin/define";
import { statusSchema } from "./schema";
import { StatusTable } from "./status-table";

export default definePlugin({
  name: "status",
  kind: "table",
  description: "The Livestatus status table: one row with Tantale's version, start time, pid, host and service counts, feature flags and Livestatus counters.",
  schema: statusSchema,
  // Multisite asks it on every page: it runs without a conf file (status.conf with enabled = false turns it off).
  defaultEnabled: true,
  create: StatusTable,
});
