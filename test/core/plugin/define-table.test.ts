import "reflect-metadata";
import { expect } from "chai";
import { TableRegistry } from "../../../core/livestatus/query/table-registry";
import { defineTable, string, type TableContext, type TableDefinition, type TableInstance } from "../../../core";
import { engineKit, result, select, tableContext, tableInstance, type EngineKit } from "../../helpers/table-kit";

/** A table of the hosts' names, recording the context it was built from. */
function namesTable(seen: TableContext<{ label: string }>[] = [], fail = false): TableDefinition<string, { label: string }> {
  return defineTable<string, { label: string }>({
    name: "host-names",
    description: "Every host's name, with a label from the config.",
    schema: { label: { doc: "A label", format: "string", default: "x" } },
    table(context) {
      if (fail) throw new Error("label must not be empty");
      seen.push(context);
      return {
        prefix: "hn_",
        columns: [string<string>("name", "Host name", (n) => n), string<string>("label", "The label", () => context.config.label)],
        keyColumns: ["name"],
        *rows() {
          for (const h of context.state.allHosts()) yield h.name;
        },
      };
    },
  });
}

function instanceOf<Row>(definition: TableDefinition<Row, { label: string }>, kit: EngineKit, tables: TableRegistry, id = definition.name): TableInstance<Row> {
  return tableInstance(definition, kit, tables, { id, config: { label: "from-conf" } });
}

describe("defineTable", () => {
  let kit: EngineKit;
  beforeEach(async () => {
    kit = await engineKit();
    await kit.write(result("web1", "disk", 0), result("db1", "disk", 0));
  });

  it("is a table plugin definition the core runs like any other", () => {
    const def = namesTable();
    expect(def.kind).to.equal("table");
    expect(def.name).to.equal("host-names");
    expect(def.apiVersion).to.equal(1);
    expect(def.create.name).to.equal("HostNamesTable");
    expect(Object.isFrozen(def)).to.equal(true);
  });

  it("refuses what definePlugin refuses (a name that is not kebab-case)", () => {
    expect(() => defineTable({ name: "Host_Names", description: "x", schema: {}, table: () => ({ columns: [], rows: () => [] }) })).to.throw(/kebab-case/);
  });

  it("refuses a definition without a table function", () => {
    expect(() => defineTable({ name: "no-table", description: "x", schema: {} } as never)).to.throw(/table must be a function/);
  });

  it("fails the build on a column declared twice, or a key column it does not have", () => {
    const twice = defineTable<string>({
      name: "twice",
      description: "x",
      schema: {},
      table: () => ({ columns: [string("a", "A", (r: string) => r), string("a", "A again", (r: string) => r)], rows: () => [] }),
    });
    expect(() => twice.build(tableContext(kit, {}))).to.throw("table twice: column a is declared twice");
    const key = defineTable<string>({
      name: "key",
      description: "x",
      schema: {},
      table: () => ({ columns: [string("a", "A", (r: string) => r)], keyColumns: ["b"], rows: () => [] }),
    });
    expect(() => key.build(tableContext(kit, {}))).to.throw("table key: key or time column b is not one of its columns");
  });

  it("builds the table at start from the injected context, serves it under the plugin's name, removes it at stop", async () => {
    const seen: TableContext<{ label: string }>[] = [];
    const tables = new TableRegistry();
    const plugin = instanceOf(namesTable(seen), kit, tables);
    expect(plugin.table).to.equal(undefined);
    await plugin.start();
    await plugin.start();
    expect(seen).to.have.length(1);
    const ctx = seen[0]!;
    expect(ctx.state).to.equal(kit.engine);
    expect(ctx.clock).to.equal(kit.clock);
    expect(ctx.config).to.deep.equal({ label: "from-conf" });
    expect(ctx.tables.get("host-names")).to.equal(plugin.table);
    const served = tables.get("host-names");
    expect(served).to.equal(plugin.table);
    expect(served?.spec.prefix).to.equal("hn_");
    expect(served?.keyColumns).to.deep.equal(["name"]);
    expect(select(plugin.table!, ["hn_name", "label"])).to.deep.equal([
      ["web1", "from-conf"],
      ["db1", "from-conf"],
    ]);
    await plugin.stop();
    await plugin.stop();
    expect(tables.get("host-names")).to.equal(undefined);
  });

  it("builds afresh at each start (a restarted instance reads its context again)", async () => {
    const seen: TableContext<{ label: string }>[] = [];
    const tables = new TableRegistry();
    const plugin = instanceOf(namesTable(seen), kit, tables);
    await plugin.start();
    const first = plugin.table;
    await plugin.stop();
    await plugin.start();
    expect(seen).to.have.length(2);
    expect(plugin.table).to.not.equal(first);
    expect(tables.get("host-names")).to.equal(plugin.table);
  });

  it("fails the start when building throws, and serves nothing", async () => {
    const tables = new TableRegistry();
    const plugin = instanceOf(namesTable([], true), kit, tables);
    let error: unknown;
    await plugin.start().catch((e: unknown) => (error = e));
    expect(String(error)).to.contain("label must not be empty");
    expect(tables.get("host-names")).to.equal(undefined);
  });

  it("refuses a second instance at its start; its stop leaves the first one's table served", async () => {
    const tables = new TableRegistry();
    const first = instanceOf(namesTable(), kit, tables, "first");
    const second = instanceOf(namesTable(), kit, tables, "second");
    await first.start();
    let error: unknown;
    await second.start().catch((e: unknown) => (error = e));
    expect(String(error)).to.contain("two table plugins provide the table host-names");
    await second.stop();
    expect(tables.get("host-names")).to.equal(first.table);
    await first.stop();
  });

  it("build() gives tests and tools the served shape from a context of their own", () => {
    const table = namesTable().build(tableContext(kit, { label: "mine" }));
    expect(table.spec).to.include({ name: "host-names", prefix: "hn_" });
    expect(select(table, ["name", "label"], { keys: ["web1"] })).to.deep.equal([
      ["web1", "mine"],
      ["db1", "mine"],
    ]);
  });

  it("calls rows() and load() on the parts object, so a class instance serves as parts", async () => {
    class Parts {
      readonly columns = [string<string>("name", "Name", (n: string) => n)];
      private readonly names = ["a", "b"];
      rows(): string[] {
        return this.names;
      }
      async load(): Promise<string[]> {
        return this.names.slice(1);
      }
    }
    const def = defineTable<string>({ name: "parts", description: "x", schema: {}, table: () => new Parts() });
    const table = def.build(tableContext(kit, {}));
    expect([...table.rows({})]).to.deep.equal(["a", "b"]);
    expect([...(await table.load!({}))]).to.deep.equal(["b"]);
  });
});
