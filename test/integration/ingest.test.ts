import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { expect } from "chai";
import { LineClient, freePort, waitForPort } from "../helpers/net";
import { ForegroundTantale, REPO_ROOT, runTantale } from "../helpers/tantale-process";
import { cleanupTempDirs, makeConfDir, makeTempDir } from "../helpers/temp-dir";

const FIXTURE_PLUGINS = path.join(REPO_ROOT, "test", "fixtures", "plugins");
const T0 = Math.floor(Date.now() / 1000) - 3600;

interface Dumped {
  readonly type: "host" | "service";
  readonly hostname: string;
  readonly check?: string;
  readonly state?: number;
  readonly output?: string;
  readonly has_been_checked?: number;
  readonly lastCheck?: number;
  readonly customVariables?: Record<string, string>;
}

function json(hostname: string, check: string, status: number, timestamp: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ hostname, check, status, output: `${check} ${status}`, timestamp, interval: 60, ...extra });
}

describe("ingest: line socket → state engine → SQLite (real daemon, TCP, SQLite file)", function () {
  this.timeout(60_000);
  const running: ForegroundTantale[] = [];
  afterEach(async () => {
    for (const t of running.splice(0)) await t.kill();
  });
  after(cleanupTempDirs);

  async function daemon(extra: Record<string, string> = {}) {
    const port = await freePort();
    const conf = makeConfDir({ "line.conf": `port = ${port}\n`, "sqlite.conf": "", ...extra });
    const data = makeTempDir();
    const start = () => {
      const t = ForegroundTantale.start(["--conf-dir", conf, "--data-dir", data]);
      running.push(t);
      return t;
    };
    const t = start();
    await t.waitForMessage("tantale started");
    return { port, conf, data, t, start, dump: (host?: string) => dumpOf(conf, data, host) };
  }

  function dumpOf(conf: string, data: string, host?: string): Dumped[] {
    const r = runTantale(["dump", "--conf-dir", conf, "--data-dir", data, ...(host === undefined ? [] : ["--host", host])]);
    expect(r.status, r.stderr).to.equal(0);
    return r.stdout
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as Dumped);
  }

  function logMessages(data: string, file = "tantale.db"): string[] {
    const db = new Database(path.join(data, file), { readonly: true });
    try {
      return (db.prepare("SELECT message FROM log ORDER BY id").all() as { message: string }[]).map((r) => r.message);
    } finally {
      db.close();
    }
  }

  async function sync(client: LineClient): Promise<void> {
    client.send("SYNC");
    expect(await client.next(20_000)).to.match(/^SYNCED/);
  }

  it("stores good results around bad ones, logs each bad one with peer and line number, and answers SYNC once committed", async () => {
    const { port, t, dump } = await daemon();
    const client = await LineClient.connect(port);
    // Hour-old results: an interval longer than that keeps the freshness timer from outdating them before the dump.
    client.send(json("web1", "disk", 1, T0, { site: "paris", interval: 86_400 }));
    client.send("servers.web1.cpu 1 1700000000");
    // A Nagios line carries no interval (60 s, outdated 120 s after its time): stamped now, never within the test's timeout.
    client.send(`[${Math.floor(Date.now() / 1000)}] PROCESS_SERVICE_CHECK_RESULT;web1;load;2;LOAD CRITICAL - 9.1;8.0 | load1=9.1`);
    client.send('{"hostname":"web1","check":"x","status":"2x"}');
    client.send(json("db1", "Host", 0, T0, { interval: 86_400 }));
    await sync(client);
    const rejected = t.logs.filter((l) => l.level === 40);
    expect(rejected).to.have.length(2);
    expect(JSON.stringify(rejected[0]))
      .to.contain("127.0.0.1")
      .and.to.match(/"line":2\b/);
    expect(JSON.stringify(rejected[1])).to.match(/"line":4\b/);
    const state = dump();
    expect(state.map((d) => [d.type, d.hostname, d.check, d.state])).to.deep.equal([
      ["host", "db1", "Host", 0],
      ["host", "web1", undefined, undefined],
      ["service", "web1", "disk", 1],
      ["service", "web1", "load", 2],
    ]);
    expect(state[1]!.has_been_checked).to.equal(0);
    expect(state[2]!.customVariables).to.deep.equal({ SITE: "paris" });
    expect(state[3]!.output).to.equal("LOAD CRITICAL - 9.1;8.0");
    expect(dump("db1")).to.have.length(1);
  });

  it("serves exactly what was committed after a restart: state, ordering and alerts carry on", async () => {
    const d = await daemon();
    // The log holds alerts, downtime events and commands only; the one timer that could add a line is freshness, whose
    // deadline is lastCheck + freshness_factor (2) × interval: a day's interval puts it a day past these hour-old results.
    const fresh = { interval: 86_400 };
    let client = await LineClient.connect(d.port);
    client.send(json("web1", "disk", 2, T0 + 10, fresh));
    await sync(client);
    client.close();
    d.t.signal("SIGTERM");
    expect(await d.t.exit()).to.equal(0);
    expect(logMessages(d.data)).to.deep.equal([`[${T0 + 10}] SERVICE ALERT: web1;disk;CRITICAL;HARD;1;disk 2`]);

    const again = d.start();
    await again.waitForMessage("tantale started");
    expect(again.logs.find((l) => l.msg === "state loaded from the store")?.checks).to.equal(1);
    await waitForPort(d.port);
    client = await LineClient.connect(d.port);
    client.send(json("web1", "disk", 0, T0 + 5, fresh)); // older than what was stored: ignored
    client.send(json("web1", "disk", 2, T0 + 20, fresh)); // same state as stored: no new alert
    await sync(client);
    const [, disk] = d.dump();
    expect([disk!.state, disk!.lastCheck]).to.deep.equal([2, T0 + 20]);
    expect(logMessages(d.data)).to.deep.equal([`[${T0 + 10}] SERVICE ALERT: web1;disk;CRITICAL;HARD;1;disk 2`]);
  });

  it("restarts the store on SIGHUP without losing what comes in meanwhile, and moves the whole state to a new file", async () => {
    const d = await daemon();
    const client = await LineClient.connect(d.port);
    for (let i = 0; i < 50; i++) client.send(json("web1", `c${i}`, 1, T0));
    await sync(client);
    fs.writeFileSync(path.join(d.conf, "sqlite.conf"), "path = other.db\n");
    d.t.signal("SIGHUP");
    for (let i = 50; i < 100; i++) client.send(json("web1", `c${i}`, 1, T0)); // while the store restarts
    const reloaded = await d.t.waitForMessage("reloaded");
    expect(reloaded.restarted).to.deep.equal(["sqlite"]);
    await sync(client);
    expect(d.dump().filter((x) => x.type === "service")).to.have.length(100);
    d.t.signal("SIGTERM");
    expect(await d.t.exit()).to.equal(0);
  });

  it("loses nothing that was answered SYNCED when the daemon is killed with SIGKILL", async () => {
    const d = await daemon();
    const client = await LineClient.connect(d.port);
    const n = 3000;
    for (let i = 0; i < n; i++) client.send(json(`host${i % 30}`, `check${i}`, i % 4, T0 + 100));
    await sync(client);
    d.t.signal("SIGKILL");
    await d.t.exit();
    const again = d.start(); // the stale pid file is replaced
    await again.waitForMessage("tantale started");
    expect(again.logs.find((l) => l.msg === "state loaded from the store")?.checks).to.equal(n);
    expect(d.dump().filter((x) => x.type === "service")).to.have.length(n);
    again.signal("SIGTERM");
    expect(await again.exit()).to.equal(0);
  });

  it("pauses the socket while a slow output is behind, and loses nothing", async () => {
    const d = await daemon({
      "tantale.conf": `plugin_dir = ${FIXTURE_PLUGINS}\nqueue_size = 200\nlog_level = debug\n`,
      "slow.conf": "plugin = @tantale-test/slow-file\ndelay = 20ms\nbatch_size = 50\nflush_interval = 10ms\n",
    });
    const client = await LineClient.connect(d.port);
    const n = 2000;
    for (let i = 0; i < n; i++) client.send(json("h", `c${i}`, 0, T0));
    await d.t.waitForMessage("output queues full: pausing inputs");
    await sync(client);
    expect(d.dump().filter((x) => x.type === "service")).to.have.length(n);
    expect(d.t.logs.some((l) => l.msg === "output queues drained: resuming inputs")).to.equal(true);
    expect(
      fs
        .readFileSync(path.join(d.data, "slow.jsonl"), "utf8")
        .split("\n")
        .filter((l) => l !== ""),
    ).to.have.length(n);
  });
});
