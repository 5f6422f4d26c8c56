/**
 * Generators of Livestatus requests for the property tests, over the engine test tables
 * (test/core/livestatus/engine-table.ts): a hosts table with a column of every type, a
 * services table, a status table. Requests are lists of lines (no newline inside a line);
 * the tests join them.
 *
 * Bounds that keep clear of known bugs being fixed elsewhere in issue 11, on purpose:
 * - values are at most 12 characters, so a backtracking regex (`(a+)+$`) costs at most a
 *   few thousand steps (issue 11 "one regex freezes everything");
 * - at most 40 filter lines, so no `Negate:` chain deep enough to overflow the stack (500);
 * - no property below reads a csv body row by row (names with `;` or newlines forge rows).
 */
import fc from "fast-check";
import { FILTER_OPERATORS } from "../../core/livestatus/query/filter-stack";
import { testHost, type TestHost } from "../core/livestatus/engine-table";

/** Host column names by type, prefixed aliases included (resolveColumn must give the same column). */
export const HOST_COLUMNS_BY_TYPE = {
  string: ["name", "host_name", "plugin_output", "host_plugin_output"],
  int: ["state", "host_state"],
  float: ["staleness"],
  time: ["last_check", "host_last_check"],
  list: ["groups", "contacts", "host_groups"],
  dict: ["custom_variables", "host_custom_variables"],
} as const;

export const ALL_HOST_COLUMNS: readonly string[] = Object.values(HOST_COLUMNS_BY_TYPE).flat();
export const USERS = ["alice", "bob", "carol"] as const;
const GROUPS = ["web", "db", "prod", "Web", "a;b", "x|y"] as const;
const VARIABLES = ["ROLE", "SITE", "role"] as const;

/** Short text from an alphabet with regex metacharacters, separators, case pairs, control and non-ASCII characters. */
export const shortText = (maxLength = 12): fc.Arbitrary<string> =>
  fc.string({
    unit: fc.constantFrom(
      "a",
      "A",
      "b",
      "1",
      "0",
      " ",
      ";",
      "|",
      ",",
      ".",
      "*",
      "+",
      "?",
      "(",
      ")",
      "[",
      "]",
      "{",
      "}",
      "\\",
      "^",
      "$",
      "-",
      "!",
      "é",
      "€",
      "\t",
      "\u2028",
      "😀",
    ),
    maxLength,
  });

/** Rows of the hosts table: names unique (the properties compare sets of names). */
export const hostRows: fc.Arbitrary<TestHost[]> = fc
  .array(
    fc.record({
      suffix: fc.string({ unit: fc.constantFrom("a", "b", "A", "1", "-", "_", "é"), maxLength: 4 }),
      state: fc.integer({ min: -2, max: 4 }),
      staleness: fc.oneof(fc.constant(0), fc.constant(0.5), fc.double({ min: -10, max: 1e6, noNaN: true, noDefaultInfinity: true })),
      last_check: fc.oneof(fc.constant(0), fc.integer({ min: 1_699_990_000, max: 1_700_010_000 }), fc.integer({ min: 0, max: 2_000_000_000 })),
      plugin_output: shortText(),
      groups: fc.uniqueArray(fc.constantFrom(...GROUPS), { maxLength: 3 }),
      contacts: fc.uniqueArray(fc.constantFrom(...USERS), { maxLength: 2 }),
      custom_variables: fc.dictionary(fc.constantFrom(...VARIABLES), shortText(6), { maxKeys: 2 }),
    }),
    { minLength: 0, maxLength: 25 },
  )
  .map((rows) => rows.map((r, i) => testHost(`h${i}${r.suffix}`, { ...r })));

