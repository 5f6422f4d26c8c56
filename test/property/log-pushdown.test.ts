/**
 * Property test of the log table's pushdown (issue 13): over random log data in a real SQLite
 * store and random Livestatus filters, the answers with the filter pushed down to the store
 * equal the answers with nothing pushed down (the store asked for the time range only). With a
 * small max_rows (capped reads), the pushed-down answer keeps at least the lines of the other,
 * is the newest part of the uncapped answer, and is exactly its newest max_rows lines when the
 * pushdown said it was exact. Seeded (LOG_PUSHDOWN_SEED to replay one data set).
 */
import { expect } from "chai";
import type { ChangeSet } from "../../core/state/change-set";
import { logEntry, type LogEntry } from "../../core/state/log-entry";
import type { CommitReport } from "../../core/store/commit-report";
import type { LogPage, LogQuery } from "../../core/store/log-query";
import type { StateStore, StoredState } from "../../core/store/state-store";
import { resolveColumn } from "../../core/livestatus/query/column";
import { compileFilter } from "../../core/livestatus/query/filter";
import { logEntryMatches } from "../../core/store/log-query";
import { LOG_COLUMNS, type LogRow } from "../../plugins/table/log/log-columns";
import logPlugin from "../../plugins/table/log/index";
import { logPushdown } from "../../plugins/table/log/log-pushdown";
import { SqliteStore } from "../../plugins/store/sqlite/sqlite-store";
import { seededRandom } from "../helpers/seeded-random";
import { answerQuery, NO_RECORD_CHANGES, parseRequest, result, SelfStats, silentLogger, StateEngine, T0, TableRegistry } from "../helpers/table-kit";
import { HOST_CHECK } from "../../core/model/check-result";
import { cleanupTempDirs, makeTempDir } from "../helpers/temp-dir";

/** The SQLite store, asked with or without the pushed-down condition. */
class SwitchableStore implements StateStore {
  pushdown = true;
  /** Whether the last read was cut by its limit. */
  lastCut = false;
  /** How many lines the last read returned. */
  lastCount = 0;
  constructor(private readonly inner: SqliteStore) {}
  load(): Promise<StoredState> {
    return this.inner.load();
  }
  commit(changes: ChangeSet): Promise<CommitReport> {
    return this.inner.commit(changes);
  }
  async readLog(query: LogQuery): Promise<LogPage> {
    const { where: _where, ...rest } = query;
    const page = await this.inner.readLog(this.pushdown ? query : rest);
    this.lastCut = page.next !== undefined;
    this.lastCount = page.entries.length;
    return page;
  }
}

const HOSTS = ["web1", "web2", "db1", "WEB1", "hôte", "ghost"];
const CHECKS = ["", "disk", "Disk /var", "load"];
const TYPES = ["HOST ALERT", "SERVICE ALERT", "EXTERNAL COMMAND", "CURRENT HOST STATE"];
const WORDS = ["CRITICAL", "ok", "OK", "DISK", "disk full", "Ünïcode", "a;b", "[x]", "", "50%"];
const PATTERNS = ["web", "^web[12]$", "DISK|crit", "ü", "\\[x\\]", "^$", "a;b", ".", "^\\[17", "(?i)ok", "[0-9]+%", "web1;"];
const STRING_OPS = ["=", "!=", "<", ">", "<=", ">=", "~", "!~", "~~", "!~~", "=~", "!=~"];
const COLUMNS = "time class type state host_name service_description plugin_output message state_type options current_host_name current_service_state";

/** 100-300 lines over a few hundred seconds: ties of whole seconds, fractions, hosts the engine knows and others. */
function randomLog(random: () => number): LogEntry[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const n = 100 + Math.floor(random() * 200);
  return Array.from({ length: n }, (_, i) => {
    const time = T0 + Math.floor(random() * 300) + pick([0, 0, 0, 0.25, 0.5, 0.999]);
    const hostname = pick(HOSTS);
    const check = pick(CHECKS);
    const type = pick(TYPES);
    const output = `${pick(WORDS)} ${pick(WORDS)} ${i % 7}`;
    return logEntry({
      time,
      class: Math.floor(random() * 7),
      type,
      hostname,
      check,
      state: Math.floor(random() * 4),
      stateType: "HARD",
      attempt: 1,
      output,
      message: `[${Math.floor(time)}] ${type}: ${hostname};${check === "" ? "" : `${check};`}${output}`,
    });
  });
}

