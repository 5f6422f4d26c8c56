/**
 * Differential test: Tantale against the byte-exact answers of a real Icinga 2 Livestatus
 * (test/fixtures/livestatus/icinga2-reference.ts, from shared/peer/reference-answers.md and
 * captures made the same way). One daemon is fed the data set of the capture (same host and
 * service names, states, outputs, groups; current timestamps), asked each captured request
 * exactly as captured, over a raw socket, and both answers are compared after the
 * normalisations of `normalise()` below. Where Icinga 2 is wrong or Tantale deliberately
 * answers differently (docs/livestatus.md §6), `DELIBERATE` asserts Tantale's documented answer.
 *
 * Requests against tables no plugin provides yet are skipped with the table named; they run
 * as soon as the table plugin is in plugins/index.ts.
 */
import { expect } from "chai";
import { BUILT_IN_PLUGINS } from "../../plugins";
import {
  ICINGA2_ALL_COLUMNS,
  OWN_CAPTURES,
  REFERENCE_ANSWERS,
  SECTION8_COMMANDS,
  SERVICES,
  SPECIAL_RESULT,
  feedRound1,
  hostGroupOf,
  serviceGroupOf,
  type CapturedResponse,
  type Icinga2Exchange,
  type ReferenceResult,
} from "../fixtures/livestatus/icinga2-reference";
import {
  captureExchange,
  csvSeparators,
  parseCsv,
  parsePython,
  requestHeader,
  requestHeaders,
  splitFixed16,
  withoutHeader,
  type PyValue,
} from "../helpers/livestatus-answer";
import { LivestatusClient, exchange } from "../helpers/livestatus-client";
import { LineClient, freePort, waitForPort } from "../helpers/net";
import { ForegroundTantale } from "../helpers/tantale-process";
import { cleanupTempDirs, makeConfDir, makeTempDir } from "../helpers/temp-dir";

/** The tables Tantale serves by default: the table plugins built in. */
const SERVED_TABLES = new Set(BUILT_IN_PLUGINS.filter((p) => p.kind === "table").map((p) => p.name));

/** `GET hosts...` → "hosts"; undefined for a COMMAND. */
function tableOf(request: string): string | undefined {
  return /^GET (\S+)/.exec(request)?.[1];
}

/** The tables an exchange needs that no plugin provides yet (the unknown-table cases ask for `nosuchtable` on purpose). */
function missingTables(requests: readonly string[]): string[] {
  const asked = requests.flatMap((r) => splitRequests(r)).map(tableOf);
  return [...new Set(asked.filter((t): t is string => t !== undefined && !t.startsWith("nosuch") && !SERVED_TABLES.has(t)))];
}

/** Several requests written at once (pipelined, or COMMAND then GET): split at the empty lines. */
function splitRequests(text: string): string[] {
  return text
    .split(/\n\n+/)
    .filter((r) => r.trim() !== "")
    .map((r) => `${r}\n\n`);
}

/** The answers of pipelined requests, one fixed16 frame per GET (COMMANDs get none). */
function splitFrames(text: string, count: number): string[] {
  const out: string[] = [];
  let rest = Buffer.from(text, "utf8");
  for (let i = 0; i < count; i++) {
    const m = /^\d{3} ([ \d]{11})\n/.exec(rest.subarray(0, 16).toString("latin1"));
    if (m === null) throw new Error(`not a fixed16 frame: ${JSON.stringify(rest.toString("utf8").slice(0, 40))}`);
    const end = 16 + Number(m[1]!.trim());
    out.push(rest.subarray(0, end).toString("utf8"));
    rest = rest.subarray(end);
  }
  if (rest.length > 0) throw new Error(`bytes after the last frame: ${JSON.stringify(rest.toString("utf8"))}`);
  return out;
}

/** How many values the Stats lines of a request produce (StatsAnd/StatsOr: n combine n into one). */
function statsCount(request: string): number {
  let n = 0;
  for (const [name, value] of requestHeaders(request)) {
    if (name === "Stats") n++;
    else if (name === "StatsAnd" || name === "StatsOr") n -= Number(value) - 1;
  }
  return n;
}

