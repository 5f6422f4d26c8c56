import { expect } from "chai";
import fc from "fast-check";
import { MAX_ROW_COMPARISONS, compileFilter, filterEqualities } from "../../../core/livestatus/query/filter";
import { MAX_FILTER_DEPTH } from "../../../core/livestatus/query/filter-stack";
import type { FilterNode, FilterOperator, GetQuery } from "../../../core/livestatus/protocol/query";
import { MAX_REGEX_LENGTH } from "../../../core/livestatus/query/regex";
import { parseRequest } from "../../../core/livestatus/protocol/request-parser";
import { CAPTURED_AT, CLIENT_REQUESTS } from "./client-requests";
import { livestatusError } from "./expect-error";
import { host, hostColumn, type Host } from "./test-table";

const NOW = 1_700_000_000;

/** Does a one-comparison filter hold for a host with these fields? */
function holds(column: string, op: FilterOperator, operand: string, fields: Partial<Host>, timezoneOffset = 0): boolean {
  const test = compileFilter<Host>({ kind: "compare", column, op, operand }, hostColumn, timezoneOffset);
  return test(host({ name: "h", ...fields }));
}

/** The names of the hosts passing the filter built by these header lines (parsed as a client would send them). */
function names(rows: readonly Host[], ...headers: string[]): string[] {
  const q = parseRequest(["GET hosts", ...headers], NOW) as GetQuery;
  if (q.filter === undefined) return rows.map((r) => r.name);
  const test = compileFilter(q.filter, hostColumn, q.timezoneOffset);
  return rows.filter(test).map((r) => r.name);
}

const HOSTS = [host({ name: "host-0001" }), host({ name: "host-0002" }), host({ name: "host-0003" })];

