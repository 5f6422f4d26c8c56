import { definePlugin } from "../../../core/plugin/define";
import { MetricsListener } from "./metrics-listener";
import { metricsSchema } from "./schema";

export default definePlugin({
  name: "metrics",
  kind: "listener",
  description: "Serves Tantale's own figures (results, queues, commit and Livestatus latencies, spools) as Prometheus text on http://bind:port/metrics.",
  schema: metricsSchema,
  create: MetricsListener,
});
