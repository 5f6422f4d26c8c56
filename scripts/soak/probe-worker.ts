/**
 * The newcomers of the soak in their own thread: the load generator's event loop is busy
 * with 1000 connections, and a probe timed on it would measure the generator, not the daemon.
 */
import { parentPort, workerData } from "node:worker_threads";
import { probes } from "./slowloris";

interface ProbeJob {
  readonly livestatusPort: number;
  readonly linePort: number;
  readonly intervalMs: number;
  /** Milliseconds from now. */
  readonly durationMs: number;
}

const job = workerData as ProbeJob;
probes(job.livestatusPort, job.linePort, job.intervalMs, performance.now() + job.durationMs).then(
  (report) => parentPort!.postMessage(report),
  (err: unknown) => parentPort!.postMessage({ livestatus: [], line: [], failures: [String(err)] }),
);
