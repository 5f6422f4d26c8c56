import { defineTable } from "../../../core";
import { logTable } from "./log-table";
import { logSchema } from "./schema";

export default defineTable({
  name: "log",
  description: "The Livestatus log table: the alerts of every host and service, read from the store by time range.",
  schema: logSchema,
  // GUIs show the event history from it: it runs without a conf file (log.conf with enabled = false turns it off).
  defaultEnabled: true,
  table: logTable,
});
