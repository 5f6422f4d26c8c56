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
import { worseHostState } from "../common/group-index";
import { askTable, jsonBody, writeGroupMap } from "../common/test-group-map";
import hostgroupsPlugin from "./index";

/** The hostgroups columns of Icinga 2's header row (docs/reference-answers.md §9), all of which Tantale serves. */
const REFERENCE_COLUMNS = [
  "action_url",
  "alias",
  "members",
  "members_with_state",
  "name",
  "notes",
  "notes_url",
  "num_hosts",
  "num_hosts_down",
  "num_hosts_pending",
  "num_hosts_unreach",
  "num_hosts_up",
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
  "worst_host_state",
  "worst_service_hard_state",
  "worst_service_state",
];

const INT_COLUMNS = REFERENCE_COLUMNS.filter((c) => c.startsWith("num_") || c.startsWith("worst_"));

describe("hostgroups table", () => {
  let kit: EngineKit;
  let table: ReturnType<typeof hostgroupsPlugin.build>;

  beforeEach(async () => {
    kit = await engineKit();
    table = built(hostgroupsPlugin, kit);
    await writeGroupMap(kit);
  });

  describe("memberships", () => {
    it("has a row per group named by any result, sorted; members are the hosts naming it, sorted (a host in no group is in none)", () => {
      expect(select(table, ["name", "alias", "members"])).to.deep.equal([
        ["hg-0", "hg-0", ["host-0001", "host-0002", "host-0003", "host-0004"]],
        ["hg-1", "hg-1", ["host-0002", "host-0005"]],
      ]);
    });

    it("counts a host named by a service result only (host-0004 is pending, in hg-0 by its svc-01)", () => {
      expect(select(table, ["members_with_state"], { keys: ["hg-0"] })).to.deep.equal([
        [
          [
            ["host-0001", 0, 1],
            ["host-0002", 1, 1],
            ["host-0003", 2, 1],
            ["host-0004", 0, 0],
          ],
        ],
      ]);
    });

    it("follows the last results: a group nobody names any more is gone, a new one appears", async () => {
      await kit.write(
        result("host-0005", HOST_CHECK, 0, { timestamp: T0 + 1, contacts: ["dave"], hostgroups: ["hg-2"] }),
        result("host-0002", HOST_CHECK, 1, { timestamp: T0 + 1, contacts: ["alice"], hostgroups: ["hg-0"] }),
      );
      expect(select(table, ["name", "members"])).to.deep.equal([
        ["hg-0", ["host-0001", "host-0002", "host-0003", "host-0004"]],
        ["hg-2", ["host-0005"]],
      ]);
    });

    it("is empty without groups", async () => {
      const empty = await engineKit();
      await empty.write(result("solo", HOST_CHECK, 0), result("solo", "svc", 0));
      expect(select(built(hostgroupsPlugin, empty), ["name"])).to.deep.equal([]);
    });
  });

  describe("counters", () => {
    it("count hosts per state (pending apart) and the members' services per state", () => {
      const [hg0, hg1] = record(table, INT_COLUMNS);
      expect(hg0).to.deep.equal({
        num_hosts: 4,
        num_hosts_up: 1,
        num_hosts_down: 1,
        num_hosts_unreach: 1,
        num_hosts_pending: 1,
        num_services: 8,
        num_services_ok: 3,
        num_services_warn: 2,
        num_services_crit: 2,
        num_services_unknown: 1,
        num_services_pending: 0,
        num_services_hard_ok: 3,
        num_services_hard_warn: 2,
        num_services_hard_crit: 2,
        num_services_hard_unknown: 1,
        worst_host_state: 1,
        worst_service_state: 2,
        worst_service_hard_state: 2,
      });
      expect(hg1).to.deep.equal({
        num_hosts: 2,
        num_hosts_up: 1,
        num_hosts_down: 1,
        num_hosts_unreach: 0,
        num_hosts_pending: 0,
        num_services: 4,
        num_services_ok: 3,
        num_services_warn: 0,
        num_services_crit: 1,
        num_services_unknown: 0,
        num_services_pending: 0,
        num_services_hard_ok: 3,
        num_services_hard_warn: 0,
        num_services_hard_crit: 1,
        num_services_hard_unknown: 0,
        worst_host_state: 1,
        worst_service_state: 2,
        worst_service_hard_state: 2,
      });
    });

    it("take the worst host state as Checkmk (DOWN before UNREACHABLE before UP) and the worst service state (CRITICAL before UNKNOWN)", async () => {
      await kit.write(
        result("host-0002", HOST_CHECK, 0, { timestamp: T0 + 1, contacts: ["alice"], hostgroups: ["hg-0", "hg-1"] }),
        result("host-0002", "svc-01", 0, { timestamp: T0 + 1, servicegroups: ["sg-0"] }),
        result("host-0004", "svc-02", 0, { timestamp: T0 + 1, contacts: ["carol"] }),
      );
      expect(select(table, ["name", "worst_host_state", "worst_service_state", "num_hosts_up"])).to.deep.equal([
        ["hg-0", 2, 3, 2],
        ["hg-1", 0, 0, 2],
      ]);
      expect([worseHostState(1, 2), worseHostState(2, 1), worseHostState(2, 0), worseHostState(0, 2), worseHostState(1, 1)]).to.deep.equal([
        true,
        false,
        true,
        false,
        false,
      ]);
    });
  });

  describe("AuthUser", () => {
    it("shows a group to whoever sees any member host (loose), a pending member through its services' contacts", () => {
      expect(select(table, ["name"], { user: "alice" })).to.deep.equal([["hg-0"], ["hg-1"]]);
      expect(select(table, ["name"], { user: "carol" })).to.deep.equal([["hg-0"]]);
      expect(select(table, ["name"], { user: "dave" })).to.deep.equal([["hg-1"]]);
    });

    it("has only the members the user sees, in its lists and its counts (as Checkmk)", () => {
      const columns = ["name", "members", "num_hosts", "num_hosts_down", "num_services", "num_services_crit", "worst_service_state"];
      expect(select(table, columns, { user: "alice" })).to.deep.equal([
        ["hg-0", ["host-0001", "host-0002"], 2, 1, 4, 1, 2],
        ["hg-1", ["host-0002"], 1, 1, 2, 1, 2],
      ]);
      expect(select(table, columns, { user: "carol" })).to.deep.equal([["hg-0", ["host-0004"], 1, 0, 2, 1, 2]]);
      expect(select(table, ["name", "members", "num_hosts"])).to.deep.equal([
        ["hg-0", ["host-0001", "host-0002", "host-0003", "host-0004"], 4],
        ["hg-1", ["host-0002", "host-0005"], 2],
      ]);
    });

    it("hides groups from contacts of a service only, of a host in no group, and from unknown users", () => {
      expect(select(table, ["name"], { user: "bob" })).to.deep.equal([]);
      expect(select(table, ["name"], { user: "erin" })).to.deep.equal([]);
      expect(select(table, ["name"], { user: "nobody" })).to.deep.equal([]);
    });
  });

  describe("rows", () => {
    it("with a hint are only the named groups that exist", () => {
      expect(table.keyColumns).to.deep.equal(["name"]);
      expect(select(table, ["name", "num_hosts"], { keys: ["hg-1", "nosuch"] })).to.deep.equal([["hg-1", 2]]);
    });
  });

  describe("queries", () => {
    it("answer the reference query (docs/reference-answers.md §7 GET hostgroups) with Tantale's groups", async () => {
      const body = await askTable(table, "GET hostgroups\nColumns: name alias members num_hosts num_services num_services_ok\nOutputFormat: json");
      expect(body).to.equal(
        jsonBody([
          ["hg-0", "hg-0", ["host-0001", "host-0002", "host-0003", "host-0004"], 4, 8, 3],
          ["hg-1", "hg-1", ["host-0002", "host-0005"], 2, 4, 3],
        ]),
      );
    });

    it("filter by name (the index hint), hostgroup_-prefixed names included, with AuthUser", async () => {
      expect(await askTable(table, "GET hostgroups\nColumns: hostgroup_name members\nFilter: hostgroup_name = hg-1")).to.equal("hg-1;host-0002,host-0005\n");
      expect(await askTable(table, "GET hostgroups\nColumns: name\nAuthUser: carol")).to.equal("hg-0\n");
      expect(await askTable(table, "GET hostgroups\nColumns: name\nFilter: members >= host-0005\nFilter: worst_host_state = 1\nAnd: 2")).to.equal("hg-1\n");
    });
  });

  describe("columns", () => {
    it("are the 25 of the reference, with the hostgroup_ prefix resolving as Checkmk", () => {
      expect(table.spec.columns.map((c) => c.name).sort()).to.deep.equal(REFERENCE_COLUMNS);
      expect(column(table, "hostgroup_name")).to.equal(column(table, "name"));
      expect(column(table, "hostgroup_num_hosts")).to.equal(column(table, "num_hosts"));
      expect(select(table, ["hostgroup_name", "hostgroup_alias", "notes", "notes_url", "action_url"], { keys: ["hg-1"] })).to.deep.equal([
        ["hg-1", "hg-1", "", "", ""],
      ]);
    });

    it("have unique names, a known type and a description each, and the values their type says", () => {
      const [row] = [...table.rows({ keys: new Set(["hg-0"]) })];
      for (const c of table.spec.columns) {
        expect(c.description, c.name).to.not.equal("");
        const v = c.get(row!);
        if (c.type === "int") expect(Number.isInteger(v), c.name).to.equal(true);
        else if (c.type === "string") expect(typeof v, c.name).to.equal("string");
        else expect(c.type, c.name).to.equal("list");
        if (c.type === "list") expect(Array.isArray(v), c.name).to.equal(true);
      }
    });

    it("are all listed in the README with type and description", () => {
      expectReadmeListsColumns(readPluginReadme("plugins/table/hostgroups"), table.spec.columns);
    });
  });
});