/** A random filter as Livestatus header lines (Filter:, And:, Or:, Negate:), well formed. */
function randomFilter(random: () => number, depth: number): string[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const r = random();
  if (depth > 0 && r < 0.25) {
    const k = 1 + Math.floor(random() * 3);
    const children = Array.from({ length: k }, () => randomFilter(random, depth - 1));
    return [...children.flat(), `${random() < 0.5 ? "And" : "Or"}: ${k}`];
  }
  if (depth > 0 && r < 0.35) return [...randomFilter(random, depth - 1), "Negate:"];
  const kind = random();
  if (kind < 0.3) {
    const column = pick(["time", "log_time"]);
    const operand = random() < 0.9 ? String(T0 + Math.floor(random() * 320) - 10) : pick(["x", `${T0 + 100}abc`, " 17", ""]);
    return [`Filter: ${column} ${pick(["=", "!=", "<", ">", "<=", ">=", "~", "~~"])} ${operand}`];
  }
  if (kind < 0.5) {
    const column = pick(["class", "state", "log_state"]);
    const operand = random() < 0.85 ? String(Math.floor(random() * 8) - 1) : pick(["1abc", "x", " 2", "-0"]);
    return [`Filter: ${column} ${pick(["=", "!=", "<", ">", "<=", ">=", "~", "=~", "~~"])} ${operand}`];
  }
  if (kind < 0.92) {
    const column = pick(["host_name", "log_host_name", "service_description", "type", "plugin_output", "message"]);
    const op = pick(STRING_OPS);
    const values = column.endsWith("host_name") ? HOSTS : column === "service_description" ? CHECKS : column === "type" ? TYPES : WORDS;
    const operand = op.includes("~") && op !== "=~" && op !== "!=~" ? pick(PATTERNS) : random() < 0.8 ? pick(values) : pick(["web1 ", "w", "zz"]);
    return [`Filter: ${column} ${op} ${operand}`.trimEnd()];
  }
  // Columns the pushdown leaves to the engine.
  return [
    pick(["Filter: state_type = HARD", "Filter: options ~ ;", "Filter: current_host_name = web1", "Filter: attempt = 1", "Filter: current_service_state > 0"]),
  ];
}

describe("log table pushdown (property, seeded): the same answers as without it", function () {
  this.timeout(120_000);
  after(cleanupTempDirs);

  const seeds = process.env.LOG_PUSHDOWN_SEED === undefined ? [1, 2, 3] : [Number(process.env.LOG_PUSHDOWN_SEED)];
  for (const seed of seeds) {
    it(`over random data and filters, capped reads included (seed ${seed})`, async () => {
      const random = seededRandom(seed);
      const now = T0 + 1000;
      const clock = { now: () => now * 1000 };
      const sqlite = new SqliteStore(
        { path: "tantale.db", log_retention_days: 0, synchronous: "normal", busy_timeout: 5000 },
        makeTempDir(),
        silentLogger(),
        clock,
        new SelfStats().of("sqlite"),
      );
      await sqlite.start();
      const store = new SwitchableStore(sqlite);
      const engine = new StateEngine({ freshness_factor: 2, freshness_check_interval: 1000 }, clock, silentLogger(), new SelfStats().of("(state)"));
      try {
        await engine.attachStore(store);
        // Hosts the engine knows (current_* columns), and lines of hosts it does not.
        await engine.write([result("web1", HOST_CHECK, 0), result("web1", "disk", 2), result("db1", "load", 1)]);
        const log = randomLog(random);
        await sqlite.commit({ upserts: [], deletes: [], log, downtimes: NO_RECORD_CHANGES, comments: NO_RECORD_CHANGES, lastIds: { downtime: 0, comment: 0 } });

        const table = (maxRows: number): TableRegistry => {
          const registry = new TableRegistry();
          registry.add(logPlugin.build({ state: engine, config: { max_rows: maxRows }, clock, log: silentLogger(), stats: new SelfStats(), tables: registry }));
          return registry;
        };
        const uncapped = table(100_000);
        const maxRows = 5 + Math.floor(random() * 20);
        const capped = table(maxRows);
        const spec = uncapped.get("log")!.spec;
        const byName = new Map(spec.columns.map((c) => [c.name, c]));

        const answer = async (
          registry: TableRegistry,
          text: string,
          pushdown: boolean,
        ): Promise<{ status: number; rows: unknown[]; cut: boolean; read: number }> => {
          store.pushdown = pushdown;
          store.lastCut = false;
          store.lastCount = 0;
          const request = parseRequest(text.split("\n"), now);
          if (request.kind !== "get") throw new Error("not a GET");
          const a = await answerQuery(request, registry, now, () => now * 1000).catch((e: unknown) => ({ status: -1, body: String(e) }));
          return { status: a.status, rows: a.status === 200 ? (JSON.parse(a.body) as unknown[]) : [a.body], cut: store.lastCut, read: store.lastCount };
        };

        let exactCapped = 0;
        for (let i = 0; i < 150; i++) {
          const filter = randomFilter(random, 3);
          const localtime = random() < 0.2 ? [`Localtime: ${now + 3600 * (Math.floor(random() * 5) - 2)}`] : [];
          const text = ["GET log", `Columns: ${COLUMNS}`, ...filter, ...localtime, "OutputFormat: json"].join("\n");
          const what = `seed ${seed}, query ${i}:\n${text}`;
          const full = await answer(uncapped, text, true);
          const plainFull = await answer(uncapped, text, false);
          expect(full.rows, what).to.deep.equal(plainFull.rows);
          expect(full.status, what).to.equal(plainFull.status);
          if (full.status !== 200) continue;

          // Capped: the newest maxRows lines the store selects.
          const pushed = await answer(capped, text, true);
          const plain = await answer(capped, text, false);
          expect(pushed.status, what).to.equal(200);
          expect(isSuffix(plain.rows, pushed.rows), `${what}\nwithout pushdown: a suffix of with`).to.equal(true);
          expect(isSuffix(pushed.rows, full.rows), `${what}\nwith pushdown: a suffix of the uncapped answer`).to.equal(true);
          if (!pushed.cut) expect(pushed.rows, `${what}\nnot cut: everything`).to.deep.equal(full.rows);
          const request = parseRequest(text.split("\n"), now);
          if (request.kind !== "get") throw new Error("not a GET");
          const pushdown = logPushdown({
            ...(request.filter === undefined ? {} : { filter: request.filter }),
            timezoneOffset: request.timezoneOffset,
            columnName: (name) => resolveColumn(spec, byName, name)?.name,
          });
          if (pushdown?.exact === true) {
            exactCapped++;
            // Exact: the store selected exactly the answer's lines, and kept the newest maxRows of them.
            expect(full.read, `${what}\nexact: the store read only the lines of the answer`).to.equal(full.rows.length);
            expect(pushed.rows, `${what}\nexact: the newest max_rows`).to.deep.equal(full.rows.slice(Math.max(0, full.rows.length - maxRows)));
          }
        }
        expect(exactCapped, "filters the pushdown told exactly").to.be.greaterThan(10);
      } finally {
        await engine.stop();
        await sqlite.stop();
      }
    });
  }
});

