import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { portZeroConf } from "../../test/helpers/daemon-on-port-zero";
import { ForegroundTantale, TANTALE_BIN } from "../../test/helpers/tantale-process";
import { connect } from "./bench-net";
import { FloorServer } from "./floor-server";
import { Icinga2Peer, peerUnavailable, rssBytes } from "./icinga2-peer";
import { FramedReader, medianOf, positiveInt } from "./livestatus";
import { hostName, lastShowsQuery, resultLines, visibleQuery } from "./peer-feed";

const ROOT = path.resolve(__dirname, "..", "..", "..");

export interface CompareOptions {
  readonly hosts: number;
  readonly services: number;
  /** Timed runs per query and daemon (KeepAlive: three times as many), after `warmup` untimed ones. */
  readonly runs: number;
  readonly warmup: number;
  /** Timed ingest rounds after the first (cold) one. */
  readonly warmRounds: number;
  /** The folder of the peer scripts (icinga2-setup.sh, stop.sh). */
  readonly peer: string;
  /** Options for the node running Tantale (`--cpu-prof --cpu-prof-dir=DIR`: its profile, written when it stops). */
  readonly nodeFlags: readonly string[];
}

const USAGE =
  "usage: npm run bench -- compare [--hosts N (1000)] [--services M (20)] [--runs R (11)] [--warmup W (2)] [--warm-rounds K (5)] [--peer DIR (BENCH_PEER, ../shared/peer)] [--node-flags 'FLAGS' (options of the node running Tantale, e.g. '--cpu-prof --cpu-prof-dir=DIR')]";

/** The compare bench's options from its arguments (`--name value`); the peer folder from BENCH_PEER when not given, relative to the project root. */
export function parseCompareArgs(args: readonly string[], env: NodeJS.ProcessEnv = process.env, root = ROOT): CompareOptions {
  const given = new Map<string, string>();
  for (let i = 0; i < args.length; i += 2) {
    const name = args[i]!;
    const value = args[i + 1];
    const known = ["--hosts", "--services", "--runs", "--warmup", "--warm-rounds", "--peer", "--node-flags"];
    if (!known.includes(name)) throw new Error(`compare: unknown option ${JSON.stringify(name)}\n${USAGE}`);
    if (value === undefined || (value.startsWith("--") && name !== "--node-flags")) throw new Error(`compare: ${name} needs a value\n${USAGE}`);
    given.set(name, value);
  }
  const peer = given.get("--peer") ?? (env.BENCH_PEER !== undefined && env.BENCH_PEER !== "" ? env.BENCH_PEER : path.join("..", "shared", "peer"));
  return {
    hosts: positiveInt(given.get("--hosts"), 1000),
    services: positiveInt(given.get("--services"), 20),
    runs: positiveInt(given.get("--runs"), 11),
    warmup: positiveInt(given.get("--warmup"), 2),
    warmRounds: positiveInt(given.get("--warm-rounds"), 5),
    peer: path.resolve(root, peer),
    nodeFlags: (given.get("--node-flags") ?? "").split(" ").filter((f) => f !== ""),
  };
}

/** One daemon under test, as the bench drives it. */
interface Target {
  readonly name: string;
  readonly livestatusPort: number;
  /** Sends result lines the daemon's way; resolves once they are all handed over (the connection closed). */
  send(lines: readonly string[]): Promise<void>;
  memory(): { largest: number; tree: number };
  stop(): Promise<void>;
}

/** Figures of one measure, per target name. */
interface Row {
  readonly label: string;
  /** Speed goal as icinga2 time / Tantale time; memory goal as the reverse (Tantale ≤ icinga2 / goal). */
  readonly goal: number;
  readonly unit: "ms" | "MiB";
  readonly values: Map<string, number>;
  /** Median time to the first byte of the answer, per target (fresh-connection queries). */
  readonly firstByte?: Map<string, number>;
  readonly bytes?: Map<string, number>;
  /** The bare server's time for the same exchange (floor-server.ts), when measured. */
  readonly floor?: number;
}

