import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import type { Clock } from "../../core/clock";
import { answerQuery } from "../../core/livestatus/query/query-engine";
import { parseRequest } from "../../core/livestatus/protocol/request-parser";
import { TableRegistry } from "../../core/livestatus/query/table-registry";
import { silentLogger } from "../../core/log/logger";
import { SelfStats, type InstanceStats } from "../../core/metrics/self-stats";
import type { CheckResult } from "../../core/model/check-result";
import { NO_RECORD_CHANGES } from "../../core/state/change-set";
import { logEntry, type LogEntry } from "../../core/state/log-entry";
import { StateEngine } from "../../core/state/state-engine";
import type { StorePlugin } from "../../core/plugin/api";
import { ElasticsearchStore } from "../../plugins/store/elasticsearch/elasticsearch-store";
import type { ElasticsearchConfig } from "../../plugins/store/elasticsearch/schema";
import { SqliteStore } from "../../plugins/store/sqlite/sqlite-store";
import logPlugin from "../../plugins/table/log/index";
import { startEsServer, type EsServer } from "../../test/es-server";
import { seededRandom } from "../../test/helpers/seeded-random";

const START = 1_764_000_000;
const DAY = 86_400;

function esConfig(url: string): ElasticsearchConfig {
  return {
    nodes: [url],
    api_key: "",
    username: "",
    password: "",
    ca_file: "",
    tls_verify: true,
    index_prefix: "bench",
    node_name: "bench",
    flush_bytes: 5 * 1024 * 1024,
    replay_interval: 0,
    request_timeout: 120_000,
    log_retention: 0,
    spool_max_bytes: 1024 * 1024 * 1024,
    spool_segment_bytes: 16 * 1024 * 1024,
    spool_fsync: "interval",
  };
}

interface Store {
  readonly store: StorePlugin;
  readonly stats: InstanceStats;
}

function makeStore(kind: "elasticsearch" | "sqlite", dir: string, es: EsServer, clock: Clock): Store {
  const stats = new SelfStats().of(kind);
  const store =
    kind === "sqlite"
      ? new SqliteStore({ path: "tantale.db", log_retention_days: 0, synchronous: "normal", busy_timeout: 5000 }, dir, silentLogger(), clock, stats)
      : new ElasticsearchStore(esConfig(es.url), dir, "elasticsearch", silentLogger(), clock, stats, { data_access: "private" });
  return { store, stats };
}

/**
 * The Elasticsearch store beside the SQLite store, on the Elasticsearch-compatible test server
 * (test/es-server: an in-process server with documents in memory, so the figures are the
 * plugin's and the wire's, not a real cluster's): (1) 100k results through the state engine
 * into each store: results/s, bulk requests and their size, memory; (2) the log table over
 * BENCH_ES_LOG_LINES (default 1,000,000) log documents with pushed-down filters.
 */
export async function benchElasticsearch(): Promise<string> {
  const out: string[] = [];
  const es = await startEsServer({ logLimit: 0 });
  try {
    out.push(...(await ingest(es)));
    out.push(...(await logQueries(es, Number(process.env.BENCH_ES_LOG_LINES ?? 1_000_000))));
  } finally {
    await es.close();
  }
  return out.join("\n");
}