/** An operand for a column of `type`: mostly of that type, sometimes of another or garbage. */
function operandFor(type: keyof typeof HOST_COLUMNS_BY_TYPE): fc.Arbitrary<string> {
  const number = fc.oneof(
    fc.integer({ min: -3, max: 5 }).map(String),
    fc.integer({ min: 1_699_990_000, max: 1_700_010_000 }).map(String),
    fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map(String),
    fc.constantFrom("", " 3x", "-0", "+2", "0x10", "1e3", "abc", "99999999999999999999", "NaN", "Infinity"),
  );
  const text = fc.oneof(shortText(), fc.constantFrom("h0", "h1", "web", "db", "OK - h0", ""));
  const regex = fc.oneof(fc.constantFrom("^h", "h1$", "a|b", "[ab]", "(", "[", "a{2,1}", "\\", "*", ".*", "é", "(?i)h", "\\d+", "^$", "A"), shortText(6));
  const dict = fc.tuple(fc.constantFrom(...VARIABLES, "nosuch", ""), fc.oneof(text, regex)).map(([k, v]) => (v === "" ? k : `${k} ${v}`));
  switch (type) {
    case "int":
    case "float":
    case "time":
      return fc.oneof({ weight: 4, arbitrary: number }, { weight: 1, arbitrary: text });
    case "string":
    case "list":
      return fc.oneof(text, regex, fc.constantFrom(...GROUPS, ...USERS));
    case "dict":
      return dict;
  }
}

/** `column op operand` with a column of every type, every operator (and now and then an unknown column or operator). */
export const comparison: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 20,
    arbitrary: fc
      .constantFrom(...(Object.keys(HOST_COLUMNS_BY_TYPE) as (keyof typeof HOST_COLUMNS_BY_TYPE)[]))
      .chain((type) =>
        fc.tuple(fc.constantFrom(...HOST_COLUMNS_BY_TYPE[type]), fc.constantFrom(...FILTER_OPERATORS), operandFor(type)).map(([c, op, v]) => `${c} ${op} ${v}`),
      ),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom("nosuch", "host_nosuch", "", "name"), fc.constantFrom("=", "==", "<>", "", "~="), shortText(4))
      .map(([c, op, v]) => `${c} ${op} ${v}`),
  },
);

/** One step of a filter stack. `n` of And/Or may exceed the stack (a 400). */
export type StackOp = { readonly kind: "push"; readonly text: string } | { readonly kind: "and" | "or"; readonly n: number } | { readonly kind: "negate" };

const stackOp: fc.Arbitrary<StackOp> = fc.oneof(
  { weight: 6, arbitrary: comparison.map((text): StackOp => ({ kind: "push", text })) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom("and" as const, "or" as const), fc.integer({ min: 0, max: 4 })).map(([kind, n]): StackOp => ({ kind, n })) },
  { weight: 2, arbitrary: fc.constant<StackOp>({ kind: "negate" }) },
);

/** Filter stacks of up to `max` steps (below any depth limit: see the file comment). */
export const stackOps = (max = 12): fc.Arbitrary<StackOp[]> => fc.array(stackOp, { maxLength: max });

/** A stack that is always well-formed (And/Or/Negate only on what is there) and leaves exactly one entry. */
export const wellFormedStack: fc.Arbitrary<StackOp[]> = fc.array(stackOp, { minLength: 1, maxLength: 12 }).map((ops) => {
  const out: StackOp[] = [];
  let depth = 0;
  for (const op of ops) {
    if (op.kind === "push") depth++;
    else if (op.kind === "negate") {
      if (depth === 0) continue;
    } else {
      if (op.n > depth) continue;
      depth = depth - op.n + 1;
    }
    out.push(op);
  }
  if (depth === 0) {
    out.push({ kind: "push", text: "state >= -100" });
    depth = 1;
  }
  if (depth > 1) out.push({ kind: "and", n: depth });
  return out;
});

/** The header lines of a stack: `Filter`/`And`/`Or`/`Negate`, or their `Stats`/`WaitCondition` twins. */
export function stackLines(ops: readonly StackOp[], family: "Filter" | "Stats" | "WaitCondition"): string[] {
  const [push, and, or, negate] = family === "Filter" ? ["Filter", "And", "Or", "Negate"] : [family, `${family}And`, `${family}Or`, `${family}Negate`];
  return ops.map((op) => {
    switch (op.kind) {
      case "push":
        return `${push}: ${op.text}`;
      case "and":
        return `${and}: ${op.n}`;
      case "or":
        return `${or}: ${op.n}`;
      case "negate":
        return `${negate}:`;
    }
  });
}

