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
import { HOSTGROUP_COLUMNS } from "../common/host-group-columns";
import { askTable, jsonBody, writeGroupMap } from "../common/test-group-map";
import { SERVICE_COLUMNS } from "../services/service-columns";
import servicesbyhostgroupPlugin from "./index";

/** NagVis's service state counts of a host group (docs/client-queries.md, verbatim). */
const NAGVIS_SERVICESBYHOSTGROUP = CLIENT_REQUESTS.find((r) => r.name === "NagVis #2: GET servicesbyhostgroup")!.text;

describe("servicesbyhostgroup table", () => {
  let kit: EngineKit;
  let table: ReturnType<typeof servicesbyhostgroupPlugin.build>;

  beforeEach(async () => {
    kit = await engineKit();
    table = built(servicesbyhostgroupPlugin, kit);
    await writeGroupMap(kit);
  });

  describe("rows", () => {
    it("are one per (service, host group of its host), sorted by host, service, group; a host in no group gives none", () => {
      expect(select(table, ["host_name", "description", "hostgroup_name"])).to.deep.equal([
        ["host-0001", "svc-01", "hg-0"],
        ["host-0001", "svc-02", "hg-0"],
        ["host-0002", "svc-01", "hg-0"],
        ["host-0002", "svc-01", "hg-1"],
        ["host-0002", "svc-02", "hg-0"],
        ["host-0002", "svc-02", "hg-1"],
        ["host-0003", "svc-01", "hg-0"],
        ["host-0003", "svc-02", "hg-0"],
        ["host-0004", "svc-01", "hg-0"],
        ["host-0004", "svc-02", "hg-0"],
        ["host-0005", "svc-01", "hg-1"],
        ["host-0005", "svc-02", "hg-1"],
      ]);
    });

    it("give every service of the host each group, also one named by another service's result only", () => {
      expect(select(table, ["description", "groups", "host_groups", "hostgroup_name"], { keys: ["host-0004"] })).to.deep.equal([
        ["svc-01", ["sg-0"], ["hg-0"], "hg-0"],
        ["svc-02", ["sg-1"], ["hg-0"], "hg-0"],
      ]);
    });

    it("with a hint are only the named hosts' services", () => {
      expect(table.keyColumns).to.deep.equal(["host_name"]);
      expect(select(table, ["host_name", "description", "hostgroup_name"], { keys: ["host-0005", "host-0006"] })).to.deep.equal([
        ["host-0005", "svc-01", "hg-1"],
        ["host-0005", "svc-02", "hg-1"],
      ]);
    });

    it("follow the groups of the last results", async () => {
      await kit.write(result("host-0006", HOST_CHECK, 0, { timestamp: T0 + 1, contacts: ["erin"], hostgroups: ["hg-0"] }));
      expect(
        select(table, ["host_name", "description", "hostgroup_name", "hostgroup_num_hosts", "hostgroup_num_services"], { keys: ["host-0006"] }),
      ).to.deep.equal([["host-0006", "svc-01", "hg-0", 5, 9]]);
    });
  });

  describe("columns", () => {
    it("are the service's, its host's as host_*, and the host group's as hostgroup_*", () => {
      expect(
        select(
          table,
          [
            "description",
            "state",
            "acknowledged",
            "host_name",
            "host_acknowledged",
            "hostgroup_name",
            "hostgroup_num_hosts",
            "hostgroup_num_services_crit",
            "hostgroup_worst_service_state",
            "hostgroup_members_with_state",
          ],
          { keys: ["host-0002"] },
        )[1],
      ).to.deep.equal([
        "svc-01",
        2,
        0,
        "host-0002",
        1,
        "hg-1",
        2,
        1,
        2,
        [
          ["host-0002", 1, 1],
          ["host-0005", 0, 1],
        ],
      ]);
    });

    it("hold every services column and every hostgroups column (prefixed), with unique names and the same types", () => {
      const byName = new Map(table.spec.columns.map((c) => [c.name, c]));
      expect(byName.size).to.equal(table.spec.columns.length);
      expect(table.spec.columns.length).to.equal(SERVICE_COLUMNS.length + HOSTGROUP_COLUMNS.length);
      for (const c of SERVICE_COLUMNS) expect(byName.get(c.name), c.name).to.equal(c);
      for (const c of HOSTGROUP_COLUMNS) expect(byName.get(`hostgroup_${c.name}`)?.type, c.name).to.equal(c.type);
      for (const c of table.spec.columns) expect(c.description, c.name).to.not.equal("");
    });

    it("resolve service_ names as on services", () => {
      expect(column(table, "service_description")).to.equal(column(table, "description"));
      expect(column(table, "service_groups")).to.equal(column(table, "groups"));
      expect(column(table, "host_groups")).to.not.equal(column(table, "groups"));
    });

    it("of the group are all listed in the README with type and description", () => {
      expectReadmeListsColumns(
        readPluginReadme("plugins/table/servicesbyhostgroup"),
        table.spec.columns.filter((c) => c.name.startsWith("hostgroup_")),
      );
    });
  });

  describe("AuthUser", () => {
    it("shows the rows of the services the user sees (the services table's rule: its contacts or its host's)", () => {
      expect(select(table, ["host_name", "description", "hostgroup_name"], { user: "bob" })).to.deep.equal([["host-0001", "svc-02", "hg-0"]]);
      expect(select(table, ["host_name", "description", "hostgroup_name"], { user: "grace" })).to.deep.equal([["host-0003", "svc-02", "hg-0"]]);
      expect(select(table, ["host_name", "description", "hostgroup_name"], { user: "alice" })).to.have.length(6);
      expect(select(table, ["host_name"], { user: "erin" })).to.deep.equal([]);
    });
  });

  describe("NagVis", () => {
    it("counts the service states per host group (docs/client-queries.md NagVis #2, verbatim)", async () => {
      kit.at(30);
      // Columns: pending; ok fresh, stale, in downtime; warning fresh, stale, acknowledged (or its host), in downtime;
      // critical the same; unknown the same. `host_groups >= hg-0` passes host-0002's rows for hg-1 too.
      expect(await askTable(table, NAGVIS_SERVICESBYHOSTGROUP)).to.equal(
        jsonBody([
          ["hg-0", 0, 3, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 1, 0, 0],
          ["hg-1", 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0],
        ]),
      );
    });

    it("answers a NagVis user only with the services it sees (AuthUser carol: host-0004's)", async () => {
      kit.at(30);
      expect(await askTable(table, `${NAGVIS_SERVICESBYHOSTGROUP}\nAuthUser: carol`)).to.equal(
        jsonBody([["hg-0", 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]]),
      );
    });
  });
});
