import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { connect, freePort, waitForPort } from "./bench-net";

const ROOT = path.resolve(__dirname, "..", "..", "..");

/** Services per host, as the issue's 1000 × 20 and 5000 × 20. */
const SERVICES_PER_HOST = 20;

/** The issue's goals, in ms, at 20,000 services (median of a fresh connection per query, KeepAlive: one connection). */
const GOALS_AT_20K = { full: 10, grouped: 2, oneHost: 0.5, keepAlive: 0.5 } as const;

interface Measurement {
  readonly label: string;
  /** The issue's goal it is held to; undefined for a figure given for comparison. */
  readonly goal: keyof typeof GOALS_AT_20K | undefined;
  readonly times: number[];
  readonly bytes: number;
}

/**
 * Livestatus query times on a real daemon (line input + SQLite + Livestatus listener + the
 * tables on by default), as peer/bench.pl measures icinga2 (baseline in ../shared/peer):
 * 1000 hosts × 20 services, then 5000 × 20, loaded through the line input (+ SYNC), then each
 * query timed over a real TCP socket: a fresh connection per run, from connect() until the
 * server closed it (the whole answer read), and one query on a `KeepAlive: on` connection
 * from sending until its fixed16 answer is complete.
 *
 * Environment: BENCH_RUNS (timed runs per query, default 21, after BENCH_WARMUP = 3 warm-up
 * runs), BENCH_HOSTS (host counts, default "1000,5000"), BENCH_CPU_PROF (a directory: the
 * daemon runs with `node --cpu-prof` there; the profile is written when it stops),
 * BENCH_TANTALE_CONF (extra tantale.conf lines).
 */
export async function benchLivestatus(): Promise<string> {
  const runs = positiveInt(process.env.BENCH_RUNS, 21);
  const warmup = positiveInt(process.env.BENCH_WARMUP, 3);
  const hostCounts = (process.env.BENCH_HOSTS ?? "1000,5000").split(",").map((s) => positiveInt(s.trim(), 1000));
  const lines: string[] = [];
  for (const hosts of hostCounts) lines.push(...(await benchAt(hosts, runs, warmup)));
  return lines.join("\n");
}

async function benchAt(hosts: number, runs: number, warmup: number): Promise<string[]> {
  const daemon = await Daemon.start();
  try {
    const services = hosts * SERVICES_PER_HOST;
    const loadMs = await daemon.load(hosts);
    const waitStarted = performance.now();
    await daemon.waitForServices(services);
    const out = [
      `livestatus ${services} services (${hosts} hosts × ${SERVICES_PER_HOST}): loaded through the line input in ${(loadMs / 1000).toFixed(2)} s (SYNCED), counted over Livestatus ${Math.round(performance.now() - waitStarted)} ms later`,
    ];
    const middle = `host${Math.floor(hosts / 2)}`;
    const measurements: Measurement[] = [
      await daemon.fresh(
        "(1) full GET services, 4 columns, json",
        "full",
        "GET services\nColumns: host_name description state plugin_output\nOutputFormat: json\n\n",
        runs,
        warmup,
      ),
      await daemon.fresh(
        "(2) Stats: state >= 0 grouped by Columns: state",
        "grouped",
        "GET services\nColumns: state\nStats: state >= 0\nOutputFormat: json\n\n",
        runs,
        warmup,
      ),
      await daemon.fresh(
        `(3) one host's services (Filter: host_name = ${middle})`,
        "oneHost",
        `GET services\nColumns: host_name description state plugin_output\nFilter: host_name = ${middle}\nOutputFormat: json\n\n`,
        runs,
        warmup,
      ),
      await daemon.keepAlive(
        `(4) KeepAlive round trip (GET hosts, Filter: name = ${middle}, one open connection)`,
        "keepAlive",
        `GET hosts\nColumns: name state\nFilter: name = ${middle}\nOutputFormat: json\nKeepAlive: on\nResponseHeader: fixed16\n\n`,
        runs * 10,
        warmup * 10,
      ),
      await daemon.fresh(
        "(5) (1) as python",
        undefined,
        "GET services\nColumns: host_name description state plugin_output\nOutputFormat: python\n\n",
        runs,
        warmup,
      ),
      await daemon.fresh(
        "(6) Stats: state = 0..3 (4 lines), no Columns",
        "grouped",
        "GET services\nStats: state = 0\nStats: state = 1\nStats: state = 2\nStats: state = 3\nOutputFormat: json\n\n",
        runs,
        warmup,
      ),
      await daemon.fresh(
        "(7) Stats: state = 0..3 by host (Columns: host_name)",
        "grouped",
        "GET services\nColumns: host_name\nStats: state = 0\nStats: state = 1\nStats: state = 2\nStats: state = 3\nOutputFormat: json\n\n",
        runs,
        warmup,
      ),
      await daemon.fresh("(8) Multisite's tactical overview of services (StatsAnd over host columns)", "grouped", TACTICAL_OVERVIEW, runs, warmup),
      await daemon.fresh(
        "(9) NagVis's service summary of a host group (Filter: host_groups >= hg-0, nested StatsAnd/StatsOr)",
        "grouped",
        NAGVIS_GROUP_SUMMARY,
        runs,
        warmup,
      ),
      await daemon.fresh(
        "(10) NagVis's service columns (25) of the whole table, json",
        undefined,
        `GET services\nColumns: ${NAGVIS_SERVICE_COLUMNS}\nOutputFormat: json\n\n`,
        runs,
        warmup,
      ),
    ];
    for (const m of measurements) out.push(describe(m, services));
    return out;
  } finally {
    await daemon.stop();
  }
}

