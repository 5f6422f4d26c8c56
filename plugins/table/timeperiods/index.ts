import { defineTable } from "../../../core";
import { timeperiodsSchema } from "./schema";
import { timeperiodsTable } from "./timeperiods-table";

export default defineTable({
  name: "timeperiods",
  description: "The Livestatus timeperiods table: the one period 24X7, always active.",
  schema: timeperiodsSchema,
  // GUIs ask it: it runs without a conf file (timeperiods.conf with enabled = false turns it off).
  defaultEnabled: true,
  table: timeperiodsTable,
});
