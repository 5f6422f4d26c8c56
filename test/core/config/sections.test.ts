import { expect } from "chai";
import { optionRows } from "../../../core/cli/options-table";
import { parseConf } from "../../../core/config/conf-file";
import { validateOptions } from "../../../core/config/validate-options";
import type { ConfigOf, ConfigSchema } from "../../../core/plugin/api";
import { definePlugin } from "../../../core/plugin/define";

/** A plugin schema with named sections, as the command input's checks are. */
const schema = {
  concurrency: { doc: "At most this many at once.", format: "integer", default: 4, min: 1 },
  check: {
    doc: "One check per section.",
    sections: {
      command: { doc: "What to run.", format: "string", default: "", validate: (c) => (c === "" ? "is required" : undefined) },
      interval: { doc: "How often.", format: "duration", default: 60_000, min: 1000 },
      contacts: { doc: "Who.", format: "list", default: [] },
    },
  },
} as const satisfies ConfigSchema;

type Config = ConfigOf<typeof schema>;

function validate(text: string) {
  const parsed = parseConf("x.conf", text, {});
  expect(parsed.problems).to.deep.equal([]);
  return validateOptions("x.conf", parsed.entries, schema);
}

describe("conf files: named sections ([check disk_root])", () => {
  it("gives each section's keys the prefix kind.name., options of the instance coming first", () => {
    const parsed = parseConf(
      "x.conf",
      "concurrency = 2\n[check disk_root]\ncommand = /bin/true\n\n[ check load ]\ncommand = /bin/false ; x\ninterval = 5m\n",
      {},
    );
    expect(parsed.problems).to.deep.equal([]);
    expect([...parsed.entries.values()].map((e) => [e.key, e.value, e.line])).to.deep.equal([
      ["concurrency", "2", 1],
      ["check.disk_root.command", "/bin/true", 3],
      ["check.load.command", "/bin/false ; x", 6],
      ["check.load.interval", "5m", 7],
    ]);
  });

  it("refuses a section defined twice and a header that is no [kind name], skipping the keys under it", () => {
    const parsed = parseConf("x.conf", "[check a]\ncommand = 1\n[check a]\ninterval = 2\n[check]\ncommand = 3\n[check b c]\n", {});
    expect(parsed.problems.map((p) => [p.line, p.message])).to.deep.equal([
      [3, "section [check a] is already defined on line 1"],
      [5, 'expected a section header "[<kind> <name>]" (name: letters, digits, _ and -), got "[check]"'],
      [7, 'expected a section header "[<kind> <name>]" (name: letters, digits, _ and -), got "[check b c]"'],
    ]);
    expect([...parsed.entries.keys()]).to.deep.equal(["check.a.command", "check.a.interval"]);
  });

  it("validates each section with the sections schema and hands the plugin name → options", () => {
    const result = validate(
      "[check disk_root]\ncommand = /usr/lib/nagios/plugins/check_disk -w 10%\ncontacts = ops, dba\n[check load]\ncommand = check_load\ninterval = 5m\n",
    );
    expect(result.ok).to.equal(true);
    if (!result.ok) return;
    const config = result.values as unknown as Config;
    expect(config.concurrency).to.equal(4);
    expect(config.check).to.deep.equal({
      disk_root: { command: "/usr/lib/nagios/plugins/check_disk -w 10%", interval: 60_000, contacts: ["ops", "dba"] },
      load: { command: "check_load", interval: 300_000, contacts: [] },
    });
    expect(Object.isFrozen(config.check.load)).to.equal(true);
  });

  it("no section at all: an empty map", () => {
    const result = validate("concurrency = 1\n");
    expect(result.ok && result.values.check).to.deep.equal({});
  });

  it("names the section's key and line in every problem: format, range, check, unknown option", () => {
    const result = validate("concurrency = 0\n[check a]\ninterval = 10ms\nfrobs = 1\n[check b]\ncommand = x\ninterval = soon\n");
    expect(result.ok).to.equal(false);
    if (result.ok) return;
    expect(result.problems.map((p) => [p.line, p.key, p.message])).to.deep.equal([
      [1, "concurrency", "must be at least 1, got 0"],
      [3, "check.a.interval", "must be at least 1s, got 10ms"],
      [4, "check.a.frobs", "unknown option (see `tantale plugins` for the options of each plugin)"],
      [7, "check.b.interval", 'must be a duration such as 500ms, 10s, 5m, 1h or 1d (a bare number is seconds): value was "soon"'],
    ]);
    const missing = validate("[check a]\ninterval = 1m\n");
    expect(!missing.ok && missing.problems.map((p) => [p.key, p.message])).to.deep.equal([["check.a.command", "is required"]]);
  });

  it("refuses the section's name used as a plain key", () => {
    const result = validate("check = disk\n");
    expect(!result.ok && result.problems.map((p) => p.message)).to.deep.equal(["holds named sections: write them as [check <name>] followed by their options"]);
  });

  it("is accepted by definePlugin and listed by the options table as kind.<name>.option", () => {
    class Nothing {
      constructor(readonly config: Config) {}
      start(): Promise<void> {
        return Promise.resolve();
      }
      stop(): Promise<void> {
        return Promise.resolve();
      }
    }
    expect(() => definePlugin({ name: "sections-example", kind: "input", description: "x", schema, create: Nothing })).to.not.throw();
    expect(optionRows(schema).map((r) => r.key)).to.deep.equal(["concurrency", "check.<name>.command", "check.<name>.interval", "check.<name>.contacts"]);
  });
});
