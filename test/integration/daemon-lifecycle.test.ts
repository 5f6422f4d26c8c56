import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { expect } from "chai";
import { BUILT_IN_PLUGINS } from "../../plugins";
import { LineClient, freePort, waitForPort } from "../helpers/net";
import { readPid } from "../../core/daemon/pid-file";
import { ForegroundTantale, REPO_ROOT } from "../helpers/tantale-process";
import { cleanupTempDirs, makeConfDir, makeTempDir } from "../helpers/temp-dir";

const FIXTURE_PLUGINS = path.join(REPO_ROOT, "test", "fixtures", "plugins");
/** The plugins that run without a conf file (the Livestatus tables). */
const DEFAULT_ON = BUILT_IN_PLUGINS.filter((d) => d.defaultEnabled === true).map((d) => d.name);

/**
 * A copy of the repo's conf.d with every `port = N` set to 0: the same files and options,
 * without binding the fixed ports of the repo's conf.d, which anything else on the machine
 * may hold. `ports` are the ports it named.
 */
function repoConfDirOnPortZero(): { dir: string; ports: number[] } {
  const src = path.join(REPO_ROOT, "conf.d");
  const files: Record<string, string> = {};
  const ports: number[] = [];
  for (const name of fs.readdirSync(src)) {
    files[name] = fs.readFileSync(path.join(src, name), "utf8").replace(/^(\s*port\s*=\s*)(\d+)\s*$/gm, (_, key: string, port: string) => {
      ports.push(Number(port));
      return `${key}0`;
    });
  }
  // The line input and the Livestatus listener at least: a conf.d that stops naming ports needs this copy no more.
  expect(ports.length, "ports rewritten in the repo's conf.d").to.be.at.least(2);
  return { dir: makeConfDir(files), ports };
}

/** Listens on each port it can get on 127.0.0.1 (one already held elsewhere is busy all the same). */
async function occupy(ports: readonly number[]): Promise<net.Server[]> {
  const held: net.Server[] = [];
  for (const port of ports) {
    const server = net.createServer();
    const ok = await new Promise<boolean>((resolve) =>
      server
        .once("listening", () => resolve(true))
        .once("error", () => resolve(false))
        .listen(port, "127.0.0.1"),
    );
    if (ok) held.push(server);
  }
  return held;
}

