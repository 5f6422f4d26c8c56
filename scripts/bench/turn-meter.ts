/**
 * Preloaded into the daemon by the ingest-latency benchmark (`node --require turn-meter.js`):
 * how long the main thread works without letting a timer run, i.e. what a Livestatus request
 * that just arrived may wait behind. A 1 ms timer reads the thread's CPU time (Linux
 * /proc/thread-self/schedstat, nanoseconds) at each run: the CPU spent between two runs is the
 * work of the loop turns between them. CPU time, not wall time, so that the other processes
 * of a loaded machine do not count. A first SIGUSR2 starts the measure, a second writes its
 * figures to the file named by TURN_METER_OUT.
 */
import fs from "node:fs";

const SCHEDSTAT = "/proc/thread-self/schedstat";

function cpuNs(): number {
  return Number(fs.readFileSync(SCHEDSTAT, "utf8").split(" ")[0]);
}

const out = process.env.TURN_METER_OUT;
if (out !== undefined && fs.existsSync(SCHEDSTAT)) {
  let gaps: number[] | undefined;
  let last = 0;
  const timer = setInterval(() => {
    if (gaps === undefined) return;
    const now = cpuNs();
    gaps.push((now - last) / 1e6);
    last = now;
  }, 1);
  timer.unref();
  // The first SIGUSR2 starts the measure, the second writes it.
  process.on("SIGUSR2", () => {
    if (gaps === undefined) {
      gaps = [];
      last = cpuNs();
      return;
    }
    const g = gaps.sort((a, b) => a - b);
    gaps = undefined;
    const q = (p: number) => g[Math.min(g.length - 1, Math.floor(p * g.length))] ?? 0;
    fs.writeFileSync(out, JSON.stringify({ samples: g.length, p50: q(0.5), p99: q(0.99), p999: q(0.999), max: g.at(-1) ?? 0 }));
  });
}
