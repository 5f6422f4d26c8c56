import { expect } from "chai";
import type { ColumnSpec } from "../../../core/livestatus/query/column";
import type { GetQuery } from "../../../core/livestatus/protocol/query";
import { answerQuery } from "../../../core/livestatus/query/query-engine";
import { parseRequest } from "../../../core/livestatus/protocol/request-parser";
import { TableRegistry, type LivestatusTable, type RowBlock } from "../../../core/livestatus/query/table-registry";

const NOW = 1_700_000_500;

/** An immutable service state, replaced (never changed) like the engine's check states. */
interface State {
  readonly host: string;
  readonly description: string;
  readonly state: number;
  readonly output: string;
  readonly lastCheck: number;
  readonly contacts: readonly string[];
}

/** A row: the state, and something read elsewhere (as a service row reads its host). */
interface Row {
  readonly state: State;
  readonly outside: { value: number };
}

const stable = (name: string, type: ColumnSpec<Row>["type"], get: ColumnSpec<Row>["get"]): ColumnSpec<Row> => ({
  name,
  type,
  description: name,
  get,
  stable: true,
});

const COLUMNS: readonly ColumnSpec<Row>[] = [
  stable("host_name", "string", (r) => r.state.host),
  stable("description", "string", (r) => r.state.description),
  stable("state", "int", (r) => r.state.state),
  stable("plugin_output", "string", (r) => r.state.output),
  stable("last_check", "time", (r) => r.state.lastCheck),
  stable("contacts", "list", (r) => r.state.contacts),
  { name: "outside", type: "int", description: "not stable: read elsewhere", get: (r) => r.outside.value },
];

/**
 * Services of a few hosts, kept as each host's list of states: a host's list is replaced
 * whenever one of its states is (as the engine's sorted lists are), so it keys its block.
 */
class Services {
  readonly outside = { value: 1 };
  readonly byHost = new Map<string, readonly State[]>();

  constructor() {
    for (const host of ["db1", "web1", "web2", "web3"]) {
      const states: State[] = [];
      for (let i = 0; i < (host === "web3" ? 0 : 5); i++) {
        states.push({
          host,
          description: `svc${i}`,
          state: (host.length + i) % 4,
          output: `svc${i} on ${host} "quoted"`,
          lastCheck: 1_700_000_000 + i,
          contacts: host === "db1" ? ["bob"] : ["alice"],
        });
      }
      this.byHost.set(host, states);
    }
  }

  /** Gives a service a new state: a new state object, and a new list for its host. */
  replace(host: string, description: string, change: Partial<State>): void {
    const states = this.byHost.get(host)!;
    this.byHost.set(
      host,
      states.map((s) => (s.description === description ? { ...s, ...change } : s)),
    );
  }

  rows(): Row[] {
    return [...this.byHost.values()].flatMap((states) => states.map((state) => ({ state, outside: this.outside })));
  }
}

/**
 * The same services as a table: with `blocks` (one per host, rows handed out in ONE object
 * changed in place, so that any code keeping a row would show it), or with rows only (the
 * reference). `keyed` false gives blocks without a key.
 */
function table(services: Services, mode: "blocks" | "rows", keyed = true, counter = { blockRows: 0 }): LivestatusTable<Row> {
  const base: LivestatusTable<Row> = {
    spec: { name: "services", prefix: "service_", columns: COLUMNS },
    keyColumns: [],
    rows: () => services.rows(),
    visibleTo: (row, user) => row.state.contacts.includes(user),
    rowVersion: (row) => row.state,
  };
  if (mode === "rows") return base;
  return {
    ...base,
    blocks: () =>
      [...services.byHost.values()].map((states): RowBlock<Row> => {
        const current: { state: State; outside: { value: number } } = { state: states[0]!, outside: services.outside };
        return {
          key: keyed ? states : undefined,
          size: states.length,
          row: (i) => {
            counter.blockRows++;
            current.state = states[i]!;
            return current;
          },
        };
      }),
  };
}

function registryOf(t: LivestatusTable<Row>): TableRegistry {
  const registry = new TableRegistry();
  registry.add(t);
  return registry;
}

function query(text: string): GetQuery {
  const request = parseRequest(text.split("\n"), NOW);
  if (request.kind !== "get") throw new Error("not a GET");
  return request;
}

async function body(registry: TableRegistry, text: string): Promise<string> {
  const answer = await answerQuery(query(text), registry, NOW);
  expect(answer.status, answer.body).to.equal(200);
  return answer.body;
}

