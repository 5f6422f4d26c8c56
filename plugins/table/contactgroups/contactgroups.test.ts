import { expect } from "chai";
import { HOST_CHECK } from "../../../core";
import { column, engineKit, type EngineKit, expectReadmeListsColumns, readPluginReadme, result, select, built } from "../../../test/helpers/table-kit";
import hostsPlugin from "../hosts/index";
import contactgroupsPlugin from "./index";

describe("contactgroups table", () => {
  let kit: EngineKit;
  let table: ReturnType<typeof contactgroupsPlugin.build>;

  beforeEach(async () => {
    kit = await engineKit();
    table = built(contactgroupsPlugin, kit);
    await kit.write(
      result("web1", HOST_CHECK, 0, { contacts: ["alice"] }),
      result("web1", "disk", 1, { contacts: ["bob", "alice"] }),
      result("db1", "mysql", 0, { contacts: ["carol"] }),
    );
  });

  it("has one group per contact name, named after it, holding that contact", () => {
    expect(select(table, ["name", "alias", "members"])).to.deep.equal([
      ["alice", "alice", ["alice"]],
      ["bob", "bob", ["bob"]],
      ["carol", "carol", ["carol"]],
    ]);
  });

  it("names the groups the hosts table lists in contact_groups", () => {
    const groups = new Set(select(table, ["name"]).map((r) => r[0]));
    for (const [hostGroups] of select(built(hostsPlugin, kit), ["contact_groups"]) as string[][][])
      for (const g of hostGroups!) expect(groups.has(g), g).to.equal(true);
  });

  it("follows the engine and honours a name hint", async () => {
    await kit.write(result("db1", "pg", 0, { contacts: ["dave"] }));
    expect(select(table, ["name"], { keys: ["dave", "nobody"] })).to.deep.equal([["dave"]]);
    expect(table.keyColumns).to.deep.equal(["name"]);
  });

  it("has no AuthUser (docs/livestatus.md §2.3)", () => {
    expect(table.visibleTo).to.equal(undefined);
  });

  describe("columns", () => {
    it("resolve with the contactgroup_ prefix", () => {
      expect(column(table, "contactgroup_name")).to.equal(column(table, "name"));
      expect(select(table, ["contactgroup_members"], { keys: ["bob"] })).to.deep.equal([[["bob"]]]);
    });

    it("are all listed in the README with type and description", () => {
      expectReadmeListsColumns(readPluginReadme("plugins/table/contactgroups"), table.spec.columns);
    });
  });
});
