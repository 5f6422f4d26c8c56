/**
 * The requests real Livestatus clients send, captured on the server side (shared/peer/
 * docs/client-queries.md: NagVis 1.9.34, Nagstamon 3.10.1, Monitoring::Livestatus 0.84), sent to
 * one Tantale daemon byte for byte, headers included, over a raw socket and the way each
 * client does it (NagVis: one KeepAlive connection; Nagstamon: a connection per query, read
 * until the server closes; Perl: fixed16, KeepAlive, COMMAND then half-close). Each answer
 * must be 200 (in fixed16 where asked), parse, and hold the fed data set: row counts,
 * types (numbers are numbers) and the values of some columns.
 *
 * Requests against tables no plugin provides yet are skipped with the table named; they run
 * as soon as the table plugin is in plugins/index.ts.
 */
import { expect } from "chai";
import { BUILT_IN_PLUGINS } from "../../plugins";
import * as captured from "../core/livestatus/client-requests";
import { splitFixed16 } from "../helpers/livestatus-answer";
import { LivestatusClient, exchange } from "../helpers/livestatus-client";
import { LineClient, freePort, waitForPort } from "../helpers/net";
import { ForegroundTantale } from "../helpers/tantale-process";
import { cleanupTempDirs, makeConfDir, makeTempDir } from "../helpers/temp-dir";

// The requests of docs/client-queries.md, verbatim (test/core/livestatus/client-requests.ts, the
// one copy of them); each ends there without the empty line that ends a request, added here.
const sent = (request: string): string => `${request}\n\n`;

const NAGVIS_HOSTSBYGROUP_STATS = sent(captured.NAGVIS_HOSTSBYGROUP_STATS);
const NAGVIS_SERVICESBYHOSTGROUP_STATS = sent(captured.NAGVIS_SERVICESBYHOSTGROUP_STATS);
const NAGVIS_HOSTS_OF_GROUP = sent(captured.NAGVIS_HOSTS_OF_GROUP);
const NAGVIS_SERVICES_OF_GROUP_STATS = sent(captured.NAGVIS_SERVICES_OF_GROUP_STATS);
const NAGVIS_HOSTS_BY_NAME = sent(captured.NAGVIS_HOSTS_BY_NAME);
const NAGVIS_SERVICES_OF_HOSTS_STATS = sent(captured.NAGVIS_SERVICES_OF_HOSTS_STATS);
const NAGVIS_SERVICES_OF_HOSTS = sent(captured.NAGVIS_SERVICES_OF_HOSTS);
const NAGVIS_SERVICES_BY_KEY = sent(captured.NAGVIS_SERVICES_BY_KEY);
const NAGSTAMON_HOSTS = sent(captured.NAGSTAMON_HOSTS);
const NAGSTAMON_SERVICES = sent(captured.NAGSTAMON_SERVICES);
const PERL_HOSTS = sent(captured.PERL_HOSTS);
const PERL_COMMAND = sent(captured.PERL_COMMAND);

/** The tables Tantale serves by default: the table plugins built in. */
const SERVED_TABLES = new Set(BUILT_IN_PLUGINS.filter((p) => p.kind === "table").map((p) => p.name));

/** The table a request asks, undefined for a COMMAND. */
function tableOf(request: string): string | undefined {
  return /^GET (\S+)/.exec(request)?.[1];
}

/** `it`, or `it.skip` naming the table when no plugin provides it yet. */
function itFor(request: string, title: string, fn: () => Promise<void> | void): void {
  const table = tableOf(request);
  if (table !== undefined && !SERVED_TABLES.has(table)) it.skip(`${title} [skipped: needs the ${table} table, not in plugins/index.ts yet]`, fn);
  else it(title, fn);
}

// ---------------------------------------------------------------------------------------
// The data set: 10 hosts x 5 services as peer/feed.pl -R 1 makes them (host-0001..host-0010,
// svc-01..svc-05, state of service (i,j) from k = (7i + 3j + 1) mod 20, groups as
// peer/icinga2-setup.sh: host i in hg-((i-1) mod 10), service j in sg-((j-1) mod 5)), with a
// few changes so that each branch of the clients' queries has something to count:
// - host-0001..host-0004 are also in hg-0, the host group of the NagVis map (host-0001 is
//   there already): hg-0 has hosts in two groups;
// - host-0002 is DOWN (Nagstamon's host problem);
// - host-0010 has no Host result, only service results (a pending host), and its service
//   results name hg-0 too;
// - host-0003/svc-01 is UNKNOWN;
// - host-0004/svc-02 is 1.7 intervals old (NagVis's staleness >= 1.5).
// ---------------------------------------------------------------------------------------

