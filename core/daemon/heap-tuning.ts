import v8 from "node:v8";

/**
 * How much V8 lets the old generation grow past what the last full collection kept, in
 * percent. V8's own factor goes up to 300 %: after an ingest burst a daemon with 35 MiB of
 * live data kept a heap of 110–160 MiB, most of it garbage no collection came for.
 */
export const HEAP_GROWING_PERCENT = 50;

/**
 * The daemon's heap settings, set when it starts (`tantale --foreground`, and the detached
 * daemon's own process), so that whoever starts it, and however (systemd, a shell, npm), gets
 * them: no node option to pass. Both flags are read by V8 at each collection, so they take
 * effect although the heap exists already (a `--max-semi-space-size` would not: it is read
 * when the heap is made).
 *
 * The young generation stays at its initial 1 MiB semi-spaces (V8 grows them to 16 MiB: 32 MiB
 * of RSS that an ingest burst fills and nothing gives back). Each new isolate (a Worker)
 * resets the growth factor to V8's minimum of 2 for the whole process, so it is set again
 * once each worker runs; a worker's own young generation is its `resourceLimits`.
 */
export function tuneDaemonHeap(): void {
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  keepYoungGenerationSmall();
  process.on("worker", (worker) => worker.once("online", keepYoungGenerationSmall));
}

function keepYoungGenerationSmall(): void {
  v8.setFlagsFromString("--semi-space-growth-factor=1");
}
