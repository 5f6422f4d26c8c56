import { defineTable } from "../../../core";
import { downtimesTable } from "./downtimes-table";
import { downtimesSchema } from "./schema";

export default defineTable({
  name: "downtimes",
  description: "The Livestatus downtimes table: every scheduled downtime, active or pending, with its host's and service's columns.",
  schema: downtimesSchema,
  // Multisite, Thruk and Nagstamon ask for it: it runs without a conf file (downtimes.conf with enabled = false turns it off).
  defaultEnabled: true,
  table: downtimesTable,
});
