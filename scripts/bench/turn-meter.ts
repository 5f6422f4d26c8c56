/**
 * Preloaded into the daemon by the ingest-latency benchmark (`node --require turn-meter.js`):
 * how long the main thread works without letting a timer run, i.e. what a Livestatus request
 * that just arrived may wait behind. A 1 ms timer reads the thread's CPU time (Linux
 * /proc/thread-self/schedstat, nanoseconds) at each run: the CPU spent between two runs is the
 * work of the loop turns between them. CPU time, not wall time, so that the other processes
 * of a loaded machine do not count. A first SIGUSR2 starts the measure, a second writes its
 * figures to the file named by TURN_METER_OUT, with the longest gaps' wall-clock windows
 * (process.hrtime, µs: the clock of a --cpu-prof profile, to see what ran then).
 * TURN_METER_SIGNAL names another signal (the scale benchmark's memory probe answers SIGUSR2).
 */
import fs from "node:fs";

const SCHEDSTAT = "/proc/thread-self/schedstat";
/** Gaps whose window is kept. */
const LONGEST = 30;

function cpuNs(): number {
  return Number(fs.readFileSync(SCHEDSTAT, "utf8").split(" ")[0]);
}

function wallUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

const out = process.env.TURN_METER_OUT;
const signal = (process.env.TURN_METER_SIGNAL ?? "SIGUSR2") as NodeJS.Signals;
if (out !== undefined && fs.existsSync(SCHEDSTAT)) {
  let gaps: number[] | undefined;
  /** [cpu ms, wall start µs, wall end µs] of the longest gaps so far, shortest first. */
  let longest: [number, number, number][] = [];
  let last = 0;
  let lastWall = 0;
  const timer = setInterval(() => {
    if (gaps === undefined) return;
    const now = cpuNs();
    const wall = wallUs();
    const gap = (now - last) / 1e6;
    gaps.push(gap);
    if (longest.length < LONGEST || gap > longest[0]![0]) {
      longest.push([gap, lastWall, wall]);
      longest.sort((a, b) => a[0] - b[0]);
      if (longest.length > LONGEST) longest.shift();
    }
    last = now;
    lastWall = wall;
  }, 1);
  timer.unref();
  // The first signal starts the measure, the second writes it.
  process.on(signal, () => {
    if (gaps === undefined) {
      gaps = [];
      longest = [];
      last = cpuNs();
      lastWall = wallUs();
      return;
    }
    const g = gaps.sort((a, b) => a - b);
    gaps = undefined;
    const q = (p: number) => g[Math.min(g.length - 1, Math.floor(p * g.length))] ?? 0;
    fs.writeFileSync(out, JSON.stringify({ samples: g.length, p50: q(0.5), p99: q(0.99), p999: q(0.999), max: g.at(-1) ?? 0, longest: longest.reverse() }));
  });
}
