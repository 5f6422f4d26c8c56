import { expect } from "chai";
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
import { askTable, jsonBody, writeGroupMap } from "../common/test-group-map";
import servicegroupsPlugin from "./index";

/** The servicegroups columns of Icinga 2's header row (docs/reference-answers.md §9), all of which Tantale serves. */
const REFERENCE_COLUMNS = [
  "action_url",
  "alias",
  "members",
  "members_with_state",
  "name",
  "notes",
  "notes_url",
  "num_services",
  "num_services_crit",
  "num_services_hard_crit",
  "num_services_hard_ok",
  "num_services_hard_unknown",
  "num_services_hard_warn",
  "num_services_ok",
  "num_services_pending",
  "num_services_unknown",
  "num_services_warn",
  "worst_service_state",
];

const INT_COLUMNS = REFERENCE_COLUMNS.filter((c) => c.startsWith("num_") || c.startsWith("worst_"));

describe("servicegroups table", () => {
  let kit: EngineKit;
  let table: ReturnType<typeof servicegroupsPlugin.build>;

  beforeEach(async () => {
    kit = await engineKit();
    table = built(servicegroupsPlugin, kit);
    await writeGroupMap(kit);
  });

  describe("memberships", () => {
    it("has a row per group named by any service result, sorted; members are [host, service] pairs, sorted, each once", () => {
      expect(select(table, ["name", "alias", "members"])).to.deep.equal([
        [
          "sg-0",
          "sg-0",
          [
            ["host-0001", "svc-01"],
            ["host-0001", "svc-02"],
            ["host-0002", "svc-01"],
            ["host-0003", "svc-01"],
            ["host-0004", "svc-01"],
            ["host-0005", "svc-01"],
          ],
        ],
        [
          "sg-1",
          "sg-1",
          [
            ["host-0001", "svc-02"],
            ["host-0002", "svc-02"],
            ["host-0003", "svc-02"],
            ["host-0004", "svc-02"],
            ["host-0005", "svc-02"],
          ],
        ],
      ]);
    });

    it("lists the members with state and has_been_checked", () => {
      expect(select(table, ["members_with_state"], { keys: ["sg-1"] })).to.deep.equal([
        [
          [
            ["host-0001", "svc-02", 1, 1],
            ["host-0002", "svc-02", 0, 1],
            ["host-0003", "svc-02", 1, 1],
            ["host-0004", "svc-02", 2, 1],
            ["host-0005", "svc-02", 0, 1],
          ],
        ],
      ]);
    });

    it("follows the last result of each service", async () => {
      await kit.write(result("host-0001", "svc-02", 1, { timestamp: T0 + 1, contacts: ["bob"], servicegroups: ["sg-new"] }));
      expect(select(table, ["name", "num_services"])).to.deep.equal([
        ["sg-0", 5],
        ["sg-1", 4],
        ["sg-new", 1],
      ]);
    });
  });

  describe("counters", () => {
    it("count the member services per state and take the worst (CRITICAL before UNKNOWN before WARNING)", async () => {
      const [sg0, sg1] = record(table, INT_COLUMNS);
      expect(sg0).to.deep.equal({
        num_services: 6,
        num_services_ok: 3,
        num_services_warn: 1,
        num_services_crit: 1,
        num_services_unknown: 1,
        num_services_pending: 0,
        num_services_hard_ok: 3,
        num_services_hard_warn: 1,
        num_services_hard_crit: 1,
        num_services_hard_unknown: 1,
        worst_service_state: 2,
      });
      expect(sg1).to.deep.equal({
        num_services: 5,
        num_services_ok: 2,
        num_services_warn: 2,
        num_services_crit: 1,
        num_services_unknown: 0,
        num_services_pending: 0,
        num_services_hard_ok: 2,
        num_services_hard_warn: 2,
        num_services_hard_crit: 1,
        num_services_hard_unknown: 0,
        worst_service_state: 2,
      });
      await kit.write(result("host-0002", "svc-01", 0, { timestamp: T0 + 1, servicegroups: ["sg-0"] }));
      expect(select(table, ["worst_service_state"], { keys: ["sg-0"] })).to.deep.equal([[3]]);
    });
  });

  describe("AuthUser", () => {
    it("shows a group to whoever sees any member service: its contacts or its host's (loose)", () => {
      expect(select(table, ["name"], { user: "bob" })).to.deep.equal([["sg-0"], ["sg-1"]]);
      expect(select(table, ["name"], { user: "grace" })).to.deep.equal([["sg-1"]]);
      expect(select(table, ["name"], { user: "dave" })).to.deep.equal([["sg-0"], ["sg-1"]]);
    });

    it("has only the member services the user sees, in its lists and its counts", () => {
      // bob: a contact of host-0001's svc-02 only; dave: of host-0005, so of both its services.
      expect(select(table, ["name", "members", "num_services", "num_services_warn"], { user: "bob" })).to.deep.equal([
        ["sg-0", [["host-0001", "svc-02"]], 1, 1],
        ["sg-1", [["host-0001", "svc-02"]], 1, 1],
      ]);
      expect(select(table, ["name", "members", "num_services", "num_services_ok"], { user: "dave" })).to.deep.equal([
        ["sg-0", [["host-0005", "svc-01"]], 1, 1],
        ["sg-1", [["host-0005", "svc-02"]], 1, 1],
      ]);
    });

    it("hides groups from users who see none of their services", () => {
      expect(select(table, ["name"], { user: "erin" })).to.deep.equal([]);
      expect(select(table, ["name"], { user: "nobody" })).to.deep.equal([]);
    });
  });

  describe("queries", () => {
    it("answer the reference query (docs/reference-answers.md §7 GET servicegroups) with Tantale's groups", async () => {
      const body = await askTable(table, "GET servicegroups\nColumns: name alias members num_services\nOutputFormat: json");
      expect(body).to.equal(
        jsonBody([
          [
            "sg-0",
            "sg-0",
            [
              ["host-0001", "svc-01"],
              ["host-0001", "svc-02"],
              ["host-0002", "svc-01"],
              ["host-0003", "svc-01"],
              ["host-0004", "svc-01"],
              ["host-0005", "svc-01"],
            ],
            6,
          ],
          [
            "sg-1",
            "sg-1",
            [
              ["host-0001", "svc-02"],
              ["host-0002", "svc-02"],
              ["host-0003", "svc-02"],
              ["host-0004", "svc-02"],
              ["host-0005", "svc-02"],
            ],
            5,
          ],
        ]),
      );
    });

    it("render members as host|service in csv and filter on them, by servicegroup_ names, with AuthUser", async () => {
      expect(
        await askTable(
          table,
          "GET servicegroups\nColumns: servicegroup_name members\nFilter: servicegroup_name = sg-1\nFilter: members >= host-0003|svc-02\nAuthUser: grace",
        ),
      ).to.equal(
        // grace is a contact of host-0003's svc-02 only: the only member she sees.
        "sg-1;host-0003|svc-02\n",
      );
    });
  });

  describe("columns", () => {
    it("are the 18 of the reference, with the servicegroup_ prefix resolving as Checkmk", () => {
      expect(table.spec.columns.map((c) => c.name).sort()).to.deep.equal(REFERENCE_COLUMNS);
      expect(column(table, "servicegroup_name")).to.equal(column(table, "name"));
      expect(column(table, "servicegroup_alias")).to.equal(column(table, "alias"));
      expect(select(table, ["notes", "notes_url", "action_url"], { keys: ["sg-0"] })).to.deep.equal([["", "", ""]]);
    });

    it("have a description each and the values their type says", () => {
      const [row] = [...table.rows({ keys: new Set(["sg-0"]) })];
      for (const c of table.spec.columns) {
        expect(c.description, c.name).to.not.equal("");
        const v = c.get(row!);
        if (c.type === "int") expect(Number.isInteger(v), c.name).to.equal(true);
        else if (c.type === "string") expect(typeof v, c.name).to.equal("string");
        else expect([c.type, Array.isArray(v)], c.name).to.deep.equal(["list", true]);
      }
    });

    it("are all listed in the README with type and description", () => {
      expectReadmeListsColumns(readPluginReadme("plugins/table/servicegroups"), table.spec.columns);
    });
  });
});