/** The floor's name among the targets of a query (never a daemon: no ingest, no memory). */
const FLOOR = "floor";

/**
 * `npm run bench -- compare`: Tantale and, when Debian's icinga2 and the peer scripts are
 * there, the icinga2 peer, with the same hosts × services, fed the same results, asked the
 * same queries in one run, interleaved (Tantale, icinga2, Tantale, …): medians and ratios.
 */
export async function benchCompare(args: readonly string[]): Promise<string> {
  const options = parseCompareArgs(args);
  const out: string[] = [];
  const unavailable = peerUnavailable(options.peer);
  const targets: Target[] = [await startTantale(options.nodeFlags)];
  try {
    if (unavailable === undefined) {
      try {
        targets.push(await startIcinga2(options.peer, options.hosts, options.services));
      } catch (err) {
        out.push(`icinga2 peer not started: ${(err as Error).message}`);
      }
    } else {
      out.push(`icinga2 peer skipped: ${unavailable}`);
    }
    if (targets.length === 1) out.push("Tantale's figures alone:");
    out.push(...(await measure(targets, options)));
  } finally {
    for (const t of targets) await t.stop();
  }
  if (options.nodeFlags.length > 0) out.push(`Tantale ran with node ${options.nodeFlags.join(" ")}`);
  return out.join("\n");
}

async function measure(targets: readonly Target[], o: CompareOptions): Promise<string[]> {
  const total = o.hosts * o.services;
  const rows: Row[] = [];
  const now = Math.floor(Date.now() / 1000) - 10;
  const ingest = async (table: "hosts" | "services", round: number) => {
    const tag = `${table === "hosts" ? "h" : "r"}${round}-${now}`;
    const lines = resultLines(table, o.hosts, o.services, round, tag, now + round);
    const [lastShows, count] = [lastShowsQuery(table, o.hosts, o.services, tag), visibleQuery(table, tag)];
    const values = new Map<string, number>();
    for (const t of targets) values.set(t.name, await ingestUntilVisible(t, lines, lastShows, count, table === "hosts" ? o.hosts : total));
    return values;
  };
  rows.push({ label: `ingest of ${total} service results until visible, cold (first results)`, goal: 6, unit: "ms", values: await ingest("services", 1) });
  await ingest("hosts", 1); // untimed: the hosts' own results, so that no host stays pending
  const warm: Map<string, number>[] = [];
  for (let r = 0; r < o.warmRounds; r++) warm.push(await ingest("services", 2 + r));
  rows.push({
    label: `ingest of ${total} service results until visible, warm (states change; median of ${o.warmRounds})`,
    goal: 6,
    unit: "ms",
    values: medians(targets, warm),
  });

  const middle = hostName(Math.floor((o.hosts + 1) / 2), o.hosts);
  const fresh: readonly [string, number, string][] = [
    ["full services table (4 columns, json)", 6, "GET services\nColumns: host_name description state plugin_output\nOutputFormat: json\n\n"],
    ["grouped stats: Columns: state, Stats: state >= 0", 15, "GET services\nColumns: state\nStats: state >= 0\nOutputFormat: json\n\n"],
    [
      "grouped stats: Stats: state = 0..3 (4 lines)",
      15,
      "GET services\nStats: state = 0\nStats: state = 1\nStats: state = 2\nStats: state = 3\nOutputFormat: json\n\n",
    ],
    [
      "grouped stats: Stats: state = 0..3 by host (Columns: host_name)",
      15,
      "GET services\nColumns: host_name\nStats: state = 0\nStats: state = 1\nStats: state = 2\nStats: state = 3\nOutputFormat: json\n\n",
    ],
    [
      `one host's services (Filter: host_name = ${middle})`,
      25,
      `GET services\nColumns: host_name description state plugin_output\nFilter: host_name = ${middle}\nOutputFormat: json\n\n`,
    ],
  ];
  const floor = await FloorServer.start();
  try {
    // The floor answers each request with Tantale's own answer to it, read once beforehand.
    const withFloor = async (request: string): Promise<Target[]> => {
      await floor.answer(request, (await timedQuery(targets[0]!.livestatusPort, request)).answer);
      return [...targets, floorTarget(floor)];
    };
    for (const [label, goal, request] of fresh) rows.push(await freshQueries(await withFloor(request), label, goal, request, o));
    const keepAlive = `GET hosts\nColumns: name state\nFilter: name = ${middle}\nOutputFormat: json\nKeepAlive: on\nResponseHeader: fixed16\n\n`;
    rows.push(await keepAliveRoundTrips(await withFloor(keepAlive), `KeepAlive round trip (GET hosts, Filter: name = ${middle})`, keepAlive, o));
  } finally {
    await floor.stop();
  }
  // Read once: 12 s later, at rest, it was the same in every run (V8 keeps what the ingest grew its heap to).
  const memory = targets.map((t) => [t.name, t.memory()] as const);
  rows.push({
    label: "RSS after the queries (icinga2: its worker process)",
    goal: 3,
    unit: "MiB",
    values: new Map(memory.map(([n, m]) => [n, m.largest / 2 ** 20])),
  });
  return [
    `compare: ${o.hosts} hosts × ${o.services} services; ${o.runs} timed runs per query after ${o.warmup} warm-up, daemons taking turns;`,
    `  queries: a fresh TCP connection each, timed from connect() until the server closed it (the whole answer read); KeepAlive: one connection, ${o.runs * 3} round trips;`,
    "  floor: a bare Node server answering each query with Tantale's answer bytes, prepared in advance, timed the same way between the daemons: the least a server takes here, and the best ratio a goal can reach (cap = icinga2 / floor);",
    "  ingest: the same Nagios result lines, to Tantale through its line input, to icinga2 as Livestatus COMMANDs (as peer/feed.pl), timed from connect until a poll shows the last result and a count shows them all",
    ...table(targets, rows),
    ...(targets.length > 1 ? [`process trees: ${memory.map(([n, m]) => `${n} ${mib(m.tree)} MiB`).join(", ")}`] : []),
  ];
}

