import { expect } from "chai";
import { parseExternalCommand } from "../../../core/model/external-command";
import type { CommandRequest, FilterNode, GetQuery, LivestatusRequest, StatsNode } from "../../../core/livestatus/protocol/query";
import { DEFAULT_SEPARATORS } from "../../../core/livestatus/protocol/query";
import { MAX_FILTER_DEPTH } from "../../../core/livestatus/query/filter-stack";
import { MAX_HEADER_LINES, MAX_REGEX_COMPARISONS, parseRequest } from "../../../core/livestatus/protocol/request-parser";
import { CAPTURED_AT, CLIENT_REQUESTS } from "./client-requests";
import { livestatusError } from "./expect-error";

const NOW = 1_700_000_000;

function get(...lines: string[]): GetQuery {
  const r = parseRequest(["GET hosts", ...lines], NOW);
  if (r.kind !== "get") throw new Error("not a GET");
  return r;
}

function command(...lines: string[]): CommandRequest {
  const r = parseRequest(lines, NOW);
  if (r.kind !== "command") throw new Error("not a COMMAND");
  return r;
}

/** The message of the 400 a GET with these headers gets. */
function bad(...lines: string[]): string {
  return livestatusError(() => parseRequest(["GET hosts", ...lines], NOW), 400);
}

const cmp = (column: string, op: string, operand: string): FilterNode => ({ kind: "compare", column, op, operand }) as FilterNode;
const count = (filter: FilterNode): StatsNode => ({ kind: "count", filter });

describe("parseRequest: request line", () => {
  it("GET <table> gives a query with every default", () => {
    expect(parseRequest(["GET hosts"], NOW)).to.deep.equal({
      kind: "get",
      table: "hosts",
      columns: [],
      stats: [],
      outputFormat: "csv",
      separators: DEFAULT_SEPARATORS,
      responseHeader: "off",
      keepAlive: false,
      timezoneOffset: 0,
    });
  });

  it("keeps the table name as written (the engine answers 404 for unknown ones)", () => {
    expect(get().table).to.equal("hosts");
    expect((parseRequest(["GET  nosuchtable"], NOW) as GetQuery).table).to.equal("nosuchtable");
  });

  it("strips trailing \\r and blanks from every line (CRLF clients), skips blank lines", () => {
    const q = parseRequest(["", "GET services\r", "Columns: name state \r", "  \r", "Filter: name = x  \r", "KeepAlive: on\t"], NOW) as GetQuery;
    expect(q.table).to.equal("services");
    expect(q.columns).to.deep.equal(["name", "state"]);
    expect(q.filter).to.deep.equal(cmp("name", "=", "x"));
    expect(q.keepAlive).to.equal(true);
  });

  it("452 Invalid request method for anything but GET and COMMAND (§8 item 9)", () => {
    for (const line of ["FOO hosts", "get hosts", "GEThosts", "POST /", "Columns: name"]) {
      expect(
        livestatusError(() => parseRequest([line], NOW), 452),
        line,
      ).to.equal("Invalid request method");
    }
    expect(livestatusError(() => parseRequest([], NOW), 452)).to.contain("empty request");
    expect(livestatusError(() => parseRequest(["", "\r"], NOW), 452)).to.contain("empty request");
  });

  it("452 for GET without a table", () => {
    expect(livestatusError(() => parseRequest(["GET"], NOW), 452)).to.equal("Invalid GET request, missing table name");
    expect(livestatusError(() => parseRequest(["GET   \r"], NOW), 452)).to.equal("Invalid GET request, missing table name");
  });
});

