import { expect } from "chai";
import type { ConfEntry } from "../../../core/config/conf-file";
import { FORMAT_NAMES } from "../../../core/config/formats";
import { validateOptions } from "../../../core/config/validate-options";
import type { ConfigProblem } from "../../../core/errors";
import type { ConfigSchema, OptionSchema } from "../../../core/plugin/api";

const FILE = "/conf.d/formats.conf";

/** Entries as parseConf would give them: one line each, in the given order from line 1. */
function entriesOf(values: Readonly<Record<string, string>>): Map<string, ConfEntry> {
  return new Map(Object.entries(values).map(([key, value], i) => [key, { key, value, line: i + 1 }]));
}

const DEFAULTS: Readonly<Record<string, unknown>> = {
  bool: false,
  integer: 0,
  port: 0,
  number: 0,
  duration: 1000,
  size: 0,
  list: [],
  "log-level": "",
  host: "localhost",
  string: "",
  "data-path": "",
};

function schemaOf(format: OptionSchema["format"], def?: unknown): ConfigSchema {
  // Built at run time from any format: the option is a ConfigSchema leaf by construction.
  return { opt: { doc: "the option under test", format, default: def !== undefined ? def : DEFAULTS[format as string] } as OptionSchema };
}

/** The value `raw` becomes with `format`; fails the test when it is refused. */
function accepted(format: OptionSchema["format"], raw: string, def?: unknown): unknown {
  const result = validateOptions(FILE, entriesOf({ opt: raw }), schemaOf(format, def));
  if (!result.ok) expect.fail(`${JSON.stringify(raw)} was refused as ${String(format)}: ${result.problems.map((p) => p.message).join("; ")}`);
  return result.values.opt;
}

/** The one problem `raw` gives with `format`; fails the test when it is accepted. */
function refused(format: OptionSchema["format"], raw: string): ConfigProblem {
  const result = validateOptions(FILE, entriesOf({ opt: raw }), schemaOf(format));
  if (result.ok) return expect.fail(`${JSON.stringify(raw)} was accepted as ${String(format)}: ${JSON.stringify(result.values.opt)}`);
  expect(result.problems).to.have.length(1);
  const p = result.problems[0]!;
  expect(p.file).to.equal(FILE);
  expect(p.line).to.equal(1);
  expect(p.key).to.equal("opt");
  return p;
}