describe("compileFilter: strings (§8 item 14, 15)", () => {
  it("= and != compare exactly, case included", () => {
    expect(holds("name", "=", "web1", { name: "web1" })).to.equal(true);
    expect(holds("name", "=", "WEB1", { name: "web1" })).to.equal(false);
    expect(holds("name", "!=", "WEB1", { name: "web1" })).to.equal(true);
    expect(holds("name", "!=", "web1", { name: "web1" })).to.equal(false);
    expect(holds("plugin_output", "=", "", { plugin_output: "" })).to.equal(true);
  });

  it("=~ and !=~ compare ignoring case (ref §5: =~ HOST-0001)", () => {
    expect(names(HOSTS, "Filter: name =~ HOST-0001")).to.deep.equal(["host-0001"]);
    expect(names(HOSTS, "Filter: name !=~ HOST-0001")).to.deep.equal(["host-0002", "host-0003"]);
    expect(holds("name", "=~", "Café", { name: "CAFÉ" })).to.equal(true);
  });

  it("~ is an unanchored, case-sensitive search; ~~ ignores case (ref §5)", () => {
    expect(holds("name", "~", "HOST", { name: "myHOSTx" })).to.equal(true);
    expect(names(HOSTS, "Filter: name ~ HOST")).to.deep.equal([]);
    expect(names(HOSTS, "Filter: name ~~ HOST-000[12]")).to.deep.equal(["host-0001", "host-0002"]);
    expect(names(HOSTS, "Filter: name ~ ^host-000[23]$")).to.deep.equal(["host-0002", "host-0003"]);
    expect(names(HOSTS, "Filter: name ~")).to.deep.equal(["host-0001", "host-0002", "host-0003"]);
  });

  it("!~ and !~~ are the negations", () => {
    expect(names(HOSTS, "Filter: name !~ 0001")).to.deep.equal(["host-0002", "host-0003"]);
    expect(names(HOSTS, "Filter: name !~ HOST")).to.have.length(3);
    expect(names(HOSTS, "Filter: name !~~ HOST-000[12]")).to.deep.equal(["host-0003"]);
  });

  it("a compiled regex gives the same answer on every row (no lastIndex state)", () => {
    const test = compileFilter<Host>({ kind: "compare", column: "name", op: "~", operand: "host" }, hostColumn, 0);
    const h = host({ name: "host-0001" });
    expect([test(h), test(h), test(h)]).to.deep.equal([true, true, true]);
  });

  it("accepts RE2-style escapes JavaScript's unicode mode would refuse", () => {
    expect(holds("name", "~", "web\\-1", { name: "web-1" })).to.equal(true);
  });

  it("< > <= >= are lexicographic", () => {
    expect(holds("name", "<", "b", { name: "a" })).to.equal(true);
    expect(holds("name", "<", "b", { name: "b" })).to.equal(false);
    expect(holds("name", "<=", "b", { name: "b" })).to.equal(true);
    expect(holds("name", ">", "b", { name: "c" })).to.equal(true);
    expect(holds("name", ">=", "b", { name: "ba" })).to.equal(true);
    // Text order, not numeric: "host-10" sorts before "host-9".
    expect(holds("name", "<", "host-9", { name: "host-10" })).to.equal(true);
    expect(holds("name", "<", "a", { name: "B" })).to.equal(true);
  });

  it("an operand with spaces is one value (§8 item 23)", () => {
    const rows = [host({ name: "a", plugin_output: "DISK CRITICAL - disk full on /" }), host({ name: "b", plugin_output: "disk ok" })];
    expect(names(rows, "Filter: plugin_output ~ disk full")).to.deep.equal(["a"]);
    expect(names(rows, "Filter: plugin_output = disk ok")).to.deep.equal(["b"]);
  });

  it("400 for an invalid or over-long regular expression, at compile time (§8 item 15)", () => {
    const compile =
      (operand: string, op: FilterOperator = "~", context?: string) =>
      () =>
        compileFilter<Host>({ kind: "compare", column: "name", op, operand }, hostColumn, 0, context);
    expect(livestatusError(compile("(unclosed"), 400)).to.match(/^Filter: invalid regular expression '\(unclosed': /);
    expect(livestatusError(compile("[a-"), 400)).to.contain("Filter: invalid regular expression");
    expect(livestatusError(compile("*", "~~"), 400)).to.contain("Filter: invalid regular expression");
    expect(livestatusError(compile("a".repeat(MAX_REGEX_LENGTH + 1)), 400)).to.equal(
      `Filter: regular expression too long (${MAX_REGEX_LENGTH + 1} characters, at most ${MAX_REGEX_LENGTH})`,
    );
    expect(() => compile("a".repeat(MAX_REGEX_LENGTH))()).not.to.throw();
    expect(livestatusError(compile("(", "!~", "Stats"), 400)).to.match(/^Stats: invalid regular expression/);
  });
});

