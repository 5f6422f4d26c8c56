/**
 * `tantale backup` (issue 15, "Running in production"): an online copy of the SQLite store
 * while the daemon ingests results without a pause. Every result is a new service (`c<seq>`,
 * sent in order on one connection), and one in three is CRITICAL, which logs an alert. A copy
 * that is one commit's state therefore holds exactly the services c0..cK for some K (no
 * gap), at least every one answered SYNCED before the backup started, and one alert per
 * CRITICAL service among them (the log of the same commit). A second daemon started on the
 * copy must answer that over Livestatus. A first copy, made while nothing arrives, must hold
 * every result answered SYNCED: a copy of the file alone (without its WAL) lacks the last ones.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { expect } from "chai";
import { portZeroConf, startDaemon } from "../helpers/daemon-on-port-zero";
import { LivestatusClient } from "../helpers/livestatus-client";
import { LineClient } from "../helpers/net";
import { runTantale, TANTALE_BIN, type CommandResult, type ForegroundTantale } from "../helpers/tantale-process";
import { cleanupTempDirs, makeConfDir, makeTempDir } from "../helpers/temp-dir";

/** Services in the store before the backups: a file of a few MB, so that a copy is more than a blink. */
const PRELOAD = 20_000;
const BATCH = 200;
/** Backups made under a steady flow of results. */
const BACKUPS = 2;
const PADDING = "x".repeat(200);

const resultLine = (seq: number): string =>
  JSON.stringify({ hostname: `h${seq % 20}`, check: `c${seq}`, status: seq % 3 === 0 ? 2 : 0, output: `${seq} ${PADDING}`, interval: 3600 });

/** Sends results in batches of BATCH, each followed by SYNC; `synced` is how many were answered SYNCED. */
class Feeder {
  synced = 0;
  private sent = 0;
  private stopping = false;
  private running: Promise<void> | undefined;

  constructor(private readonly client: LineClient) {}

  /** Sends `n` more results and waits until they are committed. */
  async send(n: number): Promise<void> {
    const end = this.sent + n;
    while (this.sent < end) {
      const count = Math.min(BATCH, end - this.sent);
      const lines: string[] = [];
      for (let i = 0; i < count; i++) lines.push(resultLine(this.sent + i));
      this.client.socket.write(`${lines.join("\n")}\nSYNC\n`);
      this.sent += count;
      const answer = await this.client.next(30_000);
      if (answer !== "SYNCED") throw new Error(`SYNC answered ${answer}`);
      this.synced = this.sent;
    }
  }

  /** Sends without a pause until stop(). */
  start(): void {
    this.running = (async () => {
      while (!this.stopping) await this.send(BATCH);
    })();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
  }
}

/** `tantale backup` as a child process, so that this process keeps feeding the daemon meanwhile. */
function backupAsync(args: readonly string[]): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TANTALE_BIN, "backup", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

async function query(port: number, request: string): Promise<unknown[]> {
  const client = await LivestatusClient.connect(port);
  try {
    client.send(`${request}OutputFormat: json\nResponseHeader: fixed16\n\n`);
    const a = await client.answer(30_000);
    expect(a.status, a.body).to.equal(200);
    return JSON.parse(a.body) as unknown[];
  } finally {
    client.destroy();
  }
}

/** The sequence numbers c0..cK of the services of a store, sorted. */
const sequences = (names: readonly string[]): number[] => names.map((n) => Number(n.slice(1))).sort((a, b) => a - b);

function expectPrefix(seqs: readonly number[], atLeast: number, what: string): void {
  expect(seqs.length, `${what}: services`).to.be.at.least(atLeast);
  // 0..K without a gap: the state of one commit, as results were committed in order.
  expect(seqs.at(-1), `${what}: a gap in c0..cK`).to.equal(seqs.length - 1);
}

