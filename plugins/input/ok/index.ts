import { definePlugin } from "../../../core/plugin/define";
import { OkInput } from "./ok-input";
import { okSchema } from "./schema";

export default definePlugin({
  name: "ok",
  kind: "input",
  description: "The heartbeat of a monitored host: its Host check UP every interval.",
  schema: okSchema,
  create: OkInput,
});
