import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { systemClock } from "../../core/clock";
import { silentLogger } from "../../core/log/logger";
import { SelfStats } from "../../core/metrics/self-stats";
import { NO_RECORD_CHANGES } from "../../core/state/change-set";
import type { CheckState } from "../../core/state/check-state";
import { SqliteStore } from "../../plugins/store/sqlite/sqlite-store";
import { connect, daemonNodeArgs, freePort } from "./bench-net";
import { FramedReader, medianOf, positiveInt, query } from "./livestatus";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const MIB = 1024 * 1024;

/** The issue's sizes: 10k hosts × 10 services and 50k hosts × 20. */
const SIZES: Readonly<Record<string, { readonly hosts: number; readonly perHost: number }>> = {
  "100k": { hosts: 10_000, perHost: 10 },
  "1m": { hosts: 50_000, perHost: 20 },
};

/** Starts and stops turn-meter.ts (preloaded in the daemon): SIGUSR2 is the memory probe's, and the daemon ignores this one. */
const METER_SIGNAL = "SIGWINCH";

/** The issue's goals at 1M services on 2 cores. */
const GOALS = { rssMiB: 1536, oneHostMs: 1, groupedMs: 150, ingestPerS: 200_000, waitMs: 20, restartS: 20 } as const;

/** Results carry a long interval: no check goes outdated while the benchmark runs (a freshness wave would be measured instead). */
const INTERVAL = 3600;

interface Options {
  readonly sizes: readonly string[];
  readonly ingestSeconds: number;
  readonly connections: number;
  readonly runs: number;
  readonly daemonRoot: string;
  readonly cpuProf: string | undefined;
  readonly heapSnapshot: string | undefined;
  readonly daemonOut: string | undefined;
  readonly keep: boolean;
}

/**
 * `npm run bench -- scale`: a real `tantale --foreground` (line input, SQLite, Livestatus)
 * holding 100k or 1M services. The SQLite file is seeded directly with the store's own code
 * (SqliteStore.commit, 50k states per commit: several times faster than the line socket, and
 * the socket's rate is measured anyway), then the daemon starts on it; it reports memory,
 * query latencies, sustained ingest with the round trip of a small query meanwhile, and restart.
 *
 * Environment: BENCH_SCALE (sizes, default "100k"; "100k,1m" for both), BENCH_INGEST_SECONDS
 * (default 60), BENCH_INGEST_CONNECTIONS (default 2), BENCH_RUNS (timed runs per query,
 * default 21), BENCH_TANTALE_ROOT (the tree whose bin/tantale runs: another checkout, for a
 * before/after; its SQLite schema must be this one's), BENCH_CPU_PROF (a directory: the daemon
 * runs with --cpu-prof there), BENCH_HEAP_SNAPSHOT (a directory: a heap snapshot of the loaded
 * daemon is written there), BENCH_KEEP=1 (keep the temp dir), BENCH_TANTALE_CONF (extra
 * tantale.conf lines), BENCH_NODE_ARGS (node options for the daemon, e.g. `--trace-gc`),
 * BENCH_DAEMON_OUT (a directory: the daemon's stdout, where --trace-gc writes, and the turn meter's
 * figures with the windows of the longest gaps go to files there).
 */
export async function benchScale(): Promise<string> {
  const options: Options = {
    sizes: (process.env.BENCH_SCALE ?? "100k").split(",").map((s) => s.trim().toLowerCase()),
    ingestSeconds: positiveInt(process.env.BENCH_INGEST_SECONDS, 60),
    connections: positiveInt(process.env.BENCH_INGEST_CONNECTIONS, 2),
    runs: positiveInt(process.env.BENCH_RUNS, 21),
    daemonRoot: path.resolve(process.env.BENCH_TANTALE_ROOT ?? ROOT),
    cpuProf: nonEmpty(process.env.BENCH_CPU_PROF),
    heapSnapshot: nonEmpty(process.env.BENCH_HEAP_SNAPSHOT),
    daemonOut: nonEmpty(process.env.BENCH_DAEMON_OUT),
    keep: process.env.BENCH_KEEP === "1",
  };
  const out: string[] = [];
  for (const name of options.sizes) {
    const size = SIZES[name];
    if (size === undefined) throw new Error(`BENCH_SCALE: no size "${name}"; there are: ${Object.keys(SIZES).join(", ")}`);
    out.push(...(await benchAt(size.hosts, size.perHost, options)));
  }
  return out.join("\n");
}

