import { expect } from "chai";
import { HOST_CHECK } from "../../../core";
import {
  column,
  engineKit,
  type EngineKit,
  expectReadmeListsColumns,
  expectWellTypedColumns,
  readPluginReadme,
  record,
  result,
  select,
  T0,
  built,
} from "../../../test/helpers/table-kit";
import { acknowledge, addComment, scheduleDowntime } from "../common/test-records";
import hostsPlugin from "./index";

/** The columns NagVis asks for on hosts (docs/client-queries.md), in its order. */
const NAGVIS_HOST_COLUMNS = [
  "state",
  "plugin_output",
  "alias",
  "display_name",
  "address",
  "notes",
  "last_check",
  "next_check",
  "state_type",
  "current_attempt",
  "max_check_attempts",
  "last_state_change",
  "last_hard_state_change",
  "perf_data",
  "acknowledged",
  "scheduled_downtime_depth",
  "has_been_checked",
  "name",
  "check_command",
  "custom_variable_names",
  "custom_variable_values",
  "staleness",
];

/** What Nagstamon reads by name from the header row of `GET hosts` without Columns. */
const NAGSTAMON_HOST_COLUMNS = [
  "name",
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
  "active_checks_enabled",
];

/**
 * web1: Host UP (contact alice, group hg-web, custom variables) and four services, one per
 * state (disk has contact bob and names group hg-disk). db1: pending (only a service, contact carol).
 */
async function twoHosts(kit: EngineKit): Promise<void> {
  await kit.write(
    result("web1", HOST_CHECK, 0, { contacts: ["alice"], hostgroups: ["hg-web"], customVariables: { ROLE: "web", SITE: "paris" } }),
    result("web1", "disk", 1, { contacts: ["bob"], hostgroups: ["hg-disk"] }),
    result("web1", "load", 0),
    result("web1", "mem", 2),
    result("web1", "swap", 3),
    result("db1", "mysql", 0, { contacts: ["carol"], hostgroups: ["hg-db"] }),
  );
}