function columnsOf(request: string): string[] {
  return requestHeaders(request)
    .filter(([n]) => n === "Columns")
    .flatMap(([, v]) => v.split(/\s+/).filter((c) => c !== ""));
}

/** Deep map of the strings of a parsed value. */
function mapStrings(v: unknown, f: (s: string) => string): unknown {
  if (typeof v === "string") return f(v);
  if (Array.isArray(v)) return v.map((e) => mapStrings(e, f));
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, mapStrings(e, f)]));
  return v;
}

type Side = "icinga2" | "tantale";

/** An answer reduced to what both servers must agree on. */
interface Normalised {
  /** "nothing": no byte came before the server closed. */
  readonly status: number | "nothing";
  readonly header?: readonly unknown[] | "<own column set>";
  /** Sorted rows; a number in all-columns mode (the row count); "<not captured>" for a cut capture. */
  readonly rows?: readonly unknown[] | number | "<not captured>";
  /** The request has a Limit on plain rows: which rows come depends on the row order. */
  readonly limited?: boolean;
}

/**
 * Reduces one answer of either server to a comparable form. Every rule says why the
 * servers may differ there. `complete` is false for a capture cut to its first 400 bytes.
 */
function normalise(side: Side, request: string, response: string, complete = true): Normalised {
  // Rule: a server that sends nothing before closing (Icinga 2 on most errors without
  // fixed16, and for COMMANDs) is compared as "nothing".
  if (response === "") return { status: "nothing" };

  // Rule: fixed16. The header must be `%3d %11d\n` with the body's UTF-8 byte length
  // (checked here for both servers); the length itself is not compared, because the json
  // layouts differ (below). A cut capture has no whole body to check.
  const fixed16 = requestHeader(request, "ResponseHeader") === "fixed16";
  let status = 200;
  let body = response;
  if (fixed16) {
    if (complete || side === "tantale") ({ status, body } = splitFixed16(response));
    else status = Number(response.slice(0, 3));
  }

  // Rule: error messages are free text (Icinga 2: "Table 'x' does not exist." or a C++
  // stack trace of 2-3 KB; Tantale: Checkmk's one-line messages): only the status counts.
  if (status !== 200) return { status };

  const columns = columnsOf(request);
  const stats = statsCount(request);
  const names = [...columns, ...Array.from({ length: stats }, (_, i) => `stats_${i + 1}`)];
  const allColumns = columns.length === 0 && stats === 0;
  const headerOn = requestHeader(request, "ColumnHeaders") === "on" || (allColumns && requestHeader(request, "ColumnHeaders") !== "off");

  // Rule: all-columns mode (no Columns, no Stats). Each server sends its own column set
  // (Icinga 2: 116 host columns in alphabetical order; Tantale: Checkmk's set in its
  // tables' order, docs/livestatus.md §2.2): only the header row's presence and the row count
  // are compared; a separate test checks that every Icinga 2 column is a Tantale one.
  // A capture cut to 400 bytes holds the header row but not all the rows.
  if (allColumns && !complete) return { status, header: "<own column set>", rows: "<not captured>" };

  // Rule: the body is parsed as the client would: json layouts differ (Icinga 2 joins rows
  // with ", " and ends without LF, Tantale uses Checkmk's ",\n" and a final LF; Icinga 2
  // writes é as \u00e9, Tantale raw UTF-8), so json and python are compared as parsed
  // values and csv as rows of fields (split by the request's separators; list fields stay
  // text, as a csv client sees them). python3 is read like python.
  const format = requestHeader(request, "OutputFormat") ?? "csv";
  let rows: unknown[];
  if (format === "json") rows = JSON.parse(body) as unknown[];
  else if (format === "python" || format === "python3") {
    rows = parsePython(body) as PyValue[];
    // Rule (Icinga 2 bug, found with this test): Icinga 2 writes python strings as raw
    // strings r"..." but escapes a quote inside as \", which a raw string keeps, so Python
    // reads `\"quoted\"` with the backslashes (`python3 -c 'print(r"\"")'` prints \").
    // Undone here for Icinga 2 only; Tantale's python must read back as the plain output.
    if (side === "icinga2") rows = mapStrings(rows, (s) => s.replaceAll('\\"', '"')) as unknown[];
  } else if (format === "csv") rows = parseCsv(body, csvSeparators(request));
  else throw new Error(`normalise: no comparison for OutputFormat ${format}`);

  // Rule: the header row (ColumnHeaders: on) stays first and is not sorted with the rows.
  // Icinga 2 sends it only when there is a row: an empty answer has no header to compare.
  let header: unknown[] | undefined;
  if (headerOn && rows.length > 0) header = rows.shift() as unknown[];
  if (allColumns) return { status, header: "<own column set>", rows: rows.length };

  const table = tableOf(request);
  const index = (name: string): number => names.indexOf(name);
  rows = rows.map((row) => {
    const values = [...(row as unknown[])];
    for (let c = 0; c < values.length; c++) {
      const name = (names[c] ?? "").replace(/^(host_|service_|status_)/, "");
      let v = values[c];
      // Rule: Icinga 2 renders some int columns as JSON booleans (`acknowledged` false);
      // Livestatus bools are the integers 0/1 (docs/livestatus.md §2.1). Icinga 2 bug, found here.
      if (side === "icinga2" && typeof v === "boolean") v = v ? 1 : 0;
      // Rule: times differ (each server stamped its own results): any whole number of
      // seconds in [1e9, 1e10), json number or csv field, is a time.
      if ((typeof v === "number" && Number.isInteger(v) && v >= 1e9 && v < 1e10) || (typeof v === "string" && /^\d{10}$/.test(v))) v = "<time>";
      // Rule: staleness depends on when the query runs: compared as NagVis reads it, on
      // either side of 1.5 (both servers: results one day apart, check_interval 1d).
      if (name === "staleness") v = Number(v) < 1.5 ? "<1.5" : ">=1.5";
      // Rule: Icinga 2 computes percent_state_change although flap detection is off in
      // the peer (enable_flapping = false); Tantale has no flap detection and documents 0
      // (hosts/services README).
      if (name === "percent_state_change" && side === "icinga2") v = typeof v === "string" ? "0" : 0;
      // Rule: the status table names its implementation and process: program_version,
      // livestatus_version and nagios_pid differ by nature.
      if (table === "status" && (name === "program_version" || name === "livestatus_version")) v = "<version>";
      if (table === "status" && name === "nagios_pid") v = Number(v) > 0 ? "<pid>" : v;
      // Rule: custom variables. Icinga 2 keeps the configuration's names and value types
      // (vars.idx = 2: name "idx", value 2) and renders custom_variables as a list of
      // pairs; Tantale upper-cases names (line input README, as Nagios does), values are
      // strings, and custom_variables is a dict (docs/livestatus.md §2.1).
      if (side === "icinga2" && name === "custom_variable_names") v = (v as string[]).map((s) => s.toUpperCase());
      if (side === "icinga2" && name === "custom_variable_values") v = (v as unknown[]).map(String);
      if (side === "icinga2" && name === "custom_variables" && Array.isArray(v))
        v = Object.fromEntries((v as [string, unknown][]).map(([k, x]) => [k.toUpperCase(), String(x)]));
      // Rule: group aliases. Icinga 2 takes them from its configuration ("Host group 1");
      // results carry none, so Tantale's alias is the group name (hostgroups README).
      if (side === "icinga2" && (table === "hostgroups" || table === "servicegroups") && name === "alias" && index("name") >= 0) v = values[index("name")];
      values[c] = v;
    }
    // Rule: a pending host (no Host result yet). Icinga 2 reports it DOWN (state 1),
    // state_type 0 and last_check -1; Tantale uses Checkmk's rendering: state 0, hard
    // (state_type 1), times 0 (hosts README, "Pending host").
    if (side === "icinga2" && table === "hosts" && index("has_been_checked") >= 0 && Number(values[index("has_been_checked")]) === 0) {
      const set = (name: string, from: number, to: number): void => {
        const i = index(name);
        if (i >= 0 && Number(values[i]) === from) values[i] = typeof values[i] === "string" ? String(to) : to;
      };
      set("state", 1, 0);
      set("state_type", 0, 1);
      set("last_check", -1, 0);
    }
    return values;
  });
  // Rule: a service that never got a result. Icinga 2 has it from its configuration,
  // pending; Tantale has no object configuration and a service exists from its first
  // result (services README), so Icinga 2's pending service rows are left out.
  if (side === "icinga2" && table === "services" && index("has_been_checked") >= 0)
    rows = rows.filter((r) => Number((r as unknown[])[index("has_been_checked")]) !== 0);

  // Rule: row order. Icinga 2 answers in its hash order, Tantale sorted by key: rows are
  // compared as a sorted list.
  rows.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0));
  // Rule: Limit on plain rows takes the first rows of each server's own order, so which
  // rows come differs: the caller compares the count and checks every row of both answers
  // against Tantale's answer without the Limit.
  const limited = requestHeader(request, "Limit") !== undefined && stats === 0;
  return { status, ...(header === undefined ? {} : { header }), rows, ...(limited ? { limited } : {}) };
}