describe("parseRequest: COMMAND", () => {
  it("keeps the text after COMMAND whole, semicolons included; the connection stays open", () => {
    expect(command("COMMAND [1795486737] PROCESS_SERVICE_CHECK_RESULT;h;s;1;WARN; a;b | x=1;2;3")).to.deep.equal({
      kind: "command",
      line: "[1795486737] PROCESS_SERVICE_CHECK_RESULT;h;s;1;WARN; a;b | x=1;2;3",
      keepAlive: true,
    });
  });

  it("stamps a command sent without [timestamp] with the server time, so the shared command parser accepts it", () => {
    const c = command("COMMAND ACKNOWLEDGE_HOST_PROBLEM;h;1;1;1;me;x");
    expect(c.line).to.equal(`[${NOW}] ACKNOWLEDGE_HOST_PROBLEM;h;1;1;1;me;x`);
    expect(parseExternalCommand(c.line).ok).to.equal(true);
    expect(parseRequest(["COMMAND X"], NOW + 0.9)).to.deep.include({ line: `[${NOW}] X` });
  });

  it("strips \\r, ignores lines after the command line, rejects an empty command", () => {
    expect(command("COMMAND [1] X;a\r", "KeepAlive: off", "Bogus: header").line).to.equal("[1] X;a");
    expect(livestatusError(() => parseRequest(["COMMAND"], NOW), 452)).to.equal("Invalid COMMAND request, missing command");
    expect(livestatusError(() => parseRequest(["COMMAND   "], NOW), 452)).to.equal("Invalid COMMAND request, missing command");
  });
});

describe("parseRequest: header syntax", () => {
  it("400 '<Header>: undefined request header' for unknown headers; names are case-sensitive (§8 item 9)", () => {
    expect(bad("Foo: bar")).to.equal("Foo: undefined request header");
    expect(bad("columns: name")).to.equal("columns: undefined request header");
    expect(bad("FILTER: name = x")).to.equal("FILTER: undefined request header");
    // Not found on Object.prototype either.
    expect(bad("constructor: x")).to.equal("constructor: undefined request header");
    expect(bad("toString: x")).to.equal("toString: undefined request header");
  });

  it("400 for a line that is not 'Name: value'", () => {
    expect(bad("Columns name")).to.contain("malformed header line");
    expect(bad(": value")).to.contain("malformed header line");
  });

  it("splits at the first colon and left-strips the value", () => {
    expect(get("Columns:name").columns).to.deep.equal(["name"]);
    expect(get("Columns: \t name").columns).to.deep.equal(["name"]);
    expect(get("Filter: plugin_output = a: b: c").filter).to.deep.equal(cmp("plugin_output", "=", "a: b: c"));
  });

  it("accepts the LMD extensions Sort, Offset and Backends as no-ops", () => {
    expect(get("Columns: name", "Sort: name asc", "Offset: 10", "Backends: abc", "Limit: 5")).to.deep.equal(get("Columns: name", "Limit: 5"));
  });
});

describe("parseRequest: Columns and StatsGroupBy", () => {
  it("splits on any run of blanks, appends across headers, StatsGroupBy is an alias", () => {
    expect(get("Columns: name  state\tgroups").columns).to.deep.equal(["name", "state", "groups"]);
    expect(get("Columns: name", "Columns: state").columns).to.deep.equal(["name", "state"]);
    expect(get("StatsGroupBy: host_name", "Stats: state = 0").columns).to.deep.equal(["host_name"]);
  });

  it("keeps names as written, prefixes included", () => {
    expect(get("Columns: host_name service_description host_groups").columns).to.deep.equal(["host_name", "service_description", "host_groups"]);
  });
});

