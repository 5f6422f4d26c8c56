import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { expect } from "chai";
import { LivestatusClient } from "../helpers/livestatus-client";
import { LineClient, freePort, waitForPort } from "../helpers/net";
import { ForegroundTantale, REPO_ROOT, TANTALE_BIN, runTantale } from "../helpers/tantale-process";
import { cleanupTempDirs, makeConfDir, makeTempDir } from "../helpers/temp-dir";

const T0 = Math.floor(Date.now() / 1000) - 600;
const isRoot = process.getuid?.() === 0;

function json(hostname: string, check: string, status: number, timestamp: number, output = `${check} ${status}`): string {
  return JSON.stringify({ hostname, check, status, output, timestamp, interval: 3600 });
}

function modeOf(p: string): string {
  return `0${(fs.statSync(p).mode & 0o777).toString(8)}`;
}

/** One Livestatus request with fixed16 and JSON rows on a fresh connection. */
async function livestatus(port: number, lines: readonly string[]): Promise<{ status: number; rows: unknown[][]; body: string }> {
  const client = await LivestatusClient.connect(port);
  try {
    client.send([...lines, "OutputFormat: json", "ResponseHeader: fixed16", "", ""].join("\n"));
    const a = await client.answer(20_000);
    return { status: a.status, body: a.body, rows: a.status === 200 ? (JSON.parse(a.body) as unknown[][]) : [] };
  } finally {
    client.destroy();
  }
}

/** A COMMAND with fixed16, then a GET on the same connection: the first answer is the refusal, or the GET's when it was accepted. */
async function command(port: number, line: string): Promise<{ status: number; body: string }> {
  const client = await LivestatusClient.connect(port);
  try {
    client.send(
      `COMMAND [${Math.floor(Date.now() / 1000)}] ${line}\nResponseHeader: fixed16\n\nGET status\nColumns: program_version\nResponseHeader: fixed16\n\n`,
    );
    const a = await client.answer(20_000);
    return { status: a.status, body: a.body };
  } finally {
    client.destroy();
  }
}

/** Polls `probe` until it returns a value (not undefined), at most `timeoutMs`. */
async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Writes zeros to `file` until the file system is full. */
function fillUp(file: string): void {
  const fd = fs.openSync(file, "w");
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOSPC") throw err;
  } finally {
    fs.closeSync(fd);
  }
}

function integrity(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    return String(db.pragma("integrity_check", { simple: true }));
  } finally {
    db.close();
  }
}

function logLines(file: string): { msg: string; [k: string]: unknown }[] {
  // The last line may be cut short while the disk is full.
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.endsWith("}"))
    .map((l) => JSON.parse(l) as { msg: string });
}

function logSummary(file: string): string {
  const counts = new Map<string, number>();
  for (const l of logLines(file)) counts.set(l.msg.slice(0, 80), (counts.get(l.msg.slice(0, 80)) ?? 0) + 1);
  return `${fs.statSync(file).size} bytes\n${[...counts].map(([m, n]) => `${n} × ${m}`).join("\n")}\n${logLines(file)
    .slice(-5)
    .map((l) => JSON.stringify(l).slice(0, 400))
    .join("\n")}`;
}

