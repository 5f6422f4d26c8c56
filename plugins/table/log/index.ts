import { definePlugin } from "../../../core/plugin/define";
import { LogTable } from "./log-table";
import { logSchema } from "./schema";

export default definePlugin({
  name: "log",
  kind: "table",
  description: "The Livestatus log table: the alerts of every host and service, read from the store by time range.",
  schema: logSchema,
  // GUIs show the event history from it: it runs without a conf file (log.conf with enabled = false turns it off).
  defaultEnabled: true,
  create: LogTable,
});