/** Every other header a GET may carry, with valid values (`now` is the server's time in seconds, for Localtime). */
export function validHeaders(now: number): fc.Arbitrary<string[]> {
  const header = fc.oneof(
    fc.array(fc.constantFrom(...ALL_HOST_COLUMNS, "nosuch", "num_hosts", "description"), { minLength: 1, maxLength: 4 }).map((c) => `Columns: ${c.join(" ")}`),
    fc.integer({ min: 0, max: 30 }).map((v) => `Limit: ${v}`),
    fc.constantFrom("csv", "CSV", "json", "python", "python3", "wrapped_json").map((v) => `OutputFormat: ${v}`),
    fc.constantFrom("on", "off").map((v) => `ColumnHeaders: ${v}`),
    fc.integer({ min: -86_000, max: 86_000 }).map((d) => `Localtime: ${Math.trunc(now) + d}`),
    fc.constantFrom(...USERS, "mallory", "John Doe").map((v) => `AuthUser: ${v}`),
    fc.constantFrom("10 59 44 124", "10 9 124 44", "0 1 2 3").map((v) => `Separators: ${v}`),
    fc.constantFrom("0", "5").map((v) => `Timelimit: ${v}`),
    fc.oneof(
      comparison.map((c) => `Stats: ${c}`),
      fc
        .constantFrom("sum", "min", "max", "avg", "std", "suminv", "avginv")
        .chain((fn) => fc.constantFrom(...ALL_HOST_COLUMNS).map((c) => `Stats: ${fn} ${c}`)),
    ),
    fc.constantFrom("StatsGroupBy: state", "Sort: name asc", "Offset: 3", "Backends: x", "KeepAlive: off"),
  );
  return fc.array(header, { maxLength: 6 });
}

/** Headers that are wrong: bad values, unknown names, stack underflows. */
const badHeader: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("-1", "ten", "", "99999999999999999999").map((v) => `Limit: ${v}`),
  fc.constantFrom("xml", "JSON", "").map((v) => `OutputFormat: ${v}`),
  fc.constantFrom("On", "", "1").map((v) => `ColumnHeaders: ${v}`),
  fc
    .oneof(
      fc.integer({ min: 86_400, max: 10_000_000 }).map((d) => String(d)),
      fc.constantFrom("x", "", "-", "+", "1.5"),
    )
    .map((v) => `Localtime: ${v}`),
  fc.constantFrom("10 59 44", "256 1 2 3", "a b c d").map((v) => `Separators: ${v}`),
  fc.constantFrom("StatsAnd: 2", "StatsOr: 1", "StatsNegate:", "Stats: sum", "Stats: sum name", "AuthUser:", "Timelimit: x"),
  fc.constantFrom(
    "constructor: x",
    "__proto__: y",
    "NoColon",
    ": empty",
    "Filter:",
    "Filter: name",
    "Filter: name =~~ x",
    "And: x",
    "Or: -1",
    "WaitTrigger: nosuch",
  ),
);

/** A whole GET (request line first): mostly well-formed (so that the engine, not only the parser, is exercised), sometimes with bad lines. */
export function getRequest(now: number): fc.Arbitrary<string[]> {
  const good = fc
    .tuple(
      fc.constantFrom("GET hosts", "GET hosts", "GET hosts", "GET hosts", "GET hosts", "GET services", "GET status"),
      wellFormedStack,
      validHeaders(now),
      fc.boolean(),
    )
    .map(([first, ops, others, filtersFirst]) => [
      first,
      ...(filtersFirst ? [...stackLines(ops, "Filter"), ...others] : [...others, ...stackLines(ops, "Filter")]),
    ]);
  const bad = fc
    .tuple(
      fc.constantFrom("GET hosts", "GET services", "GET nosuchtable", "GET", "GET  hosts", "get hosts"),
      stackOps(),
      validHeaders(now),
      fc.array(badHeader, { maxLength: 2 }),
      fc.nat(),
    )
    .map(([first, ops, others, wrong, at]) => {
      const lines = [...stackLines(ops, "Filter"), ...others];
      const cut = lines.length === 0 ? 0 : at % (lines.length + 1);
      return [first, ...lines.slice(0, cut), ...wrong, ...lines.slice(cut)];
    });
  return fc.oneof({ weight: 3, arbitrary: good }, { weight: 1, arbitrary: bad });
}

/** Lines that are not a request at all: random text and request lines that are not GET or COMMAND. */
export const junkRequest: fc.Arbitrary<string[]> = fc.array(
  fc.oneof(
    fc.string({ maxLength: 30 }).map((s) => s.replace(/\n/g, " ")),
    fc.constantFrom("POST /", "HEAD", "GEThosts", "\u0000", "COMMAND", "COMMAND "),
  ),
  { minLength: 1, maxLength: 4 },
);