describe("config formats (through validateOptions)", () => {
  describe("bool", () => {
    const truthy = ["true", "yes", "on", "1", "TRUE", "Yes", "ON", "tRuE"];
    const falsy = ["false", "no", "off", "0", "FALSE", "No", "Off", "fAlSe"];
    for (const raw of truthy) {
      it(`reads ${JSON.stringify(raw)} as true`, () => {
        expect(accepted("bool", raw)).to.equal(true);
      });
    }
    for (const raw of falsy) {
      it(`reads ${JSON.stringify(raw)} as false`, () => {
        // the default is false too: check with a default of true that the value was really read
        const result = validateOptions(FILE, entriesOf({ opt: raw }), schemaOf("bool", true));
        expect(result.ok).to.equal(true);
        if (result.ok) expect(result.values.opt).to.equal(false);
      });
    }
    for (const raw of ["maybe", "2", "", "y", "n", "tru", "yess", "00", "-1", "enabled", "true false"]) {
      it(`refuses ${JSON.stringify(raw)}, saying which values are allowed`, () => {
        const p = refused("bool", raw);
        expect(p.message).to.include("true/false/yes/no/on/off/1/0");
      });
    }

    it("quotes the refused value in the message", () => {
      expect(refused("bool", "maybe").message).to.include('"maybe"');
    });

    it("keeps the default when the key is absent", () => {
      const result = validateOptions(FILE, new Map(), schemaOf("bool", true));
      expect(result).to.deep.equal({ ok: true, values: { opt: true } });
    });
  });

  describe("integer", () => {
    it("reads whole numbers, signed ones too", () => {
      expect(accepted("integer", "12")).to.equal(12);
      expect(accepted("integer", "-5")).to.equal(-5);
      expect(accepted("integer", "+7")).to.equal(7);
      expect(accepted("integer", "007")).to.equal(7);
    });

    for (const raw of ["12abc", "abc", "1.5", "1e3", "", "0x10", "1 000", "9007199254740993"]) {
      it(`refuses ${JSON.stringify(raw)} (no partial parse)`, () => {
        expect(refused("integer", raw).message).to.include("must be a whole number");
      });
    }
  });

  describe("port", () => {
    it("reads 0 to 65535", () => {
      expect(accepted("port", "0")).to.equal(0);
      expect(accepted("port", "80")).to.equal(80);
      expect(accepted("port", "65535")).to.equal(65535);
    });

    for (const raw of ["65536", "-1", "100000", "8080abc", "http", "80.5", ""]) {
      it(`refuses ${JSON.stringify(raw)} with the allowed range`, () => {
        const p = refused("port", raw);
        expect(p.message).to.include("TCP port");
        expect(p.message).to.include("0 to 65535");
      });
    }
  });

  describe("number", () => {
    it("reads decimals, signs and exponents", () => {
      expect(accepted("number", "1.5")).to.equal(1.5);
      expect(accepted("number", "-2")).to.equal(-2);
      expect(accepted("number", ".25")).to.equal(0.25);
      expect(accepted("number", "1e3")).to.equal(1000);
    });

    for (const raw of ["1.5x", "abc", "", "NaN", "Infinity", "1,5"]) {
      it(`refuses ${JSON.stringify(raw)}`, () => {
        expect(refused("number", raw).message).to.include("must be a number");
      });
    }
  });

  describe("duration", () => {
    const cases: readonly [string, number][] = [
      ["500ms", 500],
      ["10s", 10_000],
      ["5m", 5 * 60_000],
      ["2h", 2 * 3_600_000],
      ["1d", 86_400_000],
      ["30", 30_000], // a bare number is seconds
      ["0", 0],
      ["1.5s", 1500],
      ["0.5", 500],
      ["10 s", 10_000],
    ];
    for (const [raw, ms] of cases) {
      it(`reads ${JSON.stringify(raw)} as ${ms} ms`, () => {
        expect(accepted("duration", raw)).to.equal(ms);
      });
    }

    for (const raw of ["10 minutes", "abc", "-5s", "5x", "", "s", "1h30m"]) {
      it(`refuses ${JSON.stringify(raw)} with examples of durations`, () => {
        const p = refused("duration", raw);
        expect(p.message).to.include("must be a duration");
        expect(p.message).to.include("500ms");
      });
    }
  });

  describe("size", () => {
    const cases: readonly [string, number][] = [
      ["64KiB", 65_536],
      ["65536", 65_536],
      ["0", 0],
      ["100b", 100],
      ["1k", 1024],
      ["2kb", 2048],
      ["10MiB", 10 * 1024 * 1024],
      ["3M", 3 * 1024 * 1024],
      ["1GiB", 1024 ** 3],
      ["64 KiB", 65_536],
    ];
    for (const [raw, bytes] of cases) {
      it(`reads ${JSON.stringify(raw)} as ${bytes} bytes`, () => {
        expect(accepted("size", raw)).to.equal(bytes);
      });
    }

    for (const raw of ["1.5MiB", "-1", "10TiB", "lots", "", "64 kibibytes"]) {
      it(`refuses ${JSON.stringify(raw)} with examples of sizes`, () => {
        const p = refused("size", raw);
        expect(p.message).to.include("must be a size");
        expect(p.message).to.include("64KiB");
      });
    }
  });

  describe("list", () => {
    it("splits at commas and trims each value", () => {
      expect(accepted("list", "a, b ,c")).to.deep.equal(["a", "b", "c"]);
      expect(accepted("list", "only")).to.deep.equal(["only"]);
      expect(accepted("list", "web 1, web 2")).to.deep.equal(["web 1", "web 2"]);
    });

    it("reads an empty value as an empty list", () => {
      const result = validateOptions(FILE, entriesOf({ opt: "" }), schemaOf("list", ["default"]));
      expect(result.ok).to.equal(true);
      if (result.ok) expect(result.values.opt).to.deep.equal([]);
    });

    for (const raw of ["a,,b", "a, ,b", ",a", "a,"]) {
      it(`refuses ${JSON.stringify(raw)}, which holds an empty value`, () => {
        expect(refused("list", raw).message).to.include("comma-separated list of non-empty values");
      });
    }
  });

  describe("log-level", () => {
    for (const level of ["trace", "debug", "info", "warn", "error", "fatal", "silent"]) {
      it(`accepts ${level}`, () => {
        expect(accepted("log-level", level)).to.equal(level);
      });
    }

    it("is case-insensitive and gives the lower case level", () => {
      expect(accepted("log-level", "DEBUG")).to.equal("debug");
      expect(accepted("log-level", "Warn")).to.equal("warn");
    });

    it("refuses an empty value: a daemon log level must be a level (an instance inherits by leaving the key out)", () => {
      expect(refused("log-level", "").message).to.include("trace/debug/info/warn/error/fatal/silent");
    });

    for (const raw of ["verbose", "warning", "information", "5"]) {
      it(`refuses ${JSON.stringify(raw)}, listing the levels`, () => {
        expect(refused("log-level", raw).message).to.include("trace/debug/info/warn/error/fatal/silent");
      });
    }
  });

  describe("host and string", () => {
    it("accepts IP addresses and host names", () => {
      expect(accepted("host", "127.0.0.1")).to.equal("127.0.0.1");
      expect(accepted("host", "::1")).to.equal("::1");
      expect(accepted("host", "db-1.example.org")).to.equal("db-1.example.org");
    });

    it("refuses something that is neither", () => {
      expect(refused("host", "not a host!").message).to.include("IP address or a host name");
    });

    it("takes a string as it is", () => {
      expect(accepted("string", "  x # y ; z  ")).to.equal("  x # y ; z  ");
    });
  });

  describe("data-path", () => {
    it("takes a path inside the data dir, and empty for none", () => {
      expect(accepted("data-path", "tantale.db")).to.equal("tantale.db");
      expect(accepted("data-path", "sub/dir/../live")).to.equal("sub/dir/../live");
      expect(accepted("data-path", "")).to.equal("");
    });

    it("refuses absolute paths and paths that climb out of the data dir", () => {
      expect(refused("data-path", "/etc/passwd").message).to.include("relative to the data dir");
      expect(refused("data-path", "../elsewhere.db").message).to.include("inside the data dir");
      expect(refused("data-path", "a/../../b").message).to.include("inside the data dir");
      expect(refused("data-path", "..").message).to.include("inside the data dir");
      expect(refused("data-path", "a/..").message).to.include("name a file");
    });
  });

  describe("a list of allowed values", () => {
    it("accepts one of them and refuses anything else", () => {
      expect(accepted(["json", "text"], "json", "text")).to.equal("json");
      const result = validateOptions(FILE, entriesOf({ opt: "xml" }), schemaOf(["json", "text"], "text"));
      expect(result.ok).to.equal(false);
      if (!result.ok) {
        expect(result.problems[0]).to.include({ key: "opt", line: 1 });
        expect(result.problems[0]!.message).to.include('["json","text"]');
      }
    });
  });

  it("has a test for each of its named formats", () => {
    expect([...FORMAT_NAMES].sort()).to.deep.equal(Object.keys(DEFAULTS).sort());
  });
});

