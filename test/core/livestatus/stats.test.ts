import { expect } from "chai";
import type { ColumnSpec, LivestatusValue } from "../../../core/livestatus/query/column";
import { MAX_ROW_COMPARISONS, compileFilter, type ColumnLookup } from "../../../core/livestatus/query/filter";
import type { GetQuery } from "../../../core/livestatus/protocol/query";
import { parseRequest } from "../../../core/livestatus/protocol/request-parser";
import { compileStats } from "../../../core/livestatus/query/stats";
import { CAPTURED_AT, CLIENT_REQUESTS } from "./client-requests";
import { livestatusError } from "./expect-error";
import { col, host, hostColumn, type Host } from "./test-table";

const NOW = 1_700_000_000;

/**
 * Answers a Stats query the way the engine will: parse, apply Filter, then Limit to the
 * rows fed to stats, group by Columns (all must exist in `lookup`).
 */
function answer<Row>(rows: readonly Row[], lookup: ColumnLookup<Row>, headers: readonly string[], now = NOW): LivestatusValue[][] {
  const q = parseRequest(["GET hosts", ...headers], now) as GetQuery;
  const filter = q.filter === undefined ? () => true : compileFilter(q.filter, lookup, q.timezoneOffset);
  const passing = rows.filter(filter).slice(0, q.limit);
  const groupColumns = q.columns.map((name) => lookup(name)!);
  return compileStats(q.stats, lookup, q.timezoneOffset).statsRows(passing, groupColumns);
}

const stats = (rows: readonly Host[], ...headers: string[]) => answer(rows, hostColumn, headers);

/** The one row of an ungrouped Stats answer, its values as numbers. */
function onlyRow(rows: LivestatusValue[][]): number[] {
  const [row, ...rest] = rows;
  if (row === undefined || rest.length > 0) expect.fail(`expected exactly one row, got ${rows.length}`);
  return row as number[];
}

/** Six services as in the reference peer after its feed [ref §4]: states 0,0,0,0,1,2, all checked. */
const SERVICES = [
  host({ name: "host-0001", state: 0 }),
  host({ name: "host-0001", state: 0 }),
  host({ name: "host-0002", state: 0 }),
  host({ name: "host-0002", state: 2 }),
  host({ name: "host-0003", state: 0 }),
  host({ name: "host-0003", state: 1 }),
];

describe("compileStats: counts", () => {
  it("one count per Stats filter, in one row [ref §4: 4;1;1;0]", () => {
    expect(stats(SERVICES, "Stats: state = 0", "Stats: state = 1", "Stats: state = 2", "Stats: state = 3")).to.deep.equal([[4, 1, 1, 0]]);
  });

  it("StatsOr / StatsAnd combine into one column [ref §4: [[2,4]]]", () => {
    expect(
      stats(SERVICES, "Stats: state = 1", "Stats: state = 2", "StatsOr: 2", "Stats: state = 0", "Stats: has_been_checked = 1", "StatsAnd: 2"),
    ).to.deep.equal([[2, 4]]);
    expect(stats(SERVICES, "Stats: state = 0", "StatsNegate:")).to.deep.equal([[2]]);
    expect(stats(SERVICES, "StatsAnd: 0", "StatsOr: 0")).to.deep.equal([[6, 0]]);
  });

  it("counts pending services [ref §0: [[0,6,6]]]", () => {
    const pending = SERVICES.map((s) => ({ ...s, state: 3, has_been_checked: 0 }));
    expect(stats(pending, "Stats: state = 0", "Stats: state = 3", "Stats: has_been_checked = 0")).to.deep.equal([[0, 6, 6]]);
  });

  it("exactly one row even when nothing matched (§8 item 26: [[0]])", () => {
    expect(stats(SERVICES, "Filter: name = nosuchhost", "Stats: state = 0")).to.deep.equal([[0]]);
    expect(stats([], "Stats: state = 0", "Stats: state != 0")).to.deep.equal([[0, 0]]);
  });

  it("counts only the rows it is fed: Filter first, then Limit (applied by the caller)", () => {
    expect(stats(SERVICES, "Filter: state = 0", "Stats: name = host-0001")).to.deep.equal([[2]]);
    expect(stats(SERVICES, "Limit: 3", "Stats: state = 0", "Stats: state >= 0")).to.deep.equal([[3, 3]]);
    expect(stats(SERVICES, "Limit: 0", "Stats: state >= 0")).to.deep.equal([[0]]);
  });

  it("count filters honour Localtime on time columns", () => {
    const rows = [host({ name: "a", last_check: NOW - 10 }), host({ name: "b", last_check: NOW + 10 })];
    expect(stats(rows, `Localtime: ${NOW + 7200}`, `Stats: last_check > ${NOW + 7200}`)).to.deep.equal([[1]]);
  });

  it("values are numbers, never strings (JSON numbers for NagVis, §8 item 30)", () => {
    const [row] = stats(SERVICES, "Stats: state = 0", "Stats: avg state");
    for (const v of row!) expect(v).to.be.a("number");
  });
});