async function benchAt(hosts: number, perHost: number, o: Options): Promise<string[]> {
  const services = hosts * perHost;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tantale-bench-scale-"));
  const rows: [string, string][] = [];
  const row = (what: string, figure: string) => rows.push([what, figure]);
  let daemon: ScaleDaemon | undefined;
  try {
    const seedTs = Math.floor(Date.now() / 1000) - 60;
    const seed = await seedStore(path.join(dir, "data"), hosts, perHost, seedTs);
    row("seed (SqliteStore.commit, direct)", `${fmt(seed.checks)} checks in ${s(seed.ms)} s = ${fmt(seed.checks / (seed.ms / 1000))} checks/s`);

    daemon = await ScaleDaemon.start(dir, o, "first");
    const firstMs = await daemon.waitForServices(services);
    row("first start until Livestatus counts every service", `${s(firstMs)} s, ${cpu(daemon)}${loadLine(daemon)}`);
    const mem = await daemon.memory(dir);
    row(
      "RSS after load (after a GC)",
      `${mib(mem.rss)} MiB = ${fmt(mem.rss / services)} bytes/service (peak so far ${mib(daemon.peakRss())} MiB)  ${verdict(mem.rss / MIB <= GOALS.rssMiB, `goal at 1M ≤ ${GOALS.rssMiB} MiB`)}`,
    );
    row(
      "heap used after load (after a GC)",
      `${mib(mem.heapUsed)} MiB = ${fmt(mem.heapUsed / services)} bytes/service (heap total ${mib(mem.heapTotal)} MiB, external ${mib(mem.external)} MiB)`,
    );
    if (o.heapSnapshot !== undefined) row("heap snapshot", await daemon.heapSnapshot(o.heapSnapshot));

    const middle = `host${Math.floor(hosts / 2)}`;
    const oneHost = await timedQueries(
      daemon.livestatusPort,
      o.runs * 3,
      `GET services\nColumns: host_name description state plugin_output\nFilter: host_name = ${middle}\nOutputFormat: json\n\n`,
    );
    row(
      `one host's services (${perHost}), fresh connection`,
      `${describeTimes(oneHost)}  ${verdict(medianOf(sorted(oneHost)) < GOALS.oneHostMs, `goal < ${GOALS.oneHostMs} ms`)}`,
    );
    const grouped = await timedQueries(daemon.livestatusPort, o.runs, "GET services\nColumns: state\nStats: state >= 0\nOutputFormat: json\n\n");
    row(
      "grouped stats (Stats by state), fresh connection",
      `${describeTimes(grouped)}  ${verdict(medianOf(sorted(grouped)) < GOALS.groupedMs, `goal < ${GOALS.groupedMs} ms`)}`,
    );
    const limited = await timedQueries(
      daemon.livestatusPort,
      o.runs,
      "GET services\nColumns: host_name description state plugin_output\nLimit: 1000\nOutputFormat: json\n\n",
    );
    row("full table, Limit: 1000, fresh connection", describeTimes(limited));
    const idle = await probeRoundTrips(daemon.livestatusPort, middle, 2000, () => false);
    row("small query round trip, idle (KeepAlive)", describeTimes(idle));

    const ingest = await sustainedIngest(daemon, hosts, perHost, seedTs, o);
    row(
      `sustained ingest, ${o.ingestSeconds} s over ${o.connections} connections (until SYNCED)`,
      `${fmt(ingest.results)} results in ${s(ingest.ms)} s = ${fmt(ingest.perSecond)} results/s  ${verdict(ingest.perSecond >= GOALS.ingestPerS, `goal ≥ ${fmt(GOALS.ingestPerS)}/s`)}`,
    );
    row(
      "small query round trip during ingest (KeepAlive)",
      `${describeTimes(ingest.waits)}  ${verdict(Math.max(...ingest.waits) <= GOALS.waitMs, `goal: never > ${GOALS.waitMs} ms`)}`,
    );
    row("main thread CPU between two runs of a 1 ms timer during ingest (load-independent)", describeTurns(ingest.turns));
    const after = await daemon.memory(dir);
    row(
      "RSS after ingest (after a GC) / peak",
      `${mib(after.rss)} MiB / peak ${mib(daemon.peakRss())} MiB, heap used ${mib(after.heapUsed)} MiB (total ${mib(after.heapTotal)} MiB)`,
    );
    if (o.heapSnapshot !== undefined) row("heap snapshot after ingest", await daemon.heapSnapshot(o.heapSnapshot));

    const stopStarted = performance.now();
    await daemon.stop();
    const stopMs = performance.now() - stopStarted;
    daemon = await ScaleDaemon.start(dir, o, "restart");
    const restartMs = await daemon.waitForServices(services);
    row("restart: stop", `${s(stopMs)} s`);
    row(
      "restart: start on the same data dir until Livestatus counts every service",
      `${s(restartMs)} s, ${cpu(daemon)}${loadLine(daemon)}  ${verdict(restartMs / 1000 < GOALS.restartS, `goal < ${GOALS.restartS} s`)}`,
    );
    const restarted = await daemon.memory(dir);
    row("RSS after restart (after a GC)", `${mib(restarted.rss)} MiB, heap used ${mib(restarted.heapUsed)} MiB`);
  } finally {
    await daemon?.stop();
    if (o.keep) console.error(`kept ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
  const width = Math.max(...rows.map(([w]) => w.length));
  return [
    `scale: ${fmt(services)} services (${fmt(hosts)} hosts × ${perHost}, plus a Host check each), ${os.cpus().length} CPUs`,
    ...rows.map(([w, f]) => `  ${w.padEnd(width)}  ${f}`),
  ];
}

/** Writes hosts × (Host + perHost services) states with the store's own commit, 50k per transaction. */
async function seedStore(dataDir: string, hosts: number, perHost: number, timestamp: number): Promise<{ checks: number; ms: number }> {
  const store = new SqliteStore(
    { path: "tantale.db", log_retention_days: 0, synchronous: "normal", busy_timeout: 5000 },
    dataDir,
    silentLogger(),
    systemClock,
    new SelfStats().of("seed"),
  );
  await store.start();
  const started = performance.now();
  let batch: CheckState[] = [];
  let checks = 0;
  const flush = async () => {
    await store.commit({
      upserts: batch,
      deletes: [],
      log: [],
      downtimes: NO_RECORD_CHANGES,
      comments: NO_RECORD_CHANGES,
      lastIds: { downtime: 0, comment: 0 },
    });
    checks += batch.length;
    batch = [];
  };
  const contacts = Object.freeze(["ops"]);
  for (let h = 0; h < hosts; h++) {
    const hostname = `host${h}`;
    batch.push(seededState(hostname, "Host", 0, `UP - ${hostname}`, timestamp, contacts));
    for (let c = 0; c < perHost; c++) {
      const state = serviceState(h, c, 0);
      batch.push(
        seededState(hostname, `check${c}`, state, `CHECK ${c} on ${hostname} - state ${state}|value=${(h + c) % 100};80;90;0;100`, timestamp, contacts),
      );
    }
    if (batch.length >= 50_000) await flush();
  }
  if (batch.length > 0) await flush();
  const ms = performance.now() - started;
  await store.stop();
  return { checks, ms };
}

function seededState(hostname: string, check: string, state: number, output: string, timestamp: number, contacts: readonly string[]): CheckState {
  const [text, perfData] = output.split("|") as [string, string | undefined];
  return {
    hostname,
    check,
    state,
    lastState: 0,
    output: text,
    longOutput: "",
    perfData: perfData ?? "",
    lastCheck: timestamp,
    lastStateChange: timestamp,
    lastHardStateChange: timestamp,
    interval: INTERVAL,
    contacts,
    hostgroups: [],
    servicegroups: [],
    customVariables: {},
    outdated: false,
    acknowledgement: null,
    downtimeDepth: 0,
  };
}

/** About 85 % OK and 5 % each WARNING, CRITICAL, UNKNOWN; `round` moves a few of them each pass (state changes, logged). */
function serviceState(h: number, c: number, round: number): number {
  const k = (7 * h + 3 * c + (round > 0 && (h + c) % 50 === round % 50 ? 1 : 0)) % 20;
  return k < 17 ? 0 : k - 16;
}

interface IngestFigures {
  readonly results: number;
  readonly ms: number;
  readonly perSecond: number;
  readonly waits: number[];
  readonly turns: TurnFigures | undefined;
}

/** What turn-meter.ts measured: main-thread CPU (ms) between two runs of a 1 ms timer. */
interface TurnFigures {
  readonly samples: number;
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/**
 * Each connection sends the results of its share of the hosts, pass after pass (each pass a
 * newer timestamp, so every result is applied), as fast as the socket takes them, for the
 * given seconds; then SYNC, and the time runs until every connection has its SYNCED. A
 * KeepAlive connection meanwhile sends a small query, waits for its answer, pauses 5 ms, again.
 */
async function sustainedIngest(daemon: ScaleDaemon, hosts: number, perHost: number, seedTs: number, o: Options): Promise<IngestFigures> {
  let ingesting = true;
  const waitsPromise = probeRoundTrips(daemon.livestatusPort, `host${Math.floor(hosts / 3)}`, Number.POSITIVE_INFINITY, () => !ingesting);
  const sockets = await Promise.all(Array.from({ length: o.connections }, () => connect(daemon.linePort)));
  daemon.startTurnMeter();
  const started = performance.now();
  const deadline = started + o.ingestSeconds * 1000;
  const counts = await Promise.all(sockets.map((socket, i) => feed(socket, i, o.connections, hosts, perHost, seedTs, deadline)));
  const ms = performance.now() - started;
  const turns = await daemon.turnsMetered();
  ingesting = false;
  const waits = await waitsPromise;
  for (const socket of sockets) socket.destroy();
  const results = counts.reduce((a, b) => a + b, 0);
  return { results, ms, perSecond: results / (ms / 1000), waits, turns };
}

async function feed(socket: net.Socket, index: number, of: number, hosts: number, perHost: number, seedTs: number, deadline: number): Promise<number> {
  let sent = 0;
  let answer = "";
  let synced: (() => void) | undefined;
  let failed: ((err: Error) => void) | undefined;
  socket.on("data", (d: Buffer) => {
    answer += d.toString("utf8");
    if (!answer.includes("\n")) return;
    if (answer.startsWith("SYNCED")) synced?.();
    else failed?.(new Error(`unexpected answer from the line input: ${answer.slice(0, 200)}`));
  });
  const drained = () => new Promise<void>((resolve) => socket.once("drain", resolve));
  for (let round = 1; performance.now() < deadline; round++) {
    const ts = seedTs + round * 0.01;
    for (let h = index; h < hosts && performance.now() < deadline; h += of * 10) {
      let text = "";
      for (let hh = h; hh < Math.min(hosts, h + of * 10); hh += of) {
        for (let c = 0; c < perHost; c++) {
          const state = serviceState(hh, c, round);
          text += `{"hostname":"host${hh}","check":"check${c}","status":${state},"output":"CHECK ${c} on host${hh} - state ${state} pass ${round}|value=${(hh + c + round) % 100};80;90;0;100","timestamp":${ts},"interval":${INTERVAL},"contacts":["ops"]}\n`;
          sent++;
        }
      }
      if (!socket.write(text)) await drained();
    }
  }
  await new Promise<void>((resolve, reject) => {
    synced = resolve;
    failed = reject;
    socket.once("error", reject);
    socket.write("SYNC\n");
  });
  return sent;
}

/** Round trips (ms) of a one-host query on one KeepAlive connection, 5 ms apart, until `done()` or `count` of them. */
async function probeRoundTrips(port: number, host: string, count: number, done: () => boolean): Promise<number[]> {
  const socket = await connect(port);
  socket.setNoDelay(true);
  const reader = new FramedReader(socket);
  const request = `GET hosts\nColumns: name state\nFilter: name = ${host}\nOutputFormat: json\nKeepAlive: on\nResponseHeader: fixed16\n\n`;
  const times: number[] = [];
  try {
    while (times.length < count && !done()) {
      const t0 = performance.now();
      socket.write(request);
      const answer = await reader.next();
      times.push(performance.now() - t0);
      if (!answer.subarray(0, 4).equals(Buffer.from("200 "))) throw new Error(`unexpected answer ${answer.subarray(0, 200).toString()}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    socket.destroy();
  }
  return times;
}

/** `runs` timed queries, a fresh connection each (connect to EOF), after 3 untimed ones. */
async function timedQueries(port: number, runs: number, request: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs + 3; i++) {
    const t0 = performance.now();
    const answer = await query(port, request);
    const elapsed = performance.now() - t0;
    if (answer[0] !== 0x5b /* [ */) throw new Error(`unexpected answer ${answer.subarray(0, 200).toString()}`);
    if (i >= 3) times.push(elapsed);
  }
  return times;
}

