import { definePlugin } from "../../../core/plugin/define";
import { CommandsTable } from "./commands-table";
import { commandsSchema } from "./schema";

export default definePlugin({
  name: "commands",
  kind: "table",
  description: "The Livestatus commands table: empty (Tantale runs no check commands), served so that GUIs asking for it get an answer.",
  schema: commandsSchema,
  // Multisite asks it: it runs without a conf file (commands.conf with enabled = false turns it off).
  defaultEnabled: true,
  create: CommandsTable,
});
