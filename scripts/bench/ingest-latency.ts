import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type net from "node:net";
import { connect, daemonNodeArgs, freePort, waitForPort } from "./bench-net";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const SERVICES_PER_HOST = 20;
/** Results per round of one connection, each round ended by a SYNC. */
const ROUND = 10_000;
/** Timestamps as seconds with milliseconds, fixed width: each round is 1 ms newer than the last. */
const TS_WIDTH = 14;

/**
 * Sustained ingest while a Livestatus client queries: a real `tantale --foreground` (line
 * input, SQLite store, Livestatus) holding `services` checks, fed by 4 connections that send
 * rounds of 10,000 results (each check again, newer, 1% of them changing state) followed by a
 * SYNC, for `seconds`; meanwhile a client asks for one host's services every 10 ms on a fresh
 * connection. Prints the results/s committed and what a Livestatus answer waited: p50, p99
 * and max of the round trips. BENCH_SERVICES and BENCH_SECONDS override the sizes.
 */
export async function benchIngestLatency(
  services = Number(process.env.BENCH_SERVICES ?? 100_000),
  seconds = Number(process.env.BENCH_SECONDS ?? 15),
): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tantale-bench-"));
  const [linePort, lsPort] = [await freePort(), await freePort()];
  const conf = path.join(dir, "conf.d");
  fs.mkdirSync(conf);
  fs.writeFileSync(path.join(conf, "tantale.conf"), `log_level = warn\n${process.env.BENCH_TANTALE_CONF ?? ""}`);
  fs.writeFileSync(path.join(conf, "line.conf"), `port = ${linePort}\n`);
  fs.writeFileSync(path.join(conf, "livestatus.conf"), `port = ${lsPort}\n`);
  fs.writeFileSync(path.join(conf, "sqlite.conf"), "");
  const meterFile = path.join(dir, "turn-meter.json");
  const daemon = spawn(
    process.execPath,
    [
      "--require",
      path.join(__dirname, "turn-meter.js"),
      ...daemonNodeArgs(),
      path.join(ROOT, "bin", "tantale"),
      "--foreground",
      "--conf-dir",
      conf,
      "--data-dir",
      path.join(dir, "data"),
    ],
    {
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, TURN_METER_OUT: meterFile },
    },
  );
  try {
    await waitForPort(linePort);
    await waitForPort(lsPort);
    const connections = 4;
    const per = Math.ceil(services / connections);
    const feeds = Array.from({ length: connections }, (_, c) => new Feed(c * per, Math.min(services, (c + 1) * per)));
    const sockets = await Promise.all(feeds.map(() => connect(linePort)));
    // Recent: the freshness check must not outdate the checks during the run.
    const base = Math.floor(Date.now() / 1000) - 5;
    let round = 0;
    const next = () => base + ++round / 1000;
    // Preload: every check once.
    const loadStarted = performance.now();
    await Promise.all(feeds.map((f, i) => f.sendAll(sockets[i]!, next())));
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    // Sustained: each connection goes round its checks again and again, one timestamp per round.
    const waits: number[] = [];
    const querying = { stop: false };
    const querier = (async () => {
      while (!querying.stop && process.env.BENCH_NO_QUERIES === undefined) {
        const host = Math.floor(Math.random() * (services / SERVICES_PER_HOST));
        const t0 = performance.now();
        await livestatus(lsPort, `GET services\nColumns: description state plugin_output\nFilter: host_name = host${host}\n\n`);
        waits.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const cpuBefore = threadCpu(daemon.pid!);
    daemon.kill("SIGUSR2"); // turn-meter.ts: starts measuring
    const started = performance.now();
    let committed = 0;
    // Two rounds in flight per connection: the daemon always has the next one to read while it commits the last.
    await Promise.all(
      feeds.flatMap((f, i) =>
        [0, 1].map(async () => {
          while (performance.now() - started < seconds * 1000) {
            const n = await f.sendRound(sockets[i]!, next());
            committed += n; // not "committed += await": the other loops add meanwhile
          }
        }),
      ),
    );
    const elapsed = (performance.now() - started) / 1000;
    const cpu = cpuSpent(cpuBefore, threadCpu(daemon.pid!), daemon.pid!);
    daemon.kill("SIGUSR2"); // turn-meter.ts: writes what it measured
    for (let i = 0; i < 200 && !fs.existsSync(meterFile); i++) await new Promise((r) => setTimeout(r, 10));
    const turns = fs.existsSync(meterFile) ? (JSON.parse(fs.readFileSync(meterFile, "utf8")) as Record<string, number>) : undefined;
    querying.stop = true;
    await querier;
    for (const s of sockets) s.destroy();
    waits.sort((a, b) => a - b);
    const q = (p: number) => (waits.length === 0 ? 0 : waits[Math.min(waits.length - 1, Math.floor(p * waits.length))]!).toFixed(1);
    return [
      `ingest-latency: ${services.toLocaleString("en")} services loaded in ${loadSeconds.toFixed(1)} s (${Math.round(services / loadSeconds).toLocaleString("en")} results/s)`,
      `ingest-latency: sustained ${elapsed.toFixed(1)} s over ${connections} connections: ${Math.round(committed / elapsed).toLocaleString("en")} results/s committed`,
      `ingest-latency: CPU per result committed: main thread ${((cpu.main / committed) * 1e6).toFixed(1)} µs, busiest other thread ${((cpu.other / committed) * 1e6).toFixed(1)} µs, whole process ${((cpu.total / committed) * 1e6).toFixed(1)} µs` +
        ` (load-independent: at 100% of a core the main thread alone would take ${Math.round(committed / cpu.main).toLocaleString("en")} results/s)`,
      turns === undefined
        ? "ingest-latency: main thread CPU between two runs of a 1 ms timer: not measured (no /proc/thread-self/schedstat)"
        : `ingest-latency: main thread CPU between two runs of a 1 ms timer (what a request may wait behind, whatever the machine's load): p50 ${turns.p50!.toFixed(1)} ms, p99 ${turns.p99!.toFixed(1)} ms, p99.9 ${turns.p999!.toFixed(1)} ms, max ${turns.max!.toFixed(1)} ms (${turns.samples ?? 0} runs)`,
      `ingest-latency: one host's services meanwhile (${waits.length} queries): p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${(waits.at(-1) ?? 0).toFixed(1)} ms`,
    ].join("\n");
  } finally {
    daemon.kill("SIGTERM");
    await new Promise((r) => daemon.once("exit", r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The checks `from`..`to` of one connection as JSON lines, built once: each round only writes
 * its timestamp (and the state of 1% of the checks) in place, so the client's cost stays small.
 */
class Feed {
  private readonly rounds: { buf: Buffer; ts: number[]; status: number[]; count: number }[] = [];
  private round = 0;

  constructor(from: number, to: number) {
    for (let start = from; start < to; start += ROUND) {
      const end = Math.min(to, start + ROUND);
      const parts: string[] = [];
      const tsAt: number[] = [];
      const statusAt: number[] = [];
      let offset = 0;
      for (let i = start; i < end; i++) {
        const head = `{"hostname":"host${Math.floor(i / SERVICES_PER_HOST)}","check":"check${i % SERVICES_PER_HOST}","status":`;
        const mid = `,"output":"CHECK ${i} - all fine","timestamp":`;
        statusAt.push(i % 100 === 0 ? offset + Buffer.byteLength(head) : -1);
        tsAt.push(offset + Buffer.byteLength(head) + 1 + Buffer.byteLength(mid));
        const line = `${head}0${mid}${"0".repeat(TS_WIDTH)},"interval":60,"contacts":["ops"]}\n`;
        parts.push(line);
        offset += Buffer.byteLength(line);
      }
      parts.push("SYNC\n");
      this.rounds.push({ buf: Buffer.from(parts.join("")), ts: tsAt, status: statusAt.filter((s) => s >= 0), count: end - start });
    }
  }

  private readonly synced = new Map<net.Socket, (() => void)[]>();

  async sendAll(s: net.Socket, ts: number): Promise<void> {
    for (let i = 0; i < this.rounds.length; i++) await this.sendRound(s, ts);
  }

  /** SYNCED answers come in the order of the SYNCs: each resolves the oldest waiter. */
  private waitSynced(s: net.Socket): Promise<void> {
    let waiters = this.synced.get(s);
    if (waiters === undefined) {
      const list: (() => void)[] = [];
      waiters = list;
      this.synced.set(s, list);
      let answer = "";
      s.on("data", (d: Buffer) => {
        answer += d.toString("utf8");
        for (let nl = answer.indexOf("\n"); nl >= 0; nl = answer.indexOf("\n")) {
          const line = answer.slice(0, nl);
          answer = answer.slice(nl + 1);
          if (!line.startsWith("SYNCED")) throw new Error(`unexpected answer ${line}`);
          list.shift()?.();
        }
      });
    }
    const list = waiters;
    return new Promise<void>((resolve) => list.push(resolve));
  }

  /** Sends the next round stamped `ts` and waits for its SYNCED; returns how many results it held. */
  async sendRound(s: net.Socket, ts: number): Promise<number> {
    const r = this.rounds[this.round++ % this.rounds.length]!;
    const text = ts.toFixed(3);
    for (const at of r.ts) r.buf.write(text, at, "latin1");
    const status = String(this.round % 4);
    for (const at of r.status) r.buf.write(status, at, "latin1");
    const synced = this.waitSynced(s);
    s.write(Buffer.from(r.buf)); // a copy: the template is stamped again for the next round while this one is sent
    await synced;
    return r.count;
  }
}

/** One Livestatus request, answered until the server closes. */
async function livestatus(port: number, request: string): Promise<string> {
  const s = await connect(port);
  return new Promise((resolve, reject) => {
    let answer = "";
    s.on("data", (d: Buffer) => (answer += d.toString("utf8")));
    s.on("end", () => resolve(answer));
    s.on("error", reject);
    s.end(request);
  });
}

/** CPU seconds (user + system) of each thread of a process, from /proc (Linux; empty elsewhere). */
function threadCpu(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  let tids: string[];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      // Fields after the command (which may hold spaces) start at state; utime and stime are fields 14 and 15.
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.set(tid, (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS);
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

/** Clock ticks per second of /proc's times (USER_HZ: 100 on Linux). */
const CLOCK_TICKS = 100;

function cpuSpent(before: Map<string, number>, after: Map<string, number>, pid: number): { main: number; other: number; total: number } {
  let main = 0;
  let other = 0;
  let total = 0;
  for (const [tid, t] of after) {
    const spent = t - (before.get(tid) ?? 0);
    total += spent;
    if (tid === String(pid)) main = spent;
    else other = Math.max(other, spent);
  }
  return { main, other, total };
}
