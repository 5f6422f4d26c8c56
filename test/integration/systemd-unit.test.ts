/**
 * scripts/tantale.service (issue 15, "Running in production"): systemd reads it without a
 * warning, its hardening rates "OK" or better in `systemd-analyze security`, and the command
 * it runs is this Tantale's, with options that exist. systemd-analyze checks that ExecStart=
 * is an executable file: the copy it reads runs this repo's bin/tantale instead of
 * /opt/tantale's. Without systemd-analyze (a machine without systemd: `apt-get install
 * systemd` brings it) the systemd checks are skipped, saying so.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { REPO_ROOT, runTantale, TANTALE_BIN } from "../helpers/tantale-process";
import { cleanupTempDirs, makeTempDir } from "../helpers/temp-dir";

const UNIT = path.join(REPO_ROOT, "scripts", "tantale.service");
const INSTALLED_BIN = "/opt/tantale/node_modules/.bin/tantale";
/** The highest exposure accepted (systemd's scale: up to 2.0 "SAFE"-ish, 4.9 "OK", 10 "UNSAFE"); the unit rates 1.4 with systemd 252. */
const MAX_EXPOSURE = 2.5;

const hasAnalyze = spawnSync("systemd-analyze", ["--version"], { encoding: "utf8" }).status === 0;

/** `key=value` settings of the unit, by key, in order (a key may repeat). */
function settings(text: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const line of text.split("\n")) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (m === null) continue;
    map.set(m[1]!, [...(map.get(m[1]!) ?? []), m[2]!]);
  }
  return map;
}

describe("the systemd unit", () => {
  const text = fs.readFileSync(UNIT, "utf8");
  const unit = settings(text);
  const one = (key: string) => {
    const values = unit.get(key) ?? [];
    expect(values, key).to.have.length(1);
    return values[0]!;
  };
  after(() => cleanupTempDirs());

  it("runs tantale in the foreground on the directories systemd makes, as its own user, reloaded by SIGHUP", () => {
    const [bin, ...args] = one("ExecStart").split(/\s+/);
    expect(bin).to.equal(INSTALLED_BIN);
    expect(args).to.deep.equal(["--foreground", "--conf-dir", `/etc/${one("ConfigurationDirectory")}`, "--data-dir", `/var/lib/${one("StateDirectory")}`]);
    // Every option it passes is one of the command's.
    const help = runTantale(["--help"]);
    for (const option of args.filter((a) => a.startsWith("--"))) expect(help.stdout, option).to.include(option);
    expect(one("ExecReload")).to.equal("/bin/kill -HUP $MAINPID");
    expect(one("Restart")).to.equal("on-failure");
    expect(one("User")).to.equal("tantale");
    expect(one("RestrictAddressFamilies")).to.equal("AF_INET AF_INET6 AF_UNIX");
    // V8 needs writable executable memory: with MemoryDenyWriteExecute Node would not start.
    expect(unit.has("MemoryDenyWriteExecute")).to.equal(false);
  });

  it("is read by systemd-analyze verify without a warning", function () {
    if (!hasAnalyze) this.skip(); // no systemd-analyze on this machine (apt-get install systemd)
    const dir = makeTempDir("tantale-unit-");
    const copy = path.join(dir, "tantale.service");
    fs.writeFileSync(copy, text.replaceAll(INSTALLED_BIN, TANTALE_BIN));
    const r = spawnSync("systemd-analyze", ["verify", copy], { encoding: "utf8" });
    expect(r.status, r.stderr).to.equal(0);
    expect(`${r.stdout}${r.stderr}`.trim(), "systemd-analyze verify's warnings").to.equal("");
  });

  it(`rates an exposure of at most ${MAX_EXPOSURE} in systemd-analyze security`, function () {
    if (!hasAnalyze) this.skip();
    const dir = makeTempDir("tantale-unit-");
    const copy = path.join(dir, "tantale.service");
    fs.writeFileSync(copy, text.replaceAll(INSTALLED_BIN, TANTALE_BIN));
    const r = spawnSync("systemd-analyze", ["security", "--offline=true", "--no-pager", copy], { encoding: "utf8" });
    if (/unrecognized option|unknown option/i.test(r.stderr)) this.skip(); // systemd before 250 has no --offline
    const m = /Overall exposure level for tantale\.service: (\d+(?:\.\d+)?)/.exec(r.stdout);
    expect(m, `${r.stdout}${r.stderr}`).to.not.equal(null);
    expect(Number(m![1]), r.stdout).to.be.at.most(MAX_EXPOSURE);
  });
});