describe("log table pushdown (property, seeded): the condition lets through every line the filter does, and only those when exact", () => {
  it("over random lines and filters, line by line against the query engine's own filter", () => {
    const seed = Number(process.env.LOG_PUSHDOWN_SEED ?? 7);
    const random = seededRandom(seed);
    const spec = { name: "log", prefix: "log_", columns: LOG_COLUMNS };
    const byName = new Map(LOG_COLUMNS.map((c) => [c.name, c]));
    const lookup = (name: string) => resolveColumn(spec, byName, name);
    const rows: LogRow[] = randomLog(random).map((entry, i) => ({ entry, lineno: i + 1, host: undefined, service: undefined, now: T0 + 1000 }));
    let exact = 0;
    for (let i = 0; i < 3000; i++) {
      const lines = randomFilter(random, 3);
      const request = parseRequest(
        ["GET log", ...lines, ...(random() < 0.2 ? [`Localtime: ${T0 + 1000 + 1800 * (Math.floor(random() * 5) - 2)}`] : [])],
        T0 + 1000,
      );
      if (request.kind !== "get" || request.filter === undefined) throw new Error("a GET with a filter");
      const filter = compileFilter(request.filter, lookup, request.timezoneOffset);
      const pushdown = logPushdown({ filter: request.filter, timezoneOffset: request.timezoneOffset, columnName: (name) => lookup(name)?.name });
      if (pushdown === undefined) continue;
      const condition = logEntryMatches(pushdown.condition);
      if (pushdown.exact) exact++;
      for (const row of rows) {
        const passes = filter(row);
        const selected = condition(row.entry);
        if (passes && !selected)
          expect.fail(
            `seed ${seed}, filter ${i}: a line the filter lets through is not selected\n${lines.join("\n")}\n${JSON.stringify(row.entry)}\n${JSON.stringify(pushdown)}`,
          );
        if (pushdown.exact && selected && !passes)
          expect.fail(
            `seed ${seed}, filter ${i}: exact, yet selects a line the filter drops\n${lines.join("\n")}\n${JSON.stringify(row.entry)}\n${JSON.stringify(pushdown)}`,
          );
      }
    }
    expect(exact).to.be.greaterThan(1000);
  });
});

function isSuffix(part: readonly unknown[], whole: readonly unknown[]): boolean {
  if (part.length > whole.length) return false;
  const offset = whole.length - part.length;
  return part.every((row, i) => JSON.stringify(row) === JSON.stringify(whole[offset + i]));
}