describe("tantale backup", function () {
  this.timeout(240_000);
  const daemons: ForegroundTantale[] = [];
  after(async () => {
    for (const d of daemons) await d.kill();
    cleanupTempDirs();
  });

  it("copies the store while results arrive, and a daemon starts from the copy with one commit's state", async () => {
    const conf = makeConfDir(portZeroConf());
    const data = makeTempDir("tantale-data-");
    const backups = makeTempDir("tantale-backups-");
    const { t, ports } = await startDaemon(conf, data);
    daemons.push(t);
    const feeder = new Feeder(await LineClient.connect(ports.line));
    await feeder.send(PRELOAD);

    const copies: { file: string; syncedBefore: number }[] = [];
    const backup = async (i: number) => {
      const file = path.join(backups, `tantale-${i}.db`);
      const syncedBefore = feeder.synced;
      const r = await backupAsync([file, "--conf-dir", conf, "--data-dir", data]);
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.match(new RegExp(`^backup written: ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\(.*checks.*PRAGMA integrity_check: ok\\) in`));
      copies.push({ file, syncedBefore });
    };
    // First while nothing arrives: every result answered SYNCED must be in the copy, also
    // those of the last commits, which are still in the WAL (a copy of the file alone lacks them).
    await feeder.send(10);
    await backup(0);
    feeder.start();
    for (let i = 1; i <= BACKUPS; i++) await backup(i);
    const sentMeanwhile = feeder.synced - copies[1]!.syncedBefore;
    await feeder.stop();
    expect(sentMeanwhile, "results committed while the backups ran").to.be.greaterThan(0);
    // Only the copies: no temporary file, no -wal or -shm left beside them.
    expect(fs.readdirSync(backups).sort()).to.deep.equal(copies.map((c) => path.basename(c.file)).sort());

    for (const { file, syncedBefore } of copies) {
      expect(fs.statSync(file).mode & 0o777, "the copy is as private as the store").to.equal(0o600);
      const db = new Database(file, { readonly: true });
      try {
        expect(db.pragma("integrity_check", { simple: true })).to.equal("ok");
      } finally {
        db.close();
      }
      // A daemon on a data dir made from the copy.
      const restored = makeTempDir("tantale-restored-");
      fs.copyFileSync(file, path.join(restored, "tantale.db"));
      const second = await startDaemon(makeConfDir(portZeroConf()), restored);
      daemons.push(second.t);
      const services = (await query(second.ports.livestatus, "GET services\nColumns: description state\n")) as [string, number][];
      const seqs = sequences(services.map(([name]) => name));
      expectPrefix(seqs, syncedBefore, file);
      if (file === copies[0]!.file) expect(seqs.length, "the copy made while nothing arrived: every result SYNCED").to.equal(syncedBefore);
      for (const [name, state] of services) expect(state, name).to.equal(Number(name.slice(1)) % 3 === 0 ? 2 : 0);
      const alerts = (await query(second.ports.livestatus, "GET log\nColumns: service_description\nFilter: type = SERVICE ALERT\n")) as [string][];
      expect(alerts.length, `${file}: one alert per CRITICAL service of the copy`).to.equal(seqs.filter((s) => s % 3 === 0).length);
      second.t.signal("SIGTERM");
      expect(await second.t.exit()).to.equal(0);
    }
    t.signal("SIGTERM");
    expect(await t.exit()).to.equal(0);
  });

  it("refuses to write over the store itself, and says why when there is nothing to copy", () => {
    const conf = makeConfDir({ "sqlite.conf": "" });
    const data = makeTempDir("tantale-data-");
    const none = runTantale(["backup", path.join(data, "copy.db"), "--conf-dir", conf, "--data-dir", data]);
    expect(none.status).to.equal(1);
    expect(none.stderr).to.match(/^tantale backup: no store in .*tantale\.db does not exist/);

    const db = new Database(path.join(data, "tantale.db"));
    db.close();
    const own = runTantale(["backup", path.join(data, "tantale.db"), "--conf-dir", conf, "--data-dir", data]);
    expect(own.status).to.equal(1);
    expect(own.stderr).to.match(/is the store's own file/);
    const missingDir = runTantale(["backup", path.join(data, "no", "such", "copy.db"), "--conf-dir", conf, "--data-dir", data]);
    expect(missingDir.status).to.equal(1);
    expect(missingDir.stderr).to.match(/is not a directory/);
    // An empty file (no daemon ever started on it) is no backup either.
    const empty = runTantale(["backup", path.join(data, "copy.db"), "--conf-dir", conf, "--data-dir", data]);
    expect(empty.status).to.equal(1);
    expect(empty.stderr).to.match(/no schema yet/);
    expect(fs.readdirSync(data).filter((f) => f.includes("copy"))).to.deep.equal([]);
  });

  it("says that an Elasticsearch store is backed up by cluster snapshots", () => {
    const conf = makeConfDir({ "sqlite.conf": "enabled = false\n", "elasticsearch.conf": "nodes = http://127.0.0.1:9\n" });
    const data = makeTempDir("tantale-data-");
    const r = runTantale(["backup", path.join(data, "copy.db"), "--conf-dir", conf, "--data-dir", data]);
    expect(r.status).to.equal(1);
    expect(r.stderr).to.match(/Elasticsearch cluster .* cluster snapshot of the indices tantale-state, tantale-records and tantale-log-\*/);
  });
});
