import { expect } from "chai";
import { HOST_CHECK } from "../../../core";
import {
  answerQuery,
  column,
  engineKit,
  type EngineKit,
  expectReadmeListsColumns,
  expectWellTypedColumns,
  parseRequest,
  readPluginReadme,
  record,
  result,
  select,
  T0,
  TableRegistry,
  built,
} from "../../../test/helpers/table-kit";
import { askTable } from "../common/test-group-map";
import { HOST_COLUMNS } from "../common/host-columns";
import { SERVICE_OWN_COLUMN_NAMES } from "../common/object-columns";
import { scheduleDowntime } from "../common/test-records";
import downtimesPlugin from "./index";

/** What Multisite's downtimes view asks for (docs/livestatus.md §4.9), with the prefixes it uses. */
const MULTISITE_DOWNTIME_COLUMNS = [
  "downtime_id",
  "downtime_author",
  "downtime_comment",
  "downtime_origin",
  "downtime_entry_time",
  "downtime_start_time",
  "downtime_end_time",
  "downtime_fixed",
  "downtime_duration",
  "downtime_recurring",
  "downtime_triggered_by",
  "downtime_type",
  "downtime_is_service",
  "downtime_is_pending",
  "host_name",
  "service_description",
];

/** web1: Host UP (contact alice), disk CRITICAL (contact bob), load OK. db1: pending (no Host result), mysql OK (contact carol). */
async function twoHosts(kit: EngineKit): Promise<void> {
  await kit.write(
    result("web1", HOST_CHECK, 0, { contacts: ["alice"] }),
    result("web1", "disk", 2, { contacts: ["bob"] }),
    result("web1", "load", 0),
    result("db1", "mysql", 0, { contacts: ["carol"] }),
  );
}

/** One downtime scheduled on one object: its id. */
function schedule(kit: EngineKit, hostname: string, check: string, seconds: number, request: Parameters<typeof scheduleDowntime>[4]): number {
  const [id, ...more] = scheduleDowntime(kit, hostname, check, seconds, request);
  expect(more).to.deep.equal([]);
  return id!;
}