describe("parseRequest: Filter", () => {
  it("accepts every operator", () => {
    for (const op of ["=", "!=", "<", ">", "<=", ">=", "~", "!~", "~~", "!~~", "=~", "!=~"]) {
      expect(get(`Filter: state ${op} 1`).filter, op).to.deep.equal(cmp("state", op, "1"));
    }
  });

  it("400 for an unknown operator or a missing one (§8 item 11)", () => {
    expect(bad("Filter: name == x")).to.equal("Filter: invalid operator '=='");
    expect(bad("Filter: name !>= x")).to.equal("Filter: invalid operator '!>='");
    expect(bad("Filter: name <> x")).to.equal("Filter: invalid operator '<>'");
    expect(bad("Filter: name =x")).to.equal("Filter: invalid operator '=x'");
    expect(bad("Filter: name")).to.equal("Filter: missing operator after column name");
    expect(bad("Filter:")).to.equal("Filter: missing column name");
    expect(bad("Filter:    ")).to.equal("Filter: missing column name");
  });

  it("takes everything after the operator as operand, spaces included (§8 item 23)", () => {
    expect(get("Filter: plugin_output ~ disk full").filter).to.deep.equal(cmp("plugin_output", "~", "disk full"));
    expect(get("Filter: plugin_output = a  b\tc").filter).to.deep.equal(cmp("plugin_output", "=", "a  b\tc"));
    // Blanks between operator and operand are separators, not part of the operand.
    expect(get("Filter: name =    x y").filter).to.deep.equal(cmp("name", "=", "x y"));
    expect(get("Filter: custom_variables = ROLE db server").filter).to.deep.equal(cmp("custom_variables", "=", "ROLE db server"));
  });

  it("accepts an empty operand (list emptiness tests), also with trailing blanks", () => {
    expect(get("Filter: groups =").filter).to.deep.equal(cmp("groups", "=", ""));
    expect(get("Filter: groups != \r").filter).to.deep.equal(cmp("groups", "!=", ""));
  });

  it("ANDs what is left on the stack; a single filter stays bare", () => {
    expect(get("Filter: a = 1").filter).to.deep.equal(cmp("a", "=", "1"));
    expect(get("Filter: a = 1", "Filter: b = 2").filter).to.deep.equal({ kind: "and", children: [cmp("a", "=", "1"), cmp("b", "=", "2")] });
    expect(get("Columns: name")).not.to.have.property("filter");
  });
});

describe("parseRequest: And / Or / Negate", () => {
  it("combines the top n entries in their original order: a, b, c, Or: 2, And: 2 = a AND (b OR c)", () => {
    expect(get("Filter: a = 1", "Filter: b = 2", "Filter: c = 3", "Or: 2", "And: 2").filter).to.deep.equal({
      kind: "and",
      children: [cmp("a", "=", "1"), { kind: "or", children: [cmp("b", "=", "2"), cmp("c", "=", "3")] }],
    });
  });

  it("And: 0 pushes an always-true group, Or: 0 an always-false one (§8 item 13)", () => {
    expect(get("And: 0").filter).to.deep.equal({ kind: "and", children: [] });
    expect(get("Or: 0").filter).to.deep.equal({ kind: "or", children: [] });
    expect(get("Filter: a = 1", "Or: 0").filter).to.deep.equal({ kind: "and", children: [cmp("a", "=", "1"), { kind: "or", children: [] }] });
  });

  it("And: 1 wraps the single top entry", () => {
    expect(get("Filter: a = 1", "And: 1").filter).to.deep.equal({ kind: "and", children: [cmp("a", "=", "1")] });
  });

  it("400 when n exceeds the stack or is not a non-negative integer (§8 item 12)", () => {
    expect(bad("Filter: a = 1", "Filter: b = 1", "Or: 3")).to.equal("Or: cannot combine 3 entries, only 2 on the stack");
    expect(bad("And: 1")).to.equal("And: cannot combine 1 entries, only 0 on the stack");
    expect(bad("Filter: a = 1", "And: -1")).to.equal("And: expected a non-negative integer, got '-1'");
    expect(bad("Filter: a = 1", "And: x")).to.contain("And: expected a non-negative integer");
    expect(bad("Filter: a = 1", "And:")).to.contain("And: expected a non-negative integer");
    expect(bad("Filter: a = 1", "Or: 1.5")).to.contain("Or: expected a non-negative integer");
  });

  it("Negate: replaces the top entry, which may be a group (Multisite: Negate over And: 2, §8 item 22)", () => {
    expect(get("Filter: name = x", "Negate:").filter).to.deep.equal({ kind: "not", child: cmp("name", "=", "x") });
    expect(get("Filter: z = 0", "Filter: state = 0", "Filter: has_been_checked = 1", "And: 2", "Negate:").filter).to.deep.equal({
      kind: "and",
      children: [cmp("z", "=", "0"), { kind: "not", child: { kind: "and", children: [cmp("state", "=", "0"), cmp("has_been_checked", "=", "1")] } }],
    });
    // A negated negation cancels out (no extra level: see the depth limit below).
    expect(get("Filter: a = 1", "Negate:", "Negate:").filter).to.deep.equal(cmp("a", "=", "1"));
    expect(get("Filter: a = 1", "Negate:", "Negate:", "Negate:").filter).to.deep.equal({ kind: "not", child: cmp("a", "=", "1") });
  });

  it("400 for Negate: on an empty stack (§8 item 12)", () => {
    expect(bad("Negate:")).to.equal("Negate: no filter to negate (the stack is empty)");
    // The Stats stack is separate: a Stats line does not feed Negate.
    expect(bad("Stats: state = 0", "Negate:")).to.contain("Negate:");
  });
});