/**
 * What Checkmk's tactical overview snapin asks of services (cmk/gui tactical_overview: all,
 * problems, unhandled problems, stale), with its filter on real objects.
 */
const TACTICAL_OVERVIEW = [
  "GET services",
  "Filter: host_custom_variable_names < _REALNAME",
  "Stats: state >= 0",
  "Stats: state > 0",
  "Stats: scheduled_downtime_depth = 0",
  "Stats: host_scheduled_downtime_depth = 0",
  "Stats: host_state = 0",
  "StatsAnd: 4",
  "Stats: state > 0",
  "Stats: scheduled_downtime_depth = 0",
  "Stats: host_scheduled_downtime_depth = 0",
  "Stats: acknowledged = 0",
  "Stats: host_state = 0",
  "StatsAnd: 5",
  "Stats: service_staleness >= 1.5",
  "Stats: host_scheduled_downtime_depth = 0",
  "Stats: service_scheduled_downtime_depth = 0",
  "StatsAnd: 3",
  "OutputFormat: json",
  "",
  "",
].join("\n");

/** The request NagVis sends for a host group's services (../shared/peer/client-queries.md), on services. */
const NAGVIS_GROUP_SUMMARY = (() => {
  const lines = ["GET services", "Filter: host_groups >= hg-0", "Stats: has_been_checked = 0"];
  lines.push("Stats: state = 0", "Stats: has_been_checked != 0", "Stats: scheduled_downtime_depth = 0", "Stats: host_scheduled_downtime_depth = 0");
  lines.push("Stats: staleness < 1.5", "StatsAnd: 5");
  lines.push("Stats: state = 0", "Stats: has_been_checked != 0", "Stats: scheduled_downtime_depth = 0", "Stats: host_scheduled_downtime_depth = 0");
  lines.push("Stats: staleness >= 1.5", "StatsAnd: 5");
  lines.push("Stats: state = 0", "Stats: has_been_checked != 0", "Stats: scheduled_downtime_depth > 0", "Stats: host_scheduled_downtime_depth > 0");
  lines.push("StatsOr: 2", "StatsAnd: 3");
  for (const state of [1, 2, 3]) {
    for (const stale of ["<", ">="]) {
      lines.push(`Stats: state = ${state}`, "Stats: acknowledged = 0", "Stats: host_acknowledged = 0", "Stats: scheduled_downtime_depth = 0");
      lines.push("Stats: host_scheduled_downtime_depth = 0", `Stats: staleness ${stale} 1.5`, "StatsAnd: 6");
    }
    lines.push(`Stats: state = ${state}`, "Stats: acknowledged = 1", "Stats: host_acknowledged = 1", "StatsOr: 2", "StatsAnd: 2");
    lines.push(`Stats: state = ${state}`, "Stats: scheduled_downtime_depth > 0", "Stats: host_scheduled_downtime_depth > 0", "StatsOr: 2", "StatsAnd: 2");
  }
  lines.push("Columns: host_name host_alias", "OutputFormat: json", "", "");
  return lines.join("\n");
})();

const NAGVIS_SERVICE_COLUMNS =
  "description display_name state host_alias host_address plugin_output notes last_check next_check state_type current_attempt max_check_attempts last_state_change last_hard_state_change perf_data scheduled_downtime_depth acknowledged host_acknowledged host_scheduled_downtime_depth has_been_checked host_name check_command custom_variable_names custom_variable_values staleness";

