import { expect } from "chai";
import type { ColumnSpec } from "../../../core/livestatus/query/column";
import type { GetQuery } from "../../../core/livestatus/protocol/query";
import { answerQuery } from "../../../core/livestatus/query/query-engine";
import { parseRequest } from "../../../core/livestatus/protocol/request-parser";
import { TableRegistry, type LivestatusTable } from "../../../core/livestatus/query/table-registry";

const NOW = 1_700_000_500;

/** An immutable state, replaced (never changed) like the engine's check states. */
interface State {
  readonly name: string;
  readonly state: number;
  readonly output: string;
  readonly lastCheck: number;
}

/** A row: the state, plus something that changes without the state changing (like the clock or a joined host). */
interface Row {
  readonly state: State;
  readonly outside: { value: number };
}

const stableColumn = (name: string, type: ColumnSpec<Row>["type"], get: ColumnSpec<Row>["get"]): ColumnSpec<Row> => ({
  name,
  type,
  description: name,
  get,
  stable: true,
});

const COLUMNS: readonly ColumnSpec<Row>[] = [
  stableColumn("name", "string", (r) => r.state.name),
  stableColumn("state", "int", (r) => r.state.state),
  stableColumn("plugin_output", "string", (r) => r.state.output),
  stableColumn("last_check", "time", (r) => r.state.lastCheck),
  { name: "outside", type: "int", description: "not stable: read elsewhere", get: (r) => r.outside.value },
  stableColumn("vouched", "int", (r) => r.state.state * 10),
  // No value for b: null in json, None in python.
  stableColumn("ratio", "float", (r) => (r.state.state === 1 ? Number.NaN : r.state.state / 4)),
];

/** The table over three rows; `reuse` false leaves out rowVersion, so every answer is rendered afresh (the reference). */
function fixture(reuse = true): { registry: TableRegistry; rows: Row[]; versions: { calls: number } } {
  const outside = { value: 1 };
  const rows: Row[] = ["a", "b", "c"].map((name, i) => ({ state: { name, state: i, output: `out "${name}"`, lastCheck: 1_700_000_000 + i }, outside }));
  const versions = { calls: 0 };
  const table: LivestatusTable<Row> = {
    spec: { name: "things", prefix: "thing_", columns: COLUMNS },
    keyColumns: [],
    rows: () => rows,
    ...(reuse
      ? {
          rowVersion: (r: Row) => {
            versions.calls++;
            return r.state.name === "c" ? undefined : r.state; // a row without a version is rendered afresh
          },
        }
      : {}),
  };
  const registry = new TableRegistry();
  registry.add(table);
  return { registry, rows, versions };
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

describe("reused row renderings (row-text-cache)", () => {
  it("gives the same bytes as rendering afresh: json, wrapped_json, python, python3, headers, Limit, no rows", async () => {
    const { registry } = fixture();
    const reference = fixture(false).registry;
    for (const extra of ["", "\nColumnHeaders: on", "\nLimit: 2", "\nLimit: 0\nColumnHeaders: on", "\nFilter: state = 9\nColumnHeaders: on"]) {
      for (const format of ["json", "wrapped_json", "python", "python3", "json"]) {
        const text = `GET things\nColumns: name state plugin_output last_check ratio${extra}\nOutputFormat: ${format}`;
        const fresh = await body(reference, text);
        expect(await body(registry, text), text).to.equal(fresh);
        expect(await body(registry, text), `${text} (again, from the cache)`).to.equal(fresh);
      }
    }
  });

  it("shows a new state at once: a replaced state object is a new key", async () => {
    const { registry, rows } = fixture();
    const text = "GET things\nColumns: name state plugin_output\nOutputFormat: json";
    expect(JSON.parse(await body(registry, text))).to.deep.equal([
      ["a", 0, 'out "a"'],
      ["b", 1, 'out "b"'],
      ["c", 2, 'out "c"'],
    ]);
    rows[0] = { ...rows[0]!, state: { ...rows[0]!.state, state: 2, output: "now critical" } };
    expect(JSON.parse(await body(registry, text))).to.deep.equal([
      ["a", 2, "now critical"],
      ["b", 1, 'out "b"'],
      ["c", 2, 'out "c"'],
    ]);
  });

  it("reuses only while every column asked for is stable: one that is not is read every time", async () => {
    const { registry, rows, versions } = fixture();
    const text = "GET things\nColumns: name outside\nOutputFormat: json";
    expect(JSON.parse(await body(registry, text))).to.deep.equal([
      ["a", 1],
      ["b", 1],
      ["c", 1],
    ]);
    rows[0]!.outside.value = 7; // the state objects stay the same
    expect(JSON.parse(await body(registry, text))).to.deep.equal([
      ["a", 7],
      ["b", 7],
      ["c", 7],
    ]);
    expect(versions.calls, "no cache was consulted").to.equal(0);
  });

  it("reuses the rendering of a row with a version, and renders a row without a version afresh", async () => {
    const { registry, rows, versions } = fixture();
    const text = "GET things\nColumns: name vouched\nOutputFormat: json";
    expect(JSON.parse(await body(registry, text))).to.deep.equal([
      ["a", 0],
      ["b", 10],
      ["c", 20],
    ]);
    expect(versions.calls).to.equal(3);
    // Changing a state object in place would be a table's bug; here it shows the text really is reused for b, not for c.
    (rows[2]!.state as { state: number }).state = 5;
    (rows[1]!.state as { state: number }).state = 5;
    expect(JSON.parse(await body(registry, text))).to.deep.equal([
      ["a", 0],
      ["b", 10],
      ["c", 50],
    ]);
  });

  it("keeps the shapes apart and stays right past the number of shapes it keeps", async () => {
    const { registry } = fixture();
    const reference = fixture(false).registry;
    const names = ["name", "state", "plugin_output", "last_check", "vouched"];
    const shapes: string[][] = [];
    for (const a of names) for (const b of names) if (a !== b) shapes.push([a, b]);
    expect(shapes.length).to.be.greaterThan(16);
    for (let round = 0; round < 2; round++) {
      for (const shape of shapes) {
        const text = `GET things\nColumns: ${shape.join(" ")}\nOutputFormat: json`;
        expect(await body(registry, text), text).to.equal(await body(reference, text));
      }
    }
  });

  it("keeps python's texts (None for no value) apart from json's (null)", async () => {
    const { registry, versions } = fixture();
    const text = "GET things\nColumns: name ratio\nFilter: name != c";
    for (let round = 0; round < 2; round++) {
      expect(await body(registry, `${text}\nOutputFormat: json`)).to.equal('[["a",0],["b",null]]\n');
      expect(await body(registry, `${text}\nOutputFormat: python`)).to.equal('[["a",0],["b",None]]\n');
      expect(await body(registry, `${text}\nOutputFormat: python3`)).to.equal('[["a",0],["b",None]]\n');
    }
    expect(versions.calls, "python's rows were looked up in the cache too").to.equal(12);
  });

  it("is not used under Localtime: time columns are shifted", async () => {
    const { registry } = fixture();
    const text = "GET things\nColumns: name last_check\nOutputFormat: json";
    await body(registry, text); // fills the cache with unshifted times
    expect(JSON.parse(await body(registry, `${text}\nLocaltime: ${NOW + 3600}`))).to.deep.equal([
      ["a", 1_700_003_600],
      ["b", 1_700_003_601],
      ["c", 1_700_003_602],
    ]);
  });
});
