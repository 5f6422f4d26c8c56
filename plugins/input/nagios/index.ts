import { definePlugin } from "../../../core/plugin/define";
import { NagiosInput } from "./nagios-input";
import { nagiosSchema } from "./schema";

export default definePlugin({
  name: "nagios",
  kind: "input",
  description: "Reads a Nagios command file (FIFO): PROCESS_*_CHECK_RESULT lines as check results, and the other external commands it is allowed.",
  schema: nagiosSchema,
  create: NagiosInput,
});