describe("parseRequest: Stats", () => {
  it("a comparison is a count column, `<agg> <column>` an aggregate", () => {
    expect(get("Stats: state = 0", "Stats: plugin_output ~ disk full").stats).to.deep.equal([
      count(cmp("state", "=", "0")),
      count(cmp("plugin_output", "~", "disk full")),
    ]);
    for (const fn of ["sum", "min", "max", "avg", "std", "suminv", "avginv"]) {
      expect(get(`Stats: ${fn} last_check`).stats, fn).to.deep.equal([{ kind: "aggregate", fn, column: "last_check" }]);
    }
  });

  it("400 for a bad Stats line", () => {
    expect(bad("Stats: sum")).to.equal("Stats: missing column after 'sum'");
    expect(bad("Stats: state")).to.equal("Stats: missing operator after column state");
    expect(bad("Stats: state == 0")).to.equal("Stats: invalid operator '=='");
    expect(bad("Stats: median state")).to.equal("Stats: invalid operator 'state'");
    expect(bad("Stats:")).to.equal("Stats: missing column name");
  });

  it("StatsAnd/StatsOr/StatsNegate combine count filters into one column, nested as NagVis sends them", () => {
    const q = get(
      "Stats: has_been_checked = 0",
      "Stats: state = 0",
      "Stats: has_been_checked != 0",
      "Stats: scheduled_downtime_depth > 0",
      "Stats: host_scheduled_downtime_depth > 0",
      "StatsOr: 2",
      "StatsAnd: 3",
      "Stats: state = 1",
      "StatsNegate:",
    );
    expect(q.stats).to.deep.equal([
      count(cmp("has_been_checked", "=", "0")),
      count({
        kind: "and",
        children: [
          cmp("state", "=", "0"),
          cmp("has_been_checked", "!=", "0"),
          { kind: "or", children: [cmp("scheduled_downtime_depth", ">", "0"), cmp("host_scheduled_downtime_depth", ">", "0")] },
        ],
      }),
      count({ kind: "not", child: cmp("state", "=", "1") }),
    ]);
    expect(get("StatsAnd: 0").stats).to.deep.equal([count({ kind: "and", children: [] })]);
  });

  it("keeps the Filter and Stats stacks apart", () => {
    const q = get("Filter: a = 1", "Stats: b = 2", "Filter: c = 3", "Stats: d = 4", "And: 2", "StatsOr: 2");
    expect(q.filter).to.deep.equal({ kind: "and", children: [cmp("a", "=", "1"), cmp("c", "=", "3")] });
    expect(q.stats).to.deep.equal([count({ kind: "or", children: [cmp("b", "=", "2"), cmp("d", "=", "4")] })]);
    expect(bad("Filter: a = 1", "Stats: b = 2", "And: 2")).to.contain("only 1 on the stack");
  });

  it("400 when a Stats combinator underflows or meets an aggregate", () => {
    expect(bad("Stats: state = 0", "StatsAnd: 2")).to.equal("StatsAnd: cannot combine 2 entries, only 1 on the stack");
    expect(bad("StatsNegate:")).to.equal("StatsNegate: no Stats filter to negate (the stack is empty)");
    expect(bad("Stats: state = 0", "Stats: sum state", "StatsOr: 2")).to.equal("StatsOr: cannot combine the aggregate 'sum state' with filters");
    expect(bad("Stats: avg state", "StatsNegate:")).to.contain("cannot combine the aggregate 'avg state'");
    expect(bad("Stats: state = 0", "StatsOr: -2")).to.contain("StatsOr: expected a non-negative integer");
  });
});