const HOST_COUNT = 10;
const SERVICE_COUNT = 5;
const hostName = (i: number): string => `host-${String(i).padStart(4, "0")}`;
const serviceName = (j: number): string => `svc-${String(j).padStart(2, "0")}`;
const STATE_TEXT = ["OK", "WARNING", "CRITICAL", "UNKNOWN"];
const PENDING_HOST = hostName(10);
const DOWN_HOST = hostName(2);
const UNKNOWN_SERVICE = { host: hostName(3), service: serviceName(1) };
const STALE_SERVICE = { host: hostName(4), service: serviceName(2) };
/** Interval and age of the stale service: staleness 1.7, outdated (2 intervals) only 300 s later. */
const STALE_INTERVAL = 1000;
const STALE_AGE = 1700;
const INTERVAL = 300;

interface ModelHost {
  readonly name: string;
  readonly index: number;
  readonly groups: readonly string[];
  /** 0 while pending (Tantale's rendering, hosts README). */
  readonly state: number;
  readonly checked: boolean;
  readonly output: string;
  readonly perf: string;
}

interface ModelService {
  readonly host: ModelHost;
  readonly description: string;
  readonly state: number;
  readonly stale: boolean;
  readonly output: string;
  readonly perf: string;
  readonly groups: readonly string[];
}

function hostGroups(i: number): string[] {
  const groups = new Set([`hg-${(i - 1) % 10}`]);
  if (i <= 4 || i === 10) groups.add("hg-0");
  return [...groups].sort();
}

/** The hosts and services once everything is fed (`hostsUp`: before host-0002 goes DOWN). */
function model(hostsUp = false): { hosts: ModelHost[]; services: ModelService[] } {
  const hosts: ModelHost[] = [];
  const services: ModelService[] = [];
  for (let i = 1; i <= HOST_COUNT; i++) {
    const name = hostName(i);
    const state = name === DOWN_HOST && !hostsUp ? 1 : 0;
    const checked = name !== PENDING_HOST;
    const host: ModelHost = {
      name,
      index: i,
      groups: hostGroups(i),
      state,
      checked,
      output: checked ? `${state ? "DOWN" : "UP"} - ${name} ref` : "",
      perf: checked ? `rta=${((i % 97) / 10).toFixed(3)}ms;100;200;0` : "",
    };
    hosts.push(host);
    for (let j = 1; j <= SERVICE_COUNT; j++) {
      const description = serviceName(j);
      const k = (7 * i + 3 * j + 1) % 20;
      let st = k < 17 ? 0 : k - 16;
      if (name === UNKNOWN_SERVICE.host && description === UNKNOWN_SERVICE.service) st = 3;
      services.push({
        host,
        description,
        state: st,
        stale: name === STALE_SERVICE.host && description === STALE_SERVICE.service,
        output: `${STATE_TEXT[st] ?? `state ${st}`} - ${name}/${description} ref`,
        perf: `value=${(i * j) % 101};80;90;0;100`,
        groups: [`sg-${(j - 1) % 5}`],
      });
    }
  }
  return { hosts, services };
}

/** The columns NagVis's Stats lines look at, for a host row of this data set (no acknowledgement, no downtime). */
function hostStatsRow(h: ModelHost): Record<string, number> {
  return { state: h.state, has_been_checked: h.checked ? 1 : 0, acknowledged: 0, scheduled_downtime_depth: 0, staleness: 0 };
}

function serviceStatsRow(s: ModelService): Record<string, number> {
  return {
    state: s.state,
    has_been_checked: 1,
    acknowledged: 0,
    host_acknowledged: 0,
    scheduled_downtime_depth: 0,
    host_scheduled_downtime_depth: 0,
    staleness: s.stale ? STALE_AGE / STALE_INTERVAL : 0,
  };
}

