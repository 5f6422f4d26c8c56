import { expect } from "chai";
import { loadConfiguration } from "../../../core/config/load-config";
import { ConfigError } from "../../../core/errors";
import { BUILT_IN_PLUGINS } from "../..";
import { cleanupTempDirs, makeConfDir } from "../../../test/helpers/temp-dir";
import { checksOf } from "./diamond-input";
import type { DiamondConfig } from "./schema";

async function load(conf: string): Promise<DiamondConfig> {
  const config = await loadConfiguration({ confDir: makeConfDir({ "diamond.conf": conf }), builtIns: BUILT_IN_PLUGINS, env: {} });
  return config.instances.find((i) => i.id === "diamond")!.options as unknown as DiamondConfig;
}

async function problems(conf: string): Promise<string[]> {
  try {
    await load(conf);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.line ?? "-"} ${p.key ?? "-"}: ${p.message}`);
    throw err;
  }
  throw new Error("the conf loaded");
}

describe("diamond conf: several checks in one file", () => {
  after(cleanupTempDirs);

  it("reads [check name] sections, the instance's options filling what a section leaves unset", async () => {
    const config = await load(
      [
        "hostname = web1",
        "interval = 30s",
        "contacts = ops",
        "[check load]",
        "expression = {loadavg.01} / {cpu.count}",
        "thresholds = , , 1, 2",
        "[check disk_root]",
        "service = Disk /",
        "prefix = servers.web1.diskspace",
        "expression = {root.byte_percentfree}",
        "critical = 5:",
        "warning = 10:",
        "interval = 5m",
        "contacts = storage, ops",
        "condition = {root.byte_free} > 0",
        "[check other_host]",
        "hostname = db1",
        "expression = {3600|network.eth0.rx_byte} - {network.eth0.rx_byte}",
      ].join("\n"),
    );
    const checks = checksOf(config);
    expect(checks.map((c) => [c.name, c.hostname, c.service, c.interval, c.contacts])).to.deep.equal([
      ["load", "web1", "load", 30_000, ["ops"]],
      ["disk_root", "web1", "Disk /", 300_000, ["storage", "ops"]],
      ["other_host", "db1", "other_host", 30_000, ["ops"]],
    ]);
    expect(checks[0]!.refs.map((r) => r.path)).to.deep.equal(["servers.web1.loadavg.01", "servers.web1.cpu.count"]);
    expect(checks[1]!.refs.map((r) => r.path)).to.deep.equal(["servers.web1.diskspace.root.byte_percentfree", "servers.web1.diskspace.root.byte_free"]);
    // {hostname} in the default prefix is the check's own host
    expect(checks[2]!.refs).to.deep.equal([
      { path: "servers.db1.network.eth0.rx_byte", age: 3600 },
      { path: "servers.db1.network.eth0.rx_byte", age: 0 },
    ]);
    expect(checks[1]!.thresholds.critical?.text).to.equal("5:");
  });

  it("takes the dotted form too, and no check at all", async () => {
    expect(checksOf(await load("check.a.expression = {x}\n")).map((c) => c.name)).to.deep.equal(["a"]);
    expect(checksOf(await load(""))).to.deep.equal([]);
  });

  it("refuses bad checks at load, naming line and key", async () => {
    expect(
      await problems(
        [
          "[check load]", // 1
          "expression = {a} +", // 2
          "condition = {a}", // 3
          "thresholds = 1, 2", // 4
          "warning = 10abc", // 5
          "", // 6
          "[check twice]", // 7
          "expression = {a}", // 8
          "thresholds = ,,1,2", // 9
          "critical = 5", // 10
          "[check none]", // 11
          "service = x", // 12
          "[check div]", // 13
          "expression = eval({a})", // 14
          "interval = 0", // 15
        ].join("\n"),
      ),
    ).to.deep.equal([
      '2 check.load.expression: expected a number, a {metric}, a function or "(", got the end at column 6',
      "3 check.load.condition: expected a comparison (< <= > >= == !=), got the end at column 4",
      '4 check.load.thresholds: expected 4 comma-separated values "low critical, low warning, up warning, up critical" (empty = unset), got 2',
      '5 check.load.warning: range "10abc": "10abc" is not a number (expected [@][start:][end], ~ for minus infinity)',
      "10 check.twice.critical: the critical bounds are already set by thresholds; set them in one place",
      '14 check.div.expression: unknown name "eval" (metrics are written {metric.path}; functions: min, max, abs) at column 1',
      "15 check.div.interval: must be at least 1s, got 0ms",
      "- check.none.expression: is required: what the check computes, such as {loadavg.01} / {cpu.count}",
    ]);
    expect(await problems("[check load]\nexpression = {a}\nservice = disk;root\nhostname =\n")).to.deep.equal([
      `3 check.load.service: must not contain ";" (Livestatus and Nagios commands split on it), got "disk;root"`,
      "4 check.load.hostname: must not be empty (leave it out for the instance's hostname)",
    ]);
    expect(await problems("[check load]\nexpression = {a}\ncolour = red\n")).to.deep.equal([
      "3 check.load.colour: unknown option (see `tantale plugins` for the options of each plugin)",
    ]);
  });
});