describe("parseRequest: output and connection headers", () => {
  it("Limit: n ≥ 0; negative or non-numeric → 400", () => {
    expect(get("Limit: 0").limit).to.equal(0);
    expect(get("Limit: 1001").limit).to.equal(1001);
    expect(get()).not.to.have.property("limit");
    expect(bad("Limit: -1")).to.equal("Limit: must not be negative, got '-1'");
    expect(bad("Limit: ten")).to.equal("Limit: expected a non-negative integer, got 'ten'");
    expect(bad("Limit:")).to.contain("Limit: expected a non-negative integer");
    expect(bad("Limit: 99999999999999999999")).to.contain("Limit: number too large");
  });

  it("OutputFormat: the six formats, case-sensitive; the last header wins", () => {
    for (const f of ["csv", "CSV", "json", "python", "python3", "wrapped_json"]) expect(get(`OutputFormat: ${f}`).outputFormat).to.equal(f);
    expect(get("OutputFormat: json", "OutputFormat: python").outputFormat).to.equal("python");
    expect(bad("OutputFormat: JSON")).to.match(/^OutputFormat: expected 'csv', 'CSV', 'json', .* got 'JSON'$/);
    expect(bad("OutputFormat: xml")).to.contain("OutputFormat:");
  });

  it("Separators: four decimal codes", () => {
    expect(get("Separators: 10 9 44 124").separators).to.deep.equal({ dataset: "\n", field: "\t", list: ",", hostService: "|" });
    expect(get("Separators: 0 1 255 32").separators).to.deep.equal({ dataset: "\0", field: "\x01", list: "\xff", hostService: " " });
    expect(bad("Separators: 10 9 44")).to.equal("Separators: expected 4 decimal character codes, got '10 9 44'");
    expect(bad("Separators: 10 9 44 124 1")).to.contain("expected 4 decimal character codes");
    expect(bad("Separators: 10 9 44 256")).to.equal("Separators: expected a character code 0 to 255, got '256'");
    expect(bad("Separators: a b c d")).to.contain("expected a character code");
  });

  it("ColumnHeaders / ResponseHeader / KeepAlive take exactly their words", () => {
    expect(get("ColumnHeaders: on").columnHeaders).to.equal(true);
    expect(get("ColumnHeaders: off").columnHeaders).to.equal(false);
    expect(get()).not.to.have.property("columnHeaders");
    expect(get("ResponseHeader: fixed16").responseHeader).to.equal("fixed16");
    expect(get("ResponseHeader: fixed16", "ResponseHeader: off").responseHeader).to.equal("off");
    expect(get("KeepAlive: on").keepAlive).to.equal(true);
    expect(get("KeepAlive: on", "KeepAlive: off").keepAlive).to.equal(false);
    expect(bad("ColumnHeaders: On")).to.equal("ColumnHeaders: expected 'on', 'off', got 'On'");
    expect(bad("ResponseHeader: fixed")).to.equal("ResponseHeader: expected 'off', 'fixed16', got 'fixed'");
    expect(bad("KeepAlive: yes")).to.equal("KeepAlive: expected 'on', 'off', got 'yes'");
    expect(bad("KeepAlive:")).to.contain("KeepAlive: expected");
  });

  it("AuthUser: a contact name (may hold spaces); empty → 400", () => {
    expect(get("AuthUser: user_2").authUser).to.equal("user_2");
    expect(get("AuthUser: John Doe").authUser).to.equal("John Doe");
    expect(get()).not.to.have.property("authUser");
    expect(bad("AuthUser:")).to.equal("AuthUser: missing contact name");
  });

  it("Timelimit: seconds ≥ 0", () => {
    expect(get("Timelimit: 5").timeLimit).to.equal(5);
    expect(get()).not.to.have.property("timeLimit");
    expect(bad("Timelimit: -5")).to.contain("Timelimit: must not be negative");
  });
});