/** A `tantale --foreground` on `dir`/data, its stderr kept for the load lines, RSS and heap read through the memory probe. */
class ScaleDaemon {
  private stderr = "";

  private constructor(
    private readonly child: ChildProcess,
    readonly linePort: number,
    readonly livestatusPort: number,
    private readonly started: number,
    private readonly meterFile: string,
  ) {
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (d: string) => {
      // Only the lines about loading are kept (a long run logs a summary now and then).
      for (const line of d.split("\n")) if (/load|error|fatal/i.test(line)) this.stderr += `${line}\n`;
    });
  }

  static async start(dir: string, o: Options, label: string): Promise<ScaleDaemon> {
    const [linePort, livestatusPort] = [await freePort(), await freePort()];
    const conf = path.join(dir, "conf.d");
    fs.rmSync(conf, { recursive: true, force: true });
    fs.mkdirSync(conf);
    fs.writeFileSync(path.join(conf, "tantale.conf"), `log_level = info\n${process.env.BENCH_TANTALE_CONF ?? ""}`);
    fs.writeFileSync(path.join(conf, "line.conf"), `port = ${linePort}\n`);
    fs.writeFileSync(path.join(conf, "sqlite.conf"), "");
    fs.writeFileSync(path.join(conf, "livestatus.conf"), `port = ${livestatusPort}\n`);
    const flags = ["--expose-gc", "-r", path.join(__dirname, "memory-probe.js"), "-r", path.join(__dirname, "turn-meter.js"), ...daemonNodeArgs()];
    if (o.cpuProf !== undefined)
      flags.push("--cpu-prof", "--cpu-prof-dir", path.resolve(o.cpuProf), "--cpu-prof-name", `scale-${label}-${Date.now()}.cpuprofile`);
    if (o.heapSnapshot !== undefined) flags.push("--heapsnapshot-signal=SIGUSR1");
    const meterFile = path.join(o.daemonOut ?? dir, `turn-meter-${label}-${Date.now()}.json`);
    const stdout = o.daemonOut === undefined ? "ignore" : fs.openSync(path.join(o.daemonOut, `scale-${label}-${Date.now()}.out`), "w");
    const started = performance.now();
    const child = spawn(
      process.execPath,
      [...flags, path.join(o.daemonRoot, "bin", "tantale"), "--foreground", "--conf-dir", conf, "--data-dir", path.join(dir, "data")],
      {
        stdio: ["ignore", stdout, "pipe"],
        env: { ...process.env, BENCH_MEMORY_FILE: path.join(dir, "memory.json"), TURN_METER_OUT: meterFile, TURN_METER_SIGNAL: METER_SIGNAL },
        cwd: o.heapSnapshot ?? dir,
      },
    );
    if (typeof stdout === "number") fs.closeSync(stdout);
    return new ScaleDaemon(child, linePort, livestatusPort, started, meterFile);
  }

  /** turn-meter.ts starts measuring. */
  startTurnMeter(): void {
    fs.rmSync(this.meterFile, { force: true });
    this.child.kill(METER_SIGNAL);
  }

  /** turn-meter.ts stops: its figures (undefined without /proc/thread-self/schedstat). */
  async turnsMetered(): Promise<TurnFigures | undefined> {
    this.child.kill(METER_SIGNAL);
    for (let i = 0; i < 200; i++) {
      if (fs.existsSync(this.meterFile)) return JSON.parse(fs.readFileSync(this.meterFile, "utf8")) as TurnFigures;
      await new Promise((r) => setTimeout(r, 10));
    }
    return undefined;
  }

  /** Polls `Stats: state >= 0` on services until it counts `expected`; the ms since the process was spawned. */
  async waitForServices(expected: number): Promise<number> {
    let last = "";
    for (;;) {
      if (this.child.exitCode !== null) throw new Error(`the daemon exited with ${this.child.exitCode}: ${this.stderr}`);
      try {
        last = (await query(this.livestatusPort, "GET services\nStats: state >= 0\n\n")).toString("utf8").trim();
        if (last === String(expected)) return performance.now() - this.started;
      } catch {
        // Not listening yet.
      }
      if (performance.now() - this.started > 600_000) throw new Error(`services counted ${last} after 10 minutes, expected ${expected}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** The daemon's memory after a GC (the probe answers SIGUSR2). */
  async memory(dir: string): Promise<NodeJS.MemoryUsage> {
    const file = path.join(dir, "memory.json");
    fs.rmSync(file, { force: true });
    this.child.kill("SIGUSR2");
    for (let i = 0; i < 600; i++) {
      if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, "utf8")) as NodeJS.MemoryUsage;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error("the daemon's memory probe did not answer");
  }

  private get pid(): number {
    const pid = this.child.pid;
    if (pid === undefined) throw new Error("the daemon did not start");
    return pid;
  }

  /** CPU seconds (user + system) the daemon has used: on a busy machine a steadier figure than the wall clock. */
  cpuSeconds(): number {
    // Fields 14 and 15 of /proc/PID/stat (after the command in parentheses), in clock ticks (100 a second on Linux).
    const stat = fs.readFileSync(`/proc/${this.pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  }

  /** VmHWM: the most RSS the daemon has held. */
  peakRss(): number {
    const status = fs.readFileSync(`/proc/${this.pid}/status`, "utf8");
    const kib = /VmHWM:\s+(\d+)/.exec(status)?.[1];
    return kib === undefined ? Number.NaN : Number(kib) * 1024;
  }

  /** Asks for a heap snapshot (SIGUSR1) and waits until the file is written. */
  async heapSnapshot(dirName: string): Promise<string> {
    const before = new Set(fs.readdirSync(dirName));
    this.child.kill("SIGUSR1");
    for (let i = 0; i < 1200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const added = fs.readdirSync(dirName).find((f) => !before.has(f) && f.endsWith(".heapsnapshot"));
      if (added !== undefined) {
        const file = path.join(dirName, added);
        // Written in one go: wait until its size stops moving.
        let size = -1;
        while (size !== fs.statSync(file).size) {
          size = fs.statSync(file).size;
          await new Promise((r) => setTimeout(r, 500));
        }
        return file;
      }
    }
    throw new Error("no heap snapshot was written");
  }

  load(): string {
    return this.stderr;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((r) => this.child.once("exit", r));
      this.child.kill("SIGTERM");
      await exited;
    }
  }
}

function cpu(daemon: ScaleDaemon): string {
  return `${daemon.cpuSeconds().toFixed(2)} s of CPU`;
}

/** The daemon's own figure for the load, from its "state loaded" log line, when it logged one. */
function loadLine(daemon: ScaleDaemon): string {
  const line = daemon
    .load()
    .split("\n")
    .find((l) => l.includes("state loaded"));
  if (line === undefined) return "";
  try {
    const fields = JSON.parse(line) as Record<string, unknown>;
    const ms = typeof fields.ms === "number" ? fields.ms : undefined;
    return ms === undefined ? "" : ` (the daemon's load: ${s(ms)} s)`;
  } catch {
    return "";
  }
}

function describeTurns(t: TurnFigures | undefined): string {
  if (t === undefined) return "not measured (no /proc/thread-self/schedstat)";
  return `p50 ${ms(t.p50)} ms, p99 ${ms(t.p99)}, p99.9 ${ms(t.p999)}, max ${ms(t.max)} (${t.samples} runs)`;
}

function sorted(times: readonly number[]): number[] {
  return [...times].sort((a, b) => a - b);
}

function describeTimes(times: readonly number[]): string {
  const t = sorted(times);
  const p99 = t[Math.min(t.length - 1, Math.ceil(t.length * 0.99) - 1)]!;
  return `p50 ${ms(medianOf(t))} ms, p99 ${ms(p99)}, max ${ms(t[t.length - 1]!)} (${t.length} runs)`;
}

function verdict(met: boolean, goal: string): string {
  return `[${goal}: ${met ? "met" : "MISSED"}]`;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === "" ? undefined : path.resolve(v);
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en");
}

function s(msValue: number): string {
  return (msValue / 1000).toFixed(2);
}

function ms(v: number): string {
  return v < 10 ? v.toFixed(3) : v.toFixed(1);
}

function mib(bytes: number): string {
  return (bytes / MIB).toFixed(0);
}
