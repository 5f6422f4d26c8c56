/**
 * `npm run soak` (issue 11, "Prove it"): the real daemon on port 0 in a temp dir, under
 * 1000 Livestatus clients with KeepAlive (a request, its answer, the next, as fast as they
 * come) and 10 line-input senders at full speed (500 results and a SYNC, again and again),
 * with a slowloris on each port (a byte a second of a request or line that never ends) and
 * a newcomer probing each port every second. Reports errors, the daemon's RSS over time
 * (flat or not), query latency p50/p99, results ingested per second, and what became of the
 * slowloris and the newcomers. Loopback only; every loop ends at the deadline.
 *
 * Options (environment): SOAK_SECONDS (default 60; or `npm run soak -- --seconds 10`),
 * SOAK_LIVESTATUS_CONNECTIONS (1000; --livestatus), SOAK_LINE_CONNECTIONS (10; --line; 0 leaves a
 * load out, to see what the other costs alone), SOAK_HOSTS (1000 hosts × 10
 * services loaded first), SOAK_REQUEST_TIMEOUT (the daemon's Livestatus request_timeout,
 * default 5s so that a short run sees the slowloris cut). The daemon's Livestatus
 * max_connections is set to the clients + 50 (its default, 500, is below the soak's 1000);
 * mind the file-descriptor limit (`ulimit -n`): client and daemon each need one per connection.
 * Exit code 1 when any client saw an error.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { lineLoad, preload } from "./line-load";
import { connectClients, livestatusLoad } from "./livestatus-load";
import { SoakDaemon } from "./soak-daemon";
import { slowloris, type ProbeReport } from "./slowloris";

/** A number from `--flag N` or the environment; `min` 0 lets a part of the load be left out (to see what the other costs alone). */
function option(name: string, flag: string, fallback: number, min = 1): number {
  const i = process.argv.indexOf(flag);
  const text = i >= 0 ? process.argv[i + 1] : process.env[name];
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n < min) throw new Error(`${name} (${flag}) must be a number of at least ${min}, got ${text}`);
  return n;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const ms = (v: number): string => (v < 10 ? v.toFixed(2) : v.toFixed(0));