describe("parseRequest: Localtime", () => {
  const offset = (client: number, now = NOW): number => (parseRequest(["GET hosts", `Localtime: ${client}`], now) as GetQuery).timezoneOffset;

  it("is 0 when the clocks agree or differ by less than a quarter hour", () => {
    expect(offset(NOW)).to.equal(0);
    expect(offset(NOW + 899)).to.equal(0);
    expect(Object.is(offset(NOW - 899), 0), "not -0").to.equal(true);
  });

  it("rounds the difference to the nearest half hour, halves away from zero", () => {
    expect(offset(NOW + 3600)).to.equal(3600);
    expect(offset(NOW + 3599)).to.equal(3600);
    expect(offset(NOW + 900)).to.equal(1800);
    expect(offset(NOW - 900)).to.equal(-1800);
    expect(offset(NOW - 2699)).to.equal(-1800);
    expect(offset(NOW - 2700)).to.equal(-3600);
    expect(offset(NOW + 19_800)).to.equal(19_800); // India, +5:30
    expect(offset(NOW + 3600, NOW + 0.75)).to.equal(3600);
  });

  it("400 when |offset| reaches 24 h or the value is not an epoch", () => {
    expect(offset(NOW + 84_600)).to.equal(84_600);
    expect(offset(NOW - 85_499)).to.equal(-84_600);
    expect(livestatusError(() => offset(NOW + 85_500), 400)).to.equal("Localtime: timezone difference of 24 hours or more");
    expect(livestatusError(() => offset(NOW + 86_400), 400)).to.contain("Localtime:");
    expect(livestatusError(() => offset(NOW - 86_400), 400)).to.contain("Localtime:");
    expect(bad("Localtime: soon")).to.equal("Localtime: expected the client's time in epoch seconds, got 'soon'");
    expect(bad("Localtime: 1700000000.5")).to.contain("Localtime:");
  });
});

describe("parseRequest: Wait headers", () => {
  it("collects object, condition stack, trigger and timeout", () => {
    const q = get(
      "WaitObject: host-0001;svc-01",
      "WaitCondition: state = 0",
      "WaitCondition: state = 1",
      "WaitConditionOr: 2",
      "WaitCondition: has_been_checked = 1",
      "WaitConditionNegate:",
      "WaitConditionAnd: 2",
      "WaitTrigger: check",
      "WaitTimeout: 10000",
    );
    expect(q.wait).to.deep.equal({
      object: "host-0001;svc-01",
      condition: {
        kind: "and",
        children: [
          { kind: "or", children: [cmp("state", "=", "0"), cmp("state", "=", "1")] },
          { kind: "not", child: cmp("has_been_checked", "=", "1") },
        ],
      },
      trigger: "check",
      timeoutMs: 10000,
    });
    expect(q).not.to.have.property("filter");
  });

  it("defaults: trigger all, no timeout; absent without any Wait header", () => {
    expect(get("WaitTrigger: state").wait).to.deep.equal({ trigger: "state", timeoutMs: 0 });
    expect(get("WaitCondition: state = 0").wait).to.deep.equal({ condition: cmp("state", "=", "0"), trigger: "all", timeoutMs: 0 });
    expect(get()).not.to.have.property("wait");
  });

  it("400 for bad Wait values", () => {
    for (const t of ["check", "state", "log", "downtime", "comment", "command", "program", "all"]) expect(get(`WaitTrigger: ${t}`).wait?.trigger).to.equal(t);
    expect(bad("WaitTrigger: soon")).to.contain("WaitTrigger: expected 'check'");
    expect(bad("WaitTimeout: -1")).to.contain("WaitTimeout: must not be negative");
    expect(bad("WaitCondition: state")).to.equal("WaitCondition: missing operator after column state");
    expect(bad("WaitCondition: state = 0", "WaitConditionOr: 2")).to.contain("WaitConditionOr: cannot combine 2 entries");
    expect(bad("WaitConditionNegate:")).to.contain("WaitConditionNegate: no filter to negate");
    expect(bad("WaitObject:")).to.equal("WaitObject: missing object name");
  });
});

/** How many levels a filter tree has (a comparison is 1). */
function depth(node: FilterNode): number {
  switch (node.kind) {
    case "compare":
      return 1;
    case "not":
      return 1 + depth(node.child);
    default:
      return 1 + Math.max(0, ...node.children.map(depth));
  }
}

/** Header lines nesting comparisons `levels` deep: `Filter: a`, then (`Filter: b`, `And: 2`) alternating with `Or: 2`. */
function nested(prefix: "" | "Stats" | "WaitCondition", levels: number): string[] {
  const line = prefix === "" ? "Filter" : prefix;
  const lines = [`${line}: state = 0`];
  for (let i = 1; i < levels; i++) lines.push(`${line}: state = ${i}`, `${prefix === "" ? "" : prefix}${i % 2 === 0 ? "And" : "Or"}: 2`);
  return lines;
}

