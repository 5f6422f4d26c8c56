import { expect } from "chai";
import { HOST_CHECK } from "../../../core";
import {
  CLIENT_REQUESTS,
  column,
  engineKit,
  type EngineKit,
  expectReadmeListsColumns,
  readPluginReadme,
  result,
  select,
  T0,
  built,
} from "../../../test/helpers/table-kit";
import { HOST_COLUMNS } from "../common/host-columns";
import { HOSTGROUP_COLUMNS } from "../common/host-group-columns";
import { askTable, jsonBody, writeGroupMap } from "../common/test-group-map";
import hostsbygroupPlugin from "./index";

/** NagVis's host group state counts (docs/client-queries.md, verbatim). */
const NAGVIS_HOSTSBYGROUP = CLIENT_REQUESTS.find((r) => r.name === "NagVis #1: GET hostsbygroup")!.text;

describe("hostsbygroup table", () => {
  let kit: EngineKit;
  let table: ReturnType<typeof hostsbygroupPlugin.build>;

  beforeEach(async () => {
    kit = await engineKit();
    table = built(hostsbygroupPlugin, kit);
    await writeGroupMap(kit);
  });

  describe("rows", () => {
    it("are one per (host, host group), sorted by host then group; a host in no group has none", () => {
      expect(select(table, ["name", "hostgroup_name"])).to.deep.equal([
        ["host-0001", "hg-0"],
        ["host-0002", "hg-0"],
        ["host-0002", "hg-1"],
        ["host-0003", "hg-0"],
        ["host-0004", "hg-0"],
        ["host-0005", "hg-1"],
      ]);
    });

    it("with a hint are only the named hosts' rows", () => {
      expect(table.keyColumns).to.deep.equal(["name"]);
      expect(select(table, ["name", "hostgroup_name"], { keys: ["host-0002", "host-0006", "nosuch"] })).to.deep.equal([
        ["host-0002", "hg-0"],
        ["host-0002", "hg-1"],
      ]);
    });

    it("follow the groups of the last results", async () => {
      await kit.write(result("host-0006", HOST_CHECK, 0, { timestamp: T0 + 1, contacts: ["erin"], hostgroups: ["hg-1"] }));
      expect(select(table, ["name", "hostgroup_name", "hostgroup_num_hosts"], { keys: ["host-0006"] })).to.deep.equal([["host-0006", "hg-1", 3]]);
    });
  });

  describe("columns", () => {
    it("are the host's (the hosts table's, same values) and the group's as hostgroup_*", () => {
      expect(
        select(
          table,
          [
            "name",
            "state",
            "has_been_checked",
            "groups",
            "num_services",
            "worst_service_state",
            "hostgroup_name",
            "hostgroup_alias",
            "hostgroup_members",
            "hostgroup_num_hosts",
            "hostgroup_num_hosts_pending",
            "hostgroup_worst_host_state",
          ],
          { keys: ["host-0002", "host-0004"] },
        ),
      ).to.deep.equal([
        ["host-0002", 1, 1, ["hg-0", "hg-1"], 2, 2, "hg-0", "hg-0", ["host-0001", "host-0002", "host-0003", "host-0004"], 4, 1, 1],
        ["host-0002", 1, 1, ["hg-0", "hg-1"], 2, 2, "hg-1", "hg-1", ["host-0002", "host-0005"], 2, 0, 1],
        ["host-0004", 0, 0, ["hg-0"], 2, 2, "hg-0", "hg-0", ["host-0001", "host-0002", "host-0003", "host-0004"], 4, 1, 1],
      ]);
    });

    it("hold every hosts column and every hostgroups column (prefixed), with unique names and the same types", () => {
      const byName = new Map(table.spec.columns.map((c) => [c.name, c]));
      expect(byName.size).to.equal(table.spec.columns.length);
      expect(table.spec.columns.length).to.equal(HOST_COLUMNS.length + HOSTGROUP_COLUMNS.length);
      for (const c of HOST_COLUMNS) expect(byName.get(c.name)?.type, c.name).to.equal(c.type);
      for (const c of HOSTGROUP_COLUMNS) expect(byName.get(`hostgroup_${c.name}`)?.type, c.name).to.equal(c.type);
      for (const c of table.spec.columns) expect(c.description, c.name).to.not.equal("");
    });

    it("resolve host_ names as on hosts (host_name is name, host_groups is groups)", () => {
      expect(column(table, "host_name")).to.equal(column(table, "name"));
      expect(column(table, "host_groups")).to.equal(column(table, "groups"));
      expect(select(table, ["host_name", "host_state", "hostgroup_name"], { keys: ["host-0003"] })).to.deep.equal([["host-0003", 2, "hg-0"]]);
    });

    it("of the group are all listed in the README with type and description", () => {
      expectReadmeListsColumns(
        readPluginReadme("plugins/table/hostsbygroup"),
        table.spec.columns.filter((c) => c.name.startsWith("hostgroup_")),
      );
    });
  });

  describe("AuthUser", () => {
    it("shows the rows of the hosts the user sees (the hosts table's rule)", () => {
      expect(select(table, ["name", "hostgroup_name"], { user: "alice" })).to.deep.equal([
        ["host-0001", "hg-0"],
        ["host-0002", "hg-0"],
        ["host-0002", "hg-1"],
      ]);
      expect(select(table, ["name", "hostgroup_name"], { user: "carol" })).to.deep.equal([["host-0004", "hg-0"]]);
      expect(select(table, ["name"], { user: "bob" })).to.deep.equal([]);
      expect(select(table, ["name"], { user: "erin" })).to.deep.equal([]);
    });
  });

  describe("NagVis", () => {
    it("counts the host states per host group (docs/client-queries.md NagVis #1, verbatim)", async () => {
      kit.at(30);
      // Columns: pending; up fresh, stale, in downtime; down fresh, stale, acknowledged, in downtime; unreachable the same.
      // `groups >= hg-0` tests the host's groups: host-0002's row for hg-1 passes too (as in Checkmk and Icinga 2).
      expect(await askTable(table, NAGVIS_HOSTSBYGROUP)).to.equal(
        jsonBody([
          ["hg-0", "hg-0", 1, 1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0],
          ["hg-1", "hg-1", 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0],
        ]),
      );
    });

    it("answers the same for a NagVis user: AuthUser alice sees host-0001 and host-0002", async () => {
      kit.at(30);
      expect(await askTable(table, `${NAGVIS_HOSTSBYGROUP}\nAuthUser: alice`)).to.equal(
        jsonBody([
          ["hg-0", "hg-0", 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0],
          ["hg-1", "hg-1", 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0],
        ]),
      );
    });

    it("uses the name index for the hosts of a map (Filter: name = ... Or:)", async () => {
      const hints: (readonly string[] | undefined)[] = [];
      const spy: typeof table = { ...table, rows: (hint) => (hints.push(hint.keys && [...hint.keys].sort()), table.rows(hint)) };
      const body = await askTable(
        spy,
        "GET hostsbygroup\nColumns: host_name hostgroup_name hostgroup_num_hosts state\nFilter: name = host-0003\nFilter: name = host-0005\nOr: 2\nOutputFormat: json",
      );
      expect(body).to.equal(
        jsonBody([
          ["host-0003", "hg-0", 4, 2],
          ["host-0005", "hg-1", 2, 0],
        ]),
      );
      expect(hints).to.deep.equal([["host-0003", "host-0005"]]);
    });
  });
});
