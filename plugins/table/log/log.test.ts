import { expect } from "chai";
import {
  type ChangeSet,
  type Clock,
  type CommitReport,
  HOST_CHECK,
  type LivestatusTable,
  type LogArgs,
  type LogCondition,
  type LogEntry,
  type LogNumberField,
  type LogNumberOp,
  type Logger,
  type LogPage,
  type LogQuery,
  logEntry,
  type StateStore,
  type StoredState,
  logCall,
} from "../../../core";
import {
  answerQuery,
  CLIENT_REQUESTS,
  column,
  expectReadmeListsColumns,
  expectWellTypedColumns,
  LivestatusError,
  NO_RECORD_CHANGES,
  parseRequest,
  planWait,
  type QueryAnswer,
  readPluginReadme,
  result,
  SelfStats,
  silentLogger,
  StateEngine,
  T0,
  TableRegistry,
} from "../../../test/helpers/table-kit";
import { CAPTURED_AT } from "../../../test/core/livestatus/client-requests";
import { cleanupTempDirs, makeTempDir } from "../../../test/helpers/temp-dir";
import { SqliteStore } from "../../store/sqlite/sqlite-store";
import { logOptions, type LogRow } from "./log-columns";
import logPlugin from "./index";
import { logQueryOf } from "./log-table";

/** The real SQLite store, with every readLog query kept (to see what was pushed down) and a switch to make reads fail. */
class RecordingStore implements StateStore {
  readonly queries: LogQuery[] = [];
  failReads = false;
  constructor(readonly inner: SqliteStore) {}
  load(): Promise<StoredState> {
    return this.inner.load();
  }
  commit(changes: ChangeSet): Promise<CommitReport> {
    return this.inner.commit(changes);
  }
  async readLog(query: LogQuery): Promise<LogPage> {
    this.queries.push(query);
    if (this.failReads) throw new Error("disk on fire");
    return this.inner.readLog(query);
  }
}

/** A logger that keeps its warnings. */
function warningLogger(warnings: string[]): Logger {
  const logger: Logger = {
    trace: () => undefined,
    debug: () => undefined,
    info: () => undefined,
    warn: (...args: LogArgs) => {
      const { msg, fields } = logCall(args);
      warnings.push(`${msg} ${JSON.stringify(fields)}`);
    },
    error: () => undefined,
    fatal: () => undefined,
    child: () => logger,
    isLevelEnabled: () => true,
  };
  return logger;
}

const ALERTS = ["time", "host_name", "service_description", "type", "state"];

/** The read order and cap of every query of the table with max_rows 100000. */
const NEWEST = { order: "desc", limit: 100_000 } as const;
const num = (field: LogNumberField, op: LogNumberOp, value: number): LogCondition => ({ kind: "number", field, op, value });
const time = (op: LogNumberOp, value: number): LogCondition => num("time", op, value);
const and = (...children: LogCondition[]): LogCondition => ({ kind: "and", children });
const or = (...children: LogCondition[]): LogCondition => ({ kind: "or", children });
const hosts = (...values: string[]): LogCondition => ({ kind: "in", field: "hostname", values });