/** Queries over every path of the engine: whole blocks, rows one by one, filters, AuthUser, Limit inside a block, Stats grouped and not. */
const QUERIES: readonly string[] = (() => {
  const out: string[] = [];
  const columns = ["host_name description state plugin_output", "host_name description state outside", "description last_check contacts"];
  const extras = [
    "",
    "\nColumnHeaders: on",
    "\nLimit: 7",
    "\nLimit: 10",
    "\nLimit: 0",
    "\nFilter: state = 1",
    "\nFilter: host_name = web1",
    "\nFilter: state = 9\nColumnHeaders: on",
    "\nAuthUser: alice",
    "\nAuthUser: alice\nLimit: 3",
    `\nLocaltime: ${NOW + 3600}`,
  ];
  for (const c of columns)
    for (const extra of extras)
      for (const format of ["json", "wrapped_json", "csv", "python"]) out.push(`GET services\nColumns: ${c}${extra}\nOutputFormat: ${format}`);
  for (const stats of [
    "Stats: state = 0\nStats: state = 1\nStats: state = 2\nStats: state = 3",
    "Columns: host_name\nStats: state = 0\nStats: state != 0",
    "Columns: state\nStats: state >= 0",
    "Stats: state = 1\nStats: contacts >= bob\nStatsAnd: 2\nStats: sum last_check",
    "Filter: host_name != db1\nStats: state >= 2\nLimit: 6",
    "Filter: host_name != db1\nColumns: host_name\nStats: state >= 2\nStats: contacts >= alice\nStats: state = 0\nStatsOr: 2",
    "Columns: state host_name\nStats: outside = 1\nStats: state = 2",
    "Filter: outside = 1\nStats: state = 2",
    "Columns: nosuch\nStats: state = 2",
    "Stats: state = 1\nAuthUser: alice",
    `Columns: last_check\nStats: state >= 0\nLocaltime: ${NOW + 3600}`,
  ])
    out.push(`GET services\n${stats}\nOutputFormat: json`);
  return out;
})();

describe("tables that hand out rows in blocks (RowBlock)", () => {
  it("are answered as their rows are: every format, filter, AuthUser, Limit and Stats", async () => {
    const services = new Services();
    const blocks = registryOf(table(services, "blocks"));
    const unkeyed = registryOf(table(services, "blocks", false));
    const rows = registryOf(table(services, "rows"));
    for (let round = 0; round < 2; round++) {
      for (const text of QUERIES) {
        const reference = await body(rows, text);
        expect(await body(blocks, text), text).to.equal(reference);
        expect(await body(unkeyed, text), `${text} (blocks without a key)`).to.equal(reference);
      }
      services.replace("web1", "svc2", { state: 2, output: "now critical" });
      services.outside.value = 5;
    }
  });

  it("reuse a block's rendering while its key stays, and render it again under a new key", async () => {
    const services = new Services();
    const counter = { blockRows: 0 };
    const registry = registryOf(table(services, "blocks", true, counter));
    const text = "GET services\nColumns: host_name description state\nOutputFormat: json";
    const first = JSON.parse(await body(registry, text)) as unknown[][];
    expect(first).to.have.length(15);
    expect(counter.blockRows, "each row read once to render its block").to.equal(15);
    counter.blockRows = 0;
    expect(await body(registry, text)).to.equal(JSON.stringify(first) + "\n");
    expect(counter.blockRows, "no row read: every block's text was kept").to.equal(0);

    services.replace("web1", "svc2", { state: 0 });
    const second = JSON.parse(await body(registry, text)) as unknown[][];
    expect(counter.blockRows, "only web1's block is joined again").to.equal(5);
    expect(second[7]).to.deep.equal(["web1", "svc2", 0]);
    expect(second.filter((r, i) => JSON.stringify(r) !== JSON.stringify(first[i]))).to.deep.equal([["web1", "svc2", 0]]);
  });

  it("are read row by row when a column asked for is not stable, or a filter or AuthUser applies", async () => {
    const services = new Services();
    const counter = { blockRows: 0 };
    const registry = registryOf(table(services, "blocks", true, counter));
    await body(registry, "GET services\nColumns: host_name state\nOutputFormat: json");
    for (const text of [
      "GET services\nColumns: host_name state outside\nOutputFormat: json",
      "GET services\nColumns: host_name state\nFilter: state >= 0\nOutputFormat: json",
      "GET services\nColumns: host_name state\nAuthUser: alice\nOutputFormat: json",
    ]) {
      counter.blockRows = 0;
      await body(registry, text);
      expect(counter.blockRows, text).to.equal(15);
    }
  });

  it("keep the counts of a block while its key stays, when every column counted is stable", async () => {
    const services = new Services();
    const counter = { blockRows: 0 };
    const blocks = registryOf(table(services, "blocks", true, counter));
    const rows = registryOf(table(services, "rows"));
    const text = "GET services\nColumns: host_name\nFilter: state != 3\nStats: state = 0\nStats: state = 1\nStats: state = 2\nOutputFormat: json";
    const first = await body(blocks, text);
    expect(first).to.equal(await body(rows, text));
    expect(counter.blockRows, "each row counted once").to.equal(15);
    counter.blockRows = 0;
    expect(await body(blocks, text)).to.equal(first);
    expect(counter.blockRows, "no row read: every block's counts were kept").to.equal(0);

    services.replace("web2", "svc1", { state: 3 });
    expect(await body(blocks, text))
      .to.equal(await body(rows, text))
      .and.not.equal(first);
    expect(counter.blockRows, "only web2's block is counted again").to.equal(5);

    counter.blockRows = 0;
    await body(blocks, "GET services\nColumns: host_name\nStats: outside = 1\nOutputFormat: json");
    await body(blocks, "GET services\nColumns: host_name\nStats: outside = 1\nOutputFormat: json");
    expect(counter.blockRows, "a column that is not stable: counted row by row every time").to.equal(30);
  });
});
