import { definePlugin } from "../../../core/plugin/define";
import { DowntimesTable } from "./downtimes-table";
import { downtimesSchema } from "./schema";

export default definePlugin({
  name: "downtimes",
  kind: "table",
  description: "The Livestatus downtimes table: every scheduled downtime, active or pending, with its host's and service's columns.",
  schema: downtimesSchema,
  // Multisite, Thruk and Nagstamon ask for it: it runs without a conf file (downtimes.conf with enabled = false turns it off).
  defaultEnabled: true,
  create: DowntimesTable,
});