/** What a client gets from a Tantale answer, for the DELIBERATE checks. */
function tantaleBody(request: string, answer: string): { status: number; body: string } {
  return requestHeader(request, "ResponseHeader") === "fixed16" ? splitFixed16(answer) : { status: 200, body: answer };
}

interface Deliberate {
  /** Why Tantale answers differently from the capture, with the document that says so. */
  readonly reason: string;
  readonly check: (requests: readonly string[], answers: readonly string[]) => void;
}

/** The rows of a Tantale json answer, after checking its status. */
function jsonRows(request: string, answer: string, status = 200): unknown[] {
  const a = tantaleBody(request, answer);
  expect(a.status, a.body).to.equal(status);
  return JSON.parse(a.body) as unknown[];
}

function expectError(status: number): Deliberate["check"] {
  return (_requests, [answer]) => {
    const a = splitFixed16(answer!);
    expect(a.status, a.body).to.equal(status);
    expect(a.body).to.match(/^\S.*\n$/); // a one-line message (Checkmk's), not empty
  };
}

/**
 * Cases where Tantale's answer differs from Icinga 2's on purpose: Icinga 2's known bugs
 * and the choices of docs/livestatus.md §6. Tantale's documented answer is asserted instead.
 */
const DELIBERATE: Readonly<Record<string, Deliberate>> = {
  "0.3": {
    reason: "no service exists before its first result (services README): nothing is pending, the counts are 0",
    check: ([q], [a]) => expect(jsonRows(q!, a!)).to.deep.equal([[0, 0, 0]]),
  },
  "2.4": {
    reason: "python3 is answered like python (docs/livestatus.md §6); Icinga 2 sends an empty body",
    check: ([q], [a]) => {
      const python = REFERENCE_ANSWERS.find((x) => x.id === "2.3")!;
      expect(normalise("tantale", q!, a!)).to.deep.equal(normalise("icinga2", python.requests[0]!, python.responses[0]!.text));
    },
  },
  "2.9": {
    reason: "wrapped_json is LMD's {data, total_count} (listener README); Icinga 2 sends an empty body",
    check: (_requests, [a]) => {
      const { status, body } = splitFixed16(a!);
      expect(status).to.equal(200);
      const parsed = JSON.parse(body) as { data: unknown[]; total_count: number };
      expect(parsed.total_count).to.equal(3);
      const json = REFERENCE_ANSWERS.find((x) => x.id === "2.1")!;
      expect({ status: 200, rows: [...parsed.data].sort((x, y) => (JSON.stringify(x) < JSON.stringify(y) ? -1 : 1)) }).to.deep.equal(
        normalise("icinga2", json.requests[0]!, json.responses[0]!.text),
      );
    },
  },
  "3.5": {
    reason: "csv escapes \\ and the field separator in values, so fields split right (livestatus README); Icinga 2 sends them raw",
    check: (_q, [a]) => {
      const { status, body } = splitFixed16(a!);
      expect(status).to.equal(200);
      expect(body).to.equal('host-0003;svc-02;1;WARN - café "quoted" back\\\\slash\\; semi,comma;a=1\\;2\\;3 b=4%\n');
    },
  },
  "6.2": {
    reason: "an error without fixed16 still carries its message (docs/livestatus.md §6); Icinga 2 sends nothing",
    check: (_q, [a]) => expect(a).to.match(/nosuchtable.*\n$/),
  },
  "6.3": {
    reason: "an unknown column in Columns: is a null column, 200 (Checkmk, docs/livestatus.md §6); Icinga 2: 452",
    check: ([q], [a]) => {
      const { status, body } = splitFixed16(a!);
      expect(status).to.equal(200);
      expect(parseCsv(body, csvSeparators(q!))).to.deep.equal([
        ["host-0001", ""],
        ["host-0002", ""],
        ["host-0003", ""],
      ]);
    },
  },
  "6.4": { reason: "an unknown column in Filter: is 400 (Checkmk, docs/livestatus.md §6); Icinga 2: 452", check: expectError(400) },
  "6.5": { reason: "a Filter: line without operator is 400 (docs/livestatus.md §3.5); Icinga 2 closes without a word", check: expectError(400) },
  "6.6": { reason: "an unknown header is 400 (Checkmk, docs/livestatus.md §6); Icinga 2 ignores it", check: expectError(400) },
  "6.7": { reason: "a request line other than GET/COMMAND is 452 (docs/livestatus.md §1.1); Icinga 2 closes without a word", check: expectError(452) },
  "6.8": { reason: "Limit: -1 is 400 (Checkmk, docs/livestatus.md §6); Icinga 2 takes it as no limit", check: expectError(400) },
  "7.1": {
    reason: "Tantale has Checkmk's columns table (docs/livestatus.md §4.8, columns README); Icinga 2: 404",
    check: ([q], [a]) => {
      const { status, body } = splitFixed16(a!);
      expect(status).to.equal(200);
      const [header, ...rows] = parseCsv(body, csvSeparators(q!));
      expect(header).to.include.members(["table", "name", "type", "description"]);
      const at = (n: string): number => header!.indexOf(n);
      expect(rows.map((r) => `${r[at("table")] ?? "?"}.${r[at("name")] ?? "?"}:${r[at("type")] ?? "?"}`)).to.include.members([
        "hosts.name:string",
        "hosts.state:int",
        "services.description:string",
        "services.last_check:time",
      ]);
    },
  },
  "own.or-zero": {
    reason: "Or: 0 is always false, And: 0 always true (Checkmk, docs/livestatus.md §6); Icinga 2 ignores Or: 0",
    check: ([q], [a]) => expect(jsonRows(q!, a!)).to.deep.equal([]),
  },
  "own.list-regex": {
    reason: "regex on a list column: some element matches (docs/livestatus.md §3.2); Icinga 2 only has >= and = on lists (452)",
    check: ([q], [a]) =>
      expect(jsonRows(q!, a!)).to.deep.equal([
        ["host-0001", "svc-02", ["sg-1"]],
        ["host-0002", "svc-02", ["sg-1"]],
        ["host-0003", "svc-02", ["sg-1"]],
      ]),
  },
  "own.list-member-icase": {
    reason: "<= on a list column: member ignoring case (docs/livestatus.md §3.2); Icinga 2 only has >= and = on lists (452)",
    check: ([q], [a]) => expect(jsonRows(q!, a!)).to.deep.equal([["host-0003"]]),
  },
  "own.stats-negate-or": {
    reason: "StatsNegate: negates the count before it (docs/livestatus.md §2); Icinga 2 ignores it and counts state = 0",
    check: ([q], [a]) => expect(jsonRows(q!, a!)).to.deep.equal([[2, 2]]),
  },
  "own.stats-grouped-empty": {
    reason: "grouped Stats without a matching row is no row (docs/livestatus.md §3.4); Icinga 2 answers [[0]], without the group column",
    check: ([q], [a]) => expect(jsonRows(q!, a!)).to.deep.equal([]),
  },
  "own.headers-empty": {
    reason: "ColumnHeaders: on sends the header row also for an empty result (Checkmk, docs/livestatus.md §6); Icinga 2's [] crashes Nagstamon",
    check: ([q], [a]) => expect(jsonRows(q!, a!)).to.deep.equal([["name", "state"]]),
  },
  "own.all-columns-empty": {
    reason: "all-columns mode sends the header row also for an empty result (docs/livestatus.md §2.2, §6); Icinga 2 sends []",
    check: ([q], [a]) => {
      const rows = jsonRows(q!, a!);
      expect(rows).to.have.length(1);
      expect(rows[0]).to.include.members([
        "host_name",
        "description",
        "state",
        "last_check",
        "last_state_change",
        "plugin_output",
        "acknowledged",
        "scheduled_downtime_depth",
      ]);
    },
  },
};