describe("log table", () => {
  let now: number;
  let clock: Clock;
  let sqlite: SqliteStore;
  let store: RecordingStore;
  let engine: StateEngine;
  let registry: TableRegistry;
  /** The log table over this engine and clock, reading at most `maxRows` lines per query. */
  const logTable = (maxRows: number, log: Logger = silentLogger()) =>
    logPlugin.build({ state: engine, config: { max_rows: maxRows }, clock, log, stats: new SelfStats(), tables: registry });

  const ask = async (text: string): Promise<QueryAnswer> => {
    const request = parseRequest(text.split("\n"), now);
    if (request.kind !== "get") throw new Error("not a GET");
    return answerQuery(request, registry, now, () => now * 1000);
  };
  const body = async (text: string): Promise<string> => {
    const answer = await ask(text);
    expect(answer.status, answer.body).to.equal(200);
    return answer.body;
  };
  const json = async (text: string): Promise<unknown> => JSON.parse(await body(`${text}\nOutputFormat: json`));
  const lastQuery = (): LogQuery => store.queries[store.queries.length - 1]!;

  /**
   * web1: Host UP (contact alice), then DOWN at +10, UP again at +40; its disk (contact bob)
   * CRITICAL from its first result, OK at +30. db1 (pending: no Host result) has mysql
   * (contact carol) WARNING at +20.5, a fractional timestamp.
   */
  beforeEach(async () => {
    now = T0 + 100;
    clock = { now: () => now * 1000 };
    sqlite = new SqliteStore(
      { path: "tantale.db", log_retention_days: 0, synchronous: "normal", busy_timeout: 5000 },
      makeTempDir(),
      silentLogger(),
      clock,
      new SelfStats().of("sqlite"),
    );
    await sqlite.start();
    store = new RecordingStore(sqlite);
    engine = new StateEngine({ freshness_factor: 2, freshness_check_interval: 1000 }, clock, silentLogger(), new SelfStats().of("(state)"));
    await engine.attachStore(store);
    await engine.write([result("web1", HOST_CHECK, 0, { contacts: ["alice"] }), result("web1", "disk", 2, { contacts: ["bob"] })]);
    await engine.write([result("web1", HOST_CHECK, 1, { timestamp: T0 + 10, contacts: ["alice"] })]);
    await engine.write([result("db1", "mysql", 1, { timestamp: T0 + 20.5, contacts: ["carol"] })]);
    await engine.write([result("web1", "disk", 0, { timestamp: T0 + 30, contacts: ["bob"] })]);
    await engine.write([result("web1", HOST_CHECK, 0, { timestamp: T0 + 40, contacts: ["alice"] })]);
    registry = new TableRegistry();
    registry.add(logTable(100_000));
  });

  afterEach(async () => {
    await engine.stop();
    await sqlite.stop();
  });

  after(cleanupTempDirs);

  it("answers the alerts the engine wrote, oldest first, read back from SQLite", async () => {
    expect(await json(`GET log\nColumns: ${ALERTS.join(" ")} lineno`)).to.deep.equal([
      [T0, "web1", "disk", "SERVICE ALERT", 2, 1],
      [T0 + 10, "web1", "", "HOST ALERT", 1, 2],
      [T0 + 20, "db1", "mysql", "SERVICE ALERT", 1, 3],
      [T0 + 30, "web1", "disk", "SERVICE ALERT", 0, 4],
      [T0 + 40, "web1", "", "HOST ALERT", 0, 5],
    ]);
    expect(store.queries).to.deep.equal([{ order: "desc", limit: 100_000 }]);
  });

  it("has every column of a line: class, state type, attempt, output, message and options", async () => {
    const cols = ["class", "type", "state_type", "attempt", "plugin_output", "message", "options", "contact_name", "command_name", "comment"];
    expect(await json(`GET log\nColumns: ${cols.join(" ")}\nFilter: time = ${T0 + 10}`)).to.deep.equal([
      [
        1,
        "HOST ALERT",
        "HARD",
        1,
        "Host of web1 is 1",
        `[${T0 + 10}] HOST ALERT: web1;DOWN;HARD;1;Host of web1 is 1`,
        "web1;DOWN;HARD;1;Host of web1 is 1",
        "",
        "",
        "",
      ],
    ]);
    expect(await json(`GET log\nColumns: options\nFilter: time = ${T0}`)).to.deep.equal([["web1;disk;CRITICAL;HARD;1;disk of web1 is 2"]]);
  });

  it("resolves its columns with the log_ prefix (Multisite's names)", async () => {
    const table = registry.get("log") as LivestatusTable<LogRow>;
    expect(column(table, "log_time")).to.equal(column(table, "time"));
    expect(column(table, "log_host_name")).to.equal(column(table, "host_name"));
    expect(await json(`GET log\nColumns: log_type log_state\nFilter: log_host_name = db1\nColumnHeaders: on`)).to.deep.equal([
      ["type", "state"],
      ["SERVICE ALERT", 1],
    ]);
  });

  describe("time range", () => {
    it("pushes time >= and time <= down to the store, and answers the lines inside", async () => {
      expect(await json(`GET log\nColumns: time host_name\nFilter: time >= ${T0 + 10}\nFilter: time <= ${T0 + 30}`)).to.deep.equal([
        [T0 + 10, "web1"],
        [T0 + 20, "db1"],
        [T0 + 30, "web1"],
      ]);
      // until + 1: the column shows whole seconds, the store keeps fractions (a line at until + 0.5 shows as until).
      // The filter's time >= is the since it would repeat; its time <= is exactly time < until + 1.
      expect(lastQuery()).to.deep.equal({ since: T0 + 10, until: T0 + 31, where: time("<", T0 + 31), ...NEWEST });
    });

    it("pushes time > and time < down as the whole seconds they mean, prefixed names included", async () => {
      expect(await json(`GET log\nColumns: time\nFilter: log_time > ${T0 + 10}\nFilter: log_time < ${T0 + 40}`)).to.deep.equal([[T0 + 20], [T0 + 30]]);
      expect(lastQuery()).to.deep.equal({ since: T0 + 11, until: T0 + 40, where: time("<", T0 + 40), ...NEWEST });
    });

    it("finds a line of a fractional time with time = its whole second", async () => {
      expect(await json(`GET log\nColumns: time host_name\nFilter: time = ${T0 + 20}`)).to.deep.equal([[T0 + 20, "db1"]]);
      expect(lastQuery()).to.deep.equal({ since: T0 + 20, until: T0 + 21, where: time("<", T0 + 21), ...NEWEST });
      expect(await json(`GET log\nColumns: time\nFilter: time <= ${T0 + 20}\nFilter: time >= ${T0 + 20}`)).to.deep.equal([[T0 + 20]]);
    });

    it("takes the narrowest bounds of the top-level And, and the widest of an Or", async () => {
      await body(`GET log\nColumns: time\nFilter: time >= ${T0}\nFilter: time >= ${T0 + 20}\nFilter: time <= ${T0 + 90}\nFilter: time <= ${T0 + 35}`);
      expect(lastQuery()).to.deep.equal({ since: T0 + 20, until: T0 + 36, where: and(time("<", T0 + 91), time("<", T0 + 36)), ...NEWEST });
      const either = `Filter: time >= ${T0 + 30}\nFilter: time <= ${T0 + 40}\nAnd: 2\nFilter: time = ${T0}\nOr: 2`;
      expect(await json(`GET log\nColumns: time\n${either}`)).to.deep.equal([[T0], [T0 + 30], [T0 + 40]]);
      expect(lastQuery()).to.deep.equal({
        since: T0,
        until: T0 + 41,
        where: or(and(time(">=", T0 + 30), time("<", T0 + 41)), and(time(">=", T0), time("<", T0 + 1))),
        ...NEWEST,
      });
    });

    it("does not bound the read's range by a negated or != time filter, and pushes it down as a condition", async () => {
      expect(await json(`GET log\nColumns: time\nFilter: time < ${T0 + 30}\nNegate:`)).to.deep.equal([[T0 + 30], [T0 + 40]]);
      expect(lastQuery()).to.deep.equal({ where: { kind: "not", child: time("<", T0 + 30) }, ...NEWEST });
      expect(await json(`GET log\nColumns: time\nFilter: time != ${T0}\nFilter: time <= ${T0 + 10}`)).to.deep.equal([[T0 + 10]]);
      expect(lastQuery()).to.deep.equal({ until: T0 + 11, where: and(or(time("<", T0), time(">=", T0 + 1)), time("<", T0 + 11)), ...NEWEST });
    });

    it("takes the Localtime offset off the pushed-down bounds, and adds it to the time column", async () => {
      const hourAhead = `Localtime: ${now + 3600}`;
      expect(await json(`GET log\nColumns: time host_name\nFilter: time >= ${T0 + 3600 + 20}\n${hourAhead}`)).to.deep.equal([
        [T0 + 3600 + 20, "db1"],
        [T0 + 3600 + 30, "web1"],
        [T0 + 3600 + 40, "web1"],
      ]);
      expect(lastQuery()).to.deep.equal({ since: T0 + 20, ...NEWEST });
    });

    it("does not read the store at all for an empty range", async () => {
      expect(await body(`GET log\nColumns: time\nFilter: time >= ${T0 + 30}\nFilter: time < ${T0 + 30}`)).to.equal("");
      expect(store.queries).to.deep.equal([]);
    });
  });

  describe("other filters", () => {
    it("pushes host_name = X down to the store", async () => {
      expect(await json(`GET log\nColumns: time service_description state\nFilter: host_name = web1\nFilter: time >= ${T0 + 5}`)).to.deep.equal([
        [T0 + 10, "", 1],
        [T0 + 30, "disk", 0],
        [T0 + 40, "", 0],
      ]);
      expect(lastQuery()).to.deep.equal({ since: T0 + 5, where: hosts("web1"), ...NEWEST });
    });

    it("reads the hosts of an Or of hosts, and none for two hosts at once", async () => {
      expect(await json(`GET log\nColumns: host_name\nFilter: host_name = db1\nFilter: host_name = nosuch\nOr: 2`)).to.deep.equal([["db1"]]);
      expect(lastQuery()).to.deep.equal({ where: hosts("db1", "nosuch"), ...NEWEST });
      const before = store.queries.length;
      expect(await body(`GET log\nColumns: host_name\nFilter: host_name = db1\nFilter: host_name = web1`)).to.equal("");
      expect(store.queries).to.have.length(before);
    });

    it("filters by class, as Multisite asks for alerts and notifications", async () => {
      const multisite = `Filter: log_time >= ${T0 + 15}\nFilter: class = 1\nFilter: class = 3\nOr: 2`;
      expect(await json(`GET log\nColumns: class host_name\n${multisite}`)).to.deep.equal([
        [1, "db1"],
        [1, "web1"],
        [1, "web1"],
      ]);
      expect(await json(`GET log\nColumns: host_name\nFilter: class = 3`)).to.deep.equal([]);
      expect(await json(`GET log\nStats: state = 0\nStats: state > 0\n${multisite}`)).to.deep.equal([[2, 1]]);
      expect(lastQuery()).to.deep.equal({ since: T0 + 15, where: or(num("class", "=", 1), num("class", "=", 3)), ...NEWEST });
    });

    it("filters by message, type and service", async () => {
      expect(await json(`GET log\nColumns: time\nFilter: message ~ HOST ALERT: web1;DOWN;`)).to.deep.equal([[T0 + 10]]);
      expect(await json(`GET log\nColumns: time\nFilter: type = SERVICE ALERT\nFilter: service_description = disk`)).to.deep.equal([[T0], [T0 + 30]]);
      expect(await json(`GET log\nColumns: time\nFilter: plugin_output ~~ MYSQL OF DB1`)).to.deep.equal([[T0 + 20]]);
      expect(lastQuery()).to.deep.equal({ where: { kind: "match", field: "output", pattern: "MYSQL OF DB1", ignoreCase: true }, ...NEWEST });
    });

    it("caps the answer with Limit", async () => {
      expect(await json(`GET log\nColumns: time\nLimit: 2`)).to.deep.equal([[T0], [T0 + 10]]);
    });
  });

  describe("pushdown of what real clients send", () => {
    it("Multisite's events view: its time bound as the range, its Or of classes as the condition", async () => {
      const multisite = CLIENT_REQUESTS.find((r) => r.name === "Multisite log")!.text;
      now = CAPTURED_AT;
      const answer = await ask(multisite);
      expect(answer.status, answer.body).to.equal(200);
      expect(lastQuery()).to.deep.equal({ since: 1_795_472_337, where: or(num("class", "=", 1), num("class", "=", 3)), ...NEWEST });
      // An hour ahead of the server (Localtime): the bound is taken off by an hour.
      now = CAPTURED_AT - 3600;
      await ask(multisite);
      expect(lastQuery()).to.deep.equal({ since: 1_795_472_337 - 3600, where: or(num("class", "=", 1), num("class", "=", 3)), ...NEWEST });
    });

    it("Thruk's event log (showlog): the day as the range, pattern and exclude pattern as regexes; its AuthUser filter on contact lists stays with the engine", async () => {
      // As Thruk::Controller::showlog builds it: time >= start, time <= end, message ~~ pattern,
      // message !~~ exclude_pattern in one -and, beside the log auth filter of a user who is not admin.
      const showlog = [
        "GET log",
        "Columns: class time type state host_name service_description plugin_output message options contact_name command_name state_type current_host_name current_service_description",
        `Filter: time >= ${T0}`,
        `Filter: time <= ${T0 + 86_400}`,
        "Filter: message ~~ web1;(DOWN|disk)",
        "Filter: message !~~ IS 0$",
        "And: 4",
        "Filter: current_service_contacts >= bob",
        "Filter: service_description =",
        "Filter: current_host_contacts >= bob",
        "And: 2",
        "Filter: class = 2",
        "Or: 3",
        "OutputFormat: json",
      ].join("\n");
      // web1 DOWN at +10 is a host line bob is no contact of; the disk's OK at +30 is excluded by the pattern.
      expect((JSON.parse(await body(showlog)) as unknown[][]).map((r) => r[1])).to.deep.equal([T0]);
      expect(lastQuery()).to.deep.equal({
        since: T0,
        until: T0 + 86_401,
        where: and(
          time("<", T0 + 86_401),
          { kind: "match", field: "message", pattern: "web1;(DOWN|disk)", ignoreCase: true },
          { kind: "not", child: { kind: "match", field: "message", pattern: "IS 0$", ignoreCase: true } },
        ),
        ...NEWEST,
      });
    });

    it("Thruk's alert history of a service: host, service and an Or of types, read through the store's host index", async () => {
      const history = [
        "GET log",
        "Columns: time type state plugin_output",
        `Filter: time >= ${T0}`,
        `Filter: time <= ${T0 + 3600}`,
        "Filter: host_name = web1",
        "Filter: service_description = disk",
        "Filter: type = SERVICE ALERT",
        "Filter: type = SERVICE FLAPPING ALERT",
        "Filter: type = SERVICE DOWNTIME ALERT",
        "Or: 3",
        "And: 5",
        "OutputFormat: json",
      ].join("\n");
      expect((JSON.parse(await body(history)) as unknown[][]).map((r) => r[0])).to.deep.equal([T0, T0 + 30]);
      expect(lastQuery()).to.deep.equal({
        since: T0,
        until: T0 + 3601,
        where: and(
          time("<", T0 + 3601),
          hosts("web1"),
          { kind: "in", field: "check", values: ["disk"] },
          {
            kind: "in",
            field: "type",
            values: ["SERVICE ALERT", "SERVICE FLAPPING ALERT", "SERVICE DOWNTIME ALERT"],
          },
        ),
        ...NEWEST,
      });
    });

    it("NagVis-style Or of host and service pairs: the hosts as a top-level term (the store's host index), the pairs as the condition", async () => {
      const pairs =
        "Filter: host_name = web1\nFilter: service_description = disk\nAnd: 2\nFilter: host_name = db1\nFilter: service_description = mysql\nAnd: 2\nOr: 2";
      expect(await json(`GET log\nColumns: time\n${pairs}`)).to.deep.equal([[T0], [T0 + 20], [T0 + 30]]);
      const q = lastQuery();
      expect(q.where?.kind).to.equal("and");
      expect(q.where).to.deep.equal(
        and(
          hosts("web1", "db1"),
          or(and(hosts("web1"), { kind: "in", field: "check", values: ["disk"] }), and(hosts("db1"), { kind: "in", field: "check", values: ["mysql"] })),
        ),
      );
    });

    it("leaves to the engine what it cannot tell, and negates only what it tells exactly", async () => {
      const cases: [string, LogCondition | undefined][] = [
        ["Filter: host_name =~ WEB1", undefined],
        ["Filter: host_name > a", undefined],
        ["Filter: class ~ 1", undefined],
        ["Filter: lineno < 3", undefined],
        ["Filter: current_host_name = web1", undefined],
        ["Filter: state_type = HARD", undefined],
        // Negate of an And that dropped a child would exclude lines the filter lets through.
        ["Filter: host_name = web1\nFilter: lineno < 3\nAnd: 2\nNegate:", undefined],
        ["Filter: host_name = web1\nFilter: state = 1\nAnd: 2\nNegate:", { kind: "not", child: and(hosts("web1"), num("state", "=", 1)) }],
        // An Or with a branch it cannot tell lets anything through.
        ["Filter: host_name = web1\nFilter: lineno < 3\nOr: 2", undefined],
        ["Filter: host_name = web1\nFilter: lineno < 3\nAnd: 2", hosts("web1")],
        [
          "Filter: host_name != web1\nFilter: service_description !~ ^d",
          and({ kind: "not", child: hosts("web1") }, { kind: "not", child: { kind: "match", field: "check", pattern: "^d", ignoreCase: false } }),
        ],
        ["Filter: state = 1abc\nFilter: class >= x", and(num("state", "=", 1), num("class", ">=", 0))],
        [`Filter: time = ${T0 + 20}\nNegate:`, { kind: "not", child: and(time(">=", T0 + 20), time("<", T0 + 21)) }],
        [
          "Filter: host_name = a\nFilter: host_name = b\nFilter: host_name = a\nFilter: type = HOST ALERT\nOr: 4",
          or(hosts("a", "b"), { kind: "in", field: "type", values: ["HOST ALERT"] }),
        ],
      ];
      for (const [filter, where] of cases) {
        await body(`GET log\nColumns: time\n${filter}`);
        expect(lastQuery(), filter).to.deep.equal(where === undefined ? NEWEST : { where, ...NEWEST });
      }
    });
  });

  describe("current state", () => {
    it("joins the host's and service's state as it is now, not as the line reports it", async () => {
      const cols = [
        "state",
        "current_host_name",
        "current_host_state",
        "current_host_has_been_checked",
        "current_service_description",
        "current_service_state",
        "current_service_plugin_output",
        "current_service_last_check",
      ];
      expect(await json(`GET log\nColumns: ${cols.join(" ")}\nFilter: time = ${T0}`)).to.deep.equal([
        [2, "web1", 0, 1, "disk", 0, "disk of web1 is 0", T0 + 30],
      ]);
    });

    it("joins the contacts, and nothing of a service on host lines", async () => {
      const cols = [
        "current_host_contacts",
        "current_service_description",
        "current_service_state",
        "current_service_has_been_checked",
        "current_service_contacts",
      ];
      expect(await json(`GET log\nColumns: ${cols.join(" ")}\nFilter: time = ${T0 + 10}`)).to.deep.equal([[["alice"], "", 0, 0, []]]);
      // db1 is pending (no Host result): its services' contacts stand for it.
      expect(
        await json(`GET log\nColumns: current_host_name current_host_has_been_checked current_host_contacts current_service_contacts\nFilter: host_name = db1`),
      ).to.deep.equal([["db1", 0, ["carol"], ["carol"]]]);
    });

    it("reads a host that is gone as pending: empty names and lists, zeros", async () => {
      await sqlite.commit(logOnly(ghostLine(T0 + 50)));
      expect(
        await json(
          `GET log\nColumns: host_name current_host_name current_host_state current_host_contacts current_service_description\nFilter: time = ${T0 + 50}`,
        ),
      ).to.deep.equal([["ghost", "", 0, [], ""]]);
    });
  });

  describe("AuthUser", () => {
    it("shows a line to the contacts of its host and service as they are now (services: loose, as Checkmk)", async () => {
      expect(await json(`GET log\nColumns: time\nAuthUser: alice`)).to.deep.equal([[T0], [T0 + 10], [T0 + 30], [T0 + 40]]);
      expect(await json(`GET log\nColumns: time\nAuthUser: bob`)).to.deep.equal([[T0], [T0 + 30]]);
      expect(await json(`GET log\nColumns: time\nAuthUser: carol`)).to.deep.equal([[T0 + 20]]);
    });

    it("shows nothing to an unknown user, and the lines of a host that is gone to nobody", async () => {
      await sqlite.commit(logOnly(ghostLine(T0 + 50)));
      expect(await json(`GET log\nColumns: time\nAuthUser: nobody`)).to.deep.equal([]);
      expect(await json(`GET log\nColumns: time\nFilter: host_name = ghost\nAuthUser: alice`)).to.deep.equal([]);
      expect(await json(`GET log\nColumns: time\nFilter: host_name = ghost`)).to.deep.equal([[T0 + 50]]);
    });
  });

  describe("empty answers", () => {
    it("keeps the header row without Columns (all-columns mode), and with ColumnHeaders: on", async () => {
      const table = registry.get("log")!;
      expect(await json(`GET log\nFilter: time >= ${T0 + 1000}`)).to.deep.equal([table.spec.columns.map((c) => c.name)]);
      expect(await body(`GET log\nColumns: time host_name\nColumnHeaders: on\nFilter: host_name = nosuch`)).to.equal("time;host_name\n");
      expect(lastQuery()).to.deep.equal({ where: hosts("nosuch"), ...NEWEST });
    });

    it("answers without a store: nothing, with the header row", async () => {
      await engine.detachStore(true);
      expect(await json(`GET log\nColumns: time\nColumnHeaders: on`)).to.deep.equal([["time"]]);
    });
  });

  describe("max_rows", () => {
    it("reads at most max_rows lines, the newest of what the store selects, answered oldest first", async () => {
      registry.remove("log");
      const warnings: string[] = [];
      registry.add(logTable(2, warningLogger(warnings)));
      expect(await json(`GET log\nColumns: time lineno\nFilter: time >= ${T0 + 5}`)).to.deep.equal([
        [T0 + 30, 1],
        [T0 + 40, 2],
      ]);
      expect(lastQuery()).to.deep.equal({ since: T0 + 5, order: "desc", limit: 2 });
      expect(warnings).to.have.length(1);
      expect(warnings[0])
        .to.contain("newest max_rows")
        .and.to.contain(`"max_rows":2,"since":${T0 + 5}`);
      // The filter selects in the store: the newest two lines of web1's disk, though newer lines of other objects exist.
      expect(await json(`GET log\nColumns: time\nFilter: service_description = disk`)).to.deep.equal([[T0], [T0 + 30]]);
      expect(await json(`GET log\nColumns: time\nFilter: class = 1\nFilter: state = 0\nFilter: host_name ~ ^web`)).to.deep.equal([[T0 + 30], [T0 + 40]]);
      // Exactly max_rows lines each time, and nothing left out: no warning.
      expect(warnings).to.have.length(1);
    });

    it("is said in a warning, at most 5 times a minute", async () => {
      const warnings: string[] = [];
      const table = logTable(3, warningLogger(warnings));
      for (let i = 0; i < 7; i++) await table.load!({});
      expect(warnings).to.have.length(5);
      expect(warnings[0]).to.contain("max_rows").and.to.contain('"max_rows":3');
      now += 61;
      await table.load!({ timeRange: { since: T0 } });
      expect(warnings).to.have.length(6);
      expect(warnings[5]).to.contain('"suppressed":2');
      await table.load!({ timeRange: { since: T0 + 35 } }); // one line: not full
      expect(warnings).to.have.length(6);
    });
  });

  it("answers a failing store read with an error, not a partial answer", async () => {
    store.failReads = true;
    let error: unknown;
    await ask("GET log\nColumns: time").catch((e: unknown) => (error = e));
    expect(String(error)).to.contain("disk on fire");
    expect(error).to.not.be.instanceOf(LivestatusError); // the connection answers it 500
  });

  it("has nothing to wait for: a Wait condition never holds on the log", () => {
    const request = parseRequest(["GET log", "WaitObject: web1", "WaitCondition: state = 1", "WaitTimeout: 10"], now);
    if (request.kind !== "get") throw new Error("not a GET");
    expect(planWait(request, registry)!.holds!()).to.equal(false);
  });

  describe("columns", () => {
    it("have unique names, a known type and a description each, and the values their type says", async () => {
      const table = registry.get("log") as LivestatusTable<LogRow>;
      const rows = [...(await table.load!({}))];
      expect(rows).to.have.length(5);
      // The log has no float or dict columns: any other type is a mistake.
      for (const c of table.spec.columns) if (!["int", "time", "string", "list"].includes(c.type)) expect.fail(`unexpected type ${c.type} of ${c.name}`);
      expectWellTypedColumns(table, rows);
    });

    it("are all listed in the README with type and description", () => {
      expectReadmeListsColumns(readPluginReadme("plugins/table/log"), registry.get("log")!.spec.columns);
    });

    it("take options from the message: what follows TYPE: ", () => {
      expect(logOptions("[1] HOST ALERT: web1;DOWN;HARD;1;a: b", "HOST ALERT")).to.equal("web1;DOWN;HARD;1;a: b");
      expect(logOptions("[1] EXTERNAL COMMAND: ACKNOWLEDGE_HOST_PROBLEM;web1", "")).to.equal("ACKNOWLEDGE_HOST_PROBLEM;web1");
      expect(logOptions("[1] LOG ROTATION", "LOG ROTATION")).to.equal("");
    });
  });

  describe("store read", () => {
    it("is what the hint allows: range (until + 1 for fractions), the hosts, the newest max_rows", () => {
      expect(logQueryOf({}, 10)).to.deep.equal({ order: "desc", limit: 10 });
      expect(logQueryOf({ timeRange: { since: 5, until: 9 }, keys: new Set(["a"]) }, 10)).to.deep.equal({
        since: 5,
        until: 10,
        where: hosts("a"),
        order: "desc",
        limit: 10,
      });
      expect(logQueryOf({ keys: new Set(["a", "b"]) }, 10)).to.deep.equal({ where: hosts("a", "b"), order: "desc", limit: 10 });
      expect(logQueryOf({ keys: new Set() }, 10)).to.equal(undefined);
      expect(logQueryOf({ timeRange: { since: 9, until: 8 } }, 10)).to.equal(undefined);
    });
  });
});

/** A commit of log lines only: no state, downtime or comment (the id counters of a fresh store). */
function logOnly(...log: LogEntry[]): ChangeSet {
  return { upserts: [], deletes: [], log, downtimes: NO_RECORD_CHANGES, comments: NO_RECORD_CHANGES, lastIds: { downtime: 0, comment: 0 } };
}

/** A line of a host the engine does not know (gone, or written by another Tantale). */
function ghostLine(time: number): LogEntry {
  return logEntry({
    time,
    class: 1,
    type: "HOST ALERT",
    hostname: "ghost",
    check: "",
    state: 1,
    stateType: "HARD",
    attempt: 1,
    output: "gone",
    message: `[${time}] HOST ALERT: ghost;DOWN;HARD;1;gone`,
  });
}