describe("compileFilter: int and time columns (§8 item 16)", () => {
  it("= != < > <= >= compare numerically", () => {
    const at = (op: FilterOperator, operand: string, state: number) => holds("state", op, operand, { state });
    expect([at("=", "1", 1), at("=", "1", 2), at("!=", "1", 2), at("!=", "1", 1)]).to.deep.equal([true, false, true, false]);
    expect([at("<", "2", 1), at("<", "2", 2), at("<=", "2", 2), at("<=", "2", 3)]).to.deep.equal([true, false, true, false]);
    expect([at(">", "2", 3), at(">", "2", 2), at(">=", "2", 2), at(">=", "2", 1)]).to.deep.equal([true, false, true, false]);
    // Numeric, not text: 10 > 9.
    expect(at(">", "9", 10)).to.equal(true);
  });

  it("parses the operand like atoi: leading integer, garbage is 0", () => {
    expect(holds("state", "=", "1abc", { state: 1 })).to.equal(true);
    expect(holds("state", "=", "abc", { state: 0 })).to.equal(true);
    expect(holds("state", "=", "", { state: 0 })).to.equal(true);
    expect(holds("state", "=", "  2", { state: 2 })).to.equal(true);
    expect(holds("state", "=", "-1", { state: -1 })).to.equal(true);
    expect(holds("state", "=", "+3", { state: 3 })).to.equal(true);
    expect(holds("state", "=", "2.9", { state: 2 })).to.equal(true);
  });

  it("the regex operators are bitmask tests (modified_attributes = 0b0110)", () => {
    const bits = (op: FilterOperator, operand: string) => holds("modified_attributes", op, operand, { modified_attributes: 6 });
    // ~ all bits of the operand set; !~ not all.
    expect([bits("~", "2"), bits("~", "6"), bits("~", "3"), bits("!~", "3"), bits("!~", "2")]).to.deep.equal([true, true, false, true, false]);
    // =~ the value is a subset of the operand; !=~ is not.
    expect([bits("=~", "7"), bits("=~", "6"), bits("=~", "2"), bits("!=~", "2"), bits("!=~", "14")]).to.deep.equal([true, true, false, true, false]);
    // ~~ any bit in common; !~~ none.
    expect([bits("~~", "3"), bits("~~", "9"), bits("!~~", "9"), bits("!~~", "1"), bits("!~~", "2")]).to.deep.equal([true, false, true, true, false]);
    expect(holds("modified_attributes", "~~", "1", { modified_attributes: 0 })).to.equal(false);
    expect(holds("modified_attributes", "=~", "0", { modified_attributes: 0 })).to.equal(true);
  });

  it("bitmasks work beyond 32 bits", () => {
    const big = 2 ** 33 + 1;
    expect(holds("modified_attributes", "~", String(2 ** 33), { modified_attributes: big })).to.equal(true);
    expect(holds("modified_attributes", "~~", "2", { modified_attributes: big })).to.equal(false);
    expect(holds("last_check", "~", "1", { last_check: 1_795_486_935 })).to.equal(true);
  });

  it("time operands are shifted back by the Localtime offset (§8 item 40)", () => {
    expect(holds("last_check", "=", "1700000000", { last_check: 1_700_000_000 })).to.equal(true);
    expect(holds("last_check", "=", "1700003600", { last_check: 1_700_000_000 }, 3600)).to.equal(true);
    expect(holds("last_check", ">=", "1700003601", { last_check: 1_700_000_000 }, 3600)).to.equal(false);
    // Through the parser: a client one hour ahead asks for its local time.
    const rows = [host({ name: "old", last_check: NOW - 100 }), host({ name: "new", last_check: NOW + 100 })];
    expect(names(rows, `Localtime: ${NOW + 3600}`, `Filter: last_check >= ${NOW + 3600}`)).to.deep.equal(["new"]);
    expect(names(rows, `Filter: last_check >= ${NOW + 3600}`)).to.deep.equal([]);
    // Int columns are not times: no shift.
    expect(holds("state", "=", "1", { state: 1 }, 3600)).to.equal(true);
  });
});

describe("compileFilter: float columns (§8 item 17)", () => {
  it("compares numerically: NagVis' staleness < 1.5 / >= 1.5", () => {
    const rows = [host({ name: "fresh", staleness: 0.5 }), host({ name: "edge", staleness: 1.5 }), host({ name: "stale", staleness: 11.700000000000001 })];
    expect(names(rows, "Filter: staleness < 1.5")).to.deep.equal(["fresh"]);
    expect(names(rows, "Filter: staleness >= 1.5")).to.deep.equal(["edge", "stale"]);
    expect(names(rows, "Filter: staleness = 1.5")).to.deep.equal(["edge"]);
    expect(names(rows, "Filter: staleness != 1.5")).to.deep.equal(["fresh", "stale"]);
    expect(names(rows, "Filter: staleness > 11.7")).to.deep.equal(["stale"]);
    expect(names(rows, "Filter: staleness <= 1.5")).to.deep.equal(["fresh", "edge"]);
  });

  it("parses the operand like atof", () => {
    expect(holds("staleness", "=", "1.5xyz", { staleness: 1.5 })).to.equal(true);
    expect(holds("staleness", "=", "abc", { staleness: 0 })).to.equal(true);
    expect(holds("staleness", "=", "15e-1", { staleness: 1.5 })).to.equal(true);
    expect(holds("staleness", "=", ".5", { staleness: 0.5 })).to.equal(true);
  });

  it("answers false to the regex operators (Checkmk DoubleFilter)", () => {
    for (const op of ["~", "!~", "~~", "!~~", "=~", "!=~"] as const) expect(holds("staleness", op, "1", { staleness: 1 }), op).to.equal(false);
  });
});

