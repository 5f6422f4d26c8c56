import { expect } from "chai";
import { answerQuery, TIMELIMIT_CHECK_ROWS, type QueryAnswer } from "../../../core/livestatus/query/query-engine";
import type { GetQuery } from "../../../core/livestatus/protocol/query";
import { parseRequest } from "../../../core/livestatus/protocol/request-parser";
import { TableRegistry, type LivestatusTable, type RowHint } from "../../../core/livestatus/query/table-registry";
import { planWait } from "../../../core/livestatus/protocol/wait-condition";
import { testHost, testTables, TestHostsTable, type TestTables } from "./engine-table";
import { livestatusError } from "./expect-error";
import { LivestatusError } from "../../../core/livestatus/protocol/livestatus-error";

const NOW = 1_700_000_500;

function query(text: string, now = NOW): GetQuery {
  const request = parseRequest(text.split("\n"), now);
  if (request.kind !== "get") throw new Error("not a GET");
  return request;
}

/** Awaits `answer`, expects it to reject with a LivestatusError of `status`, and returns its message. */
async function livestatusRejection(answer: Promise<unknown>, status: number): Promise<string> {
  try {
    await answer;
  } catch (err) {
    if (!(err instanceof LivestatusError)) throw err;
    expect(err.status, err.message).to.equal(status);
    return err.message;
  }
  throw new Error(`expected a LivestatusError ${status}, the answer resolved`);
}

