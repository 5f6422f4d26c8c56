import { expect } from "chai";
import {
  MAX_CHECK_LENGTH,
  MAX_CUSTOM_BYTES,
  MAX_CUSTOM_DEPTH,
  MAX_HOSTNAME_LENGTH,
  MAX_OUTPUT_BYTES,
  normalizeResult,
  type Accepted,
  type Rejected,
} from "../../../core/model/normalize-result";

const NOW = 1_700_000_100_000; // ms
const NOW_S = NOW / 1000;
const base = { hostname: "web1", check: "load", status: 0, output: "LOAD OK", timestamp: NOW_S, interval: 60 };

function ok(raw: unknown): Accepted {
  const r = normalizeResult(raw, NOW);
  if (!r.ok) throw new Error(`rejected: ${r.reason}`);
  return r;
}

function rejected(raw: unknown): Rejected {
  const r = normalizeResult(raw, NOW);
  if (r.ok) throw new Error(`accepted: ${JSON.stringify(raw)}`);
  return r;
}

/** `[[...[]...]]`, `depth` lists deep, built without recursion. */
function nestedLists(depth: number): unknown {
  let v: unknown[] = [];
  for (let i = 1; i < depth; i++) v = [v];
  return v;
}

function reason(raw: unknown): string {
  const r = normalizeResult(raw, NOW);
  if (r.ok) throw new Error(`accepted: ${JSON.stringify(raw)}`);
  return r.reason;
}