describe("store faults (real daemon, real SQLite file)", function () {
  this.timeout(120_000);
  const running: ForegroundTantale[] = [];
  const holders: ChildProcess[] = [];
  afterEach(async () => {
    for (const t of running.splice(0)) await t.kill();
    for (const h of holders.splice(0)) h.kill("SIGKILL");
  });
  after(cleanupTempDirs);

  async function confWith(extra: Record<string, string> = {}) {
    const line = await freePort();
    const ls = await freePort();
    const conf = makeConfDir({ "line.conf": `port = ${line}\n`, "livestatus.conf": `port = ${ls}\n`, "sqlite.conf": "log_retention_days = 0\n", ...extra });
    return { line, ls, conf };
  }

  describe("permissions", () => {
    it("creates the data dir 0700 and the store, its -wal and -shm, the pid file and the log 0600 even under umask 000; dump still works", async function () {
      const { line, conf } = await confWith();
      const data = path.join(makeTempDir(), "data");
      const log = path.join(data, "tantale.log");
      // umask 000 would make everything 0777/0666 if modes were left to it.
      const child = spawn(
        "sh",
        ["-c", 'umask 000 && exec "$0" "$@"', process.execPath, TANTALE_BIN, "--foreground", "--conf-dir", conf, "--data-dir", data, "--log-file", log],
        { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] },
      );
      const t = new ForegroundTantale(child);
      running.push(t);
      await waitForPort(line, 30_000);
      const client = await LineClient.connect(line);
      client.send(json("web1", "disk", 2, T0));
      client.send("SYNC");
      expect(await client.next(20_000)).to.equal("SYNCED");
      client.close();
      const db = path.join(data, "tantale.db");
      expect(
        Object.fromEntries([data, db, `${db}-wal`, `${db}-shm`, path.join(data, "tantale.pid"), log].map((p) => [path.basename(p), modeOf(p)])),
      ).to.deep.equal({
        data: "0700",
        "tantale.db": "0600",
        "tantale.db-wal": "0600",
        "tantale.db-shm": "0600",
        "tantale.pid": "0600",
        "tantale.log": "0600",
      });
      if (isRoot) {
        // What the issue saw: user nobody reading the store directly.
        const r = spawnSync("cat", [db], { uid: 65534, gid: 65534 });
        expect(r.status, "nobody must not read the store").to.not.equal(0);
      }
      const dump = runTantale(["dump", "--conf-dir", conf, "--data-dir", data]);
      expect(dump.status, dump.stderr).to.equal(0);
      expect(dump.stdout).to.contain('"check":"disk"');
      t.signal("SIGTERM");
      expect(await t.exit()).to.equal(0);
    });

    it("narrows a data dir and store left readable by all (with a warning); data_access = group gives the group read access", async () => {
      const { line, conf } = await confWith({ "tantale.conf": "data_access = group\n" });
      const data = makeTempDir();
      fs.chmodSync(data, 0o755);
      const db = path.join(data, "tantale.db");
      fs.writeFileSync(db, "");
      fs.chmodSync(db, 0o644);
      const t = ForegroundTantale.start(["--conf-dir", conf, "--data-dir", data]);
      running.push(t);
      await t.waitForMessage("tantale started", 30_000);
      await waitForPort(line);
      expect([modeOf(data), modeOf(db), modeOf(`${db}-wal`)]).to.deep.equal(["0750", "0640", "0640"]);
      const warnings = t.logs.filter((l) => l.level === 40 && /^mode of .* changed from/.test(l.msg)).map((l) => [l.from, l.to]);
      expect(warnings).to.deep.include.members([
        ["0755", "0750"],
        ["0644", "0640"],
      ]);
    });
  });

  describe("the SQLite file locked by another process at start", () => {
    it("fails the start within busy_timeout, naming the file and the lock; nothing corrupt, the next start serves the data", async () => {
      const { line, conf } = await confWith({ "sqlite.conf": "log_retention_days = 0\nbusy_timeout = 1s\n" });
      const data = makeTempDir();
      const first = ForegroundTantale.start(["--conf-dir", conf, "--data-dir", data]);
      running.push(first);
      await first.waitForMessage("tantale started", 30_000);
      const client = await LineClient.connect(line);
      client.send(json("web1", "disk", 2, T0));
      client.send("SYNC");
      expect(await client.next(20_000)).to.equal("SYNCED");
      client.close();
      first.signal("SIGTERM");
      expect(await first.exit()).to.equal(0);

      const db = path.join(data, "tantale.db");
      const holder = spawn(
        process.execPath,
        [
          "-e",
          `const D = require(process.argv[1]); const db = new D(process.argv[2]); db.exec("BEGIN EXCLUSIVE"); db.exec("DELETE FROM checks"); console.log("locked"); process.stdin.resume();`,
          require.resolve("better-sqlite3"),
          db,
        ],
        { stdio: ["pipe", "pipe", "inherit"] },
      );
      holders.push(holder);
      await new Promise<void>((resolve, reject) => {
        holder.stdout.once("data", () => resolve());
        holder.once("exit", (code) => reject(new Error(`the lock holder exited with ${String(code)}`)));
      });
      const started = Date.now();
      const locked = ForegroundTantale.start(["--conf-dir", conf, "--data-dir", data]);
      running.push(locked);
      expect(await locked.exit(60_000)).to.equal(1);
      const elapsed = Date.now() - started;
      const fatal = locked.logs.find((l) => l.msg === "not started: nothing runs");
      expect(JSON.stringify(fatal)).to.contain(db).and.to.contain("locked by another process").and.to.contain("busy_timeout 1000 ms");
      expect(elapsed, "bounded by busy_timeout, not a hang").to.be.below(30_000);

      holder.kill("SIGKILL"); // its transaction is never committed: SQLite rolls it back
      await new Promise((r) => holder.once("exit", r));
      expect(integrity(db)).to.equal("ok");
      const again = ForegroundTantale.start(["--conf-dir", conf, "--data-dir", data]);
      running.push(again);
      await again.waitForMessage("tantale started", 30_000);
      expect(again.logs.find((l) => l.msg === "state loaded from the store")?.checks).to.equal(1);
    });
  });

  describe("the data dir on a full file system (a small tmpfs)", () => {
    let mountPoint: string | undefined;
    after(() => {
      for (const t of running.splice(0)) t.child.kill("SIGKILL");
      if (mountPoint !== undefined) spawnSync("umount", ["-l", mountPoint]);
    });

    it("answers SYNC with an error, shows nothing uncommitted, refuses commands (503), stays CRITICAL, pauses inputs when the queue is full, and recovers once 1.5 MB is freed: every result committed, the file intact", async function () {
      const dir = makeTempDir("tantale-tmpfs-");
      try {
        execFileSync("mount", ["-t", "tmpfs", "-o", "size=16m,mode=0700", "tmpfs", dir], { stdio: "pipe" });
      } catch {
        this.skip(); // needs root (or CAP_SYS_ADMIN) to mount a tmpfs: say so in the output
      }
      mountPoint = dir;
      const data = path.join(dir, "data");
      const log = path.join(data, "tantale.log");
      // queue_size 1500: the 1000 results below fit, 1000 more fill the queue and pause the input.
      const { line, ls, conf } = await confWith({ "internal.conf": "interval = 1s\nhostname = mon1\n", "tantale.conf": "queue_size = 1500\n" });
      // The daemon's log on the full disk too, as in daemon mode: it must not end the daemon.
      const t = ForegroundTantale.start(["--conf-dir", conf, "--data-dir", data, "--log-file", log]);
      running.push(t);
      await waitForPort(line, 30_000);
      await waitForPort(ls, 30_000);
      const client = await LineClient.connect(line);
      // An established store: these checks are known before the disk fills.
      const sent: string[] = [];
      // OK, then CRITICAL, then WARNING, each newer than the one before.
      const stamp = [T0, T0 + 3, T0 + 2];
      const result = (i: number, status: 0 | 1 | 2) =>
        json(`full${i % 20}`, `svc${Math.floor(i / 20)}`, status, stamp[status]!, `${["OK", "WARNING", "CRITICAL"][status]!} - ${"x".repeat(80)} ${i}`);
      for (let i = 0; i < 1000; i++) {
        sent.push(`full${i % 20};svc${Math.floor(i / 20)}`);
        client.send(result(i, 0));
      }
      client.send(json("web1", "disk", 2, T0));
      client.send("SYNC");
      expect(await client.next(20_000)).to.equal("SYNCED");

      // Fill the file system, keeping 1.5 MB in a file of its own to free later.
      const spare = path.join(dir, "spare");
      fs.writeFileSync(spare, Buffer.alloc(1536 * 1024, 1));
      fillUp(path.join(dir, "filler"));

      // Every check turns CRITICAL: a commit of 1000 states and 1000 alerts, which cannot be written.
      for (let i = 0; i < 1000; i++) client.send(result(i, 2));
      client.send("SYNC");
      const answer = await client.next(30_000);
      expect(answer).to.match(/^ERROR the store cannot write \(SQLITE_FULL: database or disk is full\): the results are kept queued and retried$/);

      // Queries show only what is committed.
      const shown = await livestatus(ls, ["GET services", "Columns: host_name description", "Filter: host_name ~ ^full", "Filter: state != 0"]);
      expect(shown.rows).to.deep.equal([]);
      // A command that cannot be stored is refused, and changes nothing.
      const refused = await command(ls, "ADD_SVC_COMMENT;web1;disk;1;alice;disk is full");
      expect(refused.status).to.equal(503);
      expect(refused.body).to.contain("ADD_SVC_COMMENT: not applied, the store cannot write it (database or disk is full)");
      expect((await livestatus(ls, ["GET comments", "Columns: id"])).rows).to.deep.equal([]);
      // The health check turns CRITICAL and stays so while writes fail (reported every second).
      const health = () => livestatus(ls, ["GET services", "Columns: state plugin_output", "Filter: host_name = mon1", "Filter: description = tantale"]);
      await eventually("the health check CRITICAL", async () => ((await health()).rows[0]?.[0] === 2 ? true : undefined));
      for (let i = 0; i < 5; i++) {
        await new Promise((r) => setTimeout(r, 1000));
        const h = await health();
        expect(h.rows[0]?.[0], JSON.stringify(h.rows)).to.equal(2);
        expect(String(h.rows[0]?.[1])).to.match(/^TANTALE CRITICAL - the store cannot write/);
      }
      expect((await livestatus(ls, ["GET services", "Columns: host_name", "Filter: host_name ~ ^full", "Filter: state != 0"])).rows).to.deep.equal([]);
      client.send("SYNC");
      expect(await client.next(20_000), "a SYNC while the store is failing is answered at once").to.match(/^ERROR the store cannot write/);
      expect(t.exitCode, "a full disk under the log file must not end the daemon").to.equal(undefined);

      // More results than the queue holds: the input pauses (stops reading), so a SYNC behind them waits unread.
      for (let i = 0; i < 1000; i++) client.send(result(i, 1));
      client.send("SYNC");
      await eventually("the input paused", async () => {
        const h = await livestatus(ls, ["GET services", "Columns: perf_data", "Filter: host_name = mon1", "Filter: description = tantale"]);
        return /pauses=[1-9]/.test(String(h.rows[0]?.[0])) ? true : undefined;
      });
      let early: string | undefined;
      await client.next(2000).then(
        (a) => (early = a),
        () => undefined,
      );
      expect(early, "no answer while the input is paused").to.equal(undefined);

      // 1.5 MB back is enough for this commit (about 0.5 MB of WAL): retried within seconds.
      fs.rmSync(spare);
      await eventually(
        "SYNCED after space came back",
        async () => {
          client.send("SYNC");
          const a = await client.next(30_000);
          return a === "SYNCED" ? true : undefined;
        },
        60_000,
      ).catch((err: unknown) => {
        throw new Error(`${String(err)}; log:\n${logSummary(log)}`);
      });
      const stored = await livestatus(ls, ["GET services", "Columns: host_name description state", "Filter: host_name ~ ^full", "Filter: state = 1"]);
      expect(stored.rows.map((r) => `${String(r[0])};${String(r[1])}`).sort()).to.deep.equal([...sent].sort());
      expect((await command(ls, "ADD_SVC_COMMENT;web1;disk;1;alice;space is back")).status).to.equal(200);
      await eventually("the health check OK again", async () => ((await health()).rows[0]?.[0] === 0 ? true : undefined));
      client.close();

      t.signal("SIGTERM");
      expect(await t.exit()).to.equal(0);
      const db = path.join(data, "tantale.db");
      expect(integrity(db)).to.equal("ok");
      const file = new Database(db, { readonly: true });
      try {
        expect((file.prepare("SELECT count(*) AS n FROM checks WHERE hostname LIKE 'full%' AND state = 1").get() as { n: number }).n).to.equal(1000);
        // Every result accepted was applied, in order: OK → CRITICAL → WARNING, an alert each.
        expect((file.prepare("SELECT count(*) AS n FROM log WHERE hostname LIKE 'full%'").get() as { n: number }).n).to.equal(2000);
        expect((file.prepare("SELECT count(*) AS n FROM comments").get() as { n: number }).n).to.equal(1);
      } finally {
        file.close();
      }
      const messages = logLines(log).map((l) => l.msg);
      expect(messages).to.include("write failed, batch kept for retry").and.to.include("writes work again");
    });
  });
});