/** The captured COMMAND timestamps are of the capture (2026-11-24): Tantale ignores a result older than the one it has, so they become now. */
function withCurrentTimestamps(request: string): string {
  return request.replace(/^COMMAND \[\d+\]/gm, `COMMAND [${Math.floor(Date.now() / 1000)}]`);
}

describe("Livestatus differential: Tantale answers as icinga2 did, after normalisation", function () {
  this.timeout(60_000);
  let t: ForegroundTantale;
  let ls: number;
  let lineClient: LineClient;

  /** What the data set looks like at a point of the capture; each step feeds what the peer had been fed by then. */
  const PHASES = ["empty", "pending-hosts", "fed", "fed+commands"] as const;
  type Phase = (typeof PHASES)[number];
  let reached = 0;

  async function feed(results: readonly ReferenceResult[]): Promise<void> {
    const now = Math.floor(Date.now() / 1000);
    for (const r of results) {
      const hostIndex = Number(r.host.slice(-4));
      const extra =
        r.check === "Host"
          ? { hostgroups: [hostGroupOf(hostIndex)], idx: hostIndex } // icinga2-setup.sh: groups and vars.idx of the host
          : { servicegroups: [serviceGroupOf(SERVICES.indexOf(r.check as (typeof SERVICES)[number]) + 1)] };
      // interval 1d: the peer's check_interval, so check_interval and staleness agree.
      lineClient.send(JSON.stringify({ hostname: r.host, check: r.check, status: r.status, output: r.output, timestamp: now, interval: 86400, ...extra }));
    }
    lineClient.send("SYNC");
    expect(await lineClient.next()).to.match(/^SYNCED/);
  }

  async function hostState(name: string): Promise<unknown> {
    const body = await exchange(ls, `GET hosts\nColumns: state\nFilter: name = ${name}\nOutputFormat: json\n\n`);
    return (JSON.parse(body) as unknown[][])[0]?.[0];
  }
  async function serviceState(host: string, svc: string): Promise<unknown> {
    const body = await exchange(ls, `GET services\nColumns: state\nFilter: host_name = ${host}\nFilter: description = ${svc}\nOutputFormat: json\n\n`);
    return (JSON.parse(body) as unknown[][])[0]?.[0];
  }
  async function until(what: string, test: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + 5000;
    while (!(await test())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  const STEPS: Record<Exclude<Phase, "empty">, () => Promise<void>> = {
    // Icinga 2's hosts are pending until their first result; a Tantale host exists from
    // its first result of any kind and is pending until its Host result: the services come first.
    "pending-hosts": () => feed(feedRound1().filter((r) => r.check !== "Host")),
    fed: () => feed([...feedRound1().filter((r) => r.check === "Host"), SPECIAL_RESULT]),
    "fed+commands": async () => {
      const ts = Math.floor(Date.now() / 1000);
      await captureExchange(ls, [`COMMAND [${ts}] ${SECTION8_COMMANDS.serviceCritical}\n\nCOMMAND [${ts}] ${SECTION8_COMMANDS.hostDown}\n\n`]);
      await until("the COMMANDs to show", async () => (await serviceState("host-0001", "svc-01")) === 2 && (await hostState("host-0002")) === 1);
    },
  };

  async function reach(target: Phase): Promise<void> {
    const goal = PHASES.indexOf(target);
    if (goal < reached) throw new Error(`the data set is already past "${target}"`);
    while (reached < goal) {
      reached++;
      await STEPS[PHASES[reached] as Exclude<Phase, "empty">]();
    }
  }

  before(async function () {
    const line = await freePort();
    ls = await freePort();
    const conf = makeConfDir({ "line.conf": `port = ${line}\n`, "livestatus.conf": `port = ${ls}\ncommands = gui, results\n`, "sqlite.conf": "" });
    t = ForegroundTantale.start(["--conf-dir", conf, "--data-dir", makeTempDir()]);
    await t.waitForMessage("tantale started");
    await waitForPort(ls);
    lineClient = await LineClient.connect(line);
  });
  after(async () => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
    lineClient?.close();
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
    await t?.kill();
    cleanupTempDirs();
  });

  /** Asks Tantale what the capture asked and compares every answer. */
  async function compare(ex: Icinga2Exchange): Promise<void> {
    const requests = ex.requests.map(withCurrentTimestamps);
    const answers = await captureExchange(ls, requests);
    const deliberate = DELIBERATE[ex.id];
    if (deliberate !== undefined) {
      deliberate.check(requests, answers);
      return;
    }
    for (let k = 0; k < requests.length; k++) await compareOne(requests[k]!, ex.responses[k]!, answers[k]!);
  }

  async function compareOne(request: string, icinga: CapturedResponse, tantale: string): Promise<void> {
    // Several requests in one write: one fixed16 frame per GET, compared one by one.
    const gets = splitRequests(request).filter((r) => r.startsWith("GET "));
    if (gets.length > 1) {
      const mine = splitFrames(tantale, gets.length);
      const theirs = splitFrames(icinga.text, gets.length);
      for (let i = 0; i < gets.length; i++) await compareOne(gets[i]!, { bytes: 0, complete: true, text: theirs[i]! }, mine[i]!);
      return;
    }
    const query = gets[0] ?? request;
    const expected = normalise("icinga2", query, icinga.text, icinga.complete);
    const actual = normalise("tantale", query, tantale, icinga.complete);
    // DEBUG_DIFF=1 prints both answers and what they normalise to.
    if (process.env.DEBUG_DIFF) console.log(JSON.stringify({ query, icinga: icinga.text.slice(0, 300), tantale: tantale.slice(0, 300), expected, actual }));
    const context = `request ${JSON.stringify(query)}\nicinga2: ${JSON.stringify(icinga.text.slice(0, 300))}\ntantale: ${JSON.stringify(tantale.slice(0, 300))}`;
    if (!expected.limited || typeof expected.rows !== "object" || typeof actual.rows !== "object") {
      expect(actual, context).to.deep.equal(expected);
      return;
    }
    // Limit: same status, header and count; every row of both answers is one of Tantale's rows without the Limit.
    expect({ ...actual, rows: actual.rows.length }, context).to.deep.equal({ ...expected, rows: expected.rows.length });
    const unlimitedQuery = withoutHeader(query, "Limit");
    const all = normalise("tantale", unlimitedQuery, (await captureExchange(ls, [unlimitedQuery]))[0]!);
    for (const row of [...expected.rows, ...actual.rows]) expect(all.rows, context).to.deep.include(row);
  }

  /** One test per exchange: skipped when it needs a table no plugin provides yet. */
  function exchangeTest(ex: Icinga2Exchange): void {
    const missing = missingTables(ex.requests);
    const title = `${ex.id} ${ex.title}${DELIBERATE[ex.id] ? ` (Tantale differs on purpose: ${DELIBERATE[ex.id]!.reason})` : ""}`;
    if (missing.length > 0) {
      it.skip(`${title} [skipped: needs the ${missing.join(", ")} table, not in plugins/index.ts yet]`, () => undefined);
      return;
    }
    it(title, () => compare(ex));
  }

  const captured = (...ids: string[]): Icinga2Exchange[] => REFERENCE_ANSWERS.filter((x) => ids.some((id) => x.id === id || x.id.startsWith(`${id}.`)));

  describe("0. before any result (Tantale: nothing stored yet)", () => {
    before(() => reach("empty"));
    for (const ex of captured("0.2", "0.3")) exchangeTest(ex);
  });

  describe("0. pending hosts (Tantale: service results only, no Host result yet)", () => {
    before(() => reach("pending-hosts"));
    for (const ex of captured("0.1")) exchangeTest(ex);
  });

  describe("1.-8. the fed data set (docs/reference-answers.md)", () => {
    before(() => reach("fed"));
    for (const ex of REFERENCE_ANSWERS.filter((x) => x.peerState === "fed")) exchangeTest(ex);
  });

  describe("own requests, answered by the same icinga2 (OWN_CAPTURES)", () => {
    before(() => reach("fed"));
    for (const ex of OWN_CAPTURES) exchangeTest(ex);
  });

  /**
   * Columns only Icinga 2 has, on purpose. `host_host_name`: Icinga 2's hosts table has both
   * `name` and `host_name`, so its joined host columns on services hold both; Checkmk (and
   * Tantale) join `host_name` only. The commands table: Icinga 2's command objects carry
   * custom variables and modified attributes; Checkmk's commands table is `name` and `line`.
   */
  const ICINGA2_ONLY: Readonly<Record<string, readonly string[]>> = {
    services: ["host_host_name"],
    servicesbygroup: ["host_host_name"],
    servicesbyhostgroup: ["host_host_name"],
    commands: ["custom_variable_names", "custom_variable_values", "custom_variables", "modified_attributes", "modified_attributes_list"],
  };

  describe("all-columns mode: every column of icinga2's header is a Tantale column", () => {
    before(() => reach("fed"));
    for (const [table, columns] of Object.entries(ICINGA2_ALL_COLUMNS)) {
      if (!SERVED_TABLES.has(table)) {
        it.skip(`${table} (${columns.length} columns) [skipped: needs the ${table} table, not in plugins/index.ts yet]`, () => undefined);
        continue;
      }
      it(`${table} (${columns.length} columns)`, async () => {
        // A column named in Filter: must exist (unknown → 400), prefix aliases included (host_name on hosts).
        const unknown: string[] = [];
        for (const column of columns) {
          const [answer] = await captureExchange(ls, [`GET ${table}\nColumns: ${column}\nFilter: ${column} = 0\nLimit: 0\nResponseHeader: fixed16\n\n`]);
          if (splitFixed16(answer!).status !== 200) unknown.push(column);
        }
        const expectedGaps = ICINGA2_ONLY[table] ?? [];
        expect(
          unknown.filter((c) => !expectedGaps.includes(c)),
          `columns icinga2's ${table} has and Tantale's does not`,
        ).to.deep.equal([]);
        // The all-columns answer: a header row, then the rows, each as long as the header.
        const [all] = await captureExchange(ls, [`GET ${table}\nOutputFormat: json\nResponseHeader: fixed16\n\n`]);
        const [header, ...rows] = JSON.parse(splitFixed16(all!).body) as unknown[][];
        for (const row of rows) expect(row).to.have.length(header!.length);
      });
    }
  });

  describe("8. COMMANDs (docs/reference-answers.md)", () => {
    before(() => reach("fed"));
    for (const ex of REFERENCE_ANSWERS.filter((x) => x.peerState === "fed+commands")) exchangeTest(ex);
    it("8.3 without the half-close: no answer, and the connection stays open for more requests (as icinga2)", async () => {
      const client = await LivestatusClient.connect(ls);
      try {
        client.send(withCurrentTimestamps(REFERENCE_ANSWERS.find((x) => x.id === "8.3")!.requests[0]!));
        await client.silentFor(300);
      } finally {
        client.destroy();
      }
    });
  });

  describe("after the COMMANDs of section 8", () => {
    before(() => reach("fed+commands"));
    it("the results sent as COMMANDs are in the tables, as icinga2 showed them (8.4)", async () => {
      const ex = REFERENCE_ANSWERS.find((x) => x.id === "8.4")!;
      const get = splitRequests(ex.requests[0]!).find((r) => r.startsWith("GET "))!;
      const [answer] = await captureExchange(ls, [get]);
      expect(normalise("tantale", get, answer!)).to.deep.equal(normalise("icinga2", get, ex.responses[0]!.text));
      expect(await serviceState("host-0001", "svc-01")).to.equal(2);
    });
  });
});
