import { expect } from "chai";
import {
  answerQuery,
  column,
  engineKit,
  type EngineKit,
  expectReadmeListsColumns,
  type GetQuery,
  parseRequest,
  readPluginReadme,
  record,
  select,
  T0,
  TableRegistry,
  built,
  tableContext,
} from "../../../test/helpers/table-kit";
import hostsPlugin from "../hosts/index";
import servicesPlugin from "../services/index";
import columnsPlugin from "./index";

function query(text: string): GetQuery {
  const request = parseRequest(text.split("\n"), T0);
  if (request.kind !== "get") throw new Error("not a GET");
  return request;
}

describe("columns table", () => {
  let kit: EngineKit;
  let tables: TableRegistry;
  let table: ReturnType<typeof columnsPlugin.build>;
  let hosts: ReturnType<typeof hostsPlugin.build>;
  let services: ReturnType<typeof servicesPlugin.build>;

  beforeEach(async () => {
    kit = await engineKit();
    tables = new TableRegistry();
    hosts = built(hostsPlugin, kit);
    services = built(servicesPlugin, kit);
    table = columnsPlugin.build(tableContext(kit, {}, { tables }));
    tables.add(services);
    tables.add(table);
    tables.add(hosts);
  });

  it("lists every column of every registered table, tables by name, columns in their table's order", () => {
    const rows = select(table, ["table", "name"]);
    const expected = [
      ...table.spec.columns.map((c) => ["columns", c.name]),
      ...hosts.spec.columns.map((c) => ["hosts", c.name]),
      ...services.spec.columns.map((c) => ["services", c.name]),
    ];
    expect(rows).to.deep.equal(expected);
  });

  it("gives each column's type and description from its spec", () => {
    const rows = record(table, ["table", "name", "type", "description"], { keys: ["hosts"] });
    expect(rows[0]).to.deep.equal({ table: "hosts", name: "name", type: "string", description: "Host name" });
    expect(rows.find((r) => r.name === "staleness")).to.include({ type: "float" });
    expect(rows.find((r) => r.name === "custom_variables")).to.include({ type: "dict" });
    expect(rows.find((r) => r.name === "last_check")).to.include({ type: "time" });
    for (const r of select(table, ["type"])) expect(["int", "float", "time", "string", "list", "dict"]).to.include(r[0]);
  });

  it("sees the registry at query time: a table added or removed shows at the next query", () => {
    tables.remove("services");
    expect(new Set(select(table, ["table"]).map((r) => r[0]))).to.deep.equal(new Set(["columns", "hosts"]));
    tables.add(services);
    expect(select(table, ["table"], { keys: ["services"] })).to.have.length(services.spec.columns.length);
  });

  it("visits only the tables named by a table = X hint; unknown names yield nothing", () => {
    expect(table.keyColumns).to.deep.equal(["table"]);
    expect(select(table, ["name"], { keys: ["nosuch"] })).to.deep.equal([]);
    expect(select(table, ["table", "name"], { keys: ["columns"] })).to.deep.equal([
      ["columns", "table"],
      ["columns", "name"],
      ["columns", "type"],
      ["columns", "description"],
    ]);
  });

  it("resolves its own columns with the column_ prefix (Checkmk's)", () => {
    expect(column(table, "column_name")).to.equal(column(table, "name"));
    expect(column(table, "column_table")).to.equal(column(table, "table"));
    expect(table.visibleTo).to.equal(undefined);
  });

  it("are all listed in the README with type and description", () => {
    expectReadmeListsColumns(readPluginReadme("plugins/table/columns"), table.spec.columns);
  });

  describe("through the query engine", () => {
    it("answers GET columns with a filter, in json", async () => {
      const answer = await answerQuery(
        query("GET columns\nColumns: table name type\nFilter: table = services\nFilter: name ~ ^host_(name|state)$\nOutputFormat: json"),
        tables,
        T0,
      );
      expect(answer.status).to.equal(200);
      expect(JSON.parse(answer.body)).to.deep.equal([
        ["services", "host_name", "string"],
        ["services", "host_state", "int"],
      ]);
    });

    it("answers all columns with the header row, as Thruk probes it", async () => {
      const answer = await answerQuery(query("GET columns\nFilter: table = hosts\nFilter: name = state\nOutputFormat: json"), tables, T0);
      const [header, ...rows] = JSON.parse(answer.body) as string[][];
      expect(header).to.deep.equal(["table", "name", "type", "description"]);
      expect(rows).to.deep.equal([["hosts", "state", "int", column(hosts, "state").description]]);
    });

    it("counts the columns per table with Stats, and accepts the column_ prefix in filters", async () => {
      const answer = await answerQuery(query("GET columns\nColumns: table\nStats: column_type != blob\nOutputFormat: json"), tables, T0);
      expect(JSON.parse(answer.body)).to.deep.equal([
        ["columns", 4],
        ["hosts", hosts.spec.columns.length],
        ["services", services.spec.columns.length],
      ]);
    });
  });
});
