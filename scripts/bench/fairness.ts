import fs from "node:fs";
import type net from "node:net";
import { connect } from "./bench-net";
import { Daemon, FramedReader, positiveInt, query } from "./livestatus";

/** Services per host, as the livestatus benchmark. */
const SERVICES_PER_HOST = 20;

/** The simple query whose latency is measured: on a fresh connection, connect to EOF. */
const PROBE = "GET status\nColumns: num_hosts num_services\n\n";

/** Filters of the expensive request: each row is tested against all of them (And). */
const EXPENSIVE_FILTERS = 10_000;

/**
 * The most expensive requests a client can send cheaply (issue 11): every column of every
 * service (77 MB at 10k services), and thousands of filters And-ed together.
 */
const HEAVY_REQUESTS: Readonly<Record<string, string>> = {
  all: "GET services\nOutputFormat: json\nKeepAlive: on\nResponseHeader: fixed16\n\n",
  filter: `GET services\nColumns: host_name description\n${Array.from({ length: EXPENSIVE_FILTERS }, (_, i) => `Filter: host_name != nohost${i}`).join("\n")}\nAnd: ${EXPENSIVE_FILTERS}\nOutputFormat: json\nKeepAlive: on\nResponseHeader: fixed16\n\n`,
};

/**
 * Fairness on a real daemon: the latency of a simple query (`GET status` on a fresh
 * connection) while other clients send the most expensive requests or never read their
 * answers, against the same query on an idle daemon. p50/p99/max in ms, and the daemon's
 * peak RSS.
 *
 * Environment: BENCH_HOSTS (hosts × 20 services, default 500: the 10k services),
 * BENCH_SECONDS (per scenario, default 10), BENCH_HEAVY (clients hammering, default 1),
 * BENCH_IDLE_READERS (clients that never read, default 20), BENCH_HEAVY_REQUESTS (which
 * heavy requests, in turn: "all,filter" by default).
 */
export async function benchFairness(): Promise<string> {
  const hosts = positiveInt(process.env.BENCH_HOSTS, 500);
  const seconds = positiveInt(process.env.BENCH_SECONDS, 10);
  const heavyClients = positiveInt(process.env.BENCH_HEAVY, 1);
  const nonReaders = positiveInt(process.env.BENCH_IDLE_READERS, 20);
  const heavy = (process.env.BENCH_HEAVY_REQUESTS ?? "all,filter").split(",").map((name) => {
    const request = HEAVY_REQUESTS[name.trim()];
    if (request === undefined) throw new Error(`BENCH_HEAVY_REQUESTS: no request "${name}"; there are: ${Object.keys(HEAVY_REQUESTS).join(", ")}`);
    return request;
  });
  const daemon = await Daemon.start();
  try {
    const services = hosts * SERVICES_PER_HOST;
    await daemon.load(hosts);
    await daemon.waitForServices(services);
    const port = daemon.livestatusPort;
    const out = [
      `fairness at ${services} services (${hosts} hosts × ${SERVICES_PER_HOST}): latency of "${PROBE.trim().replaceAll("\n", " | ")}" on a fresh connection`,
    ];

    const idle = await probeFor(port, seconds * 1000, daemon);
    out.push(`  idle: ${describe(idle.times)}; daemon RSS ${mb(idle.peakRss)} MB`);

    const hammer = await withHeavyClients(port, heavyClients, heavy, () => probeFor(port, seconds * 1000, daemon));
    out.push(
      `  while ${heavyClients} client(s) send ${process.env.BENCH_HEAVY_REQUESTS ?? "all,filter"} (all columns: ${hammer.answerBytes.toLocaleString("en")} bytes; filter: ${EXPENSIVE_FILTERS} filters): ${describe(hammer.result.times)}; ${hammer.answers} heavy answers (${hammer.statuses}), each ${(hammer.heavyMs / Math.max(1, hammer.answers)).toFixed(0)} ms on average; daemon RSS peak ${mb(hammer.result.peakRss)} MB`,
    );

    const sockets = await nonReadingClients(port, nonReaders);
    const stalled = await probeFor(port, seconds * 1000, daemon);
    out.push(
      `  while ${nonReaders} clients send "GET services" (all columns) and never read: ${describe(stalled.times)}; daemon RSS peak ${mb(stalled.peakRss)} MB`,
    );
    for (const s of sockets) s.destroy();
    const after = await probeFor(port, 2000, daemon);
    out.push(`  after they left: ${describe(after.times)}`);
    return out.join("\n");
  } finally {
    await daemon.stop();
  }
}

interface Probes {
  readonly times: number[];
  readonly peakRss: number;
}

/** Probes one after the other for `ms`, reading the daemon's RSS after each. */
async function probeFor(port: number, ms: number, daemon: Daemon): Promise<Probes> {
  const times: number[] = [];
  let peakRss = 0;
  const until = performance.now() + ms;
  while (performance.now() < until) {
    const started = performance.now();
    const answer = (await query(port, PROBE)).toString("utf8");
    times.push(performance.now() - started);
    if (!/^\d+;\d+\n$/.test(answer)) throw new Error(`unexpected answer to the probe: ${answer.slice(0, 200)}`);
    peakRss = Math.max(peakRss, rssOf(daemon.pid));
  }
  return { times, peakRss };
}

/** Runs `during` while `n` clients send the heavy requests in turn on KeepAlive connections, each reading its answers. */
async function withHeavyClients<T>(
  port: number,
  n: number,
  requests: readonly string[],
  during: () => Promise<T>,
): Promise<{ result: T; answers: number; heavyMs: number; answerBytes: number; statuses: string }> {
  let stop = false;
  let answers = 0;
  let heavyMs = 0;
  let answerBytes = 0;
  const statuses = new Map<string, number>();
  const client = async (): Promise<void> => {
    const socket = await connect(port);
    socket.setNoDelay(true);
    const reader = new FramedReader(socket);
    try {
      for (let i = 0; !stop; i++) {
        const started = performance.now();
        socket.write(requests[i % requests.length]!);
        const answer = await reader.next();
        heavyMs += performance.now() - started;
        answers++;
        answerBytes = Math.max(answerBytes, answer.length);
        const status = answer.subarray(0, 3).toString("latin1");
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    } finally {
      socket.destroy();
    }
  };
  const clients = Array.from({ length: n }, () => client());
  try {
    const result = await during();
    return { result, answers, heavyMs, answerBytes, statuses: [...statuses].map(([s, k]) => `${k} × ${s}`).join(", ") };
  } finally {
    stop = true;
    await Promise.allSettled(clients);
  }
}

/** `n` connections that each send `GET services` (all columns) and never read. */
async function nonReadingClients(port: number, n: number): Promise<net.Socket[]> {
  const sockets: net.Socket[] = [];
  for (let i = 0; i < n; i++) {
    const socket = await connect(port);
    socket.pause();
    socket.on("error", () => undefined);
    socket.write("GET services\nOutputFormat: json\n\n");
    sockets.push(socket);
  }
  return sockets;
}

function describe(times: readonly number[]): string {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return `p50 ${ms(at(0.5))} ms, p99 ${ms(at(0.99))} ms, max ${ms(sorted[sorted.length - 1]!)} ms (${sorted.length} queries)`;
}

function ms(v: number): string {
  return v < 10 ? v.toFixed(2) : v.toFixed(0);
}

function mb(bytes: number): number {
  return Math.round(bytes / 1024 / 1024);
}

/** The resident memory of a process (Linux /proc), 0 where it cannot be read. */
function rssOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m === null ? 0 : Number(m[1]) * 1024;
  } catch {
    return 0;
  }
}
