import { expect } from "chai";
import { parseConf, toNested, type ConfEntry, type ParsedConf } from "../../../core/config/conf-file";
import { formatProblem } from "../../../core/errors";

const FILE = "/etc/tantale/conf.d/sample.conf";

/** Parses with an empty environment unless one is given, so the host's variables never leak in. */
function parse(text: string, env: NodeJS.ProcessEnv = {}): ParsedConf {
  return parseConf(FILE, text, env);
}

/** The values of a parse that must have no problems. */
function valuesOf(text: string, env: NodeJS.ProcessEnv = {}): Record<string, string> {
  const parsed = parse(text, env);
  expect(parsed.problems, "problems").to.deep.equal([]);
  return Object.fromEntries([...parsed.entries.values()].map((e) => [e.key, e.value]));
}

describe("parseConf", () => {
  describe("key = value lines", () => {
    it("reads each key with its value and the 1-based line it is on", () => {
      const parsed = parse("path = results.jsonl\nfsync = yes\n");
      expect(parsed.file).to.equal(FILE);
      expect(parsed.problems).to.deep.equal([]);
      expect([...parsed.entries.values()]).to.deep.equal([
        { key: "path", value: "results.jsonl", line: 1 },
        { key: "fsync", value: "yes", line: 2 },
      ]);
      expect(parsed.entries.get("fsync")?.line).to.equal(2);
    });

    it("counts blank and comment lines in the line numbers", () => {
      const parsed = parse("\n# a comment\n\n; another\nkey = v\n");
      expect(parsed.entries.get("key")).to.deep.equal({ key: "key", value: "v", line: 5 });
    });

    it("splits at the first '=' only, so values may contain '='", () => {
      expect(valuesOf("threshold = load=5;10\nexpr = a == b")).to.deep.equal({ threshold: "load=5;10", expr: "a == b" });
    });

    it("trims the key and the value but keeps inner spaces", () => {
      expect(valuesOf("   check   =    disk  usage   \t\n\tother=x")).to.deep.equal({ check: "disk  usage", other: "x" });
    });

    it("accepts no spaces around '=' and an empty value", () => {
      expect(valuesOf("a=1\nempty =\nalso_empty=   ")).to.deep.equal({ a: "1", empty: "", also_empty: "" });
    });

    it("handles CRLF line endings like LF ones", () => {
      const parsed = parse("a = 1\r\nb = 2\r\n");
      expect(parsed.problems).to.deep.equal([]);
      expect(parsed.entries.get("a")?.value).to.equal("1");
      expect(parsed.entries.get("b")).to.deep.equal({ key: "b", value: "2", line: 2 });
    });

    it("returns nothing for an empty file", () => {
      const parsed = parse("");
      expect(parsed.entries.size).to.equal(0);
      expect(parsed.problems).to.deep.equal([]);
    });
  });

  describe("comments", () => {
    it("skips full-line # and ; comments, also when indented", () => {
      const parsed = parse("# fsync = yes\n; path = x\n   # indented = 1\n\t; tabbed = 2\nkept = 3");
      expect([...parsed.entries.keys()]).to.deep.equal(["kept"]);
      expect(parsed.problems).to.deep.equal([]);
    });

    it("keeps a '#' or ';' inside a value (check outputs and thresholds contain them)", () => {
      expect(valuesOf("output = load is high # really\nperf = load=5;10;20\ncolour = #ff0000")).to.deep.equal({
        output: "load is high # really",
        perf: "load=5;10;20",
        colour: "#ff0000",
      });
    });
  });

  describe("double quotes", () => {
    it("removes the quotes around a value and keeps what they protect", () => {
      expect(valuesOf('greeting = "  hello there  "\nhash = "# not a comment"\nnone = ""')).to.deep.equal({
        greeting: "  hello there  ",
        hash: "# not a comment",
        none: "",
      });
    });

    it("leaves a value with only one quote, or quotes inside, as written", () => {
      expect(valuesOf('open = "abc\nclose = abc"\ninner = say "hi" now\nsingle = "')).to.deep.equal({
        open: '"abc',
        close: 'abc"',
        inner: 'say "hi" now',
        single: '"',
      });
    });

    it("does not treat single quotes as quoting", () => {
      expect(valuesOf("v = 'x'")).to.deep.equal({ v: "'x'" });
    });
  });

  describe("problems", () => {
    it("reports a duplicated key on its second line, naming the first line, and keeps the first value", () => {
      const parsed = parse("a = 1\n\na = 2\n");
      expect(parsed.problems).to.have.length(1);
      const p = parsed.problems[0]!;
      expect(p).to.include({ file: FILE, line: 3, key: "a" });
      expect(p.message).to.match(/duplicated key/);
      expect(p.message).to.match(/\bline 1\b/);
      expect(formatProblem(p)).to.equal(`${FILE}:3: a: duplicated key (first set on line 1)`);
      expect(parsed.entries.get("a")).to.deep.equal({ key: "a", value: "1", line: 1 });
    });

    it("reports a line without '=' with its line number and what was expected", () => {
      const parsed = parse("a = 1\njust some words\nb = 2");
      expect(parsed.problems).to.have.length(1);
      const p = parsed.problems[0]!;
      expect(p.file).to.equal(FILE);
      expect(p.line).to.equal(2);
      expect(p.key).to.equal(undefined);
      expect(p.message).to.include('expected "key = value"');
      expect(p.message).to.include("just some words");
      // the other lines are still read
      expect([...parsed.entries.keys()]).to.deep.equal(["a", "b"]);
    });

    it("shortens a very long malformed line in the message", () => {
      const long = "x".repeat(200);
      const p = parse(long).problems[0]!;
      expect(p.message.length).to.be.lessThan(120);
      expect(p.message).to.include("...");
    });

    for (const bad of ["Path", "bad-key", "1st", "a..b", "a.", ".a", "tls.CA", "with space", "é"]) {
      it(`rejects the invalid key ${JSON.stringify(bad)}`, () => {
        const parsed = parse(`${bad} = 1`);
        expect(parsed.entries.size).to.equal(0);
        expect(parsed.problems).to.have.length(1);
        expect(parsed.problems[0]).to.include({ file: FILE, line: 1, key: bad });
        expect(parsed.problems[0]!.message).to.include("not a valid key");
      });
    }

    it("names an empty key (empty)", () => {
      const p = parse("= value").problems[0]!;
      expect(p).to.include({ line: 1, key: "(empty)" });
      expect(p.message).to.include("not a valid key");
    });

    it("accepts lower case keys with digits, _ and dotted sections", () => {
      expect(valuesOf("_private = 1\nport2 = 2\ntls.ca_file = /ca.pem\na.b.c = 3")).to.deep.equal({
        _private: "1",
        port2: "2",
        "tls.ca_file": "/ca.pem",
        "a.b.c": "3",
      });
    });

    it("reports every problem of a file at once, in line order", () => {
      const parsed = parse("ok = 1\nno equals\nBad = 2\nok = 3\nmissing = ${TANTALE_TEST_UNSET}");
      expect(parsed.problems.map((p) => p.line)).to.deep.equal([2, 3, 4, 5]);
      expect([...parsed.entries.keys()]).to.deep.equal(["ok"]);
    });
  });

  describe("environment variables", () => {
    it("replaces ${VAR} with the variable's value", () => {
      expect(valuesOf("password = ${DB_PASSWORD}", { DB_PASSWORD: "s3cret" })).to.deep.equal({ password: "s3cret" });
    });

    it("replaces several references and keeps the text around them", () => {
      expect(valuesOf("url = http://${HOST}:${PORT}/x", { HOST: "db", PORT: "5432" })).to.deep.equal({ url: "http://db:5432/x" });
    });

    it("expands inside double quotes", () => {
      expect(valuesOf('v = " ${A} "', { A: "x" })).to.deep.equal({ v: " x " });
    });

    it("uses the default of ${VAR:-default} when the variable is not set", () => {
      expect(valuesOf("host = ${TANTALE_HOST:-localhost}\nnone = ${TANTALE_NONE:-}")).to.deep.equal({ host: "localhost", none: "" });
    });

    it("prefers the variable's value over the default when it is set", () => {
      expect(valuesOf("host = ${TANTALE_HOST:-localhost}", { TANTALE_HOST: "db.example" })).to.deep.equal({ host: "db.example" });
    });

    it("uses the default of ${VAR:-default} when the variable is set but empty, as the shell does", () => {
      expect(valuesOf("host = ${TANTALE_HOST:-localhost}", { TANTALE_HOST: "" })).to.deep.equal({ host: "localhost" });
    });

    it("accepts a variable set to the empty string for ${VAR}", () => {
      expect(valuesOf("v = [${EMPTY}]", { EMPTY: "" })).to.deep.equal({ v: "[]" });
    });

    it("does not expand references found in a variable's value", () => {
      expect(valuesOf("v = ${A}", { A: "${B}", B: "no" })).to.deep.equal({ v: "${B}" });
    });

    it("leaves text that is no reference alone", () => {
      expect(valuesOf("a = $HOME\nb = ${}\nc = ${1X}\nd = $", { HOME: "/root" })).to.deep.equal({ a: "$HOME", b: "${}", c: "${1X}", d: "$" });
    });

    it("reports a variable that is not set and has no default, naming it, the key and the line", () => {
      const parsed = parse("a = 1\ntoken = Bearer ${TANTALE_TOKEN}\n", { OTHER: "x" });
      expect(parsed.problems).to.have.length(1);
      const p = parsed.problems[0]!;
      expect(p).to.include({ file: FILE, line: 2, key: "token" });
      expect(p.message).to.include("TANTALE_TOKEN");
      expect(p.message).to.include("not set");
      expect(parsed.entries.has("token")).to.equal(false);
      expect(parsed.entries.get("a")?.value).to.equal("1");
    });

    it("names the first missing variable when several are missing", () => {
      const p = parse("v = ${FIRST_MISSING}${SECOND_MISSING}").problems[0]!;
      expect(p.message).to.include("FIRST_MISSING");
      expect(p.message).not.to.include("SECOND_MISSING");
    });

    it("reads process.env when no environment is passed", () => {
      const name = "TANTALE_CONF_FILE_TEST_VAR";
      process.env[name] = "from-process";
      try {
        expect(parseConf(FILE, `v = \${${name}}`).entries.get("v")?.value).to.equal("from-process");
      } finally {
        Reflect.deleteProperty(process.env, name);
      }
    });
  });
});

describe("toNested", () => {
  const entry = (key: string, value: string, line = 1): ConfEntry => ({ key, value, line });

  it("keeps plain keys at the top level", () => {
    expect(toNested([entry("path", "x"), entry("fsync", "yes")])).to.deep.equal({ path: "x", fsync: "yes" });
  });

  it("turns dotted keys into nested objects and merges siblings", () => {
    expect(toNested([entry("tls.ca_file", "/ca"), entry("port", "1"), entry("tls.verify", "no"), entry("a.b.c", "deep"), entry("a.b.d", "e")])).to.deep.equal({
      tls: { ca_file: "/ca", verify: "no" },
      port: "1",
      a: { b: { c: "deep", d: "e" } },
    });
  });

  it("returns an empty object for no entries", () => {
    expect(toNested([])).to.deep.equal({});
  });

  it("accepts the entries map of a parsed file", () => {
    const parsed = parseConf(FILE, "tls.key_file = /k\ntls.cert_file = /c\nname = n", {});
    expect(toNested(parsed.entries.values())).to.deep.equal({ tls: { key_file: "/k", cert_file: "/c" }, name: "n" });
  });
});
