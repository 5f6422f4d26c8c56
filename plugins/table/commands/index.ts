import { defineTable } from "../../../core";
import { commandsTable } from "./commands-table";
import { commandsSchema } from "./schema";

export default defineTable({
  name: "commands",
  description: "The Livestatus commands table: empty (Tantale runs no check commands), served so that GUIs asking for it get an answer.",
  schema: commandsSchema,
  // Multisite asks it: it runs without a conf file (commands.conf with enabled = false turns it off).
  defaultEnabled: true,
  table: commandsTable,
});
