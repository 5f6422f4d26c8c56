import { definePlugin } from "../../../core/plugin/define";
import { timeperiodsSchema } from "./schema";
import { TimeperiodsTable } from "./timeperiods-table";

export default definePlugin({
  name: "timeperiods",
  kind: "table",
  description: "The Livestatus timeperiods table: the one period 24X7, always active.",
  schema: timeperiodsSchema,
  // GUIs ask it: it runs without a conf file (timeperiods.conf with enabled = false turns it off).
  defaultEnabled: true,
  create: TimeperiodsTable,
});
