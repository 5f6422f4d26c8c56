import { definePlugin } from "../../../core/plugin/define";
import { LineInput } from "./line-input";
import { lineSchema } from "./schema";

export default definePlugin({
  name: "line",
  kind: "input",
  description: "Receives check results on a TCP socket, one per line: JSON objects or Nagios PROCESS_*_CHECK_RESULT commands.",
  schema: lineSchema,
  create: LineInput,
});