describe("compileStats: aggregates (§8 item 28)", () => {
  const depths = [2, 4, 4, 4, 5, 5, 7, 9].map((d, i) => host({ name: `h${i}`, scheduled_downtime_depth: d }));

  it("sum / min / max / avg / std (population) on a known dataset", () => {
    const [sum, min, max, avg, std] = onlyRow(stats(depths, ...["sum", "min", "max", "avg", "std"].map((fn) => `Stats: ${fn} scheduled_downtime_depth`)));
    expect([sum, min, max, avg, std]).to.deep.equal([40, 2, 9, 5, 2]);
  });

  it("suminv / avginv", () => {
    const [suminv, avginv] = onlyRow(stats(depths, "Stats: suminv scheduled_downtime_depth", "Stats: avginv scheduled_downtime_depth"));
    const expected = 1 / 2 + 3 / 4 + 2 / 5 + 1 / 7 + 1 / 9;
    expect(suminv).to.be.closeTo(expected, 1e-12);
    expect(avginv).to.be.closeTo(expected / 8, 1e-12);
  });

  it("suminv / avginv skip zeros (1/0 has no JSON value)", () => {
    const rows = [0, 2, 4].map((d, i) => host({ name: `h${i}`, scheduled_downtime_depth: d }));
    expect(stats(rows, "Stats: suminv scheduled_downtime_depth", "Stats: avginv scheduled_downtime_depth")).to.deep.equal([[0.75, 0.375]]);
    expect(stats([host({ name: "z", scheduled_downtime_depth: 0 })], "Stats: suminv state", "Stats: avginv state")).to.deep.equal([[0, 0]]);
  });

  it("mixes aggregates and counts like the reference [ref §4: [[3,0.5,1795486934,2]]]", () => {
    const rows = SERVICES.map((s) => ({ ...s, last_check: 1_795_486_934 }));
    expect(stats(rows, "Stats: sum state", "Stats: avg state", "Stats: min last_check", "Stats: max state")).to.deep.equal([[3, 0.5, 1_795_486_934, 2]]);
  });

  it("floats: staleness", () => {
    const rows = [0.5, 1.5, 4].map((staleness, i) => host({ name: `h${i}`, staleness }));
    expect(stats(rows, "Stats: avg staleness", "Stats: max staleness", "Stats: min staleness", "Stats: sum staleness")).to.deep.equal([[2, 4, 0.5, 6]]);
  });

  it("an empty set gives 0 for every aggregate, never NaN (§8 item 28: empty avg → 0)", () => {
    const all = ["sum", "min", "max", "avg", "std", "suminv", "avginv"].map((fn) => `Stats: ${fn} staleness`);
    expect(stats([], ...all, "Stats: state = 0")).to.deep.equal([[0, 0, 0, 0, 0, 0, 0, 0]]);
  });

  it("std stays exact on epoch-sized values and is 0 for one value", () => {
    const rows = [1_795_486_933, 1_795_486_935].map((last_check, i) => host({ name: `h${i}`, last_check }));
    const [std] = onlyRow(stats(rows, "Stats: std last_check"));
    expect(std).to.be.closeTo(1, 1e-9);
    expect(stats(rows.slice(0, 1), "Stats: std last_check", "Stats: std staleness")).to.deep.equal([[0, 0]]);
  });

  it("time columns are aggregated in the client's local time (Localtime added)", () => {
    const rows = [host({ name: "a", last_check: NOW - 50 }), host({ name: "b", last_check: NOW + 50 })];
    expect(stats(rows, `Localtime: ${NOW + 3600}`, "Stats: min last_check", "Stats: max last_check", "Stats: std last_check")).to.deep.equal([
      [NOW - 50 + 3600, NOW + 50 + 3600, 50],
    ]);
  });

  it("leaves out values that are not numbers instead of returning NaN", () => {
    const broken: ColumnLookup<Host> = (name) =>
      name === "weird" ? { name: "weird", type: "int", description: "", get: (h) => (h.name === "a" ? "n/a" : 4) } : hostColumn(name);
    const rows = [host({ name: "a" }), host({ name: "b" })];
    expect(answer(rows, broken, ["Stats: avg weird", "Stats: sum weird"])).to.deep.equal([[4, 4]]);
  });
});

