import type { ConfigOf, ConfigSchema } from "../../../core/plugin/api";
import { configToken } from "../../../core/tokens";

export const metricsSchema = {
  bind: { doc: "Address to listen on (0.0.0.0 or :: for every interface).", format: "host", default: "127.0.0.1" },
  port: { doc: "TCP port to listen on (9464: the usual port of a Prometheus exporter of this kind).", format: "port", default: 9464 },
  prefix: {
    doc: "Prefix of every metric name, the process metrics' included.",
    format: "string",
    default: "tantale_",
    validate: (prefix) =>
      /^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(prefix) || prefix === "" ? undefined : `must be a Prometheus name prefix ([a-zA-Z_:][a-zA-Z0-9_:]*), got "${prefix}"`,
  },
  process_metrics: {
    doc: "Whether to serve prom-client's process metrics as well (resident memory, CPU, event loop lag, heap, GC).",
    format: "bool",
    default: true,
  },
} as const satisfies ConfigSchema;

export type MetricsConfig = ConfigOf<typeof metricsSchema>;
export const METRICS_CONFIG = configToken(metricsSchema);
