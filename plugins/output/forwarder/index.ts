import { definePlugin } from "../../../core/plugin/define";
import { ForwarderOutput } from "./forwarder-output";
import { forwarderSchema } from "./schema";

export default definePlugin({
  name: "forwarder",
  kind: "output",
  description: "Forwards results to a central Tantale's line socket, through a disk spool (nothing lost while it is away).",
  schema: forwarderSchema,
  create: ForwarderOutput,
});