describe("compileStats: grouping (§8 item 27)", () => {
  it("Columns: state + Stats: state >= 0 → one row per state, sorted [ref §4: [[0,4],[1,1],[2,1]]]", () => {
    expect(stats(SERVICES, "Columns: state", "Stats: state >= 0")).to.deep.equal([
      [0, 4],
      [1, 1],
      [2, 1],
    ]);
  });

  it("group values first, then the stats [ref §4: grouped by host_name]", () => {
    expect(stats(SERVICES, "Columns: host_name", "Stats: state = 0", "Stats: state != 0")).to.deep.equal([
      ["host-0001", 2, 0],
      ["host-0002", 1, 1],
      ["host-0003", 1, 1],
    ]);
  });

  it("sorts groups by their values: numbers numerically, then column by column", () => {
    const rows = [10, 2, 1, 10].map((state, i) => host({ name: i % 2 === 0 ? "b" : "a", state }));
    expect(stats(rows, "Columns: state", "Stats: state >= 0")).to.deep.equal([
      [1, 1],
      [2, 1],
      [10, 2],
    ]);
    expect(stats(rows, "Columns: name state", "Stats: sum state")).to.deep.equal([
      ["a", 2, 2],
      ["a", 10, 10],
      ["b", 1, 1],
      ["b", 10, 10],
    ]);
    expect(stats(rows, "StatsGroupBy: name", "Stats: max state")).to.deep.equal([
      ["a", 10],
      ["b", 10],
    ]);
  });

  it("groups by list values, equal lists together", () => {
    const rows = [["hg-1"], ["hg-0", "hg-1"], ["hg-1"], []].map((groups, i) => host({ name: `h${i}`, groups }));
    expect(stats(rows, "Columns: groups", "Stats: state = 0")).to.deep.equal([
      [[], 1],
      [["hg-0", "hg-1"], 1],
      [["hg-1"], 2],
    ]);
  });

  it("no rows when nothing matched: [] (§8 item 27)", () => {
    expect(stats(SERVICES, "Columns: host_name", "Filter: name = nosuch", "Stats: state = 0")).to.deep.equal([]);
  });

  it("an empty group column list means no grouping", () => {
    const compiled = compileStats<Host>([{ kind: "count", filter: { kind: "and", children: [] } }], hostColumn, 0);
    expect(compiled.statsRows([], [])).to.deep.equal([[0]]);
    expect(compiled.statsRows(SERVICES)).to.deep.equal([[6]]);
  });
});

describe("compileStats: accumulators and errors", () => {
  it("hands out independent accumulators", () => {
    const compiled = compileStats<Host>(
      [
        { kind: "count", filter: { kind: "compare", column: "state", op: "=", operand: "0" } },
        { kind: "aggregate", fn: "max", column: "state" },
      ],
      hostColumn,
      0,
    );
    expect(compiled.size).to.equal(2);
    const a = compiled.newAccumulator();
    const b = compiled.newAccumulator();
    for (const s of SERVICES) a.add(s);
    b.add(SERVICES[5]!);
    expect(a.values()).to.deep.equal([4, 2]);
    expect(b.values()).to.deep.equal([0, 1]);
    expect(compiled.newAccumulator().values()).to.deep.equal([0, 0]);
  });

  it("reads a column once per row however many Stats lines name it, also from rows handed out in one object changed in place", () => {
    let reads = 0;
    type Row = { state: number; name: string };
    const columns = new Map<string, ColumnSpec<Row>>([
      [
        "state",
        {
          name: "state",
          type: "int",
          description: "state",
          get: (r) => {
            reads++;
            return r.state;
          },
        },
      ],
      ["name", { name: "name", type: "string", description: "name", get: (r) => r.name }],
    ]);
    const counted: ColumnLookup<Row> = (name) => columns.get(name);
    const q = parseRequest(
      ["GET services", "Stats: state = 0", "Stats: state = 1", "Stats: state = 2", "Stats: state >= 1", "Stats: name = b", "StatsAnd: 2", "Stats: max state"],
      NOW,
    ) as GetQuery;
    const collector = compileStats(q.stats, counted, 0).collector();
    const row = { state: 0, name: "" };
    const states = [0, 1, 2, 1, 0, 2, 2];
    states.forEach((state, i) => {
      row.state = state;
      row.name = i === 3 ? "b" : "a";
      collector.add(row);
    });
    expect(collector.rows()).to.deep.equal([[2, 2, 3, 1, 2]]);
    expect(reads).to.equal(states.length);
  });

  it("400 for unknown columns, bad regexes and aggregates over non-numeric columns", () => {
    const compile =
      (...headers: string[]) =>
      () =>
        stats([], ...headers);
    expect(livestatusError(compile("Stats: nosuch = 1"), 400)).to.equal("Stats: unknown column nosuch");
    expect(livestatusError(compile("Stats: sum nosuch"), 400)).to.equal("Stats: unknown column nosuch");
    expect(livestatusError(compile("Stats: state = 0", "Stats: nosuch = 1", "StatsOr: 2"), 400)).to.equal("Stats: unknown column nosuch");
    expect(livestatusError(compile("Stats: name ~ (("), 400)).to.match(/^Stats: invalid regular expression/);
    expect(livestatusError(compile("Stats: sum name"), 400)).to.equal("Stats: cannot aggregate (sum) over string column name");
    expect(livestatusError(compile("Stats: avg groups"), 400)).to.equal("Stats: cannot aggregate (avg) over list column groups");
    expect(livestatusError(compile("Stats: max custom_variables"), 400)).to.equal("Stats: cannot aggregate (max) over dict column custom_variables");
  });

  it(`all Stats columns together have ${MAX_ROW_COMPARISONS} comparisons (an aggregate counts as one); one more is a 400`, () => {
    const half = MAX_ROW_COMPARISONS / 2;
    const lines = [
      ...Array.from({ length: half }, (_, i) => `Stats: state = ${i}`),
      ...Array.from({ length: half - 2 }, () => "Stats: sum state"),
      "Stats: state = 0",
      "Stats: state = 1",
      "StatsOr: 2",
    ];
    expect(stats(SERVICES, ...lines)[0]).to.have.length(MAX_ROW_COMPARISONS - 1);
    expect(livestatusError(() => stats(SERVICES, ...lines, "Stats: min state"), 400)).to.match(
      new RegExp(`^Stats: more than ${MAX_ROW_COMPARISONS} comparisons`),
    );
  });
});

