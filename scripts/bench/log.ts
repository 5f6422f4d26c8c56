import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";
import { answerQuery } from "../../core/livestatus/query/query-engine";
import { parseRequest } from "../../core/livestatus/protocol/request-parser";
import { TableRegistry } from "../../core/livestatus/query/table-registry";
import { silentLogger } from "../../core/log/logger";
import { SelfStats } from "../../core/metrics/self-stats";
import * as logEntries from "../../core/state/log-entry";
import { StateEngine } from "../../core/state/state-engine";
import logPlugin from "../../plugins/table/log/index";
import { logParams } from "../../plugins/store/sqlite/rows";
import { SqliteStore } from "../../plugins/store/sqlite/sqlite-store";
import { INSERT_LOG } from "../../plugins/store/sqlite/tables";
import { seededRandom } from "../../test/helpers/seeded-random";

const HOSTS = 1000;
const DAY = 86_400;
const DAYS = 30;
/** The first line's time: a fixed epoch, so that every run (and the code it is compared with) reads the same file. */
const START = 1_764_000_000;
const END = START + DAYS * DAY;
const OUTPUTS = ["OK - all fine", "DISK CRITICAL - disk full on /var", "WARNING - load average 5.2", "CRITICAL - connection refused", "UNKNOWN - timeout"];
const SERVICE_STATES = ["OK", "WARNING", "CRITICAL", "UNKNOWN"];

/**
 * The log table over 1,000,000 lines of a real SQLite file (30 days, 1000 hosts, 20 services
 * each), queried through the real query engine and log table as GUIs do: a time window of one
 * hour or one day, with a host, a class, a regex on the message; ms per query (median).
 * `BENCH_LOG_LINES` changes the size, `BENCH_LOG_RUNS` multiplies the runs. The same file works with the store before issue 13 (no
 * entry ids): the entries are built with an id only where the code has one.
 */