function describe(m: Measurement, services: number): string {
  const sorted = [...m.times].sort((a, b) => a - b);
  const median = medianOf(sorted);
  const goal = m.goal === undefined ? undefined : GOALS_AT_20K[m.goal];
  const verdict =
    goal === undefined
      ? ""
      : services === 20_000
        ? `goal ≤ ${goal} ms: ${median <= goal ? "met" : `MISSED (×${(median / goal).toFixed(1)})`}`
        : `(goal at 20000 services: ≤ ${goal} ms)`;
  return `  ${m.label}: median ${ms(median)} ms, min ${ms(sorted[0]!)}, max ${ms(sorted[sorted.length - 1]!)} (${m.times.length} runs, ${m.bytes.toLocaleString("en")} bytes)  ${verdict}`;
}

function ms(v: number): string {
  return v < 10 ? v.toFixed(3) : v.toFixed(1);
}

export function medianOf(sorted: readonly number[]): number {
  const n = sorted.length;
  return n % 2 === 1 ? sorted[n >> 1]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}

export function positiveInt(text: string | undefined, fallback: number): number {
  const n = text === undefined || text === "" ? fallback : Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a positive whole number, got ${JSON.stringify(text)}`);
  return n;
}

/** A `tantale --foreground` in a temp dir with the line input, SQLite and the Livestatus listener. */
export class Daemon {
  private constructor(
    private readonly dir: string,
    private readonly child: ChildProcess,
    readonly linePort: number,
    readonly livestatusPort: number,
  ) {}

  static async start(): Promise<Daemon> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tantale-bench-ls-"));
    const [linePort, livestatusPort] = [await freePort(), await freePort()];
    const conf = path.join(dir, "conf.d");
    fs.mkdirSync(conf);
    fs.writeFileSync(path.join(conf, "tantale.conf"), `log_level = warn\n${process.env.BENCH_TANTALE_CONF ?? ""}`);
    fs.writeFileSync(path.join(conf, "line.conf"), `port = ${linePort}\n`);
    fs.writeFileSync(path.join(conf, "sqlite.conf"), "");
    fs.writeFileSync(path.join(conf, "livestatus.conf"), `port = ${livestatusPort}\n`);
    const profDir = process.env.BENCH_CPU_PROF;
    const nodeFlags = profDir === undefined || profDir === "" ? [] : ["--cpu-prof", "--cpu-prof-dir", path.resolve(profDir)];
    const child = spawn(
      process.execPath,
      [...nodeFlags, path.join(ROOT, "bin", "tantale"), "--foreground", "--conf-dir", conf, "--data-dir", path.join(dir, "data")],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
    const daemon = new Daemon(dir, child, linePort, livestatusPort);
    try {
      await waitForPort(linePort);
      await waitForPort(livestatusPort);
    } catch (err) {
      await daemon.stop();
      throw err;
    }
    return daemon;
  }

  /**
   * A Host result and 20 service results per host, by host, as JSON lines on one connection,
   * then SYNC; resolves with the ms until SYNCED (every result committed to SQLite). States as
   * the peer's feed: about 85 % OK, 5 % each WARNING, CRITICAL, UNKNOWN; host i in host group hg-(i mod 10).
   */
  async load(hosts: number): Promise<number> {
    const timestamp = Math.floor(Date.now() / 1000) - 10;
    const parts: string[] = [];
    for (let h = 0; h < hosts; h++) {
      parts.push(
        `{"hostname":"host${h}","check":"Host","status":0,"output":"UP - host${h}","timestamp":${timestamp},"interval":60,"contacts":["ops"],"hostgroups":["hg-${h % 10}"]}\n`,
      );
      for (let s = 0; s < SERVICES_PER_HOST; s++) {
        const k = (7 * h + 3 * s) % 20;
        const state = k < 17 ? 0 : k - 16;
        parts.push(
          `{"hostname":"host${h}","check":"check${s}","status":${state},"output":"CHECK ${s} on host${h} - state ${state}|value=${k};80;90;0;100","timestamp":${timestamp},"interval":60,"contacts":["ops"]}\n`,
        );
      }
    }
    const payload = Buffer.from(`${parts.join("")}SYNC\n`);
    const socket = await connect(this.linePort);
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      let answer = "";
      socket.on("data", (d: Buffer) => {
        answer += d.toString("utf8");
        if (!answer.includes("\n")) return;
        socket.destroy();
        if (answer.startsWith("SYNCED")) resolve();
        else reject(new Error(`unexpected answer from the line input: ${answer}`));
      });
      socket.on("error", reject);
      socket.write(payload);
    });
    return performance.now() - started;
  }

  /** Polls `Stats: state >= 0` on services until it counts `expected` (at most 60 s). */
  async waitForServices(expected: number): Promise<void> {
    let last = "";
    for (let i = 0; i < 600; i++) {
      last = (await query(this.livestatusPort, "GET services\nStats: state >= 0\n\n")).toString("utf8").trim();
      if (last === String(expected)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`services counted ${last}, expected ${expected}`);
  }

  /** `runs` timed queries, a fresh connection each (connect to EOF), after `warmup` untimed ones. */
  async fresh(label: string, goal: Measurement["goal"], request: string, runs: number, warmup: number): Promise<Measurement> {
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < warmup + runs; i++) {
      const started = performance.now();
      const answer = await query(this.livestatusPort, request);
      const elapsed = performance.now() - started;
      if (answer[0] !== 0x5b /* [ */) throw new Error(`${label}: unexpected answer ${answer.subarray(0, 200).toString()}`);
      bytes = answer.length;
      if (i >= warmup) times.push(elapsed);
    }
    return { label, goal, times, bytes };
  }

  /** `runs` timed round trips on one KeepAlive connection (send to the last byte of the fixed16 answer). */
  async keepAlive(label: string, goal: Measurement["goal"], request: string, runs: number, warmup: number): Promise<Measurement> {
    const socket = await connect(this.livestatusPort);
    socket.setNoDelay(true);
    const reader = new FramedReader(socket);
    const times: number[] = [];
    let bytes = 0;
    try {
      for (let i = 0; i < warmup + runs; i++) {
        const started = performance.now();
        socket.write(request);
        const answer = await reader.next();
        const elapsed = performance.now() - started;
        if (!answer.subarray(0, 4).equals(Buffer.from("200 "))) throw new Error(`${label}: unexpected answer ${answer.toString()}`);
        bytes = answer.length;
        if (i >= warmup) times.push(elapsed);
      }
    } finally {
      socket.destroy();
    }
    return { label, goal, times, bytes };
  }

  /** The daemon's process id (for its memory). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((r) => this.child.once("exit", r));
      this.child.kill("SIGTERM");
      await exited;
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Reads fixed16-framed answers one after the other from a kept-alive connection. */
export class FramedReader {
  /** Received and not yet returned, as chunks: concatenated only once an answer is whole (a concat per chunk is quadratic on answers of many MB). */
  private chunks: Buffer[] = [];
  private length = 0;
  private waiting: (() => void) | undefined;
  private failure: Error | undefined;

  constructor(socket: net.Socket) {
    socket.on("data", (d: Buffer) => {
      this.chunks.push(d);
      this.length += d.length;
      this.waiting?.();
    });
    socket.on("close", () => {
      this.failure = new Error("the server closed the KeepAlive connection");
      this.waiting?.();
    });
    socket.on("error", (err) => {
      this.failure = err;
      this.waiting?.();
    });
  }

  async next(): Promise<Buffer> {
    let wanted = Number.POSITIVE_INFINITY;
    for (;;) {
      if (wanted === Number.POSITIVE_INFINITY && this.length >= 16) {
        const head = this.chunks[0]!.length >= 16 ? this.chunks[0]! : this.joined();
        wanted = 16 + Number(head.subarray(4, 15).toString("latin1").trim());
      }
      if (this.length >= wanted) {
        const all = this.joined();
        const rest = all.subarray(wanted);
        this.chunks = rest.length > 0 ? [rest] : [];
        this.length = rest.length;
        return all.subarray(0, wanted);
      }
      if (this.failure !== undefined) throw this.failure;
      await new Promise<void>((resolve) => (this.waiting = resolve));
      this.waiting = undefined;
    }
  }

  private joined(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!;
  }
}

/** One request on a fresh connection (TCP_NODELAY, write side shut after the request), the whole answer up to EOF. */
export function query(port: number, request: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect({ port, host: "127.0.0.1", noDelay: true }, () => socket.end(request));
    socket.on("data", (d: Buffer) => chunks.push(d));
    socket.on("end", () => resolve(Buffer.concat(chunks)));
    socket.on("error", reject);
  });
}