describe("downtimes table", () => {
  let kit: EngineKit;
  let table: ReturnType<typeof downtimesPlugin.build>;

  beforeEach(async () => {
    kit = await engineKit();
    table = built(downtimesPlugin, kit);
    await twoHosts(kit);
  });

  it("has no rows while no downtime is scheduled, and answers Multisite's query with a header row only", async () => {
    expect(select(table, ["id"])).to.deep.equal([]);
    expect(select(table, ["id"], { keys: ["web1"] })).to.deep.equal([]);
    const tables = new TableRegistry();
    tables.add(table);
    const q = parseRequest(
      [
        "GET downtimes",
        `Columns: ${MULTISITE_DOWNTIME_COLUMNS.join(" ")}`,
        "Filter: downtime_is_service = 1",
        "ColumnHeaders: on",
        "Limit: 1001",
        "OutputFormat: json",
      ],
      T0,
    );
    if (q.kind !== "get") throw new Error("not a GET");
    const answer = await answerQuery(q, tables, T0);
    expect(answer.status).to.equal(200);
    // The header names the columns canonically, without the table's prefix (as Checkmk).
    expect(JSON.parse(answer.body)).to.deep.equal([MULTISITE_DOWNTIME_COLUMNS.map((n) => n.replace(/^downtime_/, ""))]);
  });

  it("has one row per downtime, by id, with Checkmk's columns (Nagios' types: 2 host, 1 service)", () => {
    const host = schedule(kit, "web1", HOST_CHECK, 0.5, { startTime: T0 + 60, endTime: T0 + 3660, comment: "patching" });
    const disk = schedule(kit, "web1", "disk", 1, {
      startTime: T0,
      endTime: T0 + 3600,
      fixed: false,
      duration: 1800,
      triggeredBy: host,
      author: "bob",
      comment: "disk swap",
    });
    expect(disk).to.be.greaterThan(host);
    expect(record(table, MULTISITE_DOWNTIME_COLUMNS)).to.deep.equal([
      {
        downtime_id: host,
        downtime_author: "alice",
        downtime_comment: "patching",
        downtime_origin: 0,
        downtime_entry_time: T0,
        downtime_start_time: T0 + 60,
        downtime_end_time: T0 + 3660,
        downtime_fixed: 1,
        downtime_duration: 3600,
        downtime_recurring: 0,
        downtime_triggered_by: 0,
        downtime_type: 2,
        downtime_is_service: 0,
        downtime_is_pending: 1,
        host_name: "web1",
        service_description: "",
      },
      {
        downtime_id: disk,
        downtime_author: "bob",
        downtime_comment: "disk swap",
        downtime_origin: 0,
        downtime_entry_time: T0 + 1,
        downtime_start_time: T0,
        downtime_end_time: T0 + 3600,
        downtime_fixed: 0,
        downtime_duration: 1800,
        downtime_recurring: 0,
        downtime_triggered_by: host,
        downtime_type: 1,
        downtime_is_service: 1,
        downtime_is_pending: 1,
        host_name: "web1",
        service_description: "disk",
      },
    ]);
    expect(select(table, ["host_state", "service_state", "host_contacts", "service_contacts", "service_downtimes", "host_downtimes"])).to.deep.equal([
      [0, 0, ["alice"], [], [], [host]],
      [0, 2, ["alice"], ["bob"], [disk], [host]],
    ]);
  });

  it("is pending until the downtime starts and active until it ends, as the engine's timers move it", async () => {
    const host = schedule(kit, "web1", HOST_CHECK, 0, { startTime: T0 + 60, endTime: T0 + 120 });
    const disk = schedule(kit, "web1", "disk", 0, { startTime: T0, endTime: T0 + 600, triggeredBy: host });
    const load = schedule(kit, "web1", "load", 0, { startTime: T0, endTime: T0 + 600, fixed: false, duration: 300 });
    const cols = ["id", "is_pending", "service_scheduled_downtime_depth", "host_scheduled_downtime_depth"];
    expect(select(table, cols)).to.deep.equal([
      [host, 1, 0, 0],
      [disk, 1, 0, 0],
      [load, 1, 0, 0],
    ]);
    kit.at(60);
    kit.engine.tick();
    // The fixed host downtime starts on time and starts the one it triggers; the flexible one waits for a problem.
    expect(select(table, cols)).to.deep.equal([
      [host, 0, 0, 1],
      [disk, 0, 1, 1],
      [load, 1, 0, 1],
    ]);
    await kit.write(result("web1", "load", 2, { timestamp: T0 + 70 }));
    expect(select(table, ["id", "is_pending"], { keys: ["web1"] })).to.deep.equal([
      [host, 0],
      [disk, 0],
      [load, 0],
    ]);
    kit.at(120);
    kit.engine.tick();
    expect(select(table, cols)).to.deep.equal([
      [disk, 0, 1, 0],
      [load, 0, 1, 0],
    ]);
    kit.at(370); // the flexible one lasts its duration from the problem (T0 + 70)
    kit.engine.tick();
    expect(select(table, ["id"])).to.deep.equal([[disk]]);
  });

  it("has one row per object of SCHEDULE_HOST_SVC_DOWNTIME, with the ids the engine returned", () => {
    const ids = scheduleDowntime(kit, "web1", HOST_CHECK, 0, { startTime: T0, endTime: T0 + 600 }, true);
    expect(ids).to.have.length(3);
    expect(select(table, ["id", "service_description", "type", "is_pending"])).to.deep.equal([
      [ids[0], "", 2, 0],
      [ids[1], "disk", 1, 0],
      [ids[2], "load", 1, 0],
    ]);
  });

  it("shows a pending host's downtime with the host's pending state", () => {
    const id = schedule(kit, "db1", HOST_CHECK, 0, { startTime: T0 + 60, endTime: T0 + 600 });
    expect(record(table, ["id", "host_name", "host_has_been_checked", "host_state", "service_description", "type", "host_contacts"])).to.deep.equal([
      { id, host_name: "db1", host_has_been_checked: 0, host_state: 0, service_description: "", type: 2, host_contacts: ["carol"] },
    ]);
  });

  it("loses a downtime deleted by DEL_*_DOWNTIME, with the downtimes it triggers", () => {
    const host = schedule(kit, "web1", HOST_CHECK, 0, { startTime: T0, endTime: T0 + 600 });
    schedule(kit, "web1", "disk", 0, { startTime: T0, endTime: T0 + 600, triggeredBy: host });
    const load = schedule(kit, "web1", "load", 0, { startTime: T0, endTime: T0 + 600 });
    expect(select(table, ["id"])).to.have.length(3);
    expect(kit.engine.deleteDowntime(host, false).ok).to.equal(true);
    expect(select(table, ["id", "service_description"])).to.deep.equal([[load, "load"]]);
  });

  describe("rows", () => {
    let ids: number[];

    beforeEach(() => {
      // Interleaved hosts: id order is neither host order nor insertion by host.
      ids = [
        schedule(kit, "web1", "disk", 0, { startTime: T0, endTime: T0 + 600 }),
        schedule(kit, "db1", "mysql", 0, { startTime: T0, endTime: T0 + 600 }),
        schedule(kit, "web1", HOST_CHECK, 0, { startTime: T0, endTime: T0 + 600 }),
      ];
    });

    it("with a hint are only the named hosts' downtimes, by id", () => {
      expect(table.keyColumns).to.deep.equal(["host_name"]);
      expect(select(table, ["id", "service_description"], { keys: ["web1", "nosuch"] })).to.deep.equal([
        [ids[0], "disk"],
        [ids[2], ""],
      ]);
      expect(select(table, ["id"], { keys: ["db1", "web1"] })).to.deep.equal(ids.map((id) => [id]));
      expect(select(table, ["id"], { keys: [] })).to.deep.equal([]);
    });

    it("go through the query engine: prefixed filters, the host_name index, Stats", async () => {
      const ask = (text: string): Promise<string> => askTable(table, text, T0);
      expect(
        JSON.parse(await ask("GET downtimes\nColumns: downtime_id host_name service_description\nFilter: downtime_is_service = 1\nOutputFormat: json")),
      ).to.deep.equal([
        [ids[0], "web1", "disk"],
        [ids[1], "db1", "mysql"],
      ]);
      expect(await ask(`GET downtimes\nColumns: service_description\nFilter: host_name = web1\nFilter: downtime_id = ${ids[2]!}`)).to.equal("\n");
      expect(await ask("GET downtimes\nStats: type = 2\nStats: type = 1\nStats: is_pending = 0")).to.equal("1;2;3\n");
    });
  });

  describe("AuthUser", () => {
    beforeEach(() => {
      schedule(kit, "web1", HOST_CHECK, 0, { startTime: T0, endTime: T0 + 600 });
      schedule(kit, "web1", "disk", 0, { startTime: T0, endTime: T0 + 600 });
      schedule(kit, "db1", "mysql", 0, { startTime: T0, endTime: T0 + 600 });
    });

    it("shows a service's downtime to the service's and the host's contacts, a host's downtime to the host's", () => {
      const seen = (user: string) => select(table, ["host_name", "service_description"], { user });
      expect(seen("alice")).to.deep.equal([
        ["web1", ""],
        ["web1", "disk"],
      ]);
      expect(seen("bob")).to.deep.equal([["web1", "disk"]]);
      expect(seen("carol")).to.deep.equal([["db1", "mysql"]]);
      expect(seen("nobody")).to.deep.equal([]);
    });
  });

  describe("columns", () => {
    it("resolve with the downtime_ prefix as Checkmk does", () => {
      expect(column(table, "downtime_start_time")).to.equal(column(table, "start_time"));
      expect(column(table, "downtime_id")).to.equal(column(table, "id"));
      expect(table.spec.prefix).to.equal("downtime_");
      const id = schedule(kit, "web1", "disk", 0, { startTime: T0, endTime: T0 + 600, author: "dave" });
      expect(select(table, ["downtime_id", "downtime_author", "id", "author"])).to.deep.equal([[id, "dave", id, "dave"]]);
    });

    it("are Checkmk's own set, then every hosts column as host_<name> and every service column of its own as service_<name>", () => {
      const own = table.spec.columns.filter((c) => !c.name.startsWith("host_") && !c.name.startsWith("service_")).map((c) => c.name);
      expect(own).to.have.members([
        "id",
        "author",
        "comment",
        "origin",
        "entry_time",
        "start_time",
        "end_time",
        "fixed",
        "duration",
        "recurring",
        "triggered_by",
        "type",
        "is_service",
        "is_pending",
      ]);
      const names = new Set(table.spec.columns.map((c) => c.name));
      for (const c of HOST_COLUMNS) expect(names.has(`host_${c.name}`), c.name).to.equal(true);
      for (const name of SERVICE_OWN_COLUMN_NAMES) expect(names.has(`service_${name}`), name).to.equal(true);
    });

    it("have unique names, a known type and a description each, and the values their type says, on host and service downtimes", () => {
      schedule(kit, "web1", HOST_CHECK, 0.5, { startTime: T0 + 1, endTime: T0 + 600 });
      schedule(kit, "web1", "disk", 0, { startTime: T0, endTime: T0 + 600, fixed: false, duration: 60 });
      const rows = [...table.rows({})];
      expect(rows).to.have.length(2);
      expectWellTypedColumns(table, rows);
    });

    it("of its own are all listed in the README with type and description", () => {
      expectReadmeListsColumns(
        readPluginReadme("plugins/table/downtimes"),
        table.spec.columns.filter((c) => !c.name.startsWith("host_") && !c.name.startsWith("service_")),
      );
    });
  });
});