async function ingest(es: EsServer): Promise<string[]> {
  const out: string[] = [];
  const rounds = 10;
  const checks = 10_000;
  for (const kind of ["sqlite", "elasticsearch"] as const) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tantale-bench-es-"));
    const time = { now: START + rounds * 60 + 600 };
    const clock: Clock = { now: () => time.now * 1000 };
    const { store, stats } = makeStore(kind, dir, es, clock);
    await store.start();
    const engine = new StateEngine({ freshness_factor: 1000, freshness_check_interval: 60_000 }, clock, silentLogger(), new SelfStats().of("(state)"));
    await engine.attachStore(store);
    const random = seededRandom(7);
    const heap0 = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < checks; i += 1000) {
        const batch: CheckResult[] = [];
        for (let j = i; j < i + 1000; j++) {
          const status = random() < 0.9 ? 0 : 2;
          batch.push({
            hostname: `host${String(Math.floor(j / 10)).padStart(4, "0")}`,
            check: `check${j % 10}`,
            status,
            output: status === 0 ? "OK - fine" : "CRITICAL - broken",
            longOutput: "",
            perfData: "",
            timestamp: START + round * 60 + j / checks,
            interval: 60,
            contacts: ["ops"],
            hostgroups: [],
            servicegroups: [],
            customVariables: {},
          });
        }
        await engine.write(batch);
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    const results = rounds * checks;
    const heapMb = (process.memoryUsage().heapUsed - heap0) / 1e6;
    const requests = stats.get("bulk_requests");
    const bulk =
      kind === "elasticsearch" ? `, ${requests} bulk requests of ${(stats.get("bulk_bytes") / Math.max(1, requests) / 1024).toFixed(0)} KiB on average` : "";
    out.push(
      `ingest ${kind}: ${results.toLocaleString("en")} results in ${seconds.toFixed(1)} s = ${Math.round(results / seconds).toLocaleString("en")} results/s${bulk}, heap +${heapMb.toFixed(0)} MB`,
    );
    await engine.stop();
    await store.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

/** Log lines over 30 days, 1000 hosts, the shape of the SQLite log bench. */
function* logLines(n: number): Generator<LogEntry> {
  const random = seededRandom(13);
  const step = (30 * DAY) / n;
  for (let i = 0; i < n; i++) {
    const time = START + i * step;
    const hostname = `host${String(Math.floor(random() * 1000)).padStart(4, "0")}`;
    const check = random() < 0.2 ? "" : `check${Math.floor(random() * 20)}`;
    const klass = random() < 0.8 ? 1 : 5;
    const state = Math.floor(random() * 4);
    const type = klass === 5 ? "EXTERNAL COMMAND" : check === "" ? "HOST ALERT" : "SERVICE ALERT";
    const output = random() < 0.5 ? "OK - all fine" : "DISK CRITICAL - disk full on /var";
    yield logEntry({
      time,
      class: klass,
      type,
      hostname,
      check,
      state,
      stateType: "HARD",
      attempt: 1,
      output,
      message: `[${Math.floor(time)}] ${type}: ${hostname};${check};${state};HARD;1;${output}`,
    });
  }
}

async function logQueries(es: EsServer, lines: number): Promise<string[]> {
  const out: string[] = [];
  const end = START + 30 * DAY;
  const clock: Clock = { now: () => (end + 60) * 1000 };
  const window = (since: number, seconds: number): string => `Filter: time >= ${since}\nFilter: time <= ${since + seconds}`;
  const hour = end - 6 * 3600;
  const queries: [string, string][] = [
    ["1 h", window(hour, 3600)],
    ["1 h + host_name =", `${window(hour, 3600)}\nFilter: host_name = host0420`],
    ["1 day + host_name =", `${window(end - 2 * DAY, DAY)}\nFilter: host_name = host0420`],
    ["host history, 30 days", "Filter: host_name = host0420"],
    ["1 h + class = 1 + message ~ disk full", `${window(hour, 3600)}\nFilter: class = 1\nFilter: message ~ disk full`],
  ];
  const timings = new Map<string, number[]>();
  for (const kind of ["sqlite", "elasticsearch"] as const) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tantale-bench-es-"));
    const { store } = makeStore(kind, dir, es, clock);
    await store.start();
    const t0 = performance.now();
    let chunk: LogEntry[] = [];
    const flush = async (): Promise<void> => {
      await store.commit({
        upserts: [],
        deletes: [],
        log: chunk,
        downtimes: NO_RECORD_CHANGES,
        comments: NO_RECORD_CHANGES,
        lastIds: { downtime: 0, comment: 0 },
      });
      chunk = [];
    };
    for (const e of logLines(lines)) {
      chunk.push(e);
      if (chunk.length === 5000) await flush();
    }
    if (chunk.length > 0) await flush();
    out.push(`log ${kind}: ${lines.toLocaleString("en")} lines written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const engine = new StateEngine({ freshness_factor: 2, freshness_check_interval: 60_000 }, clock, silentLogger(), new SelfStats().of("(state)"));
    await engine.attachStore(store);
    const registry = new TableRegistry();
    registry.add(logPlugin.build({ state: engine, config: { max_rows: 100_000 }, clock, log: silentLogger(), stats: new SelfStats(), tables: registry }));
    for (const [name, filter] of queries) {
      const text = `GET log\nColumns: time host_name service_description state plugin_output\n${filter}\nOutputFormat: json`;
      const ms: number[] = [];
      let rows = 0;
      for (let i = 0; i < 7; i++) {
        const request = parseRequest(text.split("\n"), end + 60);
        if (request.kind !== "get") throw new Error("not a GET");
        const t = performance.now();
        const answer = await answerQuery(request, registry, end + 60, () => (end + 60) * 1000);
        if (answer.status !== 200) throw new Error(`${kind} ${name}: ${answer.status} ${answer.body}`);
        if (i >= 2) ms.push(performance.now() - t);
        rows = (JSON.parse(answer.body) as unknown[]).length;
      }
      const median = ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)]!;
      timings.set(`${kind} ${name}`, [median, rows]);
    }
    await engine.stop();
    await store.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  for (const [name] of queries) {
    const [sq, rows] = timings.get(`sqlite ${name}`)!;
    const [el] = timings.get(`elasticsearch ${name}`)!;
    out.push(`log ${name}: sqlite ${sq!.toFixed(1)} ms, elasticsearch ${el!.toFixed(1)} ms (×${(el! / sq!).toFixed(1)}), ${rows ?? 0} rows`);
  }
  return out;
}