/**
 * An independent reading of a request's `Stats:` lines (numeric comparisons, StatsAnd,
 * StatsOr: what NagVis sends): one predicate per stats column, evaluated on model rows.
 */
function statsPredicates(request: string): ((row: Record<string, number>) => boolean)[] {
  const stack: ((row: Record<string, number>) => boolean)[] = [];
  for (const line of request.split("\n")) {
    let m = /^Stats: (\S+) (=|!=|<|>|<=|>=) (.+)$/.exec(line);
    if (m !== null) {
      const [, column, op, operand] = m as unknown as [string, string, string, string];
      const value = Number(operand);
      stack.push((row) => {
        const v = row[column];
        if (v === undefined) throw new Error(`the model has no ${column}`);
        return op === "=" ? v === value : op === "!=" ? v !== value : op === "<" ? v < value : op === ">" ? v > value : op === "<=" ? v <= value : v >= value;
      });
      continue;
    }
    m = /^Stats(And|Or): (\d+)$/.exec(line);
    if (m !== null) {
      const parts = stack.splice(stack.length - Number(m[2]));
      stack.push(m[1] === "And" ? (row) => parts.every((p) => p(row)) : (row) => parts.some((p) => p(row)));
    }
  }
  return stack;
}

function counts(request: string, rows: readonly Record<string, number>[]): number[] {
  return statsPredicates(request).map((p) => rows.filter(p).length);
}

/** A fixed16 json answer: checks the header and the status, returns the parsed body. */
function fixed16Json(raw: string): unknown[][] {
  const { status, body } = splitFixed16(raw);
  expect(status, body).to.equal(200);
  return JSON.parse(body) as unknown[][];
}