describe("compileFilter: list columns (§8 items 18–20)", () => {
  const groups = (op: FilterOperator, operand: string, list: readonly string[]) => holds("groups", op, operand, { groups: list });
  const G = ["hg-0", "HG-Web"];

  it(">= is membership, < non-membership (exact case)", () => {
    expect([groups(">=", "hg-0", G), groups(">=", "hg-1", G), groups(">=", "hg-web", G)]).to.deep.equal([true, false, false]);
    expect([groups("<", "hg-1", G), groups("<", "hg-0", G), groups("<", "x", [])]).to.deep.equal([true, false, true]);
  });

  it("<= and > are membership / non-membership ignoring case", () => {
    expect([groups("<=", "hg-web", G), groups("<=", "HG-0", G), groups("<=", "hg-2", G)]).to.deep.equal([true, true, false]);
    expect([groups(">", "hg-web", G), groups(">", "hg-2", G), groups(">", "x", [])]).to.deep.equal([false, true, true]);
  });

  it("= / != with an empty operand test emptiness; with a value they never match", () => {
    expect([groups("=", "", []), groups("=", "", G), groups("!=", "", G), groups("!=", "", [])]).to.deep.equal([true, false, true, false]);
    expect([groups("=", "hg-0", ["hg-0"]), groups("=", "hg-0", []), groups("!=", "hg-0", G), groups("!=", "hg-0", [])]).to.deep.equal([
      false,
      false,
      false,
      false,
    ]);
    // As a client writes it: `Filter: groups =` (nothing after the operator).
    const rows = [host({ name: "none" }), host({ name: "some", groups: ["hg-0"] })];
    expect(names(rows, "Filter: groups =")).to.deep.equal(["none"]);
    expect(names(rows, "Filter: groups != ")).to.deep.equal(["some"]);
  });

  it("~ / ~~ hold when some element matches, !~ / !~~ when none does", () => {
    expect([groups("~", "^hg-", G), groups("~", "^HG", G), groups("~", "^web", G), groups("~", ".", [])]).to.deep.equal([true, true, false, false]);
    expect([groups("~~", "web$", G), groups("~~", "^db", G)]).to.deep.equal([true, false]);
    expect([groups("!~", "^x", G), groups("!~", "^hg", G), groups("!~", ".", [])]).to.deep.equal([true, false, true]);
    expect([groups("!~~", "WEB", G), groups("!~~", "DB", G)]).to.deep.equal([false, true]);
  });

  it("=~ / !=~ are not supported on lists (false)", () => {
    expect([groups("=~", "hg-0", G), groups("!=~", "hg-0", G), groups("!=~", "x", G)]).to.deep.equal([false, false, false]);
  });

  it("pairs (servicegroup members) compare as host|service", () => {
    const members = [["web1", "disk /"] as const, ["db1", "load"] as const];
    expect(holds("members", ">=", "web1|disk /", { members })).to.equal(true);
    expect(holds("members", ">=", "web1", { members })).to.equal(false);
    expect(holds("members", "~", "^db1\\|", { members })).to.equal(true);
  });

  it("works through the prefix: host_groups on hosts (NagVis)", () => {
    const rows = [host({ name: "a", groups: ["hg-0"] }), host({ name: "b", groups: ["hg-1"] })];
    expect(names(rows, "Filter: host_groups >= hg-0")).to.deep.equal(["a"]);
  });
});

describe("compileFilter: dict columns (§8 item 21)", () => {
  const vars = { ROLE: "db", OS: "Linux Debian" };
  const cv = (op: FilterOperator, operand: string, custom_variables: Record<string, string> = vars) =>
    holds("custom_variables", op, operand, { custom_variables });

  it("compares the named variable by the string rules", () => {
    expect([cv("=", "ROLE db"), cv("=", "ROLE web"), cv("!=", "ROLE web")]).to.deep.equal([true, false, true]);
    expect([cv("~~", "OS ^linux"), cv("~", "OS ^linux"), cv("=~", "ROLE DB"), cv("<", "ROLE e")]).to.deep.equal([true, false, true, true]);
  });

  it("the value may hold spaces; blanks after the name are separators", () => {
    expect(cv("=", "OS Linux Debian")).to.equal(true);
    expect(cv("=", "ROLE    db")).to.equal(true);
  });

  it("a missing variable compares as the empty string; names are exact", () => {
    expect([cv("=", "MISSING"), cv("=", "MISSING "), cv("!=", "MISSING x"), cv("=", "role db")]).to.deep.equal([true, true, true, false]);
    // Own entries only: no variable is called `constructor` here.
    expect(cv("=", "constructor")).to.equal(true);
    expect(cv("=", "ROLE", {})).to.equal(true);
  });
});

