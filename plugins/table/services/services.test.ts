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
import { HOST_COLUMNS } from "../common/host-columns";
import { HostView, type HostRecordSource } from "../common/host-view";
import { acknowledge, addComment, scheduleDowntime } from "../common/test-records";
import type { ServiceRow } from "./service-columns";
import servicesPlugin from "./index";

/** The columns NagVis asks for on services (docs/client-queries.md), in its order. */
const NAGVIS_SERVICE_COLUMNS = [
  "description",
  "display_name",
  "state",
  "host_alias",
  "host_address",
  "plugin_output",
  "notes",
  "last_check",
  "next_check",
  "state_type",
  "current_attempt",
  "max_check_attempts",
  "last_state_change",
  "last_hard_state_change",
  "perf_data",
  "scheduled_downtime_depth",
  "acknowledged",
  "host_acknowledged",
  "host_scheduled_downtime_depth",
  "has_been_checked",
  "host_name",
  "check_command",
  "custom_variable_names",
  "custom_variable_values",
  "staleness",
];

/** What Nagstamon reads by name from the header row of `GET services` without Columns. */
const NAGSTAMON_SERVICE_COLUMNS = [
  "host_name",
  "description",
  "display_name",
  "state",
  "last_check",
  "last_state_change",
  "current_attempt",
  "max_check_attempts",
  "plugin_output",
  "notifications_enabled",
  "is_flapping",
  "acknowledged",
  "scheduled_downtime_depth",
  "last_hard_state",
  "state_type",
  "host_state",
  "host_acknowledged",
  "host_scheduled_downtime_depth",
];

/** web1: Host UP (contact alice) and three services (disk: contact bob, group sg-disk). db1: pending, one service (contact carol). */
async function twoHosts(kit: EngineKit): Promise<void> {
  await kit.write(
    result("web1", HOST_CHECK, 0, { contacts: ["alice"], hostgroups: ["hg-web"] }),
    result("web1", "load", 0, { perfData: "load1=0.5;4;8" }),
    result("web1", "disk", 1, { contacts: ["bob"], servicegroups: ["sg-disk", "sg-all"], customVariables: { MOUNT: "/" } }),
    result("web1", "mem", 2),
    result("db1", "mysql", 0, { contacts: ["carol"], hostgroups: ["hg-db"] }),
  );
}