/**
 * From connect until every result is visible: `count` (a Stats query) answers `expected`. Polled
 * with `lastShows`, on the last object fed (one connection, applied in order: the others are in
 * before it), then counted once: a count over every row every few ms would take the CPU the
 * daemon ingests with. At most 5 minutes.
 */
async function ingestUntilVisible(t: Target, lines: readonly string[], lastShows: string, count: string, expected: number): Promise<number> {
  const started = performance.now();
  await t.send(lines);
  let seen = "";
  while (performance.now() - started < 300_000) {
    if ((await timedQuery(t.livestatusPort, lastShows)).answer.toString("utf8").trim() === "1") {
      seen = (await timedQuery(t.livestatusPort, count)).answer.toString("utf8").trim();
      if (seen === String(expected)) return performance.now() - started;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(
    `${t.name}: ${seen === "" ? "the last result did not show" : `only ${seen} of ${expected} show it`} after 5 minutes: ${count.split("\n")[1]!}`,
  );
}

async function freshQueries(targets: readonly Target[], label: string, goal: number, request: string, o: CompareOptions): Promise<Row> {
  const samples = new Map(targets.map((t) => [t.name, { total: [] as number[], first: [] as number[], bytes: 0 }]));
  for (let i = 0; i < o.warmup + o.runs; i++) {
    for (const t of targets) {
      const r = await timedQuery(t.livestatusPort, request);
      if (!/^[[\d]/.test(r.answer.subarray(0, 1).toString())) throw new Error(`${t.name}: ${label}: unexpected answer ${r.answer.subarray(0, 300).toString()}`);
      const s = samples.get(t.name)!;
      s.bytes = r.answer.length;
      if (i < o.warmup) continue;
      s.total.push(r.total);
      s.first.push(r.firstByte);
    }
  }
  const daemons = targets.filter((t) => t.name !== FLOOR);
  const of = (pick: (s: { total: number[]; first: number[]; bytes: number }) => number) => new Map(daemons.map((t) => [t.name, pick(samples.get(t.name)!)]));
  const floor = samples.get(FLOOR);
  return {
    label,
    goal,
    unit: "ms",
    values: of((s) => median(s.total)),
    firstByte: of((s) => median(s.first)),
    bytes: of((s) => s.bytes),
    ...(floor === undefined ? {} : { floor: median(floor.total) }),
  };
}

async function keepAliveRoundTrips(targets: readonly Target[], label: string, request: string, o: CompareOptions): Promise<Row> {
  const open = await Promise.all(
    targets.map(async (t) => {
      const socket = await connect(t.livestatusPort);
      socket.setNoDelay(true);
      return { t, socket, reader: new FramedReader(socket), times: [] as number[] };
    }),
  );
  try {
    for (let i = 0; i < (o.warmup + o.runs) * 3; i++) {
      for (const c of open) {
        const started = performance.now();
        c.socket.write(request);
        const answer = await c.reader.next();
        if (!answer.subarray(0, 4).equals(Buffer.from("200 "))) throw new Error(`${c.t.name}: ${label}: unexpected answer ${answer.toString()}`);
        if (i >= o.warmup * 3) c.times.push(performance.now() - started);
      }
    }
  } finally {
    for (const c of open) c.socket.destroy();
  }
  const floor = open.find((c) => c.t.name === FLOOR);
  return {
    label,
    goal: 80,
    unit: "ms",
    values: new Map(open.filter((c) => c !== floor).map((c) => [c.t.name, median(c.times)])),
    ...(floor === undefined ? {} : { floor: median(floor.times) }),
  };
}

/** The floor server as a query target (it is no daemon: nothing is sent to it, it has no memory figure). */
function floorTarget(floor: FloorServer): Target {
  return {
    name: FLOOR,
    livestatusPort: floor.port,
    send: () => Promise.reject(new Error("the floor server takes no results")),
    memory: () => ({ largest: 0, tree: 0 }),
    stop: () => Promise.resolve(),
  };
}

/** One request on a fresh connection (TCP_NODELAY, write side shut after it), the whole answer up to EOF, with the time to its first byte. */
function timedQuery(port: number, request: string): Promise<{ answer: Buffer; total: number; firstByte: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let firstByte = 0;
    const chunks: Buffer[] = [];
    const socket = net.connect({ port, host: "127.0.0.1", noDelay: true }, () => socket.end(request));
    socket.on("data", (d: Buffer) => {
      if (chunks.length === 0) firstByte = performance.now() - started;
      chunks.push(d);
    });
    socket.on("end", () => resolve({ answer: Buffer.concat(chunks), total: performance.now() - started, firstByte }));
    socket.on("error", reject);
  });
}

function table(targets: readonly Target[], rows: readonly Row[]): string[] {
  const names = targets.map((t) => t.name);
  const both = targets.length > 1;
  const head = ["measure", ...names, ...(both ? ["ratio", "goal", ""] : []), "floor", ...(both ? ["cap"] : []), "first byte", "answer bytes"];
  const lines = [`| ${head.join(" | ")} |`, `| ${head.map((_, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`];
  for (const row of rows) {
    const cells = [row.label, ...names.map((n) => `${fixed(row.values.get(n)!)} ${row.unit}`)];
    if (both) {
      const [tantale, icinga2] = names.map((n) => row.values.get(n)!) as [number, number];
      // Speed: how many times faster Tantale is. Memory: Tantale's share of icinga2's.
      const ratio = row.unit === "ms" ? icinga2 / tantale : tantale / icinga2;
      const met = (row.unit === "ms" ? ratio >= row.goal : ratio <= 1 / row.goal) ? "met" : "MISSED";
      const speed = ratio >= 1 ? `${ratio.toFixed(1)}× faster` : `${(1 / ratio).toFixed(1)}× slower`;
      cells.push(row.unit === "ms" ? speed : `${ratio.toFixed(2)}×`, row.unit === "ms" ? `≥ ${row.goal}× faster` : `≤ 1/${row.goal}`, met);
    }
    // The floor, and what icinga2 / floor allows as a ratio on this machine.
    cells.push(row.floor === undefined ? "" : `${fixed(row.floor)} ${row.unit}`);
    if (both) cells.push(row.floor === undefined ? "" : `${(row.values.get(names[1]!)! / row.floor).toFixed(1)}×`);
    cells.push(row.firstByte === undefined ? "" : names.map((n) => fixed(row.firstByte!.get(n)!)).join(" / "));
    cells.push(row.bytes === undefined ? "" : names.map((n) => row.bytes!.get(n)!.toLocaleString("en")).join(" / "));
    lines.push(`| ${cells.join(" | ")} |`);
  }
  return lines;
}

function median(values: readonly number[]): number {
  return medianOf([...values].sort((a, b) => a - b));
}

function medians(targets: readonly Target[], rounds: readonly Map<string, number>[]): Map<string, number> {
  return new Map(targets.map((t) => [t.name, median(rounds.map((r) => r.get(t.name)!))]));
}

function fixed(v: number): string {
  return v < 10 ? v.toFixed(2) : v.toFixed(1);
}

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(0);
}

