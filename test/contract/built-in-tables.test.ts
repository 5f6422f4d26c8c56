import { expect } from "chai";
import { BUILT_IN_PLUGINS } from "../../plugins";
import { HOST_CHECK, type ConfigSchema, type OptionSchema, type TableDefinition } from "../../core";
import { addComment, scheduleDowntime } from "../../plugins/table/common/test-records";
import { T0, TableRegistry, engineKit, expectSecondInstanceRefused, result, tableContext, tableInstance, type EngineKit } from "../helpers/table-kit";

/** The table plugins among the built-ins (made with defineTable: they have build()). */
const TABLES = BUILT_IN_PLUGINS.filter(
  (d): d is TableDefinition & typeof d => d.kind === "table" && typeof (d as Partial<TableDefinition>).build === "function",
);

/** A table plugin's options at their defaults (the tables' schemas are flat). */
function defaults(schema: ConfigSchema): Record<string, unknown> {
  return Object.fromEntries(Object.entries(schema).map(([key, option]) => [key, (option as OptionSchema).default]));
}

/** Every row the table gives a query without filters (through load() where the rows live in a store). */
async function allRows(table: { rows(hint: object): Iterable<unknown>; load?(hint: object): Promise<Iterable<unknown>> }): Promise<unknown[]> {
  return [...(table.load === undefined ? table.rows({}) : await table.load({}))];
}

/**
 * What the core's defineTable() promises every built-in table, checked once here instead of
 * in each table's tests: built by the daemon's own container over the state, served under
 * its name while it runs, removed at stop (twice harmless), a second instance refused.
 */
describe("every built-in table plugin, run by the core", () => {
  let kit: EngineKit;
  beforeEach(async () => {
    kit = await engineKit();
    await kit.write(
      result("web1", HOST_CHECK, 0, { contacts: ["alice"], hostgroups: ["web"] }),
      result("web1", "disk", 2, { contacts: ["bob"], hostgroups: ["web"], servicegroups: ["storage"] }),
      result("db1", "mysql", 1, { timestamp: T0 + 1, contacts: ["carol"], servicegroups: ["storage"] }),
    );
    addComment(kit, "web1", "disk", 2);
    scheduleDowntime(kit, "db1", "mysql", 3, { startTime: T0, endTime: T0 + 600 });
  });

  it("are all made with defineTable()", () => {
    expect(TABLES.map((d) => d.name)).to.have.members(BUILT_IN_PLUGINS.filter((d) => d.kind === "table").map((d) => d.name));
    expect(TABLES).to.have.length(16);
  });

  for (const def of TABLES) {
    describe(def.name, () => {
      const options = defaults(def.schema);

      it("is served under its name while it runs, with the rows it builds over the state; stop removes it, twice without harm", async () => {
        const tables = new TableRegistry();
        const plugin = tableInstance(def, kit, tables, { config: options });
        await plugin.start();
        const served = tables.get(def.name);
        expect(served).to.equal(plugin.table);
        const own = def.build(tableContext(kit, options, { tables }));
        expect(served?.spec.columns).to.deep.equal(own.spec.columns);
        const rows = await allRows(served!);
        expect(rows.length).to.equal((await allRows(own)).length);
        if (def.name !== "commands") expect(rows.length, "rows over the test state").to.be.greaterThan(0);
        await plugin.stop();
        await plugin.stop();
        expect(tables.get(def.name)).to.equal(undefined);
        await plugin.start();
        expect(tables.get(def.name)).to.equal(plugin.table);
        await plugin.stop();
      });

      it("refuses a second instance, whose stop leaves the first one served", async () => {
        await expectSecondInstanceRefused(def.name, (tables) => tableInstance(def, kit, tables, { config: options }));
      });
    });
  }
});
