import { expect } from "chai";
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
import { SERVICEGROUP_COLUMNS } from "../common/service-group-columns";
import { askTable, jsonBody, writeGroupMap } from "../common/test-group-map";
import { SERVICE_COLUMNS } from "../services/service-columns";
import servicesbygroupPlugin from "./index";

/**
 * NagVis's service group state counts: the capture's map has no service group, so this is its
 * servicesbyhostgroup request (docs/client-queries.md NagVis #2, verbatim Stats) on servicesbygroup
 * with the service group filter and columns NagVis's backend uses there
 * (`Filter: groups >= <group>`, `Columns: servicegroup_name servicegroup_alias`).
 */
const NAGVIS_SERVICESBYGROUP = CLIENT_REQUESTS.find((r) => r.name === "NagVis #2: GET servicesbyhostgroup")!
  .text.replace("GET servicesbyhostgroup", "GET servicesbygroup")
  .replace("Filter: host_groups >= hg-0", "Filter: groups >= sg-0")
  .replace("Columns: hostgroup_name", "Columns: servicegroup_name servicegroup_alias");

describe("servicesbygroup table", () => {
  let kit: EngineKit;
  let table: ReturnType<typeof servicesbygroupPlugin.build>;

  beforeEach(async () => {
    kit = await engineKit();
    table = built(servicesbygroupPlugin, kit);
    await writeGroupMap(kit);
  });

  describe("rows", () => {
    it("are one per (service, service group), sorted by host, service, group; a group named twice counts once; a service in no group has none", () => {
      expect(select(table, ["host_name", "description", "servicegroup_name"])).to.deep.equal([
        ["host-0001", "svc-01", "sg-0"],
        ["host-0001", "svc-02", "sg-0"],
        ["host-0001", "svc-02", "sg-1"],
        ["host-0002", "svc-01", "sg-0"],
        ["host-0002", "svc-02", "sg-1"],
        ["host-0003", "svc-01", "sg-0"],
        ["host-0003", "svc-02", "sg-1"],
        ["host-0004", "svc-01", "sg-0"],
        ["host-0004", "svc-02", "sg-1"],
        ["host-0005", "svc-01", "sg-0"],
        ["host-0005", "svc-02", "sg-1"],
      ]);
    });

    it("with a hint are only the named hosts' services", () => {
      expect(table.keyColumns).to.deep.equal(["host_name"]);
      expect(select(table, ["host_name", "description", "servicegroup_name"], { keys: ["host-0001", "host-0006"] })).to.deep.equal([
        ["host-0001", "svc-01", "sg-0"],
        ["host-0001", "svc-02", "sg-0"],
        ["host-0001", "svc-02", "sg-1"],
      ]);
    });

    it("follow the groups of the last results", async () => {
      await kit.write(result("host-0006", "svc-01", 0, { timestamp: T0 + 1, servicegroups: ["sg-1"] }));
      expect(select(table, ["host_name", "servicegroup_name", "servicegroup_num_services"], { keys: ["host-0006"] })).to.deep.equal([["host-0006", "sg-1", 6]]);
    });
  });

  describe("columns", () => {
    it("are the service's, its host's as host_*, and the group's as servicegroup_*", () => {
      expect(
        select(
          table,
          [
            "description",
            "state",
            "groups",
            "host_state",
            "host_acknowledged",
            "servicegroup_name",
            "servicegroup_alias",
            "servicegroup_num_services",
            "servicegroup_worst_service_state",
            "servicegroup_members",
          ],
          { keys: ["host-0002"] },
        ),
      ).to.deep.equal([
        [
          "svc-01",
          2,
          ["sg-0"],
          1,
          1,
          "sg-0",
          "sg-0",
          6,
          2,
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
          "svc-02",
          0,
          ["sg-1"],
          1,
          1,
          "sg-1",
          "sg-1",
          5,
          2,
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

    it("hold every services column and every servicegroups column (prefixed), with unique names and the same types", () => {
      const byName = new Map(table.spec.columns.map((c) => [c.name, c]));
      expect(byName.size).to.equal(table.spec.columns.length);
      expect(table.spec.columns.length).to.equal(SERVICE_COLUMNS.length + SERVICEGROUP_COLUMNS.length);
      for (const c of SERVICE_COLUMNS) expect(byName.get(c.name), c.name).to.equal(c);
      for (const c of SERVICEGROUP_COLUMNS) expect(byName.get(`servicegroup_${c.name}`)?.type, c.name).to.equal(c.type);
      for (const c of table.spec.columns) expect(c.description, c.name).to.not.equal("");
    });

    it("resolve service_ names as on services, host_ names to the host's columns", () => {
      expect(column(table, "service_description")).to.equal(column(table, "description"));
      expect(column(table, "service_state")).to.equal(column(table, "state"));
      expect(select(table, ["service_description", "host_name", "host_state", "servicegroup_name"], { keys: ["host-0003"] })).to.deep.equal([
        ["svc-01", "host-0003", 2, "sg-0"],
        ["svc-02", "host-0003", 2, "sg-1"],
      ]);
    });

    it("of the group are all listed in the README with type and description", () => {
      expectReadmeListsColumns(
        readPluginReadme("plugins/table/servicesbygroup"),
        table.spec.columns.filter((c) => c.name.startsWith("servicegroup_")),
      );
    });
  });

  describe("AuthUser", () => {
    it("shows the rows of the services the user sees (the services table's rule: its contacts or its host's)", () => {
      expect(select(table, ["host_name", "description", "servicegroup_name"], { user: "bob" })).to.deep.equal([
        ["host-0001", "svc-02", "sg-0"],
        ["host-0001", "svc-02", "sg-1"],
      ]);
      expect(select(table, ["host_name", "description", "servicegroup_name"], { user: "grace" })).to.deep.equal([["host-0003", "svc-02", "sg-1"]]);
      expect(select(table, ["host_name", "description"], { user: "dave" })).to.deep.equal([
        ["host-0005", "svc-01"],
        ["host-0005", "svc-02"],
      ]);
      expect(select(table, ["host_name"], { user: "erin" })).to.deep.equal([]);
    });
  });

  describe("NagVis", () => {
    it("counts the service states per service group (NagVis's servicegroup query)", async () => {
      kit.at(30);
      // Columns: pending; ok fresh, stale, in downtime; warning fresh, stale, acknowledged (or its host), in downtime;
      // critical the same; unknown the same. host-0001/svc-02 is in sg-0 and sg-1: its sg-1 row passes `groups >= sg-0` too.
      expect(await askTable(table, NAGVIS_SERVICESBYGROUP)).to.equal(
        jsonBody([
          ["sg-0", "sg-0", 0, 3, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0],
          ["sg-1", "sg-1", 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        ]),
      );
    });

    it("counts every group without the Filter", async () => {
      kit.at(30);
      const body = await askTable(table, NAGVIS_SERVICESBYGROUP.replace("Filter: groups >= sg-0\n", ""));
      expect(body).to.equal(
        jsonBody([
          ["sg-0", "sg-0", 0, 3, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0],
          ["sg-1", "sg-1", 0, 2, 0, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0],
        ]),
      );
    });
  });
});
