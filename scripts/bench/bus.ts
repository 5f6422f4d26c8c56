import { systemClock } from "../../core/clock";
import { silentLogger } from "../../core/log/logger";
import { SelfStats } from "../../core/metrics/self-stats";
import type { CheckResult } from "../../core/model/check-result";
import { ResultBus } from "../../core/pipeline/result-bus";
import type { OutputPlugin } from "../../core/plugin/api";

/**
 * Results per second through the result bus into outputs that only count: the core's own
 * cost per result (queueing, batching, flow control), without parsing or storage.
 */
export async function benchBus(total = 1_000_000, outputs = 2): Promise<string> {
  const log = silentLogger();
  const bus = new ResultBus(100_000, log, new SelfStats(), systemClock);
  let written = 0;
  const sink: OutputPlugin = {
    start: async () => undefined,
    stop: async () => undefined,
    write: async (batch) => {
      written += batch.length;
    },
  };
  for (let i = 0; i < outputs; i++) bus.attach(`out${i}`, sink, { batch_size: 1000, flush_interval: 1000, retry_max_delay: 30_000 }, log);
  const results: CheckResult[] = Array.from({ length: 1000 }, (_, i) =>
    Object.freeze({
      hostname: `host${i % 100}`,
      check: `check${i}`,
      status: i % 4,
      output: "OK",
      longOutput: "",
      perfData: "",
      timestamp: 1_764_100_000,
      interval: 60,
      contacts: [],
      hostgroups: [],
      servicegroups: [],
      customVariables: {},
    }),
  );
  const started = performance.now();
  let sent = 0;
  // Push as an input would: stop while the bus says paused, go on when it resumes.
  await new Promise<void>((resolve) => {
    const pump = () => {
      while (sent < total && !bus.paused) bus.accept(results[sent++ % results.length]!);
      if (sent >= total) resolve();
    };
    bus.onFlowChange((paused) => {
      if (!paused) pump();
    });
    pump();
  });
  await bus.drain();
  const seconds = (performance.now() - started) / 1000;
  if (written !== total * outputs) throw new Error(`wrote ${written}, expected ${total * outputs}`);
  return `bus: ${total} results to ${outputs} outputs in ${seconds.toFixed(3)} s = ${Math.round(total / seconds).toLocaleString("en")} results/s`;
}
