import { expect } from "chai";
import { parseConf } from "../../../core/config/conf-file";
import { validateOptions } from "../../../core/config/validate-options";
import { definitionProblems } from "../../../core/plugin/define";
import { PLUGIN_API_VERSION, type ConfigSchema } from "../../../core/plugin/api";

const FILE = "ranges.conf";

const schema = {
  workers: { doc: "a count", format: "integer", default: 4, min: 1, max: 64 },
  ratio: { doc: "a number", format: "number", default: 2, min: 1 },
  timeout: { doc: "a duration", format: "duration", default: 1000, min: 1000 },
  buffer: { doc: "a size", format: "size", default: 1024, max: 65_536 },
  low: { doc: "the low mark", format: "integer", default: 1 },
  high: {
    doc: "the high mark: not below low",
    format: "integer",
    default: 10,
    validate: (high, config) => (high < Number(config.low) ? `must not be below low (${String(config.low)})` : undefined),
  },
  names: { doc: "a list", format: "list", default: [], validate: (names) => (names.includes("root") ? '"root" is reserved' : undefined) },
  tls: { depth: { doc: "a nested integer", format: "integer", default: 1, min: 0, max: 9 } },
  level: { doc: "a nullable option", format: "integer", default: null, nullable: true, min: 1 },
} as const satisfies ConfigSchema;

/** The problems of a conf text as `file:line: key: message`, in the order validateOptions gives them. */
function problemsOf(text: string, s: ConfigSchema = schema): string[] {
  const result = validateOptions(FILE, parseConf(FILE, text).entries, s);
  return result.ok ? [] : result.problems.map((p) => `${p.line ?? "-"}: ${p.key ?? "-"}: ${p.message}`);
}

describe("option ranges and checks", () => {
  it("accepts the defaults and the bounds", () => {
    expect(problemsOf("")).to.deep.equal([]);
    expect(problemsOf("workers = 1\nratio = 1\ntimeout = 1s\nbuffer = 64KiB\ntls.depth = 0\n")).to.deep.equal([]);
    expect(problemsOf("workers = 64\ntls.depth = 9\nlevel = 1\n")).to.deep.equal([]);
  });

  it("refuses a value outside its range, in the option's unit, by line and key", () => {
    expect(problemsOf("# a comment\nworkers = 0\n")).to.deep.equal(["2: workers: must be from 1 to 64, got 0"]);
    expect(problemsOf("workers = 65\n")).to.deep.equal(["1: workers: must be from 1 to 64, got 65"]);
    expect(problemsOf("ratio = 0.5\n")).to.deep.equal(["1: ratio: must be at least 1, got 0.5"]);
    expect(problemsOf("timeout = 500ms\n")).to.deep.equal(["1: timeout: must be at least 1s, got 500ms"]);
    expect(problemsOf("buffer = 1MiB\n")).to.deep.equal(["1: buffer: must be at most 65536 bytes, got 1048576 bytes"]);
    expect(problemsOf("tls.depth = 10\n")).to.deep.equal(["1: tls.depth: must be from 0 to 9, got 10"]);
    expect(problemsOf("level = 0\n")).to.deep.equal(["1: level: must be at least 1, got 0"]);
  });

  it("lists every problem of a file in line order, format errors and ranges together", () => {
    expect(problemsOf("ratio = 0\nworkers = many\ntimeout = 1ms\n")).to.deep.equal([
      "1: ratio: must be at least 1, got 0",
      '2: workers: must be a whole number: value was "many"',
      "3: timeout: must be at least 1s, got 1ms",
    ]);
  });

  it("runs an option's check with the whole configuration, for rules between options", () => {
    expect(problemsOf("low = 5\nhigh = 4\n")).to.deep.equal(["2: high: must not be below low (5)"]);
    expect(problemsOf("low = 5\nhigh = 5\n")).to.deep.equal([]);
    expect(problemsOf("names = www, root\n")).to.deep.equal(['1: names: "root" is reserved']);
  });

  it("runs no check while a value has failed its format (a check may read it), nor on a value out of range", () => {
    expect(problemsOf("low = lots\nhigh = 4\n")).to.deep.equal(['1: low: must be a whole number: value was "lots"']);
    const checked: unknown[] = [];
    const spy = { n: { doc: "d", format: "integer", default: 5, min: 1, validate: (v: number) => void checked.push(v) } } as const satisfies ConfigSchema;
    expect(problemsOf("n = 0\n", spy)).to.deep.equal(["1: n: must be at least 1, got 0"]);
    expect(checked).to.deep.equal([]);
  });

  it("reports a check that throws as a problem of its option, not a crash", () => {
    const throwing = {
      n: {
        doc: "d",
        format: "string",
        default: "",
        validate: () => {
          throw new Error("boom");
        },
      },
    } as const satisfies ConfigSchema;
    expect(problemsOf("n = x\n", throwing)).to.deep.equal(["1: n: could not be checked: boom"]);
  });

  describe("in a plugin definition (a plugin written in JavaScript gets no type check)", () => {
    // eslint-disable-next-line @typescript-eslint/no-extraneous-class -- any class will do: only the schema is looked at
    const base = { name: "ranged", kind: "input", description: "d", apiVersion: PLUGIN_API_VERSION, create: class {} };
    const problems = (option: Record<string, unknown>): string[] =>
      definitionProblems({ ...base, schema: { opt: { doc: "d", default: 1, format: "integer", ...option } } });

    it("accepts numeric bounds on numeric formats and a function as validate", () => {
      expect(problems({ min: 0, max: 1, validate: () => undefined })).to.deep.equal([]);
    });

    it("refuses a bound that is no number, a bound on a format that is not numeric, min above max, and a validate that is no function", () => {
      expect(problems({ min: "1" })).to.deep.equal(['option opt has min "1"; expected a number']);
      expect(problems({ format: "string", default: "", max: 3 })).to.deep.equal([
        "option opt has a max but its format is not one of integer, port, number, duration, size",
      ]);
      expect(problems({ min: 5, max: 1, default: 5 })).to.deep.equal(["option opt has min 5 above max 1", "option opt has default 5 outside its range"]);
      expect(problems({ validate: "yes" })).to.deep.equal(["option opt has a validate that is no function"]);
      expect(problems({ min: 2 })).to.deep.equal(["option opt has default 1 outside its range"]);
    });
  });
});