/** The real daemon (line input, SQLite, Livestatus) on port 0 in a temp dir, node run with `nodeFlags`. */
async function startTantale(nodeFlags: readonly string[]): Promise<Target> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tantale-compare-"));
  const conf = path.join(dir, "conf.d");
  fs.mkdirSync(conf);
  for (const [name, text] of Object.entries(portZeroConf())) fs.writeFileSync(path.join(conf, name), text);
  const child = spawn(process.execPath, [...nodeFlags, TANTALE_BIN, "--foreground", "--conf-dir", conf, "--data-dir", path.join(dir, "data")], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  const t = new ForegroundTantale(child);
  const stop = async () => {
    t.signal("SIGTERM");
    await t.exit();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await t.waitForMessage("tantale started", 60_000);
    const portOf = (instance: string, msg: string) => t.waitForLog((l) => l.instance === instance && typeof l.port === "number" && l.msg.startsWith(msg), 1000);
    const line = (await portOf("line", "listening on")).port as number;
    const livestatus = (await portOf("livestatus", "livestatus listening on")).port as number;
    return {
      name: "Tantale",
      livestatusPort: livestatus,
      send: (lines) => sendAll(line, `${lines.join("\n")}\n`),
      memory: () => ({ largest: rssBytes(child.pid!), tree: rssBytes(child.pid!) }),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function startIcinga2(scripts: string, hosts: number, services: number): Promise<Target> {
  const peer = await Icinga2Peer.start(scripts, hosts, services);
  // icinga2 runs detached (it is no child of ours): a Ctrl-C must stop it too.
  const interrupted = () => {
    peer.stop();
    process.exit(130);
  };
  process.once("SIGINT", interrupted);
  return {
    name: "icinga2",
    livestatusPort: peer.livestatusPort,
    // As peer/feed.pl: `COMMAND <line>` and an empty line each, on one connection.
    send: (lines) => sendAll(peer.livestatusPort, lines.map((l) => `COMMAND ${l}\n\n`).join("")),
    memory: () => peer.memory(),
    stop: () => {
      process.off("SIGINT", interrupted);
      peer.stop();
      return Promise.resolve();
    },
  };
}

/** Writes `text` on a new connection, shuts the write side and resolves when the server has closed it. */
async function sendAll(port: number, text: string): Promise<void> {
  const socket = await connect(port);
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    socket.on("error", reject);
    socket.on("close", () => resolve());
    socket.resume();
    socket.end(text);
  });
}