describe("services table", () => {
  let kit: EngineKit;
  let table: ReturnType<typeof servicesPlugin.build>;

  beforeEach(async () => {
    kit = await engineKit();
    table = built(servicesPlugin, kit);
    await twoHosts(kit);
  });

  it("answers NagVis's service columns", () => {
    kit.at(45);
    const rows = record(table, NAGVIS_SERVICE_COLUMNS, { keys: ["web1"] });
    expect(rows.map((r) => r.description)).to.deep.equal(["disk", "load", "mem"]);
    expect(rows[0]).to.deep.equal({
      description: "disk",
      display_name: "disk",
      state: 1,
      host_alias: "web1",
      host_address: "web1",
      plugin_output: "disk of web1 is 1",
      notes: "",
      last_check: T0,
      next_check: T0 + 60,
      state_type: 1,
      current_attempt: 1,
      max_check_attempts: 1,
      last_state_change: T0,
      last_hard_state_change: T0,
      perf_data: "",
      scheduled_downtime_depth: 0,
      acknowledged: 0,
      host_acknowledged: 0,
      host_scheduled_downtime_depth: 0,
      has_been_checked: 1,
      host_name: "web1",
      check_command: "",
      custom_variable_names: ["MOUNT"],
      custom_variable_values: ["/"],
      staleness: 0.75,
    });
  });

  it("has every column Nagstamon reads by name in all-columns mode", () => {
    const names = table.spec.columns.map((c) => c.name);
    for (const n of NAGSTAMON_SERVICE_COLUMNS) expect(names, n).to.include(n);
  });

  it("has every hosts column as host_<name>, read from the service's host", () => {
    const names = new Set(table.spec.columns.map((c) => c.name));
    for (const c of HOST_COLUMNS) expect(names.has(`host_${c.name}`), c.name).to.equal(true);
    expect(
      select(table, ["host_state", "host_has_been_checked", "host_groups", "host_num_services", "host_worst_service_state", "host_contacts"], {
        keys: ["web1"],
      })[0],
    ).to.deep.equal([0, 1, ["hg-web"], 3, 2, ["alice"]]);
  });

  it("is checked (has_been_checked 1) for every stored service, also on a pending host", () => {
    expect(select(table, ["host_name", "description", "state", "has_been_checked", "host_state", "host_has_been_checked"], { keys: ["db1"] })).to.deep.equal([
      ["db1", "mysql", 0, 1, 0, 0],
    ]);
  });

  it("takes groups from the service groups, contacts and contact groups from the service", () => {
    expect(select(table, ["description", "groups", "contacts", "contact_groups"], { keys: ["web1"] })).to.deep.equal([
      ["disk", ["sg-disk", "sg-all"], ["bob"], ["bob"]],
      ["load", [], ["ops"], ["ops"]],
      ["mem", [], ["ops"], ["ops"]],
    ]);
  });

  it("shows the service's and the host's acknowledgement and the custom variables dict", async () => {
    expect(
      kit.engine.acknowledge({ hostname: "web1", check: "disk" }, { sticky: false, persistent: false, author: "bob", comment: "", expireTime: 0 }, T0).ok,
    ).to.equal(true);
    await kit.write(result("web1", HOST_CHECK, 1, { timestamp: T0 + 5, contacts: ["alice"] }));
    expect(
      kit.engine.acknowledge({ hostname: "web1", check: HOST_CHECK }, { sticky: true, persistent: false, author: "alice", comment: "", expireTime: 0 }, T0 + 5)
        .ok,
    ).to.equal(true);
    expect(
      select(
        table,
        ["description", "acknowledged", "acknowledgement_type", "host_acknowledged", "host_acknowledgement_type", "host_state", "custom_variables"],
        { keys: ["web1"] },
      ),
    ).to.deep.equal([
      ["disk", 1, 1, 1, 2, 1, { MOUNT: "/" }],
      ["load", 0, 0, 1, 2, 1, {}],
      ["mem", 0, 0, 1, 2, 1, {}],
    ]);
  });

  it("computes staleness and the last time per state", async () => {
    await kit.write(result("web1", "load", 2, { timestamp: T0 + 60 }));
    kit.at(150);
    expect(
      select(table, ["description", "staleness", "last_time_ok", "last_time_warning", "last_time_critical", "last_time_unknown", "metrics"], {
        keys: ["web1"],
      })[1],
    ).to.deep.equal(["load", 1.5, T0 + 60, 0, T0 + 60, 0, []]);
    expect(select(table, ["metrics"], { keys: ["web1"] })[0]).to.deep.equal([[]]);
  });

  describe("downtimes and comments", () => {
    it("list the service's own, and the host's behind host_", () => {
      const [host, disk, load, mem] = scheduleDowntime(kit, "web1", HOST_CHECK, 0, { startTime: T0, endTime: T0 + 600, comment: "patching" }, true);
      const flexible = scheduleDowntime(kit, "web1", "load", 1, {
        startTime: T0,
        endTime: T0 + 600,
        fixed: false,
        duration: 60,
        author: "bob",
        comment: "if it fails",
      })[0]!;
      const note = addComment(kit, "web1", "disk", 2, { author: "bob", comment: "new disk" });
      const ack = acknowledge(kit, "web1", "mem", 3, { comment: "on it" });
      const hostNote = addComment(kit, "web1", HOST_CHECK, 4);
      const cols = [
        "description",
        "downtimes",
        "scheduled_downtime_depth",
        "pending_flex_downtime",
        "comments",
        "host_downtimes",
        "host_comments",
        "host_scheduled_downtime_depth",
      ];
      expect(select(table, cols, { keys: ["web1"] })).to.deep.equal([
        ["disk", [disk], 1, 0, [note], [host], [hostNote], 1],
        ["load", [load, flexible], 1, 1, [], [host], [hostNote], 1],
        ["mem", [mem], 1, 0, [ack], [host], [hostNote], 1],
      ]);
      expect(
        select(table, ["downtimes_with_info", "downtimes_with_extra_info", "comments_with_info", "comments_with_extra_info"], { keys: ["web1"] }),
      ).to.deep.equal([
        [
          [[disk, "alice", "patching"]],
          [[disk, "alice", "patching", 0, T0, T0, T0 + 600, 1, 600, 0, 0]],
          [[note, "bob", "new disk"]],
          [[note, "bob", "new disk", 1, T0 + 2]],
        ],
        [
          [
            [load, "alice", "patching"],
            [flexible, "bob", "if it fails"],
          ],
          [
            [load, "alice", "patching", 0, T0, T0, T0 + 600, 1, 600, 0, 0],
            [flexible, "bob", "if it fails", 0, T0 + 1, T0, T0 + 600, 0, 60, 0, 1],
          ],
          [],
          [],
        ],
        [
          [[mem, "alice", "patching"]],
          [[mem, "alice", "patching", 0, T0, T0, T0 + 600, 1, 600, 0, 0]],
          [[ack, "alice", "on it"]],
          [[ack, "alice", "on it", 4, T0 + 3]],
        ],
      ]);
      expect(select(table, ["downtimes", "comments", "host_downtimes"], { keys: ["db1"] })).to.deep.equal([[[], [], []]]);
    });

    it("read the host's records once per host and query, and only for the columns that list them", () => {
      addComment(kit, "web1", "disk", 0);
      scheduleDowntime(kit, "web1", "load", 0, { startTime: T0, endTime: T0 + 600 });
      const reads: string[] = [];
      const records: HostRecordSource = {
        downtimesOfHost: (name) => (reads.push(`downtimes ${name}`), kit.engine.downtimesOfHost(name)),
        commentsOfHost: (name) => (reads.push(`comments ${name}`), kit.engine.commentsOfHost(name)),
      };
      const host = new HostView(kit.engine.host("web1")!, T0, records);
      const rows: ServiceRow[] = host.services().map((service) => ({ host, service }));
      const listing = new Set([
        "downtimes",
        "downtimes_with_info",
        "downtimes_with_extra_info",
        "pending_flex_downtime",
        "comments",
        "comments_with_info",
        "comments_with_extra_info",
      ]);
      const lists = table.spec.columns.filter((c) => listing.has(c.name.replace(/^host_/, "")));
      expect(lists).to.have.length(14);
      for (const row of rows) for (const c of table.spec.columns) if (!lists.includes(c)) c.get(row);
      expect(reads).to.deep.equal([]);
      const values = rows.map((row) => lists.map((c) => c.get(row)));
      expect(reads).to.deep.equal(["downtimes web1", "comments web1"]);
      expect(values.map((v) => v[lists.indexOf(column(table, "comments"))])).to.deep.equal([[kit.engine.commentsOf("web1", "disk")[0]!.id], [], []]);
    });
  });

  describe("AuthUser", () => {
    it("shows a service to its own contacts", () => {
      expect(select(table, ["host_name", "description"], { user: "bob" })).to.deep.equal([["web1", "disk"]]);
    });

    it("shows every service of a host to the host's contacts (Checkmk's loose default), also of a pending host", () => {
      expect(select(table, ["host_name", "description"], { user: "alice" })).to.deep.equal([
        ["web1", "disk"],
        ["web1", "load"],
        ["web1", "mem"],
      ]);
      expect(select(table, ["host_name", "description"], { user: "carol" })).to.deep.equal([["db1", "mysql"]]);
      expect(select(table, ["host_name", "description"], { user: "nobody" })).to.deep.equal([]);
    });
  });

  describe("rows", () => {
    it("are sorted by host name then description, also after services were added", async () => {
      await kit.write(result("web1", "cpu", 0), result("app1", "http", 0), result("web1", "zram", 0));
      expect(select(table, ["host_name", "description"])).to.deep.equal([
        ["app1", "http"],
        ["db1", "mysql"],
        ["web1", "cpu"],
        ["web1", "disk"],
        ["web1", "load"],
        ["web1", "mem"],
        ["web1", "zram"],
      ]);
    });

    it("with a hint are only the services of the named hosts", () => {
      expect(table.keyColumns).to.deep.equal(["host_name"]);
      expect(select(table, ["host_name", "description"], { keys: ["db1", "nosuch"] })).to.deep.equal([["db1", "mysql"]]);
      expect(select(table, ["host_name"], { keys: ["web1", "db1"] }).map(([h]) => h)).to.deep.equal(["db1", "web1", "web1", "web1"]);
    });
  });

  describe("json answers, whose rendered rows are reused while a service's state stands", () => {
    const ask = async (columns: string): Promise<unknown> => {
      const registry = new TableRegistry();
      registry.add(table);
      const request = parseRequest(["GET services", `Columns: ${columns}`, "Filter: host_name = web1", "OutputFormat: json"], T0);
      if (request.kind !== "get") throw new Error("not a GET");
      return JSON.parse((await answerQuery(request, registry, T0)).body);
    };

    it("show a new result, an acknowledgement and a downtime at once", async () => {
      const columns = "description state plugin_output acknowledged scheduled_downtime_depth";
      expect(await ask(columns)).to.deep.equal([
        ["disk", 1, "disk of web1 is 1", 0, 0],
        ["load", 0, "load of web1 is 0", 0, 0],
        ["mem", 2, "mem of web1 is 2", 0, 0],
      ]);
      await kit.write(result("web1", "load", 2, { timestamp: T0 + 1, output: "load high" }));
      acknowledge(kit, "web1", "disk", 2);
      scheduleDowntime(kit, "web1", "mem", 2, { startTime: T0, endTime: T0 + 600 });
      expect(await ask(columns)).to.deep.equal([
        ["disk", 1, "disk of web1 is 1", 1, 0],
        ["load", 2, "load high", 0, 0],
        ["mem", 2, "mem of web1 is 2", 0, 1],
      ]);
    });

    it("without a filter (a host's whole block reused) show a new result, a new service, an acknowledgement and a downtime at once", async () => {
      const registry = new TableRegistry();
      registry.add(table);
      const columns = ["host_name", "description", "state", "plugin_output", "acknowledged", "scheduled_downtime_depth"];
      const full = async (): Promise<unknown> => {
        const request = parseRequest(["GET services", `Columns: ${columns.join(" ")}`, "OutputFormat: json"], T0);
        if (request.kind !== "get") throw new Error("not a GET");
        return JSON.parse((await answerQuery(request, registry, T0)).body);
      };
      expect(await full()).to.deep.equal(select(table, columns));
      expect(await full(), "again, from the kept blocks").to.deep.equal(select(table, columns));
      await kit.write(result("web1", "load", 2, { timestamp: T0 + 1, output: "load high" }), result("web1", "cpu", 1), result("app1", "http", 0));
      expect(await full()).to.deep.equal(select(table, columns));
      acknowledge(kit, "web1", "mem", 2);
      scheduleDowntime(kit, "db1", "mysql", 2, { startTime: T0, endTime: T0 + 600 });
      const after = (await full()) as unknown[][];
      expect(after).to.deep.equal(select(table, columns));
      expect(after.filter((r) => r[4] === 1 || r[5] === 1).map((r) => [r[0], r[1], r[4], r[5]])).to.deep.equal([
        ["db1", "mysql", 0, 1],
        ["web1", "mem", 1, 0],
      ]);
    });

    it("read each host column once per host and query, not once per service", async () => {
      const entry = kit.engine.host("web1")!;
      const hostCheck = entry.hostCheck;
      let reads = 0;
      Object.defineProperty(entry, "hostCheck", {
        get: () => {
          reads++;
          return hostCheck;
        },
      });
      expect(await ask("description host_state host_plugin_output")).to.deep.equal([
        ["disk", 0, "Host of web1 is 0"],
        ["load", 0, "Host of web1 is 0"],
        ["mem", 0, "Host of web1 is 0"],
      ]);
      expect(reads, "the Host check read for each of the 2 host columns, once for the 3 services").to.equal(2);
    });

    it("reuse only columns of the service's state: host_name is one, the other host columns, staleness and the lists are not", () => {
      expect(["host_name", "description", "state", "plugin_output", "acknowledged"].filter((n) => column(table, n).stable !== true)).to.deep.equal([]);
      expect(["host_state", "host_alias", "staleness", "downtimes", "comments"].filter((n) => column(table, n).stable === true)).to.deep.equal([]);
    });

    it("show what changed outside the service's state: its host's columns, the clock, its downtimes", async () => {
      const columns = "description host_state staleness downtimes";
      const before = (await ask(columns)) as unknown[][];
      expect(before.map((r) => [r[0], r[1], r[3]])).to.deep.equal([
        ["disk", 0, []],
        ["load", 0, []],
        ["mem", 0, []],
      ]);
      await kit.write(result("web1", HOST_CHECK, 1, { timestamp: T0 + 1 }));
      kit.at(90);
      const [id] = scheduleDowntime(kit, "web1", "disk", 90, { startTime: T0 + 1000, endTime: T0 + 2000 });
      const after = (await ask(columns)) as unknown[][];
      expect(after.map((r) => [r[0], r[1], r[3]])).to.deep.equal([
        ["disk", 1, [id]],
        ["load", 1, []],
        ["mem", 1, []],
      ]);
      expect(after[0]![2]).to.equal(1.5).and.not.equal(before[0]![2]);
    });
  });

  describe("columns", () => {
    it("resolve with the service_ prefix, while host_ names are the host's columns", () => {
      expect(column(table, "service_state")).to.equal(column(table, "state"));
      expect(column(table, "service_description")).to.equal(column(table, "description"));
      expect(column(table, "host_state")).to.not.equal(column(table, "state"));
      expect(select(table, ["service_state", "host_state", "service_description", "host_name"], { keys: ["web1"] })[2]).to.deep.equal([2, 0, "mem", "web1"]);
    });

    it("have unique names, a known type and a description each, and the values their type says", () => {
      const [row] = [...table.rows({ keys: new Set(["web1"]) })];
      expectWellTypedColumns(table, [row!]);
    });

    it("of its own are all listed in the README with type and description", () => {
      expectReadmeListsColumns(
        readPluginReadme("plugins/table/services"),
        table.spec.columns.filter((c) => !c.name.startsWith("host_")),
      );
    });
  });
});