describe("compileFilter: combinators and columns", () => {
  const rows = [
    host({ name: "up", state: 0, has_been_checked: 1 }),
    host({ name: "pending", state: 0, has_been_checked: 0 }),
    host({ name: "down", state: 1, has_been_checked: 1 }),
  ];

  it("And: 0 matches every row, Or: 0 none (§8 item 13)", () => {
    expect(names(rows, "And: 0")).to.deep.equal(["up", "pending", "down"]);
    expect(names(rows, "Or: 0")).to.deep.equal([]);
    expect(names(rows, "Or: 0", "Negate:")).to.deep.equal(["up", "pending", "down"]);
  });

  it("Negate: over an And: 2 group (Multisite: not UP-and-checked, §8 item 22)", () => {
    expect(names(rows, "Filter: state = 0", "Filter: has_been_checked = 1", "And: 2", "Negate:")).to.deep.equal(["pending", "down"]);
    expect(names(rows, "Filter: name = up", "Negate:")).to.deep.equal(["pending", "down"]);
  });

  it("a, b, c, Or: 2, And: 2 = a AND (b OR c)", () => {
    expect(names(rows, "Filter: has_been_checked = 1", "Filter: name = pending", "Filter: state = 1", "Or: 2", "And: 2")).to.deep.equal(["down"]);
    expect(names(rows, "Filter: name = up", "Filter: name = down", "Or: 2")).to.deep.equal(["up", "down"]);
  });

  it("several filters left on the stack are ANDed", () => {
    expect(names(rows, "Filter: state = 0", "Filter: has_been_checked = 1")).to.deep.equal(["up"]);
  });

  it("resolves table prefixes: host_name on hosts (§8 item 24)", () => {
    expect(names(rows, "Filter: host_name = down")).to.deep.equal(["down"]);
    expect(names(rows, "Filter: host_host_state = 1")).to.deep.equal(["down"]);
  });

  it("400 'Filter: unknown column <name>' at compile time, wherever it hides (§8 item 10)", () => {
    const compile = (node: FilterNode, context?: string) => () => compileFilter<Host>(node, hostColumn, 0, context);
    const unknown: FilterNode = { kind: "compare", column: "nosuchcolumn", op: "=", operand: "1" };
    expect(livestatusError(compile(unknown), 400)).to.equal("Filter: unknown column nosuchcolumn");
    expect(livestatusError(compile({ kind: "not", child: { kind: "or", children: [unknown] } }), 400)).to.equal("Filter: unknown column nosuchcolumn");
    expect(livestatusError(compile(unknown, "WaitCondition"), 400)).to.equal("WaitCondition: unknown column nosuchcolumn");
  });
});

