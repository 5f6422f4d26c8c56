import { definePlugin } from "../../../core/plugin/define";
import { LivestatusListener } from "./livestatus-listener";
import { livestatusSchema } from "./schema";

export default definePlugin({
  name: "livestatus",
  kind: "listener",
  description: "Serves the Livestatus protocol (GET queries over the tables, COMMANDs) on TCP and optionally a unix socket.",
  schema: livestatusSchema,
  create: LivestatusListener,
});
