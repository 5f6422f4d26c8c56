import { defineTable } from "../../../core";
import { columnsTable } from "./columns-table";
import { columnsSchema } from "./schema";

export default defineTable({
  name: "columns",
  description: "The Livestatus columns table: every column of every served table, with its type and description.",
  schema: columnsSchema,
  // Thruk and Multisite probe it: it runs without a conf file (columns.conf with enabled = false turns it off).
  defaultEnabled: true,
  table: columnsTable,
});