describe("normalizeResult", () => {
  it("builds a complete frozen result with defaults", () => {
    const { result, warnings } = ok({ hostname: "web1", check: "load", status: 1 });
    expect(result).to.deep.equal({
      hostname: "web1",
      check: "load",
      status: 1,
      output: "",
      longOutput: "",
      perfData: "",
      timestamp: NOW_S,
      interval: 60,
      contacts: [],
      hostgroups: [],
      servicegroups: [],
      customVariables: {},
    });
    expect(warnings).to.deep.equal([]);
    for (const v of [result, result.contacts, result.hostgroups, result.servicegroups, result.customVariables]) expect(Object.isFrozen(v)).to.equal(true);
  });

  it("takes every documented field, splitting the output the Nagios way", () => {
    const { result } = ok({
      ...base,
      status: "2",
      output: "LOAD CRITICAL | load1=9\nlong 1 | load5=8",
      timestamp: NOW_S - 5.5,
      interval: 30.5,
      contacts: ["ops", "dba"],
      hostgroups: ["web"],
      servicegroups: ["load"],
    });
    expect(result).to.deep.include({
      status: 2,
      output: "LOAD CRITICAL",
      longOutput: "long 1 ",
      perfData: "load1=9 load5=8",
      timestamp: NOW_S - 5.5,
      interval: 30.5,
    });
    expect(result.contacts).to.deep.equal(["ops", "dba"]);
    expect([result.hostgroups, result.servicegroups]).to.deep.equal([["web"], ["load"]]);
    expect(Object.isFrozen(result.contacts)).to.equal(true);
  });

  it("does not share or freeze the caller's arrays", () => {
    const contacts = ["ops"];
    const { result } = ok({ ...base, contacts });
    contacts.push("x");
    expect(result.contacts).to.deep.equal(["ops"]);
    expect(Object.isFrozen(contacts)).to.equal(false);
  });

  it("rejects anything but an object", () => {
    expect(reason([])).to.equal("expected a JSON object, got an array");
    expect(reason(null)).to.equal("expected a JSON object, got null");
    expect(reason(42)).to.equal("expected a JSON object, got a number");
    expect(reason("x")).to.equal("expected a JSON object, got a string");
  });

  it("requires hostname and check as non-empty strings; Host is the host check, case-sensitively", () => {
    expect(reason({ ...base, hostname: undefined })).to.equal("hostname is required");
    expect(reason({ ...base, hostname: "" })).to.equal("hostname must not be empty");
    expect(reason({ ...base, hostname: "  " })).to.equal("hostname must not be empty");
    expect(reason({ ...base, hostname: 12 })).to.equal("hostname must be a string, got 12");
    expect(reason({ ...base, hostname: "a\nb" })).to.equal('hostname must not contain control or line-separator characters (U+000A), got "a\\nb"');
    expect(reason({ ...base, check: undefined })).to.equal("check is required");
    expect(reason({ ...base, check: null })).to.equal("check must be a string, got null");
    const lower = ok({ ...base, check: "host" });
    expect(lower.result.check).to.equal("host");
    expect(lower.result.status).to.equal(0);
    expect(lower.warnings[0]).to.match(/^check "host" is a service/);
  });

  it("takes status as an integer or a decimal-integer string, nothing else", () => {
    expect(ok({ ...base, status: "3" }).result.status).to.equal(3);
    expect(ok({ ...base, status: -0 }).result.status).to.equal(0);
    expect(Object.is(ok({ ...base, status: "-0" }).result.status, 0)).to.equal(true);
    expect(reason({ ...base, status: undefined })).to.equal("status is required");
    expect(reason({ ...base, status: 2.5 })).to.equal("status must be an integer, got 2.5");
    expect(reason({ ...base, status: "2x" })).to.equal('status must be an integer, got "2x"');
    expect(reason({ ...base, status: " 2" })).to.equal('status must be an integer, got " 2"');
    expect(reason({ ...base, status: "2.0" })).to.equal('status must be an integer, got "2.0"');
    expect(reason({ ...base, status: true })).to.equal("status must be an integer, got true");
    expect(reason({ ...base, status: null })).to.equal("status must be an integer, got null");
    expect(reason({ ...base, status: [1] })).to.equal("status must be an integer, got a list");
    expect(reason({ ...base, status: {} })).to.equal("status must be an integer, got an object");
  });

  it("maps a service status outside 0..3 to 3 UNKNOWN with a warning, rejects a host status outside 0..2", () => {
    for (const status of [7, -1, "4", 1e21]) {
      const r = ok({ ...base, status });
      expect(r.result.status, String(status)).to.equal(3);
      expect(r.warnings[0]).to.match(/^status .* is outside 0\.\.3, taken as 3 UNKNOWN$/);
    }
    expect(ok({ ...base, check: "Host", status: 2 }).result.status).to.equal(2);
    expect(reason({ ...base, check: "Host", status: 3 })).to.equal("host status must be 0, 1 or 2, got 3");
    expect(reason({ ...base, check: "Host", status: -1 })).to.equal("host status must be 0, 1 or 2, got -1");
  });

  it("checks the timestamp: seconds, positive, finite, at most a day ahead; warns on skew", () => {
    expect(ok({ ...base, timestamp: NOW_S + 86_400 }).result.timestamp).to.equal(NOW_S + 86_400);
    expect(reason({ ...base, timestamp: NOW_S + 86_401 })).to.match(/^timestamp \d+ is more than a day ahead/);
    expect(reason({ ...base, timestamp: 1_700_000_000_000 })).to.contain("not milliseconds");
    expect(reason({ ...base, timestamp: 1e20 })).to.contain("more than a day ahead");
    expect(reason({ ...base, timestamp: 0 })).to.equal("timestamp must be positive, got 0");
    expect(reason({ ...base, timestamp: -5 })).to.equal("timestamp must be positive, got -5");
    expect(reason({ ...base, timestamp: Number.NaN })).to.equal("timestamp must be finite, got NaN");
    expect(reason({ ...base, timestamp: Number.POSITIVE_INFINITY })).to.equal("timestamp must be finite, got Infinity");
    expect(reason({ ...base, timestamp: "abc" })).to.equal('timestamp must be a number of seconds, got "abc"');
    expect(reason({ ...base, timestamp: "1700000000" })).to.equal('timestamp must be a number of seconds, got "1700000000"');
    expect(reason({ ...base, timestamp: null })).to.equal("timestamp must be a number of seconds, got null");
    expect(ok({ ...base, timestamp: NOW_S - 600 }).warnings).to.deep.equal([]);
    expect(ok({ ...base, timestamp: NOW_S - 3600 }).warnings).to.deep.equal([`timestamp ${NOW_S - 3600} is 3600s behind this server's clock`]);
    expect(ok({ ...base, timestamp: NOW_S + 700 }).warnings[0]).to.contain("700s ahead of");
  });

  it("requires a positive interval (default 60)", () => {
    expect(ok({ ...base, interval: undefined }).result.interval).to.equal(60);
    expect(ok({ ...base, interval: 0.5 }).result.interval).to.equal(0.5);
    expect(reason({ ...base, interval: 0 })).to.equal("interval must be a positive number of seconds, got 0");
    expect(reason({ ...base, interval: -60 })).to.equal("interval must be a positive number of seconds, got -60");
    expect(reason({ ...base, interval: "60" })).to.equal('interval must be a positive number of seconds, got "60"');
    expect(reason({ ...base, interval: null })).to.equal("interval must be a positive number of seconds, got null");
  });

  it("requires contacts and groups as lists of non-empty strings", () => {
    expect(reason({ ...base, contacts: "ops" })).to.equal('contacts must be a list of non-empty strings, got "ops"');
    expect(reason({ ...base, contacts: ["ops", ""] })).to.equal('contacts must be a list of non-empty strings, got "" in it');
    expect(reason({ ...base, hostgroups: [1] })).to.equal("hostgroups must be a list of non-empty strings, got 1 in it");
    expect(reason({ ...base, servicegroups: {} })).to.equal("servicegroups must be a list of non-empty strings, got an object");
  });

  it("requires output to be a string and truncates it to 8192 bytes on a character boundary", () => {
    expect(reason({ ...base, output: 5 })).to.equal("output must be a string, got 5");
    expect(reason({ ...base, output: null })).to.equal("output must be a string, got null");
    const long = `${"€".repeat(3000)}\nmore`; // 9005 bytes, no character may be cut in two
    const r = ok({ ...base, output: long });
    expect(Buffer.byteLength(r.result.output)).to.be.at.most(MAX_OUTPUT_BYTES);
    expect(r.result.output).to.equal("€".repeat(2730));
    expect(r.warnings).to.deep.equal(["output truncated from 9005 to 8192 bytes"]);
    const exact = "x".repeat(MAX_OUTPUT_BYTES);
    expect(ok({ ...base, output: exact }).warnings).to.deep.equal([]);
    const multi = ok({ ...base, output: `OK\n${"y".repeat(20_000)}` });
    expect(multi.result.output).to.equal("OK");
    expect(multi.result.longOutput).to.have.length(MAX_OUTPUT_BYTES - 3);
  });

  it("keeps unknown fields as upper-cased custom variables, stringified", () => {
    const { result, warnings } = ok({ ...base, site: "paris", rack: 12, critical: true, tags: ["a", 1], meta: { x: 1 }, nothing: null });
    expect(result.customVariables).to.deep.equal({ SITE: "paris", RACK: "12", CRITICAL: "true", TAGS: '["a",1]', META: '{"x":1}', NOTHING: "null" });
    expect(Object.getPrototypeOf(result.customVariables)).to.equal(Object.prototype);
    expect(Object.isFrozen(result.customVariables)).to.equal(true);
    expect(warnings).to.deep.equal([]);
  });

  it("ignores __proto__, constructor and prototype from parsed JSON, without touching any prototype", () => {
    const raw: unknown = JSON.parse(
      '{"hostname":"h","check":"c","status":0,"__proto__":{"polluted":"yes","status":3},"constructor":{"prototype":{"x":1}},"prototype":1}',
    );
    const r = ok(raw);
    expect(r.result.status).to.equal(0);
    expect(r.result.customVariables).to.deep.equal({});
    expect(Object.getPrototypeOf(r.result.customVariables)).to.equal(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    expect(r.warnings).to.have.length(3);
    expect(r.warnings[0]).to.equal("__proto__ is not allowed as a field name, ignored");
  });

  it("upper-cases __proto__ look-alikes into harmless own properties", () => {
    const r = ok(JSON.parse('{"hostname":"h","check":"c","status":0,"__Proto__":"x"}'));
    expect(Object.keys(r.result.customVariables)).to.deep.equal(["__PROTO__"]);
    expect(Object.getPrototypeOf(r.result.customVariables)).to.equal(Object.prototype);
  });

  it("reads only own fields (an inherited hostname does not count)", () => {
    const raw = Object.create({ hostname: "inherited" }) as Record<string, unknown>;
    raw.check = "c";
    raw.status = 0;
    expect(reason(raw)).to.equal("hostname is required");
    const bare = Object.assign(Object.create(null) as object, base);
    expect(ok(bare).result.hostname).to.equal("web1");
  });

  it("ignores the derived fields long_output and perf_data with a warning", () => {
    const r = ok({ ...base, long_output: "x", perf_data: "y=1" });
    expect(r.result).to.deep.include({ longOutput: "", perfData: "", customVariables: {} });
    expect(r.warnings).to.deep.equal([
      "long_output is not an input field (it is derived from output), ignored",
      "perf_data is not an input field (it is derived from output), ignored",
    ]);
  });

  it("gives a stable key per rule, whatever the values", () => {
    const a = normalizeResult({ ...base, status: 2.5 }, NOW);
    const b = normalizeResult({ ...base, status: "x" }, NOW);
    expect([a.ok || a.key, b.ok || b.key]).to.deep.equal(["status", "status"]);
    const c = normalizeResult([], NOW);
    expect(c.ok || c.key).to.equal("not_object");
  });

  describe("names Livestatus and Nagios commands can carry", () => {
    it("refuses ; in host and check names (commands split on it, csv answers would show extra fields)", () => {
      expect(rejected({ ...base, hostname: "semi;host" })).to.deep.equal({
        ok: false,
        key: "hostname",
        reason: 'hostname must not contain ";" (Livestatus and Nagios commands split on it), got "semi;host"',
      });
      expect(reason({ ...base, check: "disk;root" })).to.equal('check must not contain ";" (Livestatus and Nagios commands split on it), got "disk;root"');
    });

    it("refuses names that begin or end with a space (Livestatus strips them from operands: no filter could name them)", () => {
      expect(reason({ ...base, hostname: "web1 " })).to.equal('hostname must not begin or end with a space, got "web1 "');
      expect(reason({ ...base, check: " disk" })).to.equal('check must not begin or end with a space, got " disk"');
      expect(reason({ ...base, contacts: ["ops "] })).to.include("must not begin or end with a space");
      expect(normalizeResult({ ...base, check: "disk /var log" }, NOW).ok).to.equal(true);
    });

    it("refuses C0 and C1 controls, DEL, U+0085 and the Unicode line and paragraph separators, naming the character", () => {
      const cases: [string, string][] = [
        ["\u0000", "U+0000"],
        ["\t", "U+0009"],
        ["\r", "U+000D"],
        ["\u001b", "U+001B"],
        ["\u007f", "U+007F"],
        ["\u0080", "U+0080"],
        ["\u0085", "U+0085"],
        ["\u009f", "U+009F"],
        ["\u2028", "U+2028"],
        ["\u2029", "U+2029"],
      ];
      for (const [c, code] of cases) {
        expect(reason({ ...base, hostname: `a${c}b` }), code).to.contain(`hostname must not contain control or line-separator characters (${code})`);
        expect(reason({ ...base, check: `a${c}b` }), code).to.contain(`check must not contain control or line-separator characters (${code})`);
      }
      // The reason quotes the name escaped: it goes to logs and clients.
      expect(reason({ ...base, hostname: "a\u0085\u2028\u007fb" })).to.equal(
        'hostname must not contain control or line-separator characters (U+0085), got "a\\u0085\\u2028\\u007fb"',
      );
    });

    it("refuses a lone surrogate (it has no UTF-8 form), keeps paired ones", () => {
      expect(reason({ ...base, hostname: "a\ud800b" })).to.match(/^hostname must be valid Unicode/);
      expect(reason({ ...base, check: "a\udc00" })).to.match(/^check must be valid Unicode/);
      expect(ok({ ...base, hostname: "h\ud83d\ude00", check: "café ✓" }).result).to.deep.include({ hostname: "h\ud83d\ude00", check: "café ✓" });
      expect(ok({ ...base, hostname: "a,\ud83d\ude00", contacts: ["\ud83d\ude00"] }).result.hostname).to.equal("a,\ud83d\ude00");
      expect(reason({ ...base, contacts: ["\ud83d\ude00,"] })).to.contain('each name must not contain ","');
      expect(reason({ ...base, contacts: ["\udc00"] })).to.match(/^contacts: each name must be valid Unicode/);
    });

    it("caps host names at 255 and check names at 1024 characters", () => {
      expect(ok({ ...base, hostname: "h".repeat(MAX_HOSTNAME_LENGTH) }).result.hostname).to.have.length(255);
      expect(reason({ ...base, hostname: "h".repeat(MAX_HOSTNAME_LENGTH + 1) })).to.equal("hostname must be at most 255 characters, got 256");
      expect(reason({ ...base, hostname: "h".repeat(20_000) })).to.equal("hostname must be at most 255 characters, got 20000");
      expect(ok({ ...base, check: "c".repeat(MAX_CHECK_LENGTH) }).result.check).to.have.length(1024);
      expect(reason({ ...base, check: "c".repeat(MAX_CHECK_LENGTH + 1) })).to.equal("check must be at most 1024 characters, got 1025");
    });

    it("keeps the characters real names use", () => {
      for (const n of ["web-1.example.com", "disk /", "Filesystem C:\\", "CPU load | avg", "a,b", "ünïcödé 名前", "x=1 (y) [z] {w} 'q' \"d\""]) {
        expect(ok({ ...base, hostname: n, check: n }).result.check).to.equal(n);
      }
    });

    it("refuses , ; controls and over-long names in contacts and groups (csv answers join list items with ,)", () => {
      expect(rejected({ ...base, contacts: ["ops", "a,b"] })).to.deep.equal({
        ok: false,
        key: "contacts",
        reason: 'contacts: each name must not contain "," (csv answers join list items with it), got "a,b"',
      });
      expect(reason({ ...base, hostgroups: ["web;db"] })).to.equal(
        'hostgroups: each name must not contain ";" (Livestatus and Nagios commands split on it), got "web;db"',
      );
      expect(reason({ ...base, servicegroups: ["a\u2028b"] })).to.contain(
        "servicegroups: each name must not contain control or line-separator characters (U+2028)",
      );
      expect(reason({ ...base, contacts: ["x".repeat(256)] })).to.equal("contacts: each name must be at most 255 characters, got 256");
      expect(ok({ ...base, contacts: ["x".repeat(255), "ops team"] }).result.contacts).to.have.length(2);
    });
  });

  describe("bounds on custom fields", () => {
    it("rejects a custom field nested 5000 deep without overflowing the stack", () => {
      const raw: unknown = JSON.parse(`{"hostname":"h","check":"c","status":0,"x":${"[".repeat(5000)}${"]".repeat(5000)}}`);
      expect(rejected(raw)).to.deep.equal({ ok: false, key: "custom_depth", reason: `custom field "x" nests deeper than ${MAX_CUSTOM_DEPTH} levels` });
    });

    it("accepts 32 levels of lists and objects, rejects 33, wherever the deep branch is", () => {
      expect(ok({ ...base, x: nestedLists(MAX_CUSTOM_DEPTH) }).result.customVariables.X).to.equal(`${"[".repeat(32)}${"]".repeat(32)}`);
      expect(normalizeResult({ ...base, x: nestedLists(MAX_CUSTOM_DEPTH + 1) }, NOW)).to.deep.include({ ok: false, key: "custom_depth" });
      let obj: unknown = 1;
      for (let i = 0; i < MAX_CUSTOM_DEPTH; i++) obj = { a: obj };
      expect(ok({ ...base, o: obj }).result.customVariables.O).to.have.length(32 * 6 + 1);
      expect(reason({ ...base, o: { deep: obj } })).to.equal(`custom field "o" nests deeper than ${MAX_CUSTOM_DEPTH} levels`);
      // The deep branch last, after wide shallow ones.
      expect(reason({ ...base, mix: [1, [2], { a: [3] }, "s", nestedLists(MAX_CUSTOM_DEPTH)] })).to.contain("nests deeper");
    });

    it("rejects a very deep object nesting (JSON.parse builds it, any recursion over it would overflow)", () => {
      const depth = 100_000;
      const raw: unknown = JSON.parse(`{"hostname":"h","check":"c","status":0,"y":${'{"a":'.repeat(depth)}1${"}".repeat(depth)}}`);
      expect(rejected(raw).key).to.equal("custom_depth");
    });

    it("caps custom fields at 16384 bytes together, names included, counting UTF-8 bytes", () => {
      expect(ok({ ...base, a: "x".repeat(MAX_CUSTOM_BYTES - 1) }).result.customVariables.A).to.have.length(MAX_CUSTOM_BYTES - 1);
      expect(rejected({ ...base, a: "x".repeat(MAX_CUSTOM_BYTES) })).to.deep.equal({
        ok: false,
        key: "custom_size",
        reason: "custom fields take 16385 bytes together, at most 16384",
      });
      expect(reason({ ...base, a: "x".repeat(10_000), b: ["y".repeat(7000)] })).to.contain("custom fields take 17006 bytes");
      expect(reason({ ...base, a: "é".repeat(8192) })).to.contain("custom fields take 16385 bytes");
      const many: Record<string, number> = {};
      for (let i = 0; i < 5000; i++) many[`f${i}`] = i;
      expect(rejected({ ...base, ...many }).key).to.equal("custom_size");
    });
  });
});