/** Least-squares slope of y over x. */
function slope(points: readonly (readonly [number, number])[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const num = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const den = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

async function main(): Promise<void> {
  const seconds = option("SOAK_SECONDS", "--seconds", 60);
  const lsConnections = option("SOAK_LIVESTATUS_CONNECTIONS", "--livestatus", 1000, 0);
  const lineConnections = option("SOAK_LINE_CONNECTIONS", "--line", 10, 0);
  const hosts = option("SOAK_HOSTS", "--hosts", 1000);
  const requestTimeout = process.env.SOAK_REQUEST_TIMEOUT ?? "5s";
  const fdLimit = spawnSync("sh", ["-c", "ulimit -n"], { encoding: "utf8" }).stdout.trim();

  const daemon = await SoakDaemon.start({ livestatusMaxConnections: lsConnections + 50, requestTimeout });
  let failed: boolean;
  try {
    const loadStarted = performance.now();
    await preload(daemon.linePort, hosts);
    console.log(
      `soak: daemon pid ${daemon.pid}, ${hosts * 10} services loaded in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s; ${seconds} s of load begins (fd limit ${fdLimit})`,
    );

    // Connected before the load starts: how long a connect takes under load is the newcomers' figure.
    const clients = await connectClients(daemon.livestatusPort, lsConnections);
    const t0 = performance.now();
    const deadline = t0 + seconds * 1000;
    const rss: [number, number][] = [];
    const sampleRss = (): void => {
      const v = daemon.rssMb();
      if (v !== undefined) rss.push([(performance.now() - t0) / 1000, v]);
    };
    sampleRss();
    const sampler = setInterval(sampleRss, 1000);
    const [ls, line, slowLs, slowLine, probe] = await Promise.all([
      livestatusLoad(clients, hosts, deadline),
      lineLoad(daemon.linePort, lineConnections, hosts, deadline),
      slowloris(daemon.livestatusPort, "GET hosts\nColumns: name state\nFilter: name = soak1\n", 1000, deadline),
      slowloris(daemon.linePort, '{"hostname":"slowloris","check":"c","status":0,"output":"', 1000, deadline),
      probesInWorker(daemon.livestatusPort, daemon.linePort, 1000, deadline - performance.now()),
    ]);
    clearInterval(sampler);
    sampleRss();
    const elapsed = (performance.now() - t0) / 1000;

    const sorted = ls.latencies.slice().sort();
    const lsErrors = [...ls.errors].map(([k, n]) => `${k} ×${n}`);
    const lineErrors = [...line.errors].map(([k, n]) => `${k} ×${n}`);
    const out: string[] = [];
    out.push(`soak: ${elapsed.toFixed(1)} s of load`);
    const firsts = ls.firstLatencies.slice().sort();
    out.push(
      `  livestatus: ${ls.connections} keep-alive connections (connected before the load in ${ms(ls.connectMs)} ms, slowest connect ${ms(ls.slowestConnectMs)} ms), ${ls.requests.toLocaleString("en")} requests (${Math.round(ls.requests / elapsed).toLocaleString("en")}/s)`,
    );
    out.push(
      `    latency of the requests after each connection's first: p50 ${ms(percentile(sorted, 50))} ms, p90 ${ms(percentile(sorted, 90))} ms, p99 ${ms(percentile(sorted, 99))} ms, max ${ms(sorted[sorted.length - 1] ?? Number.NaN)} ms`,
    );
    out.push(
      `    latency of each connection's first request: p50 ${ms(percentile(firsts, 50))} ms, p99 ${ms(percentile(firsts, 99))} ms, max ${ms(firsts[firsts.length - 1] ?? Number.NaN)} ms; errors: ${lsErrors.length === 0 ? "none" : lsErrors.join(", ")}`,
    );
    out.push(
      `  line input: ${line.connections} senders, ${line.sent.toLocaleString("en")} results sent, ${line.synced.toLocaleString("en")} SYNCED: ${Math.round(line.synced / elapsed).toLocaleString("en")} results/s ingested; errors: ${lineErrors.length === 0 ? "none" : lineErrors.join(", ")}`,
    );
    // Flat: after the warm-up, the last third of the run peaks no higher than the middle third (+5%): a plateau, not a climb.
    const steady = rss.filter(([t]) => t >= Math.min(5, elapsed / 4));
    const third = (k: number): number[] => steady.filter(([t]) => t >= (k * elapsed) / 3 && t < ((k + 1) * elapsed) / 3 + 1).map(([, v]) => v);
    const middleMax = Math.max(...third(1));
    const lastMax = Math.max(...third(2));
    const perMinute = slope(steady.filter(([t]) => t >= elapsed / 2)) * 60;
    const first = steady[0]?.[1] ?? Number.NaN;
    const last = steady[steady.length - 1]?.[1] ?? Number.NaN;
    const max = Math.max(...steady.map(([, v]) => v));
    const flat = lastMax <= middleMax * 1.05;
    const series = rss.filter((_, i) => i % Math.max(1, Math.ceil(rss.length / 12)) === 0).map(([t, v]) => `${t.toFixed(0)}s:${v.toFixed(0)}`);
    out.push(
      `  daemon RSS (MB): start of load ${rss[0]?.[1].toFixed(0) ?? "?"}, after warm-up ${first.toFixed(0)}, max ${max.toFixed(0)}, end ${last.toFixed(0)}; peak of the middle third ${middleMax.toFixed(0)}, of the last ${lastMax.toFixed(0)}, second half ${perMinute >= 0 ? "+" : ""}${perMinute.toFixed(1)} MB/min: ${flat ? "flat" : "NOT FLAT"} [${series.join(" ")}]`,
    );
    out.push(`  slowloris on livestatus: ${slowLs.connections} connections (${slowLs.refused} refused): ${summarize(slowLs.endings)}`);
    out.push(`  slowloris on the line input: ${slowLine.connections} connections (${slowLine.refused} refused): ${summarize(slowLine.endings)}`);
    const pl = Float64Array.from(probe.livestatus).sort();
    const pn = Float64Array.from(probe.line).sort();
    out.push(
      `  newcomers (one a second per port): livestatus ${pl.length} answered, p50 ${ms(percentile(pl, 50))} ms, max ${ms(pl[pl.length - 1] ?? Number.NaN)} ms; line ${pn.length} SYNCED, p50 ${ms(percentile(pn, 50))} ms, max ${ms(pn[pn.length - 1] ?? Number.NaN)} ms; failures: ${probe.failures.length === 0 ? "none" : probe.failures.slice(0, 3).join("; ")}`,
    );
    out.push(
      `  daemon warnings and errors: ${daemon.problems.length === 0 ? "none" : `${daemon.problems.length}, first: ${daemon.problems.slice(0, 3).join(" | ")}`}`,
    );
    console.log(out.join("\n"));
    failed = ls.errors.size > 0 || line.errors.size > 0 || probe.failures.length > 0;
  } finally {
    const code = await daemon.stop();
    if (code !== 0) {
      console.log(`  daemon exit code ${String(code)} after SIGTERM`);
      failed = true;
    }
  }
  if (failed) process.exitCode = 1;
}

/** Runs the newcomer probes (slowloris.ts) in a worker thread: timed on their own event loop, not the busy generator's. */
function probesInWorker(livestatusPort: number, linePort: number, intervalMs: number, durationMs: number): Promise<ProbeReport> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(path.join(__dirname, "probe-worker.js"), { workerData: { livestatusPort, linePort, intervalMs, durationMs } });
    worker.once("message", (report: ProbeReport) => {
      resolve(report);
      void worker.terminate();
    });
    worker.once("error", reject);
  });
}

/** Endings that differ only in their time counted together: `closed by the server after 5.0-5.1 s: "..." ×3`. */
function summarize(endings: readonly string[]): string {
  const groups = new Map<string, number[]>();
  for (const e of endings) {
    const m = /([\d.]+) s/.exec(e);
    const key = e.replace(/[\d.]+ s/, "# s");
    groups.set(key, [...(groups.get(key) ?? []), m === null ? 0 : Number(m[1])]);
  }
  return [...groups]
    .map(([key, times]) => {
      const range =
        Math.min(...times) === Math.max(...times) ? Math.min(...times).toFixed(1) : `${Math.min(...times).toFixed(1)}-${Math.max(...times).toFixed(1)}`;
      return `${key.replace("#", range)}${times.length > 1 ? ` ×${times.length}` : ""}`;
    })
    .join("; ");
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