export async function benchLog(lines = Number(process.env.BENCH_LOG_LINES ?? 1_000_000)): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tantale-bench-log-"));
  const out: string[] = [];
  const clock = { now: () => (END + 60) * 1000 };
  const config = { path: "tantale.db", log_retention_days: 0, synchronous: "normal" as const, busy_timeout: 5000 };
  try {
    // The schema, by the store itself; then the lines, in one transaction of the same inserts the store makes.
    const schema = new SqliteStore(config, dir, silentLogger(), clock, new SelfStats().of("sqlite"));
    await schema.start();
    await schema.stop();
    const t0 = performance.now();
    writeLines(path.join(dir, "tantale.db"), lines);
    out.push(`log: ${lines.toLocaleString("en")} lines over ${DAYS} days, ${HOSTS} hosts, written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const store = new SqliteStore(config, dir, silentLogger(), clock, new SelfStats().of("sqlite"));
    await store.start();
    const engine = new StateEngine({ freshness_factor: 2, freshness_check_interval: 1000 }, clock, silentLogger(), new SelfStats().of("(state)"));
    await engine.attachStore(store);
    const registry = new TableRegistry();
    registry.add(logPlugin.build({ state: engine, config: { max_rows: 100_000 }, clock, log: silentLogger(), stats: new SelfStats(), tables: registry }));
    try {
      const hour = END - 6 * 3600;
      const day = END - 2 * DAY;
      const columns = "Columns: time host_name service_description state plugin_output";
      const window = (since: number, seconds: number): string => `Filter: time >= ${since}\nFilter: time <= ${since + seconds}`;
      const queries: [string, string, number][] = [
        ["1 h", window(hour, 3600), 30],
        ["1 h + host_name =", `${window(hour, 3600)}\nFilter: host_name = host0420`, 100],
        ["1 h + class = 1", `${window(hour, 3600)}\nFilter: class = 1`, 30],
        ["1 h + class = 1 + host_name =", `${window(hour, 3600)}\nFilter: class = 1\nFilter: host_name = host0420`, 100],
        ["1 h + message ~ disk full", `${window(hour, 3600)}\nFilter: message ~ disk full`, 30],
        ["Multisite events, last hour (class 1 or 3)", `Filter: log_time >= ${END - 3600}\nFilter: class = 1\nFilter: class = 3\nOr: 2`, 30],
        ["host history, 30 days (host_name =)", "Filter: host_name = host0420", 30],
        ["1 day + class = 1 + host_name ~ ^host00", `${window(day, DAY)}\nFilter: class = 1\nFilter: host_name ~ ^host00`, 5],
        ["1 day + message ~~ DISK FULL", `${window(day, DAY)}\nFilter: message ~~ DISK FULL`, 5],
        [
          "1 day + 10 hosts (Or of host_name =)",
          `${window(day, DAY)}\n${Array.from({ length: 10 }, (_, i) => `Filter: host_name = host0${100 + i * 7}`).join("\n")}\nOr: 10`,
          10,
        ],
      ];
      // BENCH_LOG_RUNS scales the runs of every query (a longer measure of the small ones).
      const scale = Number(process.env.BENCH_LOG_RUNS ?? "1");
      for (const [name, filter, baseRuns] of queries) {
        const runs = Math.max(1, Math.round(baseRuns * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
        const text = `GET log\n${columns}\n${filter}\nOutputFormat: json`;
        let rows = 0;
        const ms: number[] = [];
        for (let i = 0; i < runs + 2; i++) {
          const request = parseRequest(text.split("\n"), END + 60);
          if (request.kind !== "get") throw new Error("not a GET");
          const t = performance.now();
          const answer = await answerQuery(request, registry, END + 60, () => (END + 60) * 1000);
          const took = performance.now() - t;
          if (answer.status !== 200) throw new Error(`${name}: ${answer.status} ${answer.body}`);
          rows = (JSON.parse(answer.body) as unknown[]).length;
          if (i >= 2) ms.push(took); // two warm-up runs
        }
        out.push(`log ${name}: ${median(ms).toFixed(2)} ms/query (median of ${runs}), ${rows} rows`);
      }
    } finally {
      await engine.stop();
      await store.stop();
    }
    return out.join("\n");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `lines` log lines in time order, one transaction. */
function writeLines(file: string, lines: number): void {
  const random = seededRandom(13);
  // logEntry() gives an entry its id where the code has ids; before, entries were plain objects.
  const make = (logEntries as Record<string, unknown>).logEntry as ((fields: object) => object) | undefined;
  const db = new Database(file);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    const insert = db.prepare(INSERT_LOG);
    db.transaction(() => {
      const step = (END - START) / lines;
      for (let i = 0; i < lines; i++) {
        const time = START + i * step + (random() < 0.5 ? 0 : random());
        const host = `host${String(Math.floor(random() * HOSTS)).padStart(4, "0")}`;
        const r = random();
        const isHost = r < 0.2;
        const check = isHost ? "" : `check${Math.floor(random() * 20)}`;
        const klass = r < 0.75 ? 1 : r < 0.85 ? 5 : 6;
        const state = Math.floor(random() * (isHost ? 3 : 4));
        const output = OUTPUTS[Math.floor(random() * OUTPUTS.length)]!;
        const type = klass === 5 ? "EXTERNAL COMMAND" : `${klass === 6 ? "CURRENT " : ""}${isHost ? "HOST" : "SERVICE"}${klass === 6 ? " STATE" : " ALERT"}`;
        const stateName = isHost ? (["UP", "DOWN", "UNREACHABLE"][state] ?? "UP") : SERVICE_STATES[state]!;
        const fields = {
          time,
          class: klass,
          type,
          hostname: host,
          check,
          state,
          stateType: "HARD",
          attempt: 1,
          output,
          message: `[${Math.floor(time)}] ${type}: ${host};${isHost ? "" : `${check};`}${stateName};HARD;1;${output}`,
        };
        const entry = make === undefined ? fields : make(fields);
        insert.run(...logParams(entry as Parameters<typeof logParams>[0]));
      }
    })();
  } finally {
    db.close();
  }
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}