function sortRows(rows: unknown[][]): unknown[][] {
  return [...rows].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

function expectTypes(row: readonly unknown[], columns: readonly string[], types: Readonly<Record<string, "number" | "string" | "list">>): void {
  columns.forEach((c, i) => {
    const want = types[c];
    if (want === undefined) throw new Error(`no type given for ${c}`);
    const v = row[i];
    if (want === "list") expect(v, c).to.be.an("array");
    else expect(typeof v, `${c} = ${JSON.stringify(v)}`).to.equal(want);
  });
}

const HOST_COLUMN_TYPES: Readonly<Record<string, "number" | "string" | "list">> = {
  state: "number",
  plugin_output: "string",
  alias: "string",
  display_name: "string",
  address: "string",
  notes: "string",
  last_check: "number",
  next_check: "number",
  state_type: "number",
  current_attempt: "number",
  max_check_attempts: "number",
  last_state_change: "number",
  last_hard_state_change: "number",
  perf_data: "string",
  acknowledged: "number",
  scheduled_downtime_depth: "number",
  has_been_checked: "number",
  name: "string",
  check_command: "string",
  custom_variable_names: "list",
  custom_variable_values: "list",
  staleness: "number",
};

const SERVICE_COLUMN_TYPES: Readonly<Record<string, "number" | "string" | "list">> = {
  ...HOST_COLUMN_TYPES,
  description: "string",
  host_alias: "string",
  host_address: "string",
  host_acknowledged: "number",
  host_scheduled_downtime_depth: "number",
  host_name: "string",
};

function columnsOf(request: string): string[] {
  return (/^Columns: (.*)$/m.exec(request)?.[1] ?? "").split(" ").filter((c) => c !== "");
}

/** Nagstamon's table(): rows as dicts keyed by the header row; throws as Python would on an answer without header. */
function nagstamonTable(data: unknown[][]): Record<string, unknown>[] {
  const [header, ...rows] = data;
  if (header === undefined) throw new Error("StopIteration: no header row (Nagstamon aborts)");
  return rows.map((r) => Object.fromEntries((header as string[]).map((name, i) => [name, r[i]])));
}

/** What Nagstamon's _update_object and _create_host/_create_service read (Nagstamon/Servers/Livestatus.py), with the types it needs. */
function expectNagstamonFields(d: Record<string, unknown>, what: string): void {
  for (const key of [
    "last_check",
    "last_state_change",
    "current_attempt",
    "notifications_enabled",
    "is_flapping",
    "acknowledged",
    "scheduled_downtime_depth",
    "state",
    "last_hard_state",
  ]) {
    expect(typeof d[key], `${what} ${key}`).to.equal("number");
  }
  expect(typeof d.plugin_output, `${what} plugin_output`).to.equal("string");
  expect(d.notifications_enabled, `${what}: notifications shown as enabled`).to.equal(1);
  expect(d.state, `${what}: hard state`).to.equal(d.last_hard_state);
}

describe("Livestatus: the requests real clients send (docs/client-queries.md), answered with the fed data", function () {
  this.timeout(60_000);
  let t: ForegroundTantale;
  let ls: number;
  let lineClient: LineClient;
  let now: number;

  async function feed(lines: object[]): Promise<void> {
    for (const l of lines) lineClient.send(JSON.stringify(l));
    lineClient.send("SYNC");
    expect(await lineClient.next()).to.match(/^SYNCED/);
  }

  function hostResult(h: ModelHost, timestamp: number): object {
    return { hostname: h.name, check: "Host", status: h.state, output: `${h.output}|${h.perf}`, timestamp, interval: INTERVAL, hostgroups: h.groups };
  }

  function serviceResult(s: ModelService): object {
    const stale = s.stale;
    return {
      hostname: s.host.name,
      check: s.description,
      status: s.state,
      output: `${s.output}|${s.perf}`,
      timestamp: stale ? now - STALE_AGE : now,
      interval: stale ? STALE_INTERVAL : INTERVAL,
      servicegroups: s.groups,
      // the pending host has no Host result: its groups come from its services' results
      ...(s.host.checked ? {} : { hostgroups: s.host.groups }),
    };
  }

  before(async function () {
    const line = await freePort();
    ls = await freePort();
    const conf = makeConfDir({ "line.conf": `port = ${line}\n`, "livestatus.conf": `port = ${ls}\ncommands = gui, results\n`, "sqlite.conf": "" });
    t = ForegroundTantale.start(["--conf-dir", conf, "--data-dir", makeTempDir()]);
    await t.waitForMessage("tantale started");
    await waitForPort(ls);
    lineClient = await LineClient.connect(line);
    now = Math.floor(Date.now() / 1000);
    // First only the checked hosts, all UP, and no service: nothing for Nagstamon to show.
    await feed(
      model(true)
        .hosts.filter((h) => h.checked)
        .map((h) => hostResult(h, now - 1)),
    );
  });
  after(async () => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
    lineClient?.close();
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
    await t?.kill();
    cleanupTempDirs();
  });

  describe("Nagstamon with nothing to report (all hosts UP, no service yet)", () => {
    // Icinga 2 answers [] here, and Nagstamon's table() then aborts the GUI (docs/client-queries.md).
    itFor(NAGSTAMON_HOSTS, "hosts: 200 and the header row alone", async () => {
      const data = JSON.parse(await exchange(ls, NAGSTAMON_HOSTS)) as unknown[][];
      expect(data).to.have.length(1);
      expect(nagstamonTable(data)).to.deep.equal([]);
      expect(data[0]).to.include.members(["name", "display_name", "state", "last_check", "plugin_output", "last_hard_state"]);
    });
    itFor(NAGSTAMON_SERVICES, "services: 200 and the header row alone", async () => {
      const data = JSON.parse(await exchange(ls, NAGSTAMON_SERVICES)) as unknown[][];
      expect(data).to.have.length(1);
      expect(nagstamonTable(data)).to.deep.equal([]);
      expect(data[0]).to.include.members(["host_name", "description", "display_name", "state", "host_state", "host_last_check"]);
    });
  });

  describe("with every result fed", () => {
    const { hosts, services } = model();
    const inGroup = (g: string) => (h: ModelHost) => h.groups.includes(g);
    const hg0Hosts = hosts.filter(inGroup("hg-0"));
    const mapHosts = [1, 2, 3, 4].map(hostName);

    before(async () => {
      await feed([
        hostResult(
          hosts.find((h) => h.name === DOWN_HOST)!,
          now,
        ),
        ...services.map(serviceResult),
      ]);
    });

    describe("NagVis: one KeepAlive connection, json, fixed16", () => {
      const requests = [
        NAGVIS_HOSTSBYGROUP_STATS,
        NAGVIS_SERVICESBYHOSTGROUP_STATS,
        NAGVIS_HOSTS_OF_GROUP,
        NAGVIS_SERVICES_OF_GROUP_STATS,
        NAGVIS_HOSTS_BY_NAME,
        NAGVIS_SERVICES_OF_HOSTS_STATS,
        NAGVIS_SERVICES_OF_HOSTS,
        NAGVIS_SERVICES_BY_KEY,
      ];
      const answers = new Map<string, string>();
      let client: LivestatusClient;

      before(async () => {
        // NagVis keeps one connection per page view and reads exactly the fixed16 length.
        client = await LivestatusClient.connect(ls);
        for (const request of requests) {
          const table = tableOf(request);
          if (table !== undefined && !SERVED_TABLES.has(table)) continue;
          client.send(request);
          answers.set(request, (await client.answer()).raw);
        }
      });
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
      after(() => client?.destroy());

      it("every answer came on the one connection, which is still open (KeepAlive: on)", async () => {
        await client.silentFor(100);
        expect(answers.size).to.equal(requests.filter((r) => SERVED_TABLES.has(tableOf(r)!)).length);
      });

      itFor(NAGVIS_HOSTSBYGROUP_STATS, "hostsbygroup: host counts of each group of the hg-0 hosts, as numbers", () => {
        const rows = fixed16Json(answers.get(NAGVIS_HOSTSBYGROUP_STATS)!);
        // one row per group of the hosts in hg-0 (a host in two groups counts in both)
        const groups = [...new Set(hg0Hosts.flatMap((h) => h.groups))].sort();
        const expected = groups.map((g) => [g, g, ...counts(NAGVIS_HOSTSBYGROUP_STATS, hg0Hosts.filter(inGroup(g)).map(hostStatsRow))]);
        expect(sortRows(rows)).to.deep.equal(expected);
        // hg-0: host-0010 pending, host-0001/3/4 UP, host-0002 DOWN
        expect(rows.find((r) => r[0] === "hg-0")).to.deep.equal(["hg-0", "hg-0", 1, 3, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
      });

      itFor(NAGVIS_SERVICESBYHOSTGROUP_STATS, "servicesbyhostgroup: service counts per group, as numbers", () => {
        const rows = fixed16Json(answers.get(NAGVIS_SERVICESBYHOSTGROUP_STATS)!);
        const groups = [...new Set(hg0Hosts.flatMap((h) => h.groups))].sort();
        const expected = groups.map((g) => [
          g,
          ...counts(NAGVIS_SERVICESBYHOSTGROUP_STATS, services.filter((s) => s.host.groups.includes("hg-0") && s.host.groups.includes(g)).map(serviceStatsRow)),
        ]);
        expect(sortRows(rows)).to.deep.equal(expected);
        // hg-0: 25 services; OK 18 fresh + 1 stale, WARNING 3, CRITICAL 2, UNKNOWN 1
        expect(rows.find((r) => r[0] === "hg-0")).to.deep.equal(["hg-0", 0, 18, 1, 0, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0]);
      });

      itFor(NAGVIS_HOSTS_OF_GROUP, "hosts of hg-0: one row per host, typed columns, the fed states and outputs", () => {
        const columns = columnsOf(NAGVIS_HOSTS_OF_GROUP);
        const rows = fixed16Json(answers.get(NAGVIS_HOSTS_OF_GROUP)!);
        const at = (c: string): number => columns.indexOf(c);
        expect(rows.map((r) => r[at("name")]).sort()).to.deep.equal(hg0Hosts.map((h) => h.name));
        for (const row of rows) {
          expectTypes(row, columns, HOST_COLUMN_TYPES);
          const h = hosts.find((x) => x.name === row[at("name")])!;
          expect([row[at("state")], row[at("has_been_checked")], row[at("plugin_output")], row[at("perf_data")]], h.name).to.deep.equal([
            h.state,
            h.checked ? 1 : 0,
            h.output,
            h.perf,
          ]);
          expect(row[at("staleness")], h.name).to.be.below(1.5);
          if (h.checked) expect(row[at("last_check")], h.name).to.be.within(now - 1, now + 1);
          expect([row[at("acknowledged")], row[at("scheduled_downtime_depth")]]).to.deep.equal([0, 0]);
        }
      });

      itFor(NAGVIS_SERVICES_OF_GROUP_STATS, "services of hg-0 hosts: counts per host, as numbers", () => {
        const rows = fixed16Json(answers.get(NAGVIS_SERVICES_OF_GROUP_STATS)!);
        const expected = hg0Hosts.map((h) => [
          h.name,
          h.name,
          ...counts(NAGVIS_SERVICES_OF_GROUP_STATS, services.filter((s) => s.host === h).map(serviceStatsRow)),
        ]);
        expect(sortRows(rows)).to.deep.equal(expected);
      });

      itFor(NAGVIS_HOSTS_BY_NAME, "hosts by name (Or: 4): the four map hosts", () => {
        const columns = columnsOf(NAGVIS_HOSTS_BY_NAME);
        const rows = fixed16Json(answers.get(NAGVIS_HOSTS_BY_NAME)!);
        expect(rows.map((r) => r[columns.indexOf("name")]).sort()).to.deep.equal(mapHosts);
        for (const row of rows) expectTypes(row, columns, HOST_COLUMN_TYPES);
        const down = rows.find((r) => r[columns.indexOf("name")] === DOWN_HOST)!;
        expect([down[columns.indexOf("state")], down[columns.indexOf("plugin_output")]]).to.deep.equal([1, `DOWN - ${DOWN_HOST} ref`]);
      });

      itFor(NAGVIS_SERVICES_OF_HOSTS_STATS, "services of the four map hosts: counts per host, as numbers", () => {
        const rows = fixed16Json(answers.get(NAGVIS_SERVICES_OF_HOSTS_STATS)!);
        const expected = mapHosts.map((name) => [
          name,
          name,
          ...counts(NAGVIS_SERVICES_OF_HOSTS_STATS, services.filter((s) => s.host.name === name).map(serviceStatsRow)),
        ]);
        expect(sortRows(rows)).to.deep.equal(expected);
      });

      itFor(NAGVIS_SERVICES_OF_HOSTS, "services of the four map hosts: 20 typed rows with the fed states and outputs", () => {
        const columns = columnsOf(NAGVIS_SERVICES_OF_HOSTS);
        const rows = fixed16Json(answers.get(NAGVIS_SERVICES_OF_HOSTS)!);
        const at = (c: string): number => columns.indexOf(c);
        expect(rows).to.have.length(20);
        for (const row of rows) {
          expectTypes(row, columns, SERVICE_COLUMN_TYPES);
          const s = services.find((x) => x.host.name === row[at("host_name")] && x.description === row[at("description")])!;
          expect(s, JSON.stringify(row.slice(0, 3))).to.not.equal(undefined);
          expect([row[at("state")], row[at("plugin_output")], row[at("perf_data")], row[at("display_name")]]).to.deep.equal([
            s.state,
            s.output,
            s.perf,
            s.description,
          ]);
          expect(row[at("staleness")], `${s.host.name}/${s.description} staleness`).to.be.closeTo(s.stale ? STALE_AGE / STALE_INTERVAL : 0, 0.05);
          expect([row[at("host_acknowledged")], row[at("host_scheduled_downtime_depth")], row[at("has_been_checked")]]).to.deep.equal([0, 0, 1]);
        }
      });

      itFor(NAGVIS_SERVICES_BY_KEY, "services by host and description (And: 2 ... Or: 8): the eight map services", () => {
        const columns = columnsOf(NAGVIS_SERVICES_BY_KEY);
        const rows = fixed16Json(answers.get(NAGVIS_SERVICES_BY_KEY)!);
        expect(rows.map((r) => `${String(r[columns.indexOf("host_name")])}/${String(r[columns.indexOf("description")])}`).sort()).to.deep.equal(
          mapHosts.flatMap((h) => [`${h}/svc-01`, `${h}/svc-02`]),
        );
        for (const row of rows) expectTypes(row, columns, SERVICE_COLUMN_TYPES);
        const unknown = rows.find(
          (r) => r[columns.indexOf("host_name")] === UNKNOWN_SERVICE.host && r[columns.indexOf("description")] === UNKNOWN_SERVICE.service,
        )!;
        expect(unknown[columns.indexOf("state")]).to.equal(3);
      });
    });

    describe("Nagstamon: a connection per query, read until the server closes", () => {
      itFor(NAGSTAMON_HOSTS, "hosts with a problem: the header row, then host-0002 DOWN", async () => {
        const table = nagstamonTable(JSON.parse(await exchange(ls, NAGSTAMON_HOSTS)) as unknown[][]);
        expect(table.map((h) => h.name)).to.deep.equal([DOWN_HOST]);
        const h = table[0]!;
        expectNagstamonFields(h, DOWN_HOST);
        expect([h.state, h.plugin_output, h.current_attempt, h.acknowledged]).to.deep.equal([1, `DOWN - ${DOWN_HOST} ref`, 1, 0]);
      });

      itFor(NAGSTAMON_SERVICES, "services with a problem: the header row, then every non-OK service with its host columns", async () => {
        const table = nagstamonTable(JSON.parse(await exchange(ls, NAGSTAMON_SERVICES)) as unknown[][]);
        const problems = services.filter((s) => s.state !== 0);
        expect(table.map((s) => `${String(s.host_name)}/${String(s.display_name)}`).sort()).to.deep.equal(
          problems.map((s) => `${s.host.name}/${s.description}`).sort(),
        );
        for (const s of table) {
          const m = problems.find((p) => p.host.name === s.host_name && p.description === s.display_name)!;
          expectNagstamonFields(s, `${m.host.name}/${m.description}`);
          expect([s.state, s.plugin_output]).to.deep.equal([m.state, m.output]);
          // service_to_host(): the host is rebuilt from the host_* columns
          const host = Object.fromEntries(
            Object.entries(s)
              .filter(([k]) => k.startsWith("host_"))
              .map(([k, v]) => [k.slice(5), v]),
          );
          expect(host.name).to.equal(m.host.name);
          expect(host.state).to.equal(m.host.state);
          expectNagstamonFields(host, `host of ${m.host.name}/${m.description}`);
        }
      });
    });

    describe("Monitoring::Livestatus (Perl): fixed16, KeepAlive, COMMAND then half-close", () => {
      itFor(PERL_HOSTS, "GET hosts with Limit: 1: a 16-byte header, one row, the connection kept open", async () => {
        const client = await LivestatusClient.connect(ls);
        try {
          client.send(PERL_HOSTS);
          const header = (await client.read(16)).toString("latin1");
          expect(header)
            .to.match(/^200 {1,11}\d+\n$/)
            .and.have.length(16);
          const body = (await client.read(Number(header.slice(4).trim()))).toString("utf8");
          expect(JSON.parse(body)).to.deep.equal([[hostName(1), 0]]);
          await client.silentFor(100);
        } finally {
          client.destroy();
        }
      });

      const output = async (host: string, service: string): Promise<unknown> => {
        const body = await exchange(
          ls,
          `GET services\nColumns: plugin_output\nFilter: host_name = ${host}\nFilter: description = ${service}\nOutputFormat: json\n\n`,
        );
        return (JSON.parse(body) as unknown[][])[0]?.[0];
      };

      it("the COMMAND as captured: no answer, the connection closed after the half-close; its old timestamp is ignored", async () => {
        const client = await LivestatusClient.connect(ls);
        try {
          client.send(PERL_COMMAND);
          client.socket.end();
          expect(await client.rest(2000)).to.equal("");
        } finally {
          client.destroy();
        }
        // 1795486737 is older than the fed result: a result older than the stored one is ignored (README).
        await new Promise((r) => setTimeout(r, 300));
        expect(await output(hostName(1), serviceName(1))).to.equal(services[0]!.output);
      });

      it("the same COMMAND with the current time becomes the service's result", async () => {
        const client = await LivestatusClient.connect(ls);
        try {
          client.send(PERL_COMMAND.replace(/\[\d+\]/, `[${Math.floor(Date.now() / 1000) + 1}]`));
          client.socket.end();
          expect(await client.rest(2000)).to.equal("");
        } finally {
          client.destroy();
        }
        const deadline = Date.now() + 5000;
        while ((await output(hostName(1), serviceName(1))) !== "OK via perl" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        expect(await output(hostName(1), serviceName(1))).to.equal("OK via perl");
      });
    });
  });
});
