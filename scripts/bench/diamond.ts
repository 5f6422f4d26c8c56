import "reflect-metadata";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadConfiguration } from "../../core/config/load-config";
import { silentLogger } from "../../core/log/logger";
import { SelfStats } from "../../core/metrics/self-stats";
import { LoopTurns } from "../../core/net/loop-turns";
import type { Sink } from "../../core/plugin/api";
import type { CheckResult } from "../../core/model/check-result";
import { BUILT_IN_PLUGINS } from "../../plugins";
import { DiamondInput } from "../../plugins/input/diamond/diamond-input";
import type { DiamondConfig } from "../../plugins/input/diamond/schema";

const CHECKS = 100;
/** Metrics the checks read: two per check, one of them also an hour back. */
const WATCHED = 2 * CHECKS;

/**
 * The diamond input's throughput: Graphite lines into an instance with 100 checks defined,
 * sent by another process (so the sender does not share the input's core) over TCP and
 * through the FIFO, timed until the input has handled the last line. Two mixes: every line
 * a metric the checks read (each kept in its history), and one line in ten (a Diamond host
 * sends hundreds of metrics, checks read a few). Then the cost of evaluating the 100 checks.
 */
export async function benchDiamond(total = 1_000_000): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tantale-bench-diamond-"));
  const out: string[] = [];
  try {
    const conf = path.join(dir, "conf.d");
    fs.mkdirSync(conf);
    const checks = Array.from(
      { length: CHECKS },
      (_, i) => `[check c${i}]\nexpression = ({m${2 * i}} - {3600|m${2 * i}}) / max({m${2 * i + 1}}, 1) * 100\nthresholds = , , 80, 90\n`,
    );
    fs.writeFileSync(path.join(conf, "diamond.conf"), `hostname = bench\nport = 0\npath = diamond.fifo\n${checks.join("")}`);
    const config = await loadConfiguration({ confDir: conf, builtIns: BUILT_IN_PLUGINS, env: {} });
    const options = config.instances.find((i) => i.id === "diamond")!.options as unknown as DiamondConfig;
    const data = path.join(dir, "data");
    fs.mkdirSync(data);
    const results: CheckResult[] = [];
    const sink: Sink = { paused: false, accept: (r) => results.push(r), onFlowChange: () => () => undefined, sync: () => Promise.resolve() };
    const stats = new SelfStats().of("diamond");
    const input = new DiamondInput(options, sink, silentLogger(), stats, { now: () => Date.now() }, data, new LoopTurns());
    await input.start();
    try {
      const runs = [
        { every: 1, via: "tcp" },
        { every: 1, via: "fifo" },
        { every: 10, via: "tcp" },
        { every: 10, via: "fifo" },
      ] as const;
      // Each run's timestamps go on from the last one's (a second per round of the watched
      // metrics), so that every point is new and the last ones are about now.
      const seconds = (every: number) => Math.ceil(total / every / WATCHED);
      let t0 = Math.floor(Date.now() / 1000) - runs.reduce((sum, r) => sum + seconds(r.every), 0);
      for (const { every, via } of runs) {
        const file = path.join(dir, "payload.txt");
        writePayload(file, total, every, t0);
        t0 += seconds(every);
        {
          const before = stats.get("lines_received");
          const started = performance.now();
          const sender = via === "tcp" ? sendTcp(file, input.port!) : sendFifo(file, input.fifoPath!);
          await until(() => stats.get("lines_received") - before >= total);
          const took = (performance.now() - started) / 1000;
          await sender;
          const read = every === 1 ? "every line read by a check" : `1 line in ${every} read by a check`;
          out.push(
            `diamond (${via}, ${read}): ${total.toLocaleString("en")} lines in ${took.toFixed(2)} s = ${Math.round(total / took).toLocaleString("en")} lines/s`,
          );
        }
      }
      const rounds = 1000;
      const started = performance.now();
      for (let i = 0; i < rounds; i++) input.runChecks();
      const micros = ((performance.now() - started) * 1000) / rounds;
      out.push(
        `diamond: evaluating the ${CHECKS} checks takes ${micros.toFixed(0)} µs (${results.filter((r) => r.status !== 3).length / rounds} of ${CHECKS} with a value); history ${input.history.metricCount} metrics, ${stats.get("points_dropped")} points dropped at max_points`,
      );
    } finally {
      await input.stop();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return out.join("\n");
}

/** `total` lines, one in `every` a metric the checks read; timestamps one second apart per round of metrics. */
function writePayload(file: string, total: number, every: number, t0: number): void {
  const fd = fs.openSync(file, "w");
  try {
    let chunk = "";
    for (let i = 0; i < total; i++) {
      const watched = i % every === 0;
      const n = Math.floor(i / every);
      const metric = watched ? `m${n % WATCHED}` : `other.collector.metric${i % 997}`;
      chunk += `servers.bench.${metric} ${(i % 1000) / 10} ${t0 + Math.floor(n / WATCHED)}\n`;
      if (chunk.length > 1 << 20) {
        fs.writeSync(fd, chunk);
        chunk = "";
      }
    }
    fs.writeSync(fd, chunk);
  } finally {
    fs.closeSync(fd);
  }
}

/** Another Node process streams the file to the port (Diamond's GraphiteHandler's part). */
function sendTcp(file: string, port: number): Promise<void> {
  return run(process.execPath, [
    "-e",
    `const s=require("net").connect(${port},"127.0.0.1",()=>require("fs").createReadStream(${JSON.stringify(file)}).pipe(s));`,
  ]);
}

/** `cat` writes the file into the FIFO (a blocking writer: the reader holds the FIFO open). */
function sendFifo(file: string, fifo: string): Promise<void> {
  return run("sh", ["-c", 'cat "$1" > "$2"', "sh", file, fifo]);
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "ignore", "inherit"] });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${String(code)}`))));
  });
}

async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 300_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error("the lines did not all arrive within 5 minutes");
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