function readJsonLines(file: string): Record<string, unknown>[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function sendAll(client: LineClient, lines: readonly string[]): Promise<string[]> {
  for (const l of lines) client.send(l);
  const answers: string[] = [];
  for (let i = 0; i < lines.length; i++) answers.push(await client.next(20_000));
  return answers;
}

describe("the daemon in the foreground (real processes, TCP and files)", function () {
  this.timeout(60_000);
  const running: ForegroundTantale[] = [];
  const start = (args: string[]) => {
    const t = ForegroundTantale.start(args);
    running.push(t);
    return t;
  };
  afterEach(async () => {
    for (const t of running.splice(0)) await t.kill();
  });
  after(cleanupTempDirs);

  it("starts with the repo's conf.d, logs each instance started, and stops on SIGTERM with exit 0", async () => {
    const data = makeTempDir();
    const conf = repoConfDirOnPortZero();
    // Whatever holds the repo's ports on this machine, the test runs: here it is the test itself.
    const held = await occupy(conf.ports);
    try {
      const t = start(["--conf-dir", conf.dir, "--data-dir", data]);
      await t.waitForMessage("tantale started");
      const started = t.logs.filter((l) => l.msg === "instance started").map((l) => l.instance);
      const fromFiles = fs
        .readdirSync(path.join(REPO_ROOT, "conf.d"))
        .filter((n) => n.endsWith(".conf") && n !== "tantale.conf")
        .map((n) => n.slice(0, -5));
      const expected = [...new Set([...fromFiles, ...BUILT_IN_PLUGINS.filter((d) => d.defaultEnabled === true).map((d) => d.name)])];
      expect(started).to.have.members(expected);
      expect(readPid(path.join(data, "tantale.pid"))).to.equal(t.child.pid);
      t.signal("SIGTERM");
      expect(await t.exit()).to.equal(0);
      expect(fs.existsSync(path.join(data, "tantale.pid"))).to.equal(false);
    } finally {
      for (const server of held) server.close();
    }
  });

  it("loads a third-party plugin from a package directory and carries its results to an npm output", async () => {
    const port = await freePort();
    const data = makeTempDir();
    const conf = makeConfDir({
      "tantale.conf": `plugin_dir = ${FIXTURE_PLUGINS}\n`,
      "example.conf": `port = ${port}\ngreeting = bonjour\n`,
      "store.conf": "plugin = @tantale-test/slow-file\ndelay = 1ms\nflush_interval = 10ms\n",
    });
    const t = start(["--conf-dir", conf, "--data-dir", data]);
    const example = await t.waitForLog((l) => l.msg === "instance started" && l.instance === "example");
    expect(example.source).to.equal("tantale-plugin-example@1.0.0");
    const store = t.logs.find((l) => l.msg === "instance started" && l.instance === "store");
    expect(store?.source).to.equal("@tantale-test/tantale-plugin-slow-file@0.3.0");
    const client = await LineClient.connect(port);
    expect(await sendAll(client, ["web1;disk;1;DISK WARNING - 9% free", "web1;Host;0;PING OK"])).to.deep.equal(["ok 1", "ok 2"]);
    client.close();
    t.signal("SIGTERM");
    expect(await t.exit()).to.equal(0);
    const written = readJsonLines(path.join(data, "slow.jsonl"));
    expect(written.map((r) => [r.hostname, r.check, r.status, r.output])).to.deep.equal([
      ["web1", "disk", 1, "DISK WARNING - 9% free"],
      ["web1", "Host", 0, "PING OK"],
    ]);
    expect(written[0]!.customVariables).to.deep.equal({ greeting: "bonjour" });
  });

  it('loads an ES module plugin that imports from "tantale" without having it installed', async () => {
    const data = makeTempDir();
    const conf = makeConfDir({
      "tantale.conf": `plugin_dir = ${FIXTURE_PLUGINS}\n`,
      "once.conf": "plugin = esm-example\nhostname = esm1\n",
      "file.conf": "flush_interval = 10ms\n",
    });
    const t = start(["--conf-dir", conf, "--data-dir", data]);
    await t.waitForMessage("tantale started");
    const started = t.logs.find((l) => l.msg === "instance started" && l.instance === "once");
    expect(started?.source).to.equal("tantale-plugin-esm-example@2.0.0");
    t.signal("SIGTERM");
    expect(await t.exit()).to.equal(0);
    expect(readJsonLines(path.join(data, "results.jsonl")).map((r) => [r.hostname, r.output])).to.deep.equal([["esm1", "ESM OK"]]);
  });

  it("drains on SIGTERM: every result acknowledged by a slow output's input is written before exit 0", async () => {
    const port = await freePort();
    const data = makeTempDir();
    const conf = makeConfDir({
      "tantale.conf": `plugin_dir = ${FIXTURE_PLUGINS}\n`,
      "example.conf": `port = ${port}\n`,
      "slow.conf": "plugin = @tantale-test/slow-file\ndelay = 100ms\nbatch_size = 50\nflush_interval = 5s\n",
    });
    const t = start(["--conf-dir", conf, "--data-dir", data]);
    await t.waitForMessage("tantale started");
    const client = await LineClient.connect(port);
    const lines = Array.from({ length: 1000 }, (_, i) => `host${i % 10};check${i};${i % 4};result ${i}`);
    const answers = await sendAll(client, lines);
    expect(answers[answers.length - 1]).to.equal("ok 1000");
    // At 50 per 100 ms most of them are still queued now.
    expect(readJsonLines(path.join(data, "slow.jsonl")).length).to.be.below(1000);
    t.signal("SIGTERM");
    expect(await t.exit()).to.equal(0);
    const written = readJsonLines(path.join(data, "slow.jsonl"));
    expect(written).to.have.length(1000);
    expect(new Set(written.map((r) => r.check)).size).to.equal(1000);
    expect(t.logs.find((l) => l.msg === "tantale stopped")?.drained).to.equal(true);
  });

  it("retries a failing output until it writes, losing nothing", async () => {
    const port = await freePort();
    const data = makeTempDir();
    const conf = makeConfDir({
      "tantale.conf": `plugin_dir = ${FIXTURE_PLUGINS}\n`,
      "example.conf": `port = ${port}\n`,
      "flaky.conf": "plugin = @tantale-test/slow-file\ndelay = 1ms\nfail_first = 3\nflush_interval = 10ms\nretry_max_delay = 200ms\n",
    });
    const t = start(["--conf-dir", conf, "--data-dir", data]);
    await t.waitForMessage("tantale started");
    const client = await LineClient.connect(port);
    await sendAll(client, ["a;x;0;one", "a;y;0;two", "a;z;0;three"]);
    await t.waitForMessage("write failed, batch kept for retry");
    const until = Date.now() + 10_000;
    while (readJsonLines(path.join(data, "slow.jsonl")).length < 3 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(readJsonLines(path.join(data, "slow.jsonl")).map((r) => r.output)).to.deep.equal(["one", "two", "three"]);
    t.signal("SIGTERM");
    expect(await t.exit()).to.equal(0);
  });

  it("pauses the input sockets while a slow output is behind, and loses nothing", async () => {
    const port = await freePort();
    const data = makeTempDir();
    const conf = makeConfDir({
      "tantale.conf": `plugin_dir = ${FIXTURE_PLUGINS}\nqueue_size = 100\nlog_level = debug\n`,
      "example.conf": `port = ${port}\n`,
      "slow.conf": "plugin = @tantale-test/slow-file\ndelay = 20ms\nbatch_size = 20\nflush_interval = 10ms\n",
    });
    const t = start(["--conf-dir", conf, "--data-dir", data]);
    await t.waitForMessage("tantale started");
    const client = await LineClient.connect(port);
    const lines = Array.from({ length: 600 }, (_, i) => `h;c${i};0;r${i}`);
    const answers = await sendAll(client, lines);
    expect(answers[599]).to.equal("ok 600");
    await t.waitForMessage("output queues full: pausing inputs");
    await t.waitForMessage("output queues drained: resuming inputs");
    t.signal("SIGTERM");
    expect(await t.exit()).to.equal(0);
    expect(readJsonLines(path.join(data, "slow.jsonl"))).to.have.length(600);
  });

  it("a SIGTERM during the start waits for it, then stops gracefully with exit 0", async () => {
    const port = await freePort();
    const data = makeTempDir();
    const conf = makeConfDir({
      "tantale.conf": `plugin_dir = ${FIXTURE_PLUGINS}\n`,
      "example.conf": `port = ${port}\n`,
      "slow.conf": "plugin = @tantale-test/slow-file\nstart_delay = 400ms\n",
    });
    const t = start(["--conf-dir", conf, "--data-dir", data]);
    await t.waitForLog((l) => l.msg === "slow-file starting");
    t.signal("SIGTERM");
    expect(await t.exit(), `signal ${String(t.exitSignal)}: ${t.stderrText.join("\n")}`).to.equal(0);
    const messages = t.logs.map((l) => l.msg);
    expect(messages.indexOf("stopping")).to.be.below(messages.indexOf("tantale started"));
    expect(messages.indexOf("tantale started")).to.be.below(messages.indexOf("tantale stopped"));
    // Inputs first, then the tables (on by default, in reverse start order), the output last.
    const stopped = t.logs.filter((l) => l.msg === "instance stopped").map((l) => l.instance);
    expect(stopped[0]).to.equal("example");
    expect(stopped[stopped.length - 1]).to.equal("slow");
    expect(stopped.slice(1, -1)).to.have.members(DEFAULT_ON);
  });

  it("refuses to start on a configuration error, naming the file, line and key", async () => {
    const conf = makeConfDir({ "file.conf": "path = x.jsonl\nfsync = maybe\n" });
    const t = start(["--conf-dir", conf, "--data-dir", makeTempDir()]);
    expect(await t.exit()).to.equal(1);
    const text = t.stderrText.join("\n");
    expect(text).to.contain(`${path.join(conf, "file.conf")}:2: fsync: must be one of true/false/yes/no/on/off/1/0`);
  });

  it("does not half-start: when an input cannot listen, the started outputs are stopped and the exit is 1", async () => {
    const port = await freePort();
    const blocker = await LineClient.connect(port).catch(() => undefined); // nothing listens yet
    expect(blocker).to.equal(undefined);
    const net = await import("node:net");
    const busy = net.createServer().listen(port, "127.0.0.1");
    await new Promise((r) => busy.once("listening", r));
    try {
      const conf = makeConfDir({ "tantale.conf": `plugin_dir = ${FIXTURE_PLUGINS}\n`, "example.conf": `port = ${port}\n`, "file.conf": "" });
      const t = start(["--conf-dir", conf, "--data-dir", makeTempDir()]);
      expect(await t.exit()).to.equal(1);
      expect(t.logs.some((l) => l.msg === "instance started" && l.instance === "file")).to.equal(true);
      expect(t.logs.some((l) => l.msg === "instance stopped" && l.instance === "file")).to.equal(true);
      const fatal = t.logs.find((l) => l.msg === "not started: nothing runs");
      expect(fatal?.error).to.equal(`instance "example" cannot listen on 127.0.0.1:${port}: the address is already in use`);
    } finally {
      busy.close();
    }
  });

  it("on SIGHUP restarts only the changed instance; another instance's open connection keeps working", async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    const data = makeTempDir();
    const conf = makeConfDir({
      "tantale.conf": `plugin_dir = ${FIXTURE_PLUGINS}\n`,
      "a.conf": `plugin = example\nport = ${portA}\n`,
      "b.conf": `plugin = example\nport = ${portB}\ngreeting = before\n`,
      "out.conf": "plugin = @tantale-test/slow-file\ndelay = 1ms\nflush_interval = 10ms\n",
    });
    const t = start(["--conf-dir", conf, "--data-dir", data]);
    await t.waitForMessage("tantale started");
    const a = await LineClient.connect(portA);
    expect(await sendAll(a, ["h;one;0;first"])).to.deep.equal(["ok 1"]);

    fs.writeFileSync(path.join(conf, "b.conf"), `plugin = example\nport = ${portB}\ngreeting = after\n`);
    t.signal("SIGHUP");
    const reloaded = await t.waitForMessage("reloaded");
    expect(reloaded.restarted).to.deep.equal(["b"]);
    expect(reloaded.unchanged).to.have.members(["a", "out", ...DEFAULT_ON]);

    // The connection to a was never closed: the same socket goes on counting.
    expect(await sendAll(a, ["h;two;0;second"])).to.deep.equal(["ok 2"]);
    expect(a.closed).to.equal(false);
    await waitForPort(portB);
    const b = await LineClient.connect(portB);
    expect(await sendAll(b, ["h;three;0;third"])).to.deep.equal(["ok 1"]);

    // A broken conf dir is refused as a whole; everything keeps running.
    fs.writeFileSync(path.join(conf, "a.conf"), `plugin = example\nport = ${portA}\nno_such_key = 1\n`);
    t.signal("SIGHUP");
    const refused = await t.waitForMessage("reload refused: the conf dir has errors, the running configuration stays");
    expect(String(refused.error)).to.contain("no_such_key");
    expect(await sendAll(a, ["h;four;0;fourth"])).to.deep.equal(["ok 3"]);

    t.signal("SIGTERM");
    expect(await t.exit()).to.equal(0);
    const written = readJsonLines(path.join(data, "slow.jsonl"));
    const greetings = Object.fromEntries(written.map((r) => [r.check as string, (r.customVariables as Record<string, string>).greeting] as const));
    expect(greetings).to.deep.equal({ one: "hello", two: "hello", three: "after", four: "hello" });
  });
});
