import { definePlugin } from "../../../core/plugin/define";
import { DiamondInput } from "./diamond-input";
import { diamondSchema } from "./schema";

export default definePlugin({
  name: "diamond",
  kind: "input",
  description: "Checks thresholds on Graphite metrics (Diamond, collectd, Telegraf) read from a FIFO or a TCP port: expressions, trends, Nagios ranges.",
  schema: diamondSchema,
  create: DiamondInput,
});
