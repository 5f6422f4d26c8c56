import { expect } from "chai";
import { HOST_CHECK } from "../../../core";
import {
  column,
  engineKit,
  type EngineKit,
  expectReadmeListsColumns,
  readPluginReadme,
  record,
  result,
  select,
  T0,
  built,
} from "../../../test/helpers/table-kit";
import contactsPlugin from "./index";

/** web1: Host (alice), disk (bob, alice); db1 pending, mysql (carol); app1 Host without contacts. */
async function someContacts(kit: EngineKit): Promise<void> {
  await kit.write(
    result("web1", HOST_CHECK, 0, { contacts: ["alice"] }),
    result("web1", "disk", 1, { contacts: ["bob", "alice"] }),
    result("db1", "mysql", 0, { contacts: ["carol"] }),
    result("app1", HOST_CHECK, 0, { contacts: [] }),
  );
}

describe("contacts table", () => {
  let kit: EngineKit;
  let table: ReturnType<typeof contactsPlugin.build>;

  beforeEach(async () => {
    kit = await engineKit();
    table = built(contactsPlugin, kit);
    await someContacts(kit);
  });

  it("has one row per contact name carried by any check, sorted, each once", () => {
    expect(select(table, ["name", "alias"])).to.deep.equal([
      ["alice", "alice"],
      ["bob", "bob"],
      ["carol", "carol"],
    ]);
  });

  it("follows the engine: a contact named by a new result is listed at the next query", async () => {
    await kit.write(result("web1", "load", 0, { contacts: ["Zoe", "dave"] }));
    expect(select(table, ["name"])).to.deep.equal([["Zoe"], ["alice"], ["bob"], ["carol"], ["dave"]]);
  });

  it("drops a contact no current result names any more", async () => {
    await kit.write(result("db1", "mysql", 0, { timestamp: T0 + 1, contacts: ["alice"] }));
    expect(select(table, ["name"])).to.deep.equal([["alice"], ["bob"]]);
  });

  it("answers the fixed settings of a contact Tantale only knows by name", () => {
    const [bob] = record(
      table,
      [
        "name",
        "alias",
        "email",
        "pager",
        "host_notification_period",
        "service_notification_period",
        "can_submit_commands",
        "host_notifications_enabled",
        "service_notifications_enabled",
        "in_host_notification_period",
        "in_service_notification_period",
        "custom_variable_names",
        "custom_variable_values",
        "custom_variables",
        "modified_attributes",
        "modified_attributes_list",
      ],
      { keys: ["bob"] },
    );
    expect(bob).to.deep.equal({
      name: "bob",
      alias: "bob",
      email: "",
      pager: "",
      host_notification_period: "24X7",
      service_notification_period: "24X7",
      can_submit_commands: 1,
      host_notifications_enabled: 1,
      service_notifications_enabled: 1,
      in_host_notification_period: 1,
      in_service_notification_period: 1,
      custom_variable_names: [],
      custom_variable_values: [],
      custom_variables: {},
      modified_attributes: 0,
      modified_attributes_list: [],
    });
  });

  it("with a name hint yields only the named contacts that exist, sorted", () => {
    expect(table.keyColumns).to.deep.equal(["name"]);
    expect(select(table, ["name"], { keys: ["carol", "nobody", "alice"] })).to.deep.equal([["alice"], ["carol"]]);
    expect(select(table, ["name"], { keys: [] })).to.deep.equal([]);
  });

  it("has no AuthUser: every user sees every contact (docs/livestatus.md §2.3)", () => {
    expect(table.visibleTo).to.equal(undefined);
    expect(select(table, ["name"], { user: "nobody" })).to.have.length(3);
  });

  it("is empty without results", async () => {
    const empty = await engineKit();
    expect(select(built(contactsPlugin, empty), ["name"])).to.deep.equal([]);
  });

  describe("columns", () => {
    it("resolve with the contact_ prefix", () => {
      expect(column(table, "contact_name")).to.equal(column(table, "name"));
      expect(select(table, ["contact_name", "contact_email"], { keys: ["alice"] })).to.deep.equal([["alice", ""]]);
    });

    it("have unique names and a description each", () => {
      const names = table.spec.columns.map((c) => c.name);
      expect(new Set(names).size).to.equal(names.length);
      for (const c of table.spec.columns) expect(c.description, c.name).to.not.equal("");
    });

    it("are all listed in the README with type and description", () => {
      expectReadmeListsColumns(readPluginReadme("plugins/table/contacts"), table.spec.columns);
    });
  });
});