describe("hosts table", () => {
  let kit: EngineKit;
  let table: ReturnType<typeof hostsPlugin.build>;

  beforeEach(async () => {
    kit = await engineKit();
    table = built(hostsPlugin, kit);
    await twoHosts(kit);
  });

  it("answers NagVis's host columns", () => {
    kit.at(30);
    const [web1] = record(table, NAGVIS_HOST_COLUMNS, { keys: ["web1"] });
    expect(web1).to.deep.equal({
      state: 0,
      plugin_output: "Host of web1 is 0",
      alias: "web1",
      display_name: "web1",
      address: "web1",
      notes: "",
      last_check: T0,
      next_check: T0 + 60,
      state_type: 1,
      current_attempt: 1,
      max_check_attempts: 1,
      last_state_change: T0,
      last_hard_state_change: T0,
      perf_data: "",
      acknowledged: 0,
      scheduled_downtime_depth: 0,
      has_been_checked: 1,
      name: "web1",
      check_command: "",
      custom_variable_names: ["ROLE", "SITE"],
      custom_variable_values: ["web", "paris"],
      staleness: 0.5,
    });
  });

  it("has every column Nagstamon reads by name in all-columns mode", () => {
    const names = table.spec.columns.map((c) => c.name);
    for (const n of NAGSTAMON_HOST_COLUMNS) expect(names, n).to.include(n);
    const [web1] = record(table, NAGSTAMON_HOST_COLUMNS, { keys: ["web1"] });
    expect(web1).to.include({ notifications_enabled: 1, is_flapping: 0, last_hard_state: 0, active_checks_enabled: 0 });
  });

  it("shows a host whose Host check has not come as Checkmk does: UP, has_been_checked 0, no times, not stale", () => {
    kit.at(10_000);
    const [db1] = record(
      table,
      [
        "name",
        "state",
        "has_been_checked",
        "state_type",
        "last_check",
        "next_check",
        "last_state_change",
        "plugin_output",
        "staleness",
        "check_interval",
        "num_services",
        "services",
      ],
      { keys: ["db1"] },
    );
    expect(db1).to.deep.equal({
      name: "db1",
      state: 0,
      has_been_checked: 0,
      state_type: 1,
      last_check: 0,
      next_check: 0,
      last_state_change: 0,
      plugin_output: "",
      staleness: 0,
      check_interval: 0,
      num_services: 1,
      services: ["mysql"],
    });
  });

  it("computes staleness as (now - last_check) / interval, on the query's clock", () => {
    kit.at(90);
    expect(select(table, ["staleness"], { keys: ["web1"] })).to.deep.equal([[1.5]]);
    kit.at(150);
    expect(select(table, ["staleness", "check_interval", "retry_interval"], { keys: ["web1"] })).to.deep.equal([[2.5, 1, 1]]);
  });

  it("counts the host's services per state and picks the worst as Checkmk (CRITICAL before UNKNOWN)", async () => {
    const cols = [
      "num_services",
      "total_services",
      "num_services_ok",
      "num_services_warn",
      "num_services_crit",
      "num_services_unknown",
      "num_services_pending",
      "worst_service_state",
      "worst_service_hard_state",
    ];
    expect(select(table, cols, { keys: ["web1"] })).to.deep.equal([[4, 4, 1, 1, 1, 1, 0, 2, 2]]);
    const hard = ["num_services_hard_ok", "num_services_hard_warn", "num_services_hard_crit", "num_services_hard_unknown"];
    expect(select(table, hard, { keys: ["web1"] })).to.deep.equal([[1, 1, 1, 1]]);
    await kit.write(result("web1", "mem", 0, { timestamp: T0 + 1 }));
    expect(select(table, ["worst_service_state"], { keys: ["web1"] })).to.deep.equal([[3]]); // UNKNOWN beats WARNING
    await kit.write(result("solo", HOST_CHECK, 1));
    expect(select(table, ["num_services", "worst_service_state", "services"], { keys: ["solo"] })).to.deep.equal([[0, 0, []]]);
  });

  it("tells handled problems (acknowledged) from unhandled ones", () => {
    expect(
      kit.engine.acknowledge({ hostname: "web1", check: "disk" }, { sticky: true, persistent: false, author: "alice", comment: "known", expireTime: 0 }, T0).ok,
    ).to.equal(true);
    expect(select(table, ["num_services_handled_problems", "num_services_unhandled_problems"], { keys: ["web1"] })).to.deep.equal([[1, 2]]);
  });

  it("lists the services sorted, with state, has_been_checked and output", () => {
    const [[services, withState, withInfo]] = select(table, ["services", "services_with_state", "services_with_info"], { keys: ["web1"] }) as [
      [unknown, unknown, unknown],
    ];
    expect(services).to.deep.equal(["disk", "load", "mem", "swap"]);
    expect(withState).to.deep.equal([
      ["disk", 1, 1],
      ["load", 0, 1],
      ["mem", 2, 1],
      ["swap", 3, 1],
    ]);
    expect((withInfo as unknown[][])[0]).to.deep.equal(["disk", 1, 1, "disk of web1 is 1"]);
  });

  it("takes groups from the Host check and every service (union, sorted); contact_groups are the contacts", () => {
    expect(select(table, ["name", "groups", "contacts", "contact_groups"])).to.deep.equal([
      ["db1", ["hg-db"], ["carol"], ["carol"]],
      ["web1", ["hg-disk", "hg-web"], ["alice"], ["alice"]],
    ]);
  });

  it("shows the groups a new result names at once: of a service, of the Host check, of a new service (groups are kept between queries)", async () => {
    const groups = (): unknown => select(table, ["groups"], { keys: ["web1"] })[0]![0];
    expect(groups()).to.deep.equal(["hg-disk", "hg-web"]);
    await kit.write(result("web1", "disk", 1, { timestamp: T0 + 1, hostgroups: ["hg-storage"] }));
    expect(groups()).to.deep.equal(["hg-storage", "hg-web"]);
    await kit.write(result("web1", HOST_CHECK, 0, { timestamp: T0 + 2, hostgroups: ["hg-front"] }));
    expect(groups()).to.deep.equal(["hg-front", "hg-storage"]);
    await kit.write(result("web1", "nfs", 0, { timestamp: T0 + 3, hostgroups: ["hg-nfs"] }));
    expect(groups()).to.deep.equal(["hg-front", "hg-nfs", "hg-storage"]);
  });

  it("serves the custom variables as parallel lists and as a dict", () => {
    expect(select(table, ["custom_variable_names", "custom_variable_values", "custom_variables"], { keys: ["web1"] })).to.deep.equal([
      [["ROLE", "SITE"], ["web", "paris"], { ROLE: "web", SITE: "paris" }],
    ]);
    expect(select(table, ["custom_variables"], { keys: ["db1"] })).to.deep.equal([[{}]]);
  });

  it("shows acknowledgements, with their type, and the downtime depth", async () => {
    await kit.write(result("web1", HOST_CHECK, 1, { timestamp: T0 + 10, contacts: ["alice"] }));
    expect(
      kit.engine.acknowledge(
        { hostname: "web1", check: HOST_CHECK },
        { sticky: true, persistent: false, author: "alice", comment: "on it", expireTime: 0 },
        T0 + 11,
      ).ok,
    ).to.equal(true);
    expect(
      select(table, ["state", "last_state", "acknowledged", "acknowledgement_type", "scheduled_downtime_depth", "last_state_change"], { keys: ["web1"] }),
    ).to.deep.equal([[1, 0, 1, 2, 0, T0 + 10]]);
  });

  it("answers whole seconds in time columns for fractional timestamps, and the last time per state", async () => {
    await kit.write(result("web1", HOST_CHECK, 1, { timestamp: T0 + 60.7 }));
    expect(select(table, ["last_check", "next_check", "last_time_up", "last_time_down", "last_time_unreachable"], { keys: ["web1"] })).to.deep.equal([
      [T0 + 60, T0 + 120, T0 + 60, T0 + 60, 0],
    ]);
  });

  it("shows an outdated host as the engine made it: DOWN, OUTDATED output, stale", () => {
    kit.at(121);
    kit.engine.tick();
    const [web1] = record(table, ["state", "plugin_output", "staleness"], { keys: ["web1"] });
    expect(web1!.state).to.equal(1);
    expect(web1!.plugin_output).to.match(/^OUTDATED - /);
    expect(web1!.staleness).to.be.at.least(2);
  });

  describe("downtimes and comments", () => {
    const LISTS = [
      "downtimes",
      "downtimes_with_info",
      "downtimes_with_extra_info",
      "pending_flex_downtime",
      "scheduled_downtime_depth",
      "comments",
      "comments_with_info",
      "comments_with_extra_info",
    ];

    it("are empty lists and zeros without any", () => {
      expect(select(table, LISTS)).to.deep.equal([
        [[], [], [], 0, 0, [], [], []],
        [[], [], [], 0, 0, [], [], []],
      ]);
    });

    it("list the host's own, by id, not its services'; a flexible downtime is pending until a problem", async () => {
      const fixed = scheduleDowntime(kit, "web1", HOST_CHECK, 1, { startTime: T0, endTime: T0 + 3600, comment: "patching" })[0]!;
      const flexible = scheduleDowntime(kit, "web1", HOST_CHECK, 2.5, {
        startTime: T0,
        endTime: T0 + 3600,
        fixed: false,
        duration: 600,
        author: "bob",
        comment: "if it fails",
      })[0]!;
      scheduleDowntime(kit, "web1", "disk", 3, { startTime: T0, endTime: T0 + 3600 });
      const note = addComment(kit, "web1", HOST_CHECK, 4, { comment: "new disk" });
      addComment(kit, "web1", "disk", 5);
      const [web1] = record(table, LISTS, { keys: ["web1"] });
      expect(web1).to.deep.equal({
        downtimes: [fixed, flexible],
        downtimes_with_info: [
          [fixed, "alice", "patching"],
          [flexible, "bob", "if it fails"],
        ],
        downtimes_with_extra_info: [
          [fixed, "alice", "patching", 0, T0 + 1, T0, T0 + 3600, 1, 3600, 0, 0],
          [flexible, "bob", "if it fails", 0, T0 + 2, T0, T0 + 3600, 0, 600, 0, 1],
        ],
        pending_flex_downtime: 1,
        scheduled_downtime_depth: 1,
        comments: [note],
        comments_with_info: [[note, "alice", "new disk"]],
        comments_with_extra_info: [[note, "alice", "new disk", 1, T0 + 4]],
      });
      // A problem starts the flexible downtime; the acknowledgement adds its comment (entry_type 4).
      await kit.write(result("web1", HOST_CHECK, 1, { timestamp: T0 + 10, contacts: ["alice"] }));
      const ack = acknowledge(kit, "web1", HOST_CHECK, 11, { comment: "on it" });
      expect(
        record(table, ["pending_flex_downtime", "scheduled_downtime_depth", "downtimes_with_extra_info", "comments_with_extra_info"], { keys: ["web1"] })[0],
      ).to.deep.equal({
        pending_flex_downtime: 0,
        scheduled_downtime_depth: 2,
        downtimes_with_extra_info: [
          [fixed, "alice", "patching", 0, T0 + 1, T0, T0 + 3600, 1, 3600, 0, 0],
          [flexible, "bob", "if it fails", 0, T0 + 2, T0, T0 + 3600, 0, 600, 0, 0],
        ],
        comments_with_extra_info: [
          [note, "alice", "new disk", 1, T0 + 4],
          [ack, "alice", "on it", 4, T0 + 11],
        ],
      });
      expect(select(table, ["name", "downtimes", "comments"], { keys: ["db1"] })).to.deep.equal([["db1", [], []]]);
    });

    it("are those of a pending host too, its active downtime counted in scheduled_downtime_depth", () => {
      const id = scheduleDowntime(kit, "db1", HOST_CHECK, 0, { startTime: T0, endTime: T0 + 600 })[0]!;
      const note = addComment(kit, "db1", HOST_CHECK, 0);
      expect(select(table, ["has_been_checked", "downtimes", "scheduled_downtime_depth", "comments"], { keys: ["db1"] })).to.deep.equal([[0, [id], 1, [note]]]);
    });
  });

  it("lists the metrics of the performance data", async () => {
    await kit.write(result("web1", HOST_CHECK, 0, { timestamp: T0 + 1, perfData: "rta=0.1ms;100;500;0 'pl %'=0%;20;60 'it''s'=1 garbage" }));
    expect(select(table, ["perf_data", "metrics"], { keys: ["web1"] })).to.deep.equal([
      ["rta=0.1ms;100;500;0 'pl %'=0%;20;60 'it''s'=1 garbage", ["rta", "pl %", "it's"]],
    ]);
  });

  describe("AuthUser", () => {
    it("shows a host to the contacts of its Host check, and a pending host to its services' contacts", () => {
      expect(select(table, ["name"], { user: "alice" })).to.deep.equal([["web1"]]);
      expect(select(table, ["name"], { user: "carol" })).to.deep.equal([["db1"]]);
    });

    it("does not show a checked host to a contact of one of its services only, nor anything to an unknown user", () => {
      expect(select(table, ["name"], { user: "bob" })).to.deep.equal([]);
      expect(select(table, ["name"], { user: "nobody" })).to.deep.equal([]);
    });
  });

  describe("rows", () => {
    it("are sorted by name, also after hosts were added", async () => {
      expect(select(table, ["name"])).to.deep.equal([["db1"], ["web1"]]);
      await kit.write(result("app1", "http", 0), result("zz9", HOST_CHECK, 0), result("m", HOST_CHECK, 0));
      expect(select(table, ["name"])).to.deep.equal([["app1"], ["db1"], ["m"], ["web1"], ["zz9"]]);
    });

    it("with a hint are only the named hosts that exist, sorted", () => {
      expect(select(table, ["name"], { keys: ["web1", "nosuch", "db1"] })).to.deep.equal([["db1"], ["web1"]]);
      expect(select(table, ["name"], { keys: [] })).to.deep.equal([]);
      expect(table.keyColumns).to.deep.equal(["name"]);
    });
  });

  describe("columns", () => {
    it("resolve with the host_ prefix as Checkmk does (host_name is name, host_groups is groups)", () => {
      expect(column(table, "host_name")).to.equal(column(table, "name"));
      expect(column(table, "host_groups")).to.equal(column(table, "groups"));
      expect(column(table, "host_host_state")).to.equal(column(table, "state"));
      expect(select(table, ["host_name", "host_state"], { keys: ["web1"] })).to.deep.equal([["web1", 0]]);
    });

    it("have unique names, a known type and a description each, and the values their type says", () => {
      const [row] = [...table.rows({ keys: new Set(["web1"]) })];
      expectWellTypedColumns(table, [row!]);
    });

    it("are all listed in the README with type and description", () => {
      expectReadmeListsColumns(readPluginReadme("plugins/table/hosts"), table.spec.columns);
    });
  });
});