/** hostsbygroup-like rows: one per (host, group) pair, with hostgroup_* columns (§4.3). */
interface HostInGroup {
  readonly host: Host;
  readonly group: string;
}

const BYGROUP_EXTRA: readonly ColumnSpec<HostInGroup>[] = [
  { name: "hostgroup_name", type: "string", description: "group name", get: (r) => r.group },
  { name: "hostgroup_alias", type: "string", description: "group alias", get: (r) => `Group ${r.group}` },
];

const byGroupColumn: ColumnLookup<HostInGroup> = (name) => {
  const own = BYGROUP_EXTRA.find((c) => c.name === name);
  if (own !== undefined) return own;
  const c = hostColumn(name);
  return c === undefined ? undefined : { ...c, get: (r: HostInGroup) => c.get(r.host) };
};

describe("compileStats: NagVis hostsbygroup query (§8 item 29, hand count)", () => {
  const hosts = [
    host({ name: "pending", has_been_checked: 0, groups: ["hg-0"] }),
    host({ name: "up-fresh", staleness: 0.5, groups: ["hg-0", "hg-1"] }),
    host({ name: "up-stale", staleness: 2, groups: ["hg-0"] }),
    host({ name: "up-downtime", scheduled_downtime_depth: 1, groups: ["hg-0"] }),
    host({ name: "down-fresh", state: 1, groups: ["hg-0"] }),
    host({ name: "down-acked", state: 1, acknowledged: 1, groups: ["hg-0"] }),
    host({ name: "unreach-acked-downtime", state: 2, acknowledged: 1, scheduled_downtime_depth: 1, groups: ["hg-0"] }),
    host({ name: "unreach-stale", state: 2, staleness: 3, groups: ["hg-0"] }),
    host({ name: "elsewhere", state: 2, groups: ["hg-1"] }),
  ];
  const rows: HostInGroup[] = hosts.flatMap((h) => h.groups.map((group) => ({ host: h, group })));
  const nagvis = CLIENT_REQUESTS.find((r) => r.text.startsWith("GET hostsbygroup"))!
    .text.split("\n")
    .slice(1);

  it("counts each state bucket of hg-0", () => {
    // Columns: pending, up fresh, up stale, up in downtime, down fresh, down stale, down acked, down in downtime,
    // unreachable fresh, unreachable stale, unreachable acked, unreachable in downtime.
    // `groups >= hg-0` tests the host's groups, so up-fresh's row for hg-1 passes too (real Livestatus does the same).
    expect(answer(rows, byGroupColumn, nagvis, CAPTURED_AT)).to.deep.equal([
      ["hg-0", "Group hg-0", 1, 1, 1, 1, 1, 0, 1, 0, 0, 1, 1, 1],
      ["hg-1", "Group hg-1", 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    ]);
  });

  it("groups by host group without the Filter", () => {
    const result = answer(
      rows,
      byGroupColumn,
      nagvis.filter((l) => !l.startsWith("Filter:")),
      CAPTURED_AT,
    );
    expect(result.map((r) => r.slice(0, 2))).to.deep.equal([
      ["hg-0", "Group hg-0"],
      ["hg-1", "Group hg-1"],
    ]);
    expect(result[1]!.slice(2)).to.deep.equal([0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]);
  });
});

// Keeps the helper honest: col() is the same lookup the filters use.
describe("test table", () => {
  it("resolves prefixed names to the canonical column", () => {
    expect(col("host_name").name).to.equal("name");
  });
});
