import fs from "node:fs";
import path from "node:path";
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
  SelfStats,
  T0,
  TableRegistry,
  tableContext,
  tableInstance,
} from "../../../test/helpers/table-kit";
import { REPO_ROOT } from "../../../test/helpers/tantale-process";
import statusPlugin from "./index";

const VERSION = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;

/** What Multisite asks on every page (the original Tantale's fixtures), and the peer's "a few columns" query. */
const MULTISITE_STATUS_COLUMNS = ["livestatus_version", "program_version", "program_start", "num_hosts", "num_services"];

describe("status table", () => {
  let kit: EngineKit;
  let stats: SelfStats;
  let table: ReturnType<typeof statusPlugin.build>;

  beforeEach(async () => {
    kit = await engineKit();
    stats = new SelfStats();
    table = statusPlugin.build(tableContext(kit, {}, { stats })); // program_start: when built, T0
    // web1: Host and two services; db1: pending, one service.
    await kit.write(result("web1", HOST_CHECK, 0), result("web1", "disk", 1), result("web1", "load", 0), result("db1", "mysql", 2));
  });

  it("has exactly one row", () => {
    expect(select(table, ["num_hosts"])).to.deep.equal([[2]]);
    expect(table.keyColumns).to.deep.equal([]);
    expect(table.visibleTo).to.equal(undefined); // no AuthUser on status (docs/livestatus.md §2.3)
  });

  it("answers Multisite's columns: versions, start, host and service counts (pending hosts counted)", () => {
    expect(record(table, MULTISITE_STATUS_COLUMNS)).to.deep.equal([
      { livestatus_version: `tantale-${VERSION}`, program_version: VERSION, program_start: T0, num_hosts: 2, num_services: 3 },
    ]);
  });

  it("follows the engine: a new host and service count at the next query", async () => {
    await kit.write(result("app1", "http", 0), result("web1", "mem", 0));
    expect(select(table, ["num_hosts", "num_services"])).to.deep.equal([[3, 5]]);
  });

  it("gives the daemon's pid and the query's time as last_command_check", () => {
    kit.at(42);
    expect(select(table, ["nagios_pid", "core_pid", "last_command_check", "last_log_rotation"])).to.deep.equal([[process.pid, process.pid, T0 + 42, 0]]);
  });

  it("answers the feature flags of a passive-only daemon", () => {
    const [flags] = record(table, [
      "interval_length",
      "enable_notifications",
      "execute_service_checks",
      "execute_host_checks",
      "accept_passive_service_checks",
      "accept_passive_host_checks",
      "enable_event_handlers",
      "enable_flap_detection",
      "process_performance_data",
      "check_service_freshness",
      "check_host_freshness",
      "obsess_over_services",
      "obsess_over_hosts",
      "check_external_commands",
      "is_trial_screen",
    ]);
    expect(flags).to.deep.equal({
      interval_length: 60,
      enable_notifications: 1,
      execute_service_checks: 0,
      execute_host_checks: 0,
      accept_passive_service_checks: 1,
      accept_passive_host_checks: 1,
      enable_event_handlers: 0,
      enable_flap_detection: 0,
      process_performance_data: 1,
      check_service_freshness: 1,
      check_host_freshness: 1,
      obsess_over_services: 0,
      obsess_over_hosts: 0,
      check_external_commands: 1,
      is_trial_screen: 0,
    });
  });

  describe("Livestatus counters", () => {
    it("are 0 while no instance counts requests", () => {
      stats.of("line").add("connections", 7); // the line input's connections are no Livestatus connections
      expect(select(table, ["connections", "requests", "connections_rate", "requests_rate", "livestatus_active_connections"])).to.deep.equal([[0, 0, 0, 0, 0]]);
    });

    it("sum the connections and requests of the instances that count requests, with rates averaged since program start", () => {
      stats.of("livestatus").add("connections", 4);
      stats.of("livestatus").add("requests", 10);
      stats.of("livestatus").set("connections_open", 1);
      stats.of("livestatus-local").add("requests", 6);
      stats.of("livestatus-local").add("connections", 4);
      stats.of("livestatus-local").add("overflows", 8);
      stats.of("line").add("connections", 50);
      stats.of("line").set("connections_open", 3);
      stats.of("line").add("overflows", 100);
      kit.at(8);
      expect(select(table, ["connections", "requests", "connections_rate", "requests_rate", "livestatus_active_connections"])).to.deep.equal([
        [8, 16, 1, 2, 1],
      ]);
      expect(select(table, ["livestatus_overflows", "livestatus_overflows_rate"])).to.deep.equal([[8, 1]]);
    });

    it("give livestatus_usage as the share of max_connections open now", () => {
      stats.of("livestatus").add("requests", 0);
      stats.of("livestatus").set("connections_max", 500);
      stats.of("livestatus").set("connections_open", 50);
      expect(select(table, ["livestatus_usage"])).to.deep.equal([[0.1]]);
    });

    it("divide by at least one second right after the start", () => {
      stats.of("livestatus").add("requests", 3);
      expect(select(table, ["requests_rate"])).to.deep.equal([[3]]);
    });
  });

  describe("Tantale's figures", () => {
    it("count the service and Host results applied as service_checks and host_checks", () => {
      stats.of("(state)").add("results_applied", 10);
      stats.of("(state)").add("host_results_applied", 4);
      kit.at(2);
      expect(select(table, ["service_checks", "host_checks", "service_checks_rate", "host_checks_rate"])).to.deep.equal([[6, 4, 3, 2]]);
    });

    it("sum results accepted, rejected by every input and reason, and ignored; queues of the store and outputs; spools", () => {
      stats.of("core").add("results_accepted", 30);
      stats.describe("line", "input");
      stats.of("line").add("rejected_invalid_json", 2);
      stats.of("line").add("rejected_line_too_long", 1);
      stats.describe("nagios", "input");
      stats.of("nagios").add("rejected_unknown_command", 3);
      stats.of("(state)").add("results_out_of_order", 5);
      stats.of("(state)").add("results_duplicate", 1);
      stats.of("(state)").set("queue_length", 7);
      stats.of("file").set("queue_length", 2);
      stats.of("forwarder").set("spool_bytes", 4096);
      stats.of("es").set("spool_bytes", 1024);
      stats.of("(state)").add("checks_outdated", 9);
      expect(
        record(table, [
          "tantale_results_accepted",
          "tantale_results_rejected",
          "tantale_results_ignored",
          "tantale_queue_depth",
          "tantale_store_queue_depth",
          "tantale_spool_bytes",
          "tantale_checks_outdated",
        ]),
      ).to.deep.equal([
        {
          tantale_results_accepted: 30,
          tantale_results_rejected: 6,
          tantale_results_ignored: 6,
          tantale_queue_depth: 9,
          tantale_store_queue_depth: 7,
          tantale_spool_bytes: 5120,
          tantale_checks_outdated: 9,
        },
      ]);
    });

    it("give commit and Livestatus latencies in seconds: mean and 99th percentile since the start, 0 before any", () => {
      expect(select(table, ["tantale_commit_latency_avg", "tantale_commit_latency_p99", "tantale_livestatus_latency_p99"])).to.deep.equal([[0, 0, 0]]);
      const commits = stats.of("(state)").histogram("commit_seconds");
      for (let i = 0; i < 100; i++) commits.observe(0.004); // all in (0.0025, 0.005]
      stats.of("livestatus").add("requests", 1);
      stats.of("livestatus").histogram("request_seconds").observe(0.0002); // in (0, 0.0005]
      const [avg, p99, lsP99] = select(table, ["tantale_commit_latency_avg", "tantale_commit_latency_p99", "tantale_livestatus_latency_p99"])[0] as number[];
      expect(avg).to.be.closeTo(0.004, 1e-9);
      expect(p99).to.be.closeTo(0.0025 + 0.0025 * 0.99, 1e-9);
      expect(lsP99).to.be.closeTo(0.0005 * 0.99, 1e-9);
    });
  });

  describe("columns", () => {
    it("resolve with the status_ prefix", () => {
      expect(column(table, "status_num_hosts")).to.equal(column(table, "num_hosts"));
      expect(select(table, ["status_program_version"])).to.deep.equal([[VERSION]]);
    });

    it("include every column of the peer's all-columns answer (docs/reference-answers.md §1)", () => {
      const peer =
        "accept_passive_host_checks accept_passive_service_checks cached_log_messages check_external_commands check_host_freshness check_service_freshness connections connections_rate custom_variable_names custom_variable_values custom_variables enable_event_handlers enable_flap_detection enable_notifications execute_host_checks execute_service_checks external_command_buffer_max external_command_buffer_slots external_command_buffer_usage external_commands external_commands_rate forks forks_rate host_checks host_checks_rate interval_length last_command_check last_log_rotation livecheck_overflows livecheck_overflows_rate livechecks livechecks_rate livestatus_active_connections livestatus_queued_connections livestatus_threads livestatus_version log_messages log_messages_rate nagios_pid neb_callbacks neb_callbacks_rate num_hosts num_services obsess_over_hosts obsess_over_services process_performance_data program_start program_version requests requests_rate service_checks service_checks_rate";
      const names = table.spec.columns.map((c) => c.name);
      for (const n of peer.split(" ")) expect(names, n).to.include(n);
    });

    it("have unique names, a description each, and the values their type says", () => {
      const [row] = [...table.rows({})];
      expectWellTypedColumns(table, [row!]);
    });

    it("are all listed in the README with type and description", () => {
      expectReadmeListsColumns(readPluginReadme("plugins/table/status"), table.spec.columns);
    });
  });

  describe("plugin", () => {
    it("takes program_start at its start, adds its table on start and removes it on stop, twice without harm", async () => {
      const tables = new TableRegistry();
      kit.at(5);
      const plugin = tableInstance(statusPlugin, kit, tables, { stats });
      kit.at(100.7);
      await plugin.start();
      expect(tables.get("status")).to.equal(plugin.table);
      kit.at(200);
      expect(select(plugin.table!, ["program_start", "num_services"])).to.deep.equal([[T0 + 100, 3]]);
      await plugin.stop();
      await plugin.stop();
      expect(tables.get("status")).to.equal(undefined);
    });
  });
});
