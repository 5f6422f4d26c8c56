import { definePlugin } from "../../../core/plugin/define";
import { InternalInput } from "./internal-input";
import { internalSchema } from "./schema";

export default definePlugin({
  name: "internal",
  kind: "input",
  description: "Reports Tantale's own health (queues, write errors, paused inputs) as a check result.",
  schema: internalSchema,
  create: InternalInput,
});
