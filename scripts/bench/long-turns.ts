/**
 * What ran in the main thread's longest turns: `node dist/scripts/bench/long-turns.js
 * PROFILE.cpuprofile TURN-METER.json [turns]` (both written by the scale bench with
 * BENCH_CPU_PROF and BENCH_DAEMON_OUT, see its header). For each of the longest gaps the
 * turn meter saw (CPU ms), the functions the profile sampled within its wall-clock window,
 * by self samples (a sample is about 1 ms of the thread running), and the calls they were in.
 */
import fs from "node:fs";

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

interface Meter {
  readonly longest: readonly (readonly [cpuMs: number, fromUs: number, toUs: number])[];
}

/** Frames every turn goes through: they say nothing about what the turn did. */
const LOOP_FRAMES = /^\(root\)|^(processImmediate|processTimers|listOnTimeout|runMicrotasks|processTicksAndRejections|runNextTicks) /;

function frameName(n: ProfileNode): string {
  const file = n.callFrame.url.split("/").slice(-2).join("/");
  return `${n.callFrame.functionName || "(anonymous)"} ${file}:${n.callFrame.lineNumber + 1}`;
}

function top(counts: Map<string, number>, n: number): string[] {
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, c]) => `${String(c).padStart(5)} ${name}`);
}

export function longTurns(profile: Profile, meter: Meter, turns: number): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const times: number[] = [];
  let t = profile.startTime;
  for (const d of profile.timeDeltas) times.push((t += d));
  const out: string[] = [];
  for (const [cpuMs, from, to] of meter.longest.slice(0, turns)) {
    const self = new Map<string, number>();
    const within = new Map<string, number>();
    let samples = 0;
    for (let i = 0; i < times.length; i++) {
      if (times[i]! < from || times[i]! > to) continue;
      samples++;
      const node = byId.get(profile.samples[i]!)!;
      const name = frameName(node);
      self.set(name, (self.get(name) ?? 0) + 1);
      const seen = new Set<string>();
      for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
        const f = frameName(byId.get(id)!);
        if (seen.has(f) || LOOP_FRAMES.test(f)) continue;
        seen.add(f);
        within.set(f, (within.get(f) ?? 0) + 1);
      }
    }
    out.push(
      `${cpuMs.toFixed(1)} ms of CPU in ${((to - from) / 1000).toFixed(1)} ms, ${((from - profile.startTime) / 1e6).toFixed(2)} s into the profile, ${samples} samples`,
      "  self:",
      ...top(self, 6).map((l) => `    ${l}`),
      "  within:",
      ...top(within, 8).map((l) => `    ${l}`),
    );
  }
  return out.join("\n");
}

if (require.main === module) {
  const [profileFile, meterFile, turns] = process.argv.slice(2);
  if (profileFile === undefined || meterFile === undefined) {
    console.error("usage: node long-turns.js PROFILE.cpuprofile TURN-METER.json [turns]");
    process.exit(2);
  }
  const profile = JSON.parse(fs.readFileSync(profileFile, "utf8")) as Profile;
  const meter = JSON.parse(fs.readFileSync(meterFile, "utf8")) as Meter;
  console.log(longTurns(profile, meter, Number(turns ?? 10)));
}