describe("validateOptions", () => {
  const schema: ConfigSchema = {
    path: { doc: "a path", format: "string", default: "out.jsonl" },
    fsync: { doc: "flush", format: "bool", default: false },
    interval: { doc: "how often", format: "duration", default: 60_000 },
    tls: {
      ca_file: { doc: "CA", format: "string", default: "" },
      verify: { doc: "check the peer", format: "bool", default: true },
    },
  };

  it("gives every option, read or defaulted, with nested sections", () => {
    const result = validateOptions(FILE, entriesOf({ fsync: "yes", "tls.ca_file": "/ca.pem" }), schema);
    expect(result).to.deep.equal({
      ok: true,
      values: { path: "out.jsonl", fsync: true, interval: 60_000, tls: { ca_file: "/ca.pem", verify: true } },
    });
  });

  it("freezes the values, nested ones included", () => {
    const result = validateOptions(FILE, entriesOf({}), schema);
    expect(result.ok).to.equal(true);
    if (!result.ok) return;
    expect(Object.isFrozen(result.values)).to.equal(true);
    expect(Object.isFrozen(result.values.tls)).to.equal(true);
  });

  it("reports an unknown key with its line", () => {
    const result = validateOptions(FILE, entriesOf({ path: "x", colour: "red" }), schema);
    expect(result.ok).to.equal(false);
    if (result.ok) return;
    expect(result.problems).to.have.length(1);
    expect(result.problems[0]).to.include({ file: FILE, line: 2, key: "colour" });
    expect(result.problems[0]!.message).to.include("unknown option");
  });

  it("reports an unknown key in a known section with its dotted name", () => {
    const result = validateOptions(FILE, entriesOf({ "tls.cafile": "/ca" }), schema);
    expect(result.ok).to.equal(false);
    if (result.ok) return;
    expect(result.problems).to.have.length(1);
    expect(result.problems[0]).to.include({ line: 1, key: "tls.cafile" });
  });

  it("reports a bad nested value with its dotted key and line", () => {
    const result = validateOptions(FILE, entriesOf({ path: "x", "tls.verify": "perhaps" }), schema);
    expect(result.ok).to.equal(false);
    if (result.ok) return;
    expect(result.problems).to.have.length(1);
    expect(result.problems[0]).to.include({ line: 2, key: "tls.verify" });
    expect(result.problems[0]!.message).to.include("true/false/yes/no/on/off/1/0");
  });

  it("reports every bad value and unknown key at once", () => {
    const result = validateOptions(FILE, entriesOf({ fsync: "maybe", interval: "soon", nope: "1" }), schema);
    expect(result.ok).to.equal(false);
    if (result.ok) return;
    const byKey = new Map(result.problems.map((p) => [p.key, p]));
    expect([...byKey.keys()].sort()).to.deep.equal(["fsync", "interval", "nope"]);
    expect(byKey.get("fsync")!.line).to.equal(1);
    expect(byKey.get("interval")!.line).to.equal(2);
    expect(byKey.get("interval")!.message).to.include("must be a duration");
    expect(byKey.get("nope")!.line).to.equal(3);
  });

  it("never reads an option from the environment, even when its schema names a variable", () => {
    const envSchema = { opt: { doc: "x", format: "string", default: "schema-default", env: "TANTALE_FORMATS_TEST_ENV" } } as unknown as ConfigSchema;
    process.env.TANTALE_FORMATS_TEST_ENV = "from-env";
    try {
      const result = validateOptions(FILE, entriesOf({}), envSchema);
      expect(result).to.deep.equal({ ok: true, values: { opt: "schema-default" } });
    } finally {
      delete process.env.TANTALE_FORMATS_TEST_ENV;
    }
  });
});