describe("filterEqualities", () => {
  const parsed = (...headers: string[]): FilterNode | undefined => (parseRequest(["GET hosts", ...headers], NOW) as GetQuery).filter;
  const keys = ["name", "host_name"];
  const sorted = (s: ReadonlySet<string> | undefined) => (s === undefined ? undefined : [...s].sort());

  it("is undefined without a filter or without a key equality", () => {
    expect(filterEqualities(undefined, keys)).to.equal(undefined);
    expect(filterEqualities(parsed("Filter: state = 0"), keys)).to.equal(undefined);
    expect(filterEqualities(parsed("Filter: name != a"), keys)).to.equal(undefined);
    expect(filterEqualities(parsed("Filter: name =~ a"), keys)).to.equal(undefined);
    expect(filterEqualities(parsed("Filter: name ~ a"), keys)).to.equal(undefined);
    expect(filterEqualities(parsed("Filter: name = a", "Negate:"), keys)).to.equal(undefined);
    expect(filterEqualities(parsed("And: 0"), keys)).to.equal(undefined);
  });

  it("finds the key equality in the top-level AND", () => {
    expect(sorted(filterEqualities(parsed("Filter: name = a"), keys))).to.deep.equal(["a"]);
    expect(sorted(filterEqualities(parsed("Filter: state = 0", "Filter: host_name = a"), keys))).to.deep.equal(["a"]);
    expect(sorted(filterEqualities(parsed("Filter: name = a b"), keys))).to.deep.equal(["a b"]);
  });

  it("intersects within an AND (contradictions give the empty set)", () => {
    expect(sorted(filterEqualities(parsed("Filter: name = a", "Filter: name = b"), keys))).to.deep.equal([]);
    expect(sorted(filterEqualities(parsed("Filter: name = a", "Filter: name = b", "Or: 2", "Filter: name = b"), keys))).to.deep.equal(["b"]);
  });

  it("unites an OR only when every branch is restricted", () => {
    expect(sorted(filterEqualities(parsed("Filter: name = a", "Filter: name = b", "Or: 2"), keys))).to.deep.equal(["a", "b"]);
    expect(filterEqualities(parsed("Filter: name = a", "Filter: state = 0", "Or: 2"), keys)).to.equal(undefined);
    expect(sorted(filterEqualities(parsed("Or: 0"), keys))).to.deep.equal([]);
  });

  it("handles NagVis' Or: 4 of names and Or: 8 of (host_name AND description) pairs", () => {
    const nagvis = (marker: string): FilterNode | undefined =>
      (parseRequest(CLIENT_REQUESTS.find((r) => r.text.includes(marker))!.text.split("\n"), CAPTURED_AT) as GetQuery).filter;
    const hosts = ["host-0001", "host-0002", "host-0003", "host-0004"];
    expect(sorted(filterEqualities(nagvis("Filter: name = host-0004\nOr: 4"), keys))).to.deep.equal(hosts);
    expect(sorted(filterEqualities(nagvis("Or: 8"), ["host_name"]))).to.deep.equal(hosts);
    expect(sorted(filterEqualities(nagvis("Or: 8"), ["service_description"]))).to.deep.equal(["svc-01", "svc-02"]);
  });

  it("accepts a predicate for the key columns", () => {
    expect(sorted(filterEqualities(parsed("Filter: host_host_name = a"), (c) => c.endsWith("name")))).to.deep.equal(["a"]);
  });

  it("is a safe over-approximation: every row passing the filter has its key in the set", () => {
    const rows = ["a", "b", "c"].map((name) => host({ name }));
    const filters = [
      parsed("Filter: name = a", "Filter: name = b", "Or: 2", "Filter: state = 0"),
      parsed("Filter: name = a", "Filter: state = 1", "And: 2", "Filter: name = c", "Or: 2"),
    ];
    for (const f of filters) {
      const set = filterEqualities(f, keys)!;
      const test = compileFilter(f!, hostColumn, 0);
      for (const r of rows.filter(test)) expect(set.has(r.name), r.name).to.equal(true);
    }
  });
});

/** The filter's meaning, written out plainly: what the compiled form must agree with. */
function reference(node: FilterNode, h: Host): boolean {
  switch (node.kind) {
    case "compare": {
      const v = node.column === "state" ? h.state : node.column === "name" || node.column === "host_name" ? h.name : h.plugin_output;
      if (typeof v === "number") return node.op === "=" ? v === Number(node.operand) : v !== Number(node.operand);
      return node.op === "=" ? v === node.operand : v !== node.operand;
    }
    case "and":
      return node.children.every((c) => reference(c, h));
    case "or":
      return node.children.some((c) => reference(c, h));
    case "not":
      return !reference(node.child, h);
  }
}