describe("parseRequest: limits on one request (issue 11: cheap requests stall everyone)", () => {
  it(`${MAX_HEADER_LINES} header lines are parsed; one more is a 400 naming the limit`, () => {
    const filters = Array.from({ length: MAX_HEADER_LINES - 1 }, (_, i) => `Filter: name = host-${i}`);
    const q = get(...filters, `Or: ${MAX_HEADER_LINES - 1}`);
    expect(q.filter?.kind === "or" ? q.filter.children.length : 0).to.equal(MAX_HEADER_LINES - 1);
    expect(bad(...filters, "Filter: name = one-more", `Or: ${MAX_HEADER_LINES}`)).to.equal(
      `Request has ${MAX_HEADER_LINES + 1} header lines, more than the limit of ${MAX_HEADER_LINES}`,
    );
  });

  it("50,000 Negate: lines are a 400, not a stack overflow", () => {
    const message = bad("Filter: state = 0", ...Array.from({ length: 50_000 }, () => "Negate:"));
    expect(message).to.contain(`more than the limit of ${MAX_HEADER_LINES}`);
  });

  it("a chain of Negate: cancels in pairs, so it never nests (just under the header limit)", () => {
    const negates = (n: number): string[] => Array.from({ length: n }, () => "Negate:");
    expect(get("Filter: state = 0", ...negates(MAX_HEADER_LINES - 1)).filter).to.deep.equal({ kind: "not", child: cmp("state", "=", "0") });
    expect(get("Filter: state = 0", ...negates(MAX_HEADER_LINES - 2)).filter).to.deep.equal(cmp("state", "=", "0"));
    const stats = get("Stats: state = 0", ...Array.from({ length: 1001 }, () => "StatsNegate:")).stats;
    expect(stats).to.deep.equal([count({ kind: "not", child: cmp("state", "=", "0") })]);
    expect(get("WaitCondition: state = 0", "WaitConditionNegate:", "WaitConditionNegate:").wait?.condition).to.deep.equal(cmp("state", "=", "0"));
  });

  it(`filters nest up to ${MAX_FILTER_DEPTH} levels; one more is a 400 naming the header and the limit`, () => {
    expect(depth(get(...nested("", MAX_FILTER_DEPTH)).filter!)).to.equal(MAX_FILTER_DEPTH);
    expect(bad(...nested("", MAX_FILTER_DEPTH + 1))).to.match(new RegExp(`^(And|Or): filters nested more than ${MAX_FILTER_DEPTH} levels deep$`));
    // A Negate adds a level like And and Or do.
    expect(depth(get(...nested("", MAX_FILTER_DEPTH - 1), "Negate:").filter!)).to.equal(MAX_FILTER_DEPTH);
    expect(bad(...nested("", MAX_FILTER_DEPTH), "Negate:")).to.equal(`Negate: filters nested more than ${MAX_FILTER_DEPTH} levels deep`);
    // Stats and WaitCondition stacks have the same bound.
    const stats = get(...nested("Stats", MAX_FILTER_DEPTH)).stats;
    expect(stats.length === 1 && stats[0]!.kind === "count" ? depth(stats[0]!.filter) : 0).to.equal(MAX_FILTER_DEPTH);
    expect(bad(...nested("Stats", MAX_FILTER_DEPTH + 1))).to.match(/^Stats(And|Or): filters nested more than/);
    expect(depth(get(...nested("WaitCondition", MAX_FILTER_DEPTH)).wait!.condition!)).to.equal(MAX_FILTER_DEPTH);
    expect(bad(...nested("WaitCondition", MAX_FILTER_DEPTH), "WaitConditionNegate:")).to.equal(
      `WaitConditionNegate: filters nested more than ${MAX_FILTER_DEPTH} levels deep`,
    );
  });

  it("wide And/Or groups are one level, however many entries they combine", () => {
    const q = get(...Array.from({ length: 5000 }, (_, i) => `Filter: name = h${i}`), "And: 2500", "Or: 2501");
    expect(depth(q.filter!)).to.equal(3);
  });

  it(`${MAX_REGEX_COMPARISONS} regular-expression comparisons per request (Filter, Stats and WaitCondition together); one more is a 400`, () => {
    const regexes = (n: number, header: string): string[] => Array.from({ length: n }, (_, i) => `${header}: name ${["~", "~~", "!~", "!~~"][i % 4]!} ^h${i}`);
    const half = MAX_REGEX_COMPARISONS / 2;
    const q = get(...regexes(half, "Filter"), ...regexes(half - 1, "Stats"), "WaitCondition: name ~ x", "Filter: name = h", "Stats: state = 0");
    expect(q.stats).to.have.length(half);
    expect(bad(...regexes(half, "Filter"), ...regexes(half, "Stats"), "WaitCondition: name ~ x")).to.equal(
      `WaitCondition: more than ${MAX_REGEX_COMPARISONS} regular-expression comparisons in one request`,
    );
    expect(bad(...regexes(MAX_REGEX_COMPARISONS + 1, "Filter"))).to.equal(
      `Filter: more than ${MAX_REGEX_COMPARISONS} regular-expression comparisons in one request`,
    );
    // Other operators do not count.
    expect(get(...Array.from({ length: 1000 }, (_, i) => `Filter: name = h${i}`), ...regexes(MAX_REGEX_COMPARISONS, "Filter")).filter?.kind).to.equal("and");
  });
});

