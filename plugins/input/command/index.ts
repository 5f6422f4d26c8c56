import { definePlugin } from "../../../core/plugin/define";
import { CommandInput } from "./command-input";
import { commandSchema } from "./schema";

export default definePlugin({
  name: "command",
  kind: "input",
  description: "Runs Nagios plugins (any executable) on an interval with a timeout, from [check <name>] sections; exit codes 0-3 are the status.",
  schema: commandSchema,
  create: CommandInput,
});
