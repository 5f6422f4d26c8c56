import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { readPid, isAlive, processIdentity } from "../../core/daemon/pid-file";
import { BUILT_IN_PLUGINS } from "../../plugins";
import { LineClient, freePort } from "../helpers/net";
import { REPO_ROOT, runTantale } from "../helpers/tantale-process";
import { cleanupTempDirs, makeConfDir, makeTempDir } from "../helpers/temp-dir";

const FIXTURE_PLUGINS = path.join(REPO_ROOT, "test", "fixtures", "plugins");

describe("the tantale command", function () {
  this.timeout(60_000);
  after(cleanupTempDirs);

  describe("daemon mode", () => {
    let data: string;
    let pidFile: string | undefined; // undefined until the test got that far
    after(() => {
      // Never leave a daemon behind, whatever failed.
      const pid = pidFile === undefined ? undefined : readPid(pidFile);
      if (pid !== undefined && isAlive(pid)) process.kill(pid, "SIGKILL");
    });

    it("detaches, writes the pid file, answers status, refuses a second start, and stops", async () => {
      const port = await freePort();
      data = makeTempDir();
      pidFile = path.join(data, "tantale.pid");
      const conf = makeConfDir({ "tantale.conf": `plugin_dir = ${FIXTURE_PLUGINS}\n`, "example.conf": `port = ${port}\n`, "file.conf": "" });
      const args = ["--conf-dir", conf, "--data-dir", data];

      const started = runTantale(args);
      expect(started.status, started.stderr).to.equal(0);
      const pid = readPid(pidFile);
      if (pid === undefined) throw new Error(`no pid in ${pidFile} after the start`);
      expect(started.stdout).to.contain(`tantale started (pid ${pid}`);
      expect(isAlive(pid)).to.equal(true);
      // The detached daemon really serves: its input answers over TCP.
      const client = await LineClient.connect(port);
      client.send("web1;disk;0;OK");
      expect(await client.next()).to.equal("ok 1");
      client.close();

      const status = runTantale(["status", "--data-dir", data]);
      expect(status.status).to.equal(0);
      expect(status.stdout).to.contain(`running (pid ${pid})`);

      const second = runTantale(args);
      expect(second.status).to.equal(1);
      expect(second.stderr).to.contain(`already running as pid ${pid}`);

      const stopped = runTantale(["stop", "--data-dir", data]);
      expect(stopped.status, stopped.stderr).to.equal(0);
      expect(stopped.stdout).to.contain(`tantale stopped (pid ${pid})`);
      expect(isAlive(pid)).to.equal(false);
      expect(fs.existsSync(pidFile)).to.equal(false);
      // Its log went to the data dir and shows the graceful stop.
      const log = fs.readFileSync(path.join(data, "tantale.log"), "utf8");
      expect(log).to.contain('"msg":"tantale stopped"');

      const after = runTantale(["status", "--data-dir", data]);
      expect(after.status).to.equal(3);
      expect(after.stdout).to.contain("not running");
    });

    it("replaces a stale pid file left by a killed daemon", () => {
      const dir = makeTempDir();
      const stale = path.join(dir, "tantale.pid");
      fs.writeFileSync(stale, "2147483646\n"); // no such process
      expect(runTantale(["status", "--pid-file", stale]).stdout).to.contain("stale pid file");
      const started = runTantale(["--conf-dir", makeConfDir({ "file.conf": "" }), "--data-dir", dir]);
      expect(started.status, started.stderr).to.equal(0);
      pidFile = stale;
      const pid = readPid(stale)!;
      expect(pid).to.not.equal(2147483646);
      expect(runTantale(["stop", "--pid-file", stale]).status).to.equal(0);
      expect(isAlive(pid)).to.equal(false);
    });

    it("never signals an unrelated process whose pid a stale pid file holds, and starts over it", async () => {
      const sleeper = spawn("sleep", ["600"], { stdio: "ignore" });
      await new Promise((resolve, reject) => sleeper.once("spawn", resolve).once("error", reject));
      const other = sleeper.pid!;
      try {
        const dir = makeTempDir();
        const file = path.join(dir, "tantale.pid");
        // As an older Tantale wrote it (the pid alone), and as this one does (pid and the identity of its writer, here another process).
        for (const text of [`${other}\n`, `${other}\n${processIdentity(process.pid)!}\n`]) {
          fs.writeFileSync(file, text);
          const stopped = runTantale(["stop", "--pid-file", file]);
          expect(stopped.status, stopped.stderr).to.equal(0);
          expect(stopped.stdout).to.contain(`tantale is not running (stale pid file ${file})`);
          expect(isAlive(other), "the unrelated process was signalled").to.equal(true);
          const status = runTantale(["status", "--pid-file", file]);
          expect(status.status).to.equal(3);
          expect(status.stdout).to.contain(`tantale is not running (stale pid file ${file})`);
        }
        const started = runTantale(["--conf-dir", makeConfDir({ "file.conf": "" }), "--data-dir", dir]);
        expect(started.status, started.stderr).to.equal(0);
        pidFile = file;
        const pid = readPid(file)!;
        expect(pid).to.not.equal(other);
        expect(runTantale(["status", "--pid-file", file]).stdout).to.contain(`tantale is running (pid ${pid})`);
        expect(runTantale(["stop", "--pid-file", file]).status).to.equal(0);
        expect(isAlive(pid)).to.equal(false);
        expect(isAlive(other)).to.equal(true);
      } finally {
        sleeper.kill("SIGKILL");
      }
    });

    it("reports a start failure of the detached daemon with exit 1", async () => {
      const port = await freePort();
      const net = await import("node:net");
      const busy = net.createServer().listen(port, "127.0.0.1");
      await new Promise((r) => busy.once("listening", r));
      try {
        const dir = makeTempDir();
        const r = runTantale([
          "--conf-dir",
          makeConfDir({ "tantale.conf": `plugin_dir = ${FIXTURE_PLUGINS}\n`, "example.conf": `port = ${port}\n` }),
          "--data-dir",
          dir,
        ]);
        expect(r.status).to.equal(1);
        // Said once, naming the instance and the address.
        expect(r.stderr).to.contain(`tantale: not started: instance "example" cannot listen on 127.0.0.1:${port}: the address is already in use (log: `);
        expect(r.stderr.match(/in use/g)).to.have.length(1);
        expect(fs.existsSync(path.join(dir, "tantale.pid"))).to.equal(false);
      } finally {
        busy.close();
      }
    });

    it("stop and status say so when nothing runs", () => {
      const dir = makeTempDir();
      expect(runTantale(["stop", "--data-dir", dir]).stdout).to.contain("not running");
      expect(runTantale(["status", "--data-dir", dir]).status).to.equal(3);
    });
  });

  describe("check-config", () => {
    it("exits 0 and lists id, plugin, kind and source of each instance", () => {
      const conf = makeConfDir({
        "tantale.conf": `plugin_dir = ${FIXTURE_PLUGINS}\n`,
        "example.conf": "port = 0\n",
        "archive.conf": "plugin = file\npath = archive.jsonl\n",
        "off.conf": "plugin = file\nenabled = no\n",
      });
      const r = runTantale(["check-config", "--conf-dir", conf]);
      expect(r.status, r.stderr).to.equal(0);
      const rows = r.stdout.split("\n").map((l) => l.trim().split(/\s{2,}/));
      expect(rows).to.deep.include(["archive", "file", "output", "built-in"]);
      expect(rows).to.deep.include(["example", "example", "input", "npm tantale-plugin-example@1.0.0"]);
      expect(r.stdout).to.contain("(disabled: off)");
      expect(rows).to.deep.include(["hosts", "hosts", "table", "built-in"]); // on without a conf file
      expect(r.stdout).to.contain(`configuration OK: ${2 + BUILT_IN_PLUGINS.filter((d) => d.defaultEnabled === true).length} instance(s)`);
    });

    it("exits 1 and names file, line and key of every problem in every file", () => {
      const conf = makeConfDir({
        "file.conf": "# comment\npath = a.jsonl\ncolour = blue\n",
        "internal.conf": "interval = soon\n",
        "ghost.conf": "plugin = no-such-thing\n",
      });
      const r = runTantale(["check-config", "--conf-dir", conf]);
      expect(r.status).to.equal(1);
      expect(r.stderr).to.contain(`${path.join(conf, "file.conf")}:3: colour: unknown option`);
      expect(r.stderr).to.contain(`${path.join(conf, "internal.conf")}:1: interval: must be a duration`);
      expect(r.stderr).to.contain(
        `${path.join(conf, "ghost.conf")}:1: plugin: plugin "no-such-thing": no built-in plugin of that name and no npm package tantale-plugin-no-such-thing`,
      );
      expect(r.stderr).to.contain("configuration refused: 3 problem(s)");
    });

    it("exits 1 on a port used by two instances", () => {
      const conf = makeConfDir({
        "tantale.conf": `plugin_dir = ${FIXTURE_PLUGINS}\n`,
        "a.conf": "plugin = example\nport = 7000\n",
        "b.conf": "plugin = example\nbind = 127.0.0.1\n\nport = 7000\n",
      });
      const r = runTantale(["check-config", "--conf-dir", conf]);
      expect(r.status).to.equal(1);
      expect(r.stderr).to.contain(`${path.join(conf, "b.conf")}:4: port: port 7000 is already used by ${path.join(conf, "a.conf")}`);
    });
  });

  describe("dump", () => {
    it("says there is no store where the data dir does not exist, and exits 1", () => {
      const missing = path.join(makeTempDir(), "no-such-dir");
      const r = runTantale(["dump", "--conf-dir", makeConfDir({ "sqlite.conf": "" }), "--data-dir", missing]);
      expect(r.status).to.equal(1);
      expect(r.stdout).to.equal("");
      expect(r.stderr).to.contain(`tantale: no store in ${missing}: no such directory`);
      expect(fs.existsSync(missing), "dump created the data dir").to.equal(false);
    });

    it("says there is no store where the data dir holds none of the store's files, and exits 1", () => {
      const dir = makeTempDir();
      const r = runTantale(["dump", "--conf-dir", makeConfDir({ "sqlite.conf": "path = state.db\n" }), "--data-dir", dir]);
      expect(r.status).to.equal(1);
      expect(r.stderr).to.contain(`tantale: no store in ${dir}: ${path.join(dir, "state.db")} does not exist (store "sqlite")`);
    });
  });

  it("says unknown command for a word that is none, and points to --help", () => {
    for (const args of [["bogus"], ["bogus", "--foreground"]]) {
      const r = runTantale(args);
      expect(r.status).to.equal(1);
      expect(r.stderr).to.contain('tantale: unknown command "bogus"');
      expect(r.stderr).to.contain("see tantale --help");
      expect(r.stderr).to.not.contain("too many arguments");
    }
  });

  describe("plugins", () => {
    it("lists built-in and installed npm plugins with each option's default and doc", () => {
      const r = runTantale(["plugins", "--plugin-dir", FIXTURE_PLUGINS]);
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/^internal \(input, built-in\): /m);
      expect(r.stdout).to.match(/^\s+interval\s+1m\s+duration, at least 1s\s+How often Tantale reports on itself\./m);
      expect(r.stdout).to.match(/^file \(output, built-in\): /m);
      expect(r.stdout).to.match(/^\s+batch_size\s+1000\s+integer, at least 1\s+/m);
      expect(r.stdout).to.match(/^example \(input, npm tantale-plugin-example@1\.0\.0\): /m);
      expect(r.stdout).to.match(/^\s+greeting\s+hello\s+string\s+Kept as the custom variable/m);
      expect(r.stdout).to.match(/^tantale-plugin-future: not loadable: .*plugin API 99/m);
    });
  });

  it("--version prints the package version and --help the commands", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string };
    expect(runTantale(["--version"]).stdout.trim()).to.equal(pkg.version);
    const help = runTantale(["--help"]).stdout;
    for (const word of ["--foreground", "--conf-dir", "--data-dir", "stop", "status", "check-config", "plugins"]) expect(help).to.contain(word);
  });
});