/** Stats columns a request should yield: Stats lines minus what each StatsAnd/StatsOr: n folds (n − 1). */
function expectedStatsColumns(text: string): number {
  let n = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith("Stats: ")) n++;
    const m = /^Stats(?:And|Or): (\d+)$/.exec(line);
    if (m !== null) n -= Number(m[1]) - 1;
  }
  return n;
}

describe("parseRequest: every captured client request parses", () => {
  for (const { name, text } of CLIENT_REQUESTS) {
    it(name, () => {
      const r: LivestatusRequest = parseRequest(text.split("\n"), CAPTURED_AT);
      const first = text.split("\n")[0]!;
      if (first.startsWith("COMMAND ")) {
        expect(r).to.deep.equal({ kind: "command", line: first.slice("COMMAND ".length), keepAlive: true });
        expect(parseExternalCommand((r as CommandRequest).line).ok).to.equal(true);
        return;
      }
      expect(r.kind).to.equal("get");
      const q = r as GetQuery;
      expect(q.table).to.equal(first.slice("GET ".length));
      expect(q.stats).to.have.length(expectedStatsColumns(text));
    });
  }

  it("NagVis: the Or: 8 of And: 2 host/service pairs", () => {
    const nagvis = CLIENT_REQUESTS.find((r) => r.text.includes("Or: 8"))!;
    const q = parseRequest(nagvis.text.split("\n"), CAPTURED_AT) as GetQuery;
    expect(q.filter?.kind).to.equal("or");
    const pairs = q.filter?.kind === "or" ? q.filter.children : [];
    expect(pairs).to.have.length(8);
    expect(pairs[7]).to.deep.equal({ kind: "and", children: [cmp("host_name", "=", "host-0004"), cmp("service_description", "=", "svc-02")] });
    expect(q).to.deep.include({ outputFormat: "json", keepAlive: true, responseHeader: "fixed16" });
  });

  it("Nagstamon: no Columns, ColumnHeaders on, one filter", () => {
    const q = parseRequest(CLIENT_REQUESTS.find((r) => r.name.startsWith("Nagstamon #1"))!.text.split("\n"), CAPTURED_AT) as GetQuery;
    expect(q).to.deep.include({ columns: [], columnHeaders: true, outputFormat: "json", filter: cmp("state", "!=", "0") });
  });

  it("Multisite: Localtime, python, Limit, AuthUser", () => {
    const byName = (n: string): GetQuery => parseRequest(CLIENT_REQUESTS.find((r) => r.name === n)!.text.split("\n"), CAPTURED_AT) as GetQuery;
    expect(byName("Multisite host problems (Negate over And: 2, Limit)")).to.deep.include({ timezoneOffset: 0, outputFormat: "python", limit: 1 });
    expect(byName("Multisite host stats with AuthUser")).to.deep.include({ authUser: "user_2" });
  });
});