describe("compileFilter: wide and deep filters (issue 11)", () => {
  const rows = Array.from({ length: 200 }, (_, i) => host({ name: `h${i}`, state: i % 4, plugin_output: `out${i % 7}` }));
  const cmp = (column: string, op: FilterOperator, operand: string): FilterNode => ({ kind: "compare", column, op, operand });

  it("an Or of thousands of name = …, and of (name = … And plugin_output = …) pairs, is still exact", () => {
    const wanted = Array.from({ length: 3000 }, (_, i) => `h${i * 3}`);
    expect(names(rows, ...wanted.map((n) => `Filter: name = ${n}`), `Or: ${wanted.length}`)).to.deep.equal(
      rows.filter((_, i) => i % 3 === 0).map((r) => r.name),
    );
    const pairs = Array.from({ length: 2000 }, (_, i) => [`Filter: plugin_output = out${i % 7}`, `Filter: host_name = h${i}`, "And: 2"]).flat();
    expect(names(rows, ...pairs, "Or: 2000")).to.deep.equal(rows.map((r) => r.name));
    const mismatched = Array.from({ length: 2000 }, (_, i) => [`Filter: name = h${i}`, `Filter: plugin_output = out${(i + 1) % 7}`, "And: 2"]).flat();
    expect(names(rows, ...mismatched, "Or: 2000")).to.deep.equal([]);
    // An And of != is the complement.
    expect(names(rows, ...wanted.map((n) => `Filter: name != ${n}`), `And: ${wanted.length}`)).to.deep.equal(
      rows.filter((_, i) => i % 3 !== 0).map((r) => r.name),
    );
  });

  it("lists mixed with other members keep their meaning (random Or/And/Negate trees against the plain reading)", () => {
    const leaf = fc.oneof(
      fc
        .tuple(fc.constantFrom("name", "host_name"), fc.constantFrom<FilterOperator>("=", "!="), fc.integer({ min: 0, max: 12 }))
        .map(([c, op, n]) => cmp(c, op, `h${n}`)),
      fc.tuple(fc.constantFrom<FilterOperator>("=", "!="), fc.integer({ min: 0, max: 7 })).map(([op, n]) => cmp("plugin_output", op, `out${n}`)),
      fc.tuple(fc.constantFrom<FilterOperator>("=", "!="), fc.integer({ min: 0, max: 4 })).map(([op, n]) => cmp("state", op, String(n))),
    );
    const tree = fc.letrec<{ node: FilterNode }>((tie) => ({
      node: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        leaf,
        fc.array(tie("node"), { maxLength: 9 }).map((children): FilterNode => ({ kind: "and", children })),
        fc.array(tie("node"), { maxLength: 9 }).map((children): FilterNode => ({ kind: "or", children })),
        tie("node").map((child): FilterNode => ({ kind: "not", child })),
      ),
    })).node;
    const sample = rows.slice(0, 14);
    fc.assert(
      fc.property(tree, (node) => {
        const test = compileFilter(node, hostColumn, 0);
        for (const h of sample) expect(test(h), JSON.stringify(node)).to.equal(reference(node, h));
      }),
      { numRuns: 1500 },
    );
  });

  it(`${MAX_FILTER_DEPTH} levels compile and evaluate`, () => {
    let node: FilterNode = cmp("state", "=", "1");
    for (let i = 1; i < MAX_FILTER_DEPTH; i++) node = i % 2 === 0 ? { kind: "not", child: node } : { kind: "or", children: [node, cmp("name", "=", `h${i}`)] };
    const test = compileFilter(node, hostColumn, 0);
    expect(rows.filter(test).map((r) => r.name)).to.deep.equal(rows.filter((r) => reference(node, r)).map((r) => r.name));
  });

  it(`${MAX_ROW_COMPARISONS} comparisons per query; one more is a 400 (a list of = counts as one)`, () => {
    const states = (n: number): string[] => Array.from({ length: n }, (_, i) => `Filter: state != ${i + 10}`);
    expect(names(rows, ...states(MAX_ROW_COMPARISONS))).to.have.length(rows.length);
    const message = livestatusError(() => names(rows, ...states(MAX_ROW_COMPARISONS + 1)), 400);
    expect(message).to.match(new RegExp(`^Filter: more than ${MAX_ROW_COMPARISONS} comparisons to evaluate on each row`));
    const list = Array.from({ length: 5000 }, (_, i) => `Filter: name = h${i}`);
    expect(names(rows, ...states(MAX_ROW_COMPARISONS - 1), ...list, "Or: 5000")).to.have.length(rows.length);
  });
});
