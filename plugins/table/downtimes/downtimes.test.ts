import { expect } from "chai";
import { answerQuery } from "../../../core/livestatus/query-engine";
import { parseRequest } from "../../../core/livestatus/request-parser";
import { TableRegistry } from "../../../core/livestatus/table-registry";
import { HOST_CHECK } from "../../../core/model/check-result";
import { T0, column, engineKit, expectReadmeListsColumns, readPluginReadme, record, result, select, type EngineKit } from "../../../test/helpers/table-kit";
import { HOST_COLUMNS } from "../common/host-columns";
import { HostView } from "../common/host-view";
import { SERVICE_OWN_COLUMN_NAMES } from "../common/object-columns";
import { DowntimesTable, downtimesTable, type Downtime, type DowntimeRow } from "./downtimes-table";

/** What Multisite's downtimes view asks for (livestatus.md §4.9), with the prefixes it uses. */
const MULTISITE_DOWNTIME_COLUMNS = [
  "downtime_id", "downtime_author", "downtime_comment", "downtime_origin", "downtime_entry_time", "downtime_start_time", "downtime_end_time", "downtime_fixed",
  "downtime_duration", "downtime_recurring", "downtime_triggered_by", "downtime_type", "downtime_is_service", "downtime_is_pending", "host_name", "service_description",
];

const DOWNTIME: Downtime = { id: 7, author: "alice", comment: "patching", entryTime: T0 + 0.5, startTime: T0 + 60, endTime: T0 + 3660, fixed: false, duration: 1800, triggeredBy: 3, pending: true };

/** web1: Host UP (contact alice) and disk (contact bob). */
async function oneHost(kit: EngineKit): Promise<void> {
  await kit.write(result("web1", HOST_CHECK, 0, { contacts: ["alice"] }), result("web1", "disk", 2, { contacts: ["bob"] }));
}

/** A host downtime and a service downtime of web1, as the table will show them once downtimes exist. */
function sampleRows(kit: EngineKit): DowntimeRow[] {
  const host = new HostView(kit.engine.host("web1")!, kit.clock.now() / 1000);
  return [
    { host, service: undefined, downtime: { ...DOWNTIME, id: 6, fixed: true, pending: false } },
    { host, service: kit.engine.get("web1", "disk")!, downtime: DOWNTIME },
  ];
}