describe("answerQuery", () => {
  let t: TestTables;
  const ask = (text: string, now = NOW): Promise<QueryAnswer> => answerQuery(query(text, now), t.registry, now);
  const body = async (text: string): Promise<string> => {
    const a = await ask(text);
    expect(a.status, a.body).to.equal(200);
    return a.body;
  };
  const json = async (text: string): Promise<unknown> => JSON.parse(await body(`${text}\nOutputFormat: json`));

  beforeEach(() => {
    t = testTables();
  });

  describe("tables and columns", () => {
    it("answers 404 for an unknown table, with Checkmk's message", async () => {
      const message = await livestatusRejection(ask("GET nosuchtable"), 404);
      expect(message).to.equal("Invalid GET request, no such table 'nosuchtable'");
    });

    it("renders Columns in the order given: csv, json and python bodies", async () => {
      expect(await body("GET hosts\nColumns: name state")).to.equal("db1;1\nweb1;0\nweb2;0\n");
      expect(await body("GET hosts\nColumns: state name\nOutputFormat: json")).to.equal('[[1,"db1"],[0,"web1"],[0,"web2"]]\n');
      expect(await body("GET hosts\nColumns: name plugin_output\nFilter: name = db1\nOutputFormat: python")).to.equal(
        '[["db1","DOWN - café; \\"quoted\\""]]\n',
      );
    });

    it("renders every column type: int, float, time, string, list, dict", async () => {
      expect(await json("GET hosts\nColumns: name state staleness last_check groups custom_variables\nFilter: name = web1")).to.deep.equal([
        ["web1", 0, 0.25, 1_700_000_000, ["web", "prod"], { ROLE: "frontend" }],
      ]);
      expect(await body("GET hosts\nColumns: name groups custom_variables\nFilter: name = web1")).to.equal("web1;web,prod;ROLE|frontend\n");
      expect(await body("GET hosts\nColumns: name groups\nFilter: name = web1\nSeparators: 10 9 124 44")).to.equal("web1\tweb|prod\n");
    });

    it("resolves prefixed names and shows the canonical name in the header", async () => {
      expect(await body("GET hosts\nColumns: host_name host_state\nColumnHeaders: on\nFilter: host_name = web2")).to.equal("name;state\nweb2;0\n");
    });

    it("gives an unknown column in Columns an empty value, headed by the name asked for (§6)", async () => {
      expect(await json("GET hosts\nColumns: name host_pnpgraph_present\nColumnHeaders: on\nFilter: name = db1")).to.deep.equal([
        ["name", "host_pnpgraph_present"],
        ["db1", ""],
      ]);
    });

    it("answers 400 for an unknown column in Filter or Stats", async () => {
      expect(await livestatusRejection(ask("GET hosts\nColumns: name\nFilter: nosuchcolumn = 1"), 400)).to.contain("nosuchcolumn");
      expect(await livestatusRejection(ask("GET hosts\nStats: nosuchcolumn = 1"), 400)).to.contain("nosuchcolumn");
    });
  });

  describe("all-columns mode and ColumnHeaders", () => {
    const all = ["name", "state", "staleness", "last_check", "plugin_output", "groups", "contacts", "custom_variables"];

    it("sends every column in spec order with a header row without Columns and Stats", async () => {
      const rows = (await json("GET hosts\nFilter: name = web2")) as unknown[][];
      expect(rows[0]).to.deep.equal(all);
      expect(rows.slice(1)).to.deep.equal([["web2", 0, 0.5, 1_700_000_200, "OK - web2", ["web"], ["alice", "bob"], {}]]);
    });

    it("still sends the header row for an empty result (Nagstamon)", async () => {
      expect(await json("GET hosts\nFilter: state = 2")).to.deep.equal([all]);
      expect(await body("GET hosts\nColumns: name state\nColumnHeaders: on\nFilter: state = 2")).to.equal("name;state\n");
    });

    it("lets an explicit ColumnHeaders win over the default", async () => {
      expect(await json("GET hosts\nColumnHeaders: off\nFilter: name = web2")).to.have.length(1);
      expect(await body("GET hosts\nColumns: name\nFilter: state = 2")).to.equal("");
    });
  });

  describe("index hint", () => {
    const lastHint = () => t.hosts.hints[t.hosts.hints.length - 1]!;

    it("passes the key values of top-level = filters to rows(), prefixed names included", async () => {
      await body("GET hosts\nColumns: name\nFilter: name = web1");
      expect([...lastHint().keys!]).to.deep.equal(["web1"]);
      await body("GET hosts\nColumns: name\nFilter: host_name = web1\nFilter: host_name = db1\nOr: 2\nFilter: state = 0");
      expect([...lastHint().keys!].sort()).to.deep.equal(["db1", "web1"]);
    });

    it("gives no keys when the filter does not restrict the key", async () => {
      await body("GET hosts\nColumns: name\nFilter: name ~ web");
      expect(lastHint().keys).to.equal(undefined);
      await body("GET hosts\nColumns: name");
      expect(lastHint().keys).to.equal(undefined);
    });

    it("still applies the whole filter to the rows the hint gave", async () => {
      expect(await body("GET hosts\nColumns: name\nFilter: name = web1\nFilter: state = 1")).to.equal("");
    });
  });

  describe("a table read from a store (load) and its time range hint", () => {
    interface Event {
      readonly time: number;
      readonly host: string;
    }
    const EVENTS: readonly Event[] = [
      { time: 100, host: "a" },
      { time: 200, host: "b" },
      { time: 300, host: "a" },
    ];
    let hints: RowHint[];
    let rowsCalls: number;

    beforeEach(() => {
      hints = [];
      rowsCalls = 0;
      const events: LivestatusTable<Event> = {
        spec: {
          name: "events",
          prefix: "event_",
          columns: [
            { name: "time", type: "time", description: "when", get: (e) => e.time },
            { name: "host", type: "string", description: "host", get: (e) => e.host },
          ],
        },
        keyColumns: ["host"],
        timeColumn: "time",
        rows: () => {
          rowsCalls++;
          return [];
        },
        load: async (hint) => {
          hints.push(hint);
          await new Promise((resolve) => setImmediate(resolve));
          return EVENTS;
        },
      };
      t.registry.add(events);
    });

    const rangeOf = async (filters: string, extra = ""): Promise<unknown> => {
      await body(`GET events\nColumns: time\n${filters}${extra}`);
      return hints[hints.length - 1]!.timeRange;
    };

    it("awaits load() instead of calling rows(), and filters what it gave", async () => {
      expect(await json("GET events\nColumns: time host\nFilter: host = a")).to.deep.equal([
        [100, "a"],
        [300, "a"],
      ]);
      expect(rowsCalls).to.equal(0);
      expect([...hints[0]!.keys!]).to.deep.equal(["a"]);
    });

    it("bounds the time column from >=, >, <=, < and = filters, prefixed names included", async () => {
      expect(await rangeOf("Filter: time >= 150")).to.deep.equal({ since: 150 });
      expect(await rangeOf("Filter: event_time > 150")).to.deep.equal({ since: 151 });
      expect(await rangeOf("Filter: time <= 250")).to.deep.equal({ until: 250 });
      expect(await rangeOf("Filter: time < 250")).to.deep.equal({ until: 249 });
      expect(await rangeOf("Filter: time = 200")).to.deep.equal({ since: 200, until: 200 });
      expect(await rangeOf("Filter: time >= 1x")).to.deep.equal({ since: 1 }); // atoi, as the filter reads it
    });

    it("intersects the bounds of an And, unites those of an Or bounded in every branch", async () => {
      expect(await rangeOf("Filter: time >= 100\nFilter: time >= 150\nFilter: time <= 300\nFilter: time < 280\nFilter: host = a")).to.deep.equal({
        since: 150,
        until: 279,
      });
      expect(await rangeOf("Filter: time = 100\nFilter: time = 300\nOr: 2")).to.deep.equal({ since: 100, until: 300 });
      expect(await rangeOf("Filter: time >= 100\nFilter: time <= 300\nOr: 2")).to.equal(undefined);
      expect(await rangeOf("Filter: time = 100\nFilter: host = b\nOr: 2")).to.equal(undefined);
    });

    it("does not bound by a negation, != or a bitmask test, nor on a table without timeColumn", async () => {
      expect(await rangeOf("Filter: time >= 150\nNegate:")).to.equal(undefined);
      expect(await rangeOf("Filter: time != 150")).to.equal(undefined);
      expect(await rangeOf("Filter: time ~ 4")).to.equal(undefined);
      await body("GET hosts\nColumns: name\nFilter: last_check >= 100");
      // No keys and no range; the filter itself rides along (for a table that pushes it down to a store).
      const { filter, timezoneOffset, columnName, ...bounds } = t.hosts.hints[t.hosts.hints.length - 1]!;
      expect(bounds).to.deep.equal({});
      expect(filter).to.deep.equal({ kind: "compare", column: "last_check", op: ">=", operand: "100" });
      expect(timezoneOffset).to.equal(0);
      expect(columnName?.("host_last_check")).to.equal("last_check");
    });

    it("subtracts the Localtime offset from the bounds, as the filter does from its operands", async () => {
      expect(await rangeOf("Filter: time >= 3700", `\nLocaltime: ${NOW + 3600}`)).to.deep.equal({ since: 100 });
    });

    it("rejects with the store's error when load() fails", async () => {
      t.registry.remove("events");
      t.registry.add({ ...t.registry.get("hosts")!, spec: { name: "broken", prefix: "", columns: [] }, load: () => Promise.reject(new Error("store away")) });
      let error: unknown;
      await ask("GET broken").catch((e: unknown) => (error = e));
      expect(String(error)).to.contain("store away");
    });
  });

  describe("Limit", () => {
    it("caps the rows that pass the filter", async () => {
      expect(await body("GET hosts\nColumns: name\nLimit: 1")).to.equal("db1\n");
      expect(await body("GET hosts\nColumns: name\nFilter: state = 0\nLimit: 1")).to.equal("web1\n");
      expect(await body("GET hosts\nColumns: name\nLimit: 0")).to.equal("");
    });

    it("caps the rows fed to Stats", async () => {
      expect(await json("GET hosts\nStats: state >= 0\nLimit: 2")).to.deep.equal([[2]]);
      expect(await json("GET hosts\nStats: state >= 0\nLimit: 0")).to.deep.equal([[0]]);
    });

    it("reports the rows before Limit as wrapped_json's total_count", async () => {
      expect(JSON.parse(await body("GET hosts\nColumns: name\nLimit: 1\nOutputFormat: wrapped_json"))).to.deep.equal({ data: [["db1"]], total_count: 3 });
    });
  });

  describe("Stats", () => {
    it("one row of counts, zeros on an empty set", async () => {
      expect(await json("GET hosts\nStats: state = 0\nStats: state = 1")).to.deep.equal([[2, 1]]);
      expect(await json("GET hosts\nFilter: name = nosuch\nStats: state = 0\nStats: sum staleness")).to.deep.equal([[0, 0]]);
      expect(await body("GET hosts\nFilter: name = nosuch\nStats: state = 0\nStats: state = 1")).to.equal("0;0\n");
    });

    it("groups by Columns, sorted, group values first; nothing when nothing matched", async () => {
      expect(await json("GET hosts\nColumns: state\nStats: state >= 0\nStats: avg staleness")).to.deep.equal([
        [0, 2, 0.375],
        [1, 1, 2],
      ]);
      expect(await json("GET hosts\nColumns: state\nFilter: name = nosuch\nStats: state >= 0")).to.deep.equal([]);
    });

    it("headers: group column names, then stats_1..n", async () => {
      expect(await json("GET hosts\nColumns: host_state\nStats: state >= 0\nStats: max staleness\nColumnHeaders: on")).to.deep.equal([
        ["state", "stats_1", "stats_2"],
        [0, 2, 0.5],
        [1, 1, 2],
      ]);
      expect(await json("GET hosts\nStats: state >= 0\nColumnHeaders: on\nFilter: name = nosuch")).to.deep.equal([["stats_1"], [0]]);
    });
  });

  describe("AuthUser", () => {
    it("shows only the rows the contact may see", async () => {
      expect(await body("GET hosts\nColumns: name\nAuthUser: alice")).to.equal("web1\nweb2\n");
      expect(await json("GET hosts\nStats: state >= 0\nAuthUser: bob")).to.deep.equal([[2]]);
    });

    it("an unknown contact sees nothing: 200 and an empty body", async () => {
      expect(await body("GET hosts\nColumns: name\nAuthUser: mallory")).to.equal("");
      expect(await json("GET hosts\nAuthUser: mallory")).to.have.length(1); // the header row only
    });

    it("does not restrict a table without authorization", async () => {
      expect(await body("GET services\nColumns: host_name description\nAuthUser: mallory\nLimit: 1")).to.equal("db1;cpu\n");
    });
  });

  describe("Localtime", () => {
    const hourAhead = `Localtime: ${NOW + 3600}`;

    it("adds the offset to time columns on output, and to Stats groups and aggregates", async () => {
      expect(await json(`GET hosts\nColumns: name last_check state\nFilter: name = web1\n${hourAhead}`)).to.deep.equal([["web1", 1_700_003_600, 0]]);
      expect(await json(`GET hosts\nColumns: last_check\nStats: state >= 0\nFilter: name = web1\n${hourAhead}`)).to.deep.equal([[1_700_003_600, 1]]);
      expect(await json(`GET hosts\nStats: max last_check\n${hourAhead}`)).to.deep.equal([[1_700_003_800]]);
    });

    it("takes the offset off time filter operands", async () => {
      expect(await body(`GET hosts\nColumns: name\nFilter: last_check = 1700003600\n${hourAhead}`)).to.equal("web1\n");
    });
  });

  describe("Timelimit", () => {
    function bigRegistry(n: number): TableRegistry {
      const hosts = new TestHostsTable();
      for (let i = 0; i < n; i++) hosts.set(testHost(`h${String(i).padStart(5, "0")}`));
      const registry = new TableRegistry();
      registry.add(hosts);
      return registry;
    }

    it("answers 413 once the limit has passed, looking at the clock every 1000 rows", async () => {
      const registry = bigRegistry(3 * TIMELIMIT_CHECK_ROWS);
      let nowMs = NOW * 1000;
      let reads = 0;
      const clock = () => {
        reads++;
        return (nowMs += 600); // each look at the clock is 0.6 s later
      };
      const q = query("GET hosts\nColumns: name\nTimelimit: 1");
      expect(await livestatusRejection(answerQuery(q, registry, NOW, clock), 413)).to.equal("Timelimit exceeded");
      expect(reads).to.equal(2);
    });

    it("answers normally within the limit", async () => {
      const registry = bigRegistry(2 * TIMELIMIT_CHECK_ROWS);
      const a = await answerQuery(query("GET hosts\nStats: state = 0\nTimelimit: 10"), registry, NOW, () => NOW * 1000 + 5);
      expect(a).to.deep.equal({ status: 200, body: "2000\n" });
    });
  });

  describe("planWait (the Wait headers)", () => {
    const plan = (text: string) => planWait(query(text), t.registry);

    it("has nothing to wait for without Wait headers; a bare WaitTrigger waits for a notice of its kind", () => {
      expect(plan("GET hosts\nColumns: name")).to.equal(undefined);
      expect(plan("GET hosts\nWaitTrigger: check\nWaitTimeout: 1000")).to.deep.equal({ holds: undefined, trigger: "check", timeoutMs: 1000 });
      expect(plan("GET hosts\nWaitObject: web1\nWaitCondition: state = 1")).to.include({ trigger: "all", timeoutMs: 0 });
    });

    it("tests the condition on the WaitObject row, every time anew", () => {
      const wait = plan("GET hosts\nWaitObject: web1\nWaitCondition: state = 1\nWaitTimeout: 5000")!;
      expect(wait.timeoutMs).to.equal(5000);
      expect(wait.holds!()).to.equal(false);
      t.hosts.set(testHost("web1", { state: 1 }));
      expect(wait.holds!()).to.equal(true);
    });

    it("names a service as host;description or host description", () => {
      expect(plan("GET services\nWaitObject: db1;disk\nWaitCondition: state = 2")!.holds!()).to.equal(true);
      expect(plan("GET services\nWaitObject: db1 cpu\nWaitCondition: state = 2")!.holds!()).to.equal(false);
    });

    it("waits for an object that does not exist yet", () => {
      const wait = plan("GET hosts\nWaitObject: new1\nWaitCondition: state = 0")!;
      expect(wait.holds!()).to.equal(false);
      t.hosts.set(testHost("new1"));
      expect(wait.holds!()).to.equal(true);
    });

    it("uses the first row of a keyless table; refuses a missing WaitObject elsewhere (452)", () => {
      expect(plan("GET status\nWaitCondition: num_hosts = 3")!.holds!()).to.equal(true);
      expect(livestatusError(() => plan("GET hosts\nWaitCondition: state = 0"), 452)).to.equal("missing WaitObject");
      livestatusError(() => plan("GET hosts\nWaitObject: web1\nWaitCondition: nosuch = 0"), 400);
    });
  });
});