describe("downtimes table", () => {
  let kit: EngineKit;

  beforeEach(async () => {
    kit = await engineKit();
    await oneHost(kit);
  });

  it("has no rows: Tantale schedules no downtimes yet", () => {
    const table = downtimesTable();
    expect(select(table, ["id"])).to.deep.equal([]);
    expect(select(table, ["id"], { keys: ["web1"] })).to.deep.equal([]);
  });

  it("answers Multisite's query with a header row and no data, not an error", async () => {
    const tables = new TableRegistry();
    tables.add(downtimesTable());
    const q = parseRequest(["GET downtimes", `Columns: ${MULTISITE_DOWNTIME_COLUMNS.join(" ")}`, "Filter: downtime_is_service = 1", "ColumnHeaders: on", "Limit: 1001", "OutputFormat: json"], T0);
    if (q.kind !== "get") throw new Error("not a GET");
    const answer = await answerQuery(q, tables, T0);
    expect(answer.status).to.equal(200);
    // The header names the columns canonically, without the table's prefix (as Checkmk).
    expect(JSON.parse(answer.body)).to.deep.equal([MULTISITE_DOWNTIME_COLUMNS.map((n) => n.replace(/^downtime_/, ""))]);
  });

  it("has Checkmk's columns, which read a downtime of a host and of a service (Nagios' types: 2 host, 1 service)", () => {
    const table = downtimesTable(() => sampleRows(kit));
    expect(record(table, MULTISITE_DOWNTIME_COLUMNS)).to.deep.equal([
      {
        downtime_id: 6, downtime_author: "alice", downtime_comment: "patching", downtime_origin: 0, downtime_entry_time: T0, downtime_start_time: T0 + 60, downtime_end_time: T0 + 3660,
        downtime_fixed: 1, downtime_duration: 1800, downtime_recurring: 0, downtime_triggered_by: 3, downtime_type: 2, downtime_is_service: 0, downtime_is_pending: 0, host_name: "web1", service_description: "",
      },
      {
        downtime_id: 7, downtime_author: "alice", downtime_comment: "patching", downtime_origin: 0, downtime_entry_time: T0, downtime_start_time: T0 + 60, downtime_end_time: T0 + 3660,
        downtime_fixed: 0, downtime_duration: 1800, downtime_recurring: 0, downtime_triggered_by: 3, downtime_type: 1, downtime_is_service: 1, downtime_is_pending: 1, host_name: "web1", service_description: "disk",
      },
    ]);
    expect(select(table, ["host_state", "service_state", "host_contacts", "service_contacts"])).to.deep.equal([[0, 0, ["alice"], []], [0, 2, ["alice"], ["bob"]]]);
  });

  it("shows a service's downtime to the service's and host's contacts, a host's downtime to the host's (AuthUser)", () => {
    const table = downtimesTable(() => sampleRows(kit));
    expect(select(table, ["id"], { user: "alice" })).to.deep.equal([[6], [7]]);
    expect(select(table, ["id"], { user: "bob" })).to.deep.equal([[7]]);
    expect(select(table, ["id"], { user: "nobody" })).to.deep.equal([]);
  });

  describe("columns", () => {
    const table = downtimesTable();

    it("resolve with the downtime_ prefix as Checkmk does", () => {
      expect(column(table, "downtime_start_time")).to.equal(column(table, "start_time"));
      expect(column(table, "downtime_id")).to.equal(column(table, "id"));
      expect(table.spec.prefix).to.equal("downtime_");
      expect(table.keyColumns).to.deep.equal(["host_name"]);
    });

    it("are Checkmk's own set, then every hosts column as host_<name> and every service column of its own as service_<name>", () => {
      const own = table.spec.columns.filter((c) => !c.name.startsWith("host_") && !c.name.startsWith("service_")).map((c) => c.name);
      expect(own).to.have.members(["id", "author", "comment", "origin", "entry_time", "start_time", "end_time", "fixed", "duration", "recurring", "triggered_by", "type", "is_service", "is_pending"]);
      const names = new Set(table.spec.columns.map((c) => c.name));
      for (const c of HOST_COLUMNS) expect(names.has(`host_${c.name}`), c.name).to.equal(true);
      for (const name of SERVICE_OWN_COLUMN_NAMES) expect(names.has(`service_${name}`), name).to.equal(true);
    });

    it("have unique names, a known type and a description each, and the values their type says", () => {
      const names = table.spec.columns.map((c) => c.name);
      expect(new Set(names).size).to.equal(names.length);
      for (const row of sampleRows(kit)) {
        for (const c of table.spec.columns) {
          expect(c.description, c.name).to.not.equal("");
          const v = c.get(row);
          if (c.type === "int" || c.type === "time") expect(Number.isInteger(v), c.name).to.equal(true);
          else if (c.type === "float") expect(typeof v, c.name).to.equal("number");
          else if (c.type === "string") expect(typeof v, c.name).to.equal("string");
          else if (c.type === "list") expect(Array.isArray(v), c.name).to.equal(true);
          else expect(typeof v === "object" && !Array.isArray(v), c.name).to.equal(true);
        }
      }
    });

    it("of its own are all listed in the README with type and description", () => {
      expectReadmeListsColumns(readPluginReadme("plugins/table/downtimes"), table.spec.columns.filter((c) => !c.name.startsWith("host_") && !c.name.startsWith("service_")));
    });
  });

  describe("plugin", () => {
    it("adds its table on start and removes it on stop, twice without harm", async () => {
      const tables = new TableRegistry();
      const plugin = new DowntimesTable(tables);
      await plugin.start();
      expect(tables.get("downtimes")).to.equal(plugin.table);
      expect(select(plugin.table, ["id"])).to.deep.equal([]);
      await plugin.stop();
      await plugin.stop();
      expect(tables.get("downtimes")).to.equal(undefined);
    });

    it("refuses a second downtimes table, whose stop leaves the first one served", async () => {
      const tables = new TableRegistry();
      const first = new DowntimesTable(tables);
      const second = new DowntimesTable(tables);
      await first.start();
      let error: unknown;
      await second.start().catch((e: unknown) => (error = e));
      expect(String(error)).to.contain("two table plugins provide the table downtimes");
      await second.stop();
      expect(tables.get("downtimes")).to.equal(first.table);
      await first.stop();
    });
  });
});
