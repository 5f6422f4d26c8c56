import { spawnSync } from "node:child_process";
import path from "node:path";
import { expect } from "chai";
import { LivestatusClient } from "../helpers/livestatus-client";
import { LineClient, freePort, waitForPort } from "../helpers/net";
import { ForegroundTantale, REPO_ROOT, runTantale } from "../helpers/tantale-process";
import { cleanupTempDirs, makeConfDir, makeTempDir } from "../helpers/temp-dir";

const PERL_CLIENT = path.join(REPO_ROOT, "test", "fixtures", "perl", "ls-client.pl");
const NAGSTAMON_SCRIPT = path.join(REPO_ROOT, "test", "fixtures", "nagstamon", "ack-round-trip.py");
const PYTHON = "/usr/bin/python3";

/** Now, whole seconds; results are stamped BASE + n (in the past), commands after them. */
const NOW = Math.floor(Date.now() / 1000);
const BASE = NOW - 1000;

type Rec = Record<string, unknown>;

interface PerlAnswer {
  readonly result?: unknown;
  readonly error?: number;
  readonly message?: string;
}

interface Result {
  readonly hostname: string;
  readonly check: string;
  readonly status: number;
  readonly timestamp: number;
  readonly contacts?: readonly string[];
}

/** A daemon with the line input, the SQLite store and the Livestatus listener, restartable on its data dir. */
class Daemon {
  private constructor(
    readonly conf: string,
    readonly data: string,
    readonly line: number,
    readonly ls: number,
    public t: ForegroundTantale,
  ) {}

  static async start(): Promise<Daemon> {
    const line = await freePort();
    const ls = await freePort();
    const conf = makeConfDir({
      "line.conf": `port = ${line}\n`,
      // Results are injected as COMMANDs too: not in the default `gui`.
      "livestatus.conf": `port = ${ls}\ncommands = gui, results\n`,
      "sqlite.conf": "",
      // The timers (downtimes starting and ending) run every freshness_check_interval.
      "tantale.conf": "freshness_check_interval = 200ms\n",
    });
    const data = makeTempDir();
    return new Daemon(conf, data, line, ls, await Daemon.launch(conf, data, ls));
  }

  private static async launch(conf: string, data: string, ls: number): Promise<ForegroundTantale> {
    const t = ForegroundTantale.start(["--conf-dir", conf, "--data-dir", data]);
    await t.waitForMessage("tantale started");
    await waitForPort(ls);
    return t;
  }

  /** SIGTERM, a clean exit, and a new daemon on the same conf and data dir. */
  async restart(): Promise<void> {
    this.t.signal("SIGTERM");
    expect(await this.t.exit(), "exit code of the stopped daemon").to.equal(0);
    this.t = await Daemon.launch(this.conf, this.data, this.ls);
  }

  /** Feeds results through the line input (JSON lines) and waits for SYNCED (committed). */
  async feed(results: readonly Result[]): Promise<void> {
    const client = await LineClient.connect(this.line);
    try {
      for (const r of results) {
        const status =
          (r.check === "Host" ? ["UP", "DOWN", "UNREACHABLE"][r.status] : ["OK", "WARNING", "CRITICAL", "UNKNOWN"][r.status]) ?? `status ${r.status}`;
        client.send(
          JSON.stringify({
            hostname: r.hostname,
            check: r.check,
            status: r.status,
            output: `${r.check} ${status}`,
            timestamp: r.timestamp,
            interval: 3600,
            contacts: r.contacts ?? ["ops"],
          }),
        );
      }
      client.send("SYNC");
      expect(await client.next(10_000)).to.match(/^SYNCED/);
    } finally {
      client.close();
    }
  }

  /** A GET answered as JSON with column headers: one record per row. */
  async get(table: string, columns: readonly string[], filters: readonly string[] = []): Promise<Rec[]> {
    const request = [
      `GET ${table}`,
      `Columns: ${columns.join(" ")}`,
      ...filters.map((f) => `Filter: ${f}`),
      "OutputFormat: json",
      "ColumnHeaders: on",
      "ResponseHeader: fixed16",
      "",
      "",
    ].join("\n");
    const client = await LivestatusClient.connect(this.ls);
    try {
      client.send(request);
      return records(await client.answer());
    } finally {
      client.destroy();
    }
  }

  /** Sends a command with Monitoring::Livestatus' ->do (as Thruk does). */
  perlDo(command: string): void {
    const a = perl(this.ls, "do", command);
    expect(a, `perl do ${command}`).to.deep.equal({ result: 1 });
  }
}

/** Rows of a `ColumnHeaders: on` JSON answer as records (the header row gives the keys). */
function records(answer: { status: number; body: string }): Rec[] {
  expect(answer.status, answer.body).to.equal(200);
  const [header, ...rows] = JSON.parse(answer.body) as unknown[][];
  const names = (header ?? []) as string[];
  return rows.map((row) => Object.fromEntries(names.map((n, i) => [n, row[i]])));
}

/** Asks with Monitoring::Livestatus (Debian's libmonitoring-livestatus-perl, Thruk's client library). */
function perl(port: number, mode: string, query: string): PerlAnswer {
  const r = spawnSync("perl", [PERL_CLIENT, `127.0.0.1:${port}`, mode], { input: query, encoding: "utf8", timeout: 30_000 });
  if (r.error) throw r.error;
  expect(r.stderr, "perl stderr").to.equal("");
  return JSON.parse(r.stdout) as PerlAnswer;
}

/** Calls `read` until `done` holds on its value (a command sent on another connection may take a moment); returns the last value. */
async function eventually<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const SVC_COLUMNS = ["state", "acknowledged", "acknowledgement_type", "scheduled_downtime_depth", "downtimes", "comments_with_info"] as const;
const COMMENT_COLUMNS = [
  "id",
  "host_name",
  "service_description",
  "author",
  "comment",
  "entry_type",
  "entry_time",
  "expires",
  "expire_time",
  "persistent",
  "is_service",
] as const;
const DOWNTIME_COLUMNS = [
  "id",
  "host_name",
  "service_description",
  "author",
  "comment",
  "start_time",
  "end_time",
  "fixed",
  "duration",
  "is_pending",
  "type",
  "is_service",
] as const;

describe("Livestatus commands: a real daemon, results through the line input, commands from Perl's ->do and raw sockets", function () {
  this.timeout(60_000);
  let d: Daemon;

  const svc = async (host: string, service: string, columns: readonly string[] = SVC_COLUMNS): Promise<Rec | undefined> =>
    (await d.get("services", columns, [`host_name = ${host}`, `description = ${service}`]))[0];
  const hostRow = async (host: string, columns: readonly string[]): Promise<Rec | undefined> => (await d.get("hosts", columns, [`name = ${host}`]))[0];
  const commentsOf = (host: string): Promise<Rec[]> => d.get("comments", COMMENT_COLUMNS, [`host_name = ${host}`]);
  const downtimesOf = (host: string): Promise<Rec[]> => d.get("downtimes", DOWNTIME_COLUMNS, [`host_name = ${host}`]);
  const logOf = async (host: string, filters: readonly string[] = []): Promise<string[]> =>
    (await d.get("log", ["message"], [`host_name = ${host}`, ...filters])).map((r) => r.message as string);
  /** Everything a command on `host` could change, for before/after comparisons. */
  const snapshot = async (host: string): Promise<unknown> => ({
    hosts: await d.get(
      "hosts",
      ["name", "state", "acknowledged", "acknowledgement_type", "scheduled_downtime_depth", "downtimes", "comments"],
      [`name = ${host}`],
    ),
    services: await d.get("services", ["description", ...SVC_COLUMNS], [`host_name = ${host}`]),
    comments: await commentsOf(host),
    downtimes: await downtimesOf(host),
    commandLog: (await d.get("log", ["message"], ["class = 5"])).map((r) => r.message),
  });

  before(async function () {
    if (spawnSync("perl", ["-MMonitoring::Livestatus", "-e", "1"]).status !== 0) {
      throw new Error("perl with Monitoring::Livestatus is missing: apt-get install libmonitoring-livestatus-perl (.ci/run does)");
    }
    d = await Daemon.start();
  });
  after(async () => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
    await d?.t.kill();
    cleanupTempDirs();
  });

  describe("acknowledgements", () => {
    it("ACKNOWLEDGE_SVC_PROBLEM: acknowledged 1, type 1, a comment with entry_type 4, author and text; a change to another problem state ends both", async () => {
      await d.feed([
        { hostname: "ack1", check: "Host", status: 0, timestamp: BASE },
        { hostname: "ack1", check: "disk", status: 2, timestamp: BASE },
      ]);
      expect(await svc("ack1", "disk")).to.include({ state: 2, acknowledged: 0, acknowledgement_type: 0 });
      d.perlDo(`COMMAND [${BASE + 10}] ACKNOWLEDGE_SVC_PROBLEM;ack1;disk;1;0;0;alice;disk full; more ordered`);
      const acked = await eventually(
        () => svc("ack1", "disk"),
        (r) => r?.acknowledged === 1,
      );
      expect(acked).to.include({ state: 2, acknowledged: 1, acknowledgement_type: 1 });
      const comments = await commentsOf("ack1");
      expect(comments).to.have.length(1);
      expect(comments[0]).to.include({
        service_description: "disk",
        author: "alice",
        comment: "disk full; more ordered",
        entry_type: 4,
        entry_time: BASE + 10,
        expires: 0,
        persistent: 0,
        is_service: 1,
      });
      expect(acked!.comments_with_info).to.deep.equal([[comments[0]!.id, "alice", "disk full; more ordered"]]);

      await d.feed([{ hostname: "ack1", check: "disk", status: 1, timestamp: BASE + 20 }]); // CRITICAL → WARNING
      expect(await svc("ack1", "disk")).to.deep.include({ state: 1, acknowledged: 0, acknowledgement_type: 0, comments_with_info: [] });
      expect(await commentsOf("ack1")).to.deep.equal([]);
    });

    it("a sticky acknowledgement (2) holds across WARNING → CRITICAL and ends on OK; its persistent comment stays, as in Nagios", async () => {
      await d.feed([{ hostname: "ack2", check: "disk", status: 1, timestamp: BASE }]);
      d.perlDo(`COMMAND [${BASE + 10}] ACKNOWLEDGE_SVC_PROBLEM;ack2;disk;2;1;1;bob;looking at it`);
      expect(
        await eventually(
          () => svc("ack2", "disk"),
          (r) => r?.acknowledged === 1,
        ),
      ).to.include({ acknowledged: 1, acknowledgement_type: 2 });
      await d.feed([{ hostname: "ack2", check: "disk", status: 2, timestamp: BASE + 20 }]);
      expect(await svc("ack2", "disk")).to.include({ state: 2, acknowledged: 1, acknowledgement_type: 2 });
      expect((await commentsOf("ack2")).map((c) => [c.entry_type, c.author, c.comment])).to.deep.equal([[4, "bob", "looking at it"]]);
      await d.feed([{ hostname: "ack2", check: "disk", status: 0, timestamp: BASE + 30 }]);
      expect(await svc("ack2", "disk")).to.include({ state: 0, acknowledged: 0, acknowledgement_type: 0 });
      expect((await commentsOf("ack2")).map((c) => [c.entry_type, c.author, c.comment, c.persistent])).to.deep.equal([[4, "bob", "looking at it", 1]]);
    });

    it("REMOVE_SVC_ACKNOWLEDGEMENT, and Checkmk's trailing expiry argument (0 or a time) is not part of the comment", async () => {
      await d.feed([{ hostname: "ack3", check: "disk", status: 2, timestamp: BASE }]);
      d.perlDo(`COMMAND [${BASE + 10}] ACKNOWLEDGE_SVC_PROBLEM;ack3;disk;2;0;0;carol;checked;0`);
      await eventually(
        () => svc("ack3", "disk"),
        (r) => r?.acknowledged === 1,
      );
      expect((await commentsOf("ack3")).map((c) => [c.author, c.comment, c.expires, c.expire_time, c.persistent])).to.deep.equal([
        ["carol", "checked", 0, 0, 0],
      ]);

      d.perlDo(`COMMAND [${BASE + 20}] REMOVE_SVC_ACKNOWLEDGEMENT;ack3;disk`);
      expect(
        await eventually(
          () => svc("ack3", "disk"),
          (r) => r?.acknowledged === 0,
        ),
      ).to.include({ acknowledged: 0, acknowledgement_type: 0 });
      expect(await commentsOf("ack3")).to.deep.equal([]);

      const expiry = NOW + 3600;
      d.perlDo(`COMMAND [${BASE + 30}] ACKNOWLEDGE_SVC_PROBLEM;ack3;disk;1;0;1;carol;again;${expiry}`);
      expect(
        await eventually(
          () => svc("ack3", "disk"),
          (r) => r?.acknowledged === 1,
        ),
      ).to.include({ acknowledged: 1, acknowledgement_type: 1 });
      expect((await commentsOf("ack3")).map((c) => [c.comment, c.expires, c.expire_time])).to.deep.equal([["again", 1, expiry]]);
    });

    it("ACKNOWLEDGE_HOST_PROBLEM: normal (ended by DOWN → UNREACHABLE), sticky (kept across it), REMOVE_HOST_ACKNOWLEDGEMENT", async () => {
      const HOST = ["state", "acknowledged", "acknowledgement_type", "comments_with_info"];
      await d.feed([
        { hostname: "ack4", check: "Host", status: 1, timestamp: BASE },
        { hostname: "ack4", check: "disk", status: 0, timestamp: BASE },
      ]);
      d.perlDo(`COMMAND [${BASE + 10}] ACKNOWLEDGE_HOST_PROBLEM;ack4;1;0;0;dave;host down`);
      const acked = await eventually(
        () => hostRow("ack4", HOST),
        (r) => r?.acknowledged === 1,
      );
      expect(acked).to.include({ state: 1, acknowledged: 1, acknowledgement_type: 1 });
      const comments = await commentsOf("ack4");
      expect(comments.map((c) => [c.service_description, c.is_service, c.entry_type, c.author, c.comment])).to.deep.equal([["", 0, 4, "dave", "host down"]]);
      expect(acked!.comments_with_info).to.deep.equal([[comments[0]!.id, "dave", "host down"]]);
      expect(await svc("ack4", "disk")).to.include({ acknowledged: 0 }); // the host's acknowledgement is not its services'

      await d.feed([{ hostname: "ack4", check: "Host", status: 2, timestamp: BASE + 20 }]);
      expect(await hostRow("ack4", HOST)).to.deep.equal({ state: 2, acknowledged: 0, acknowledgement_type: 0, comments_with_info: [] });

      d.perlDo(`COMMAND [${BASE + 30}] ACKNOWLEDGE_HOST_PROBLEM;ack4;2;0;0;dave;sticky one`);
      expect(
        await eventually(
          () => hostRow("ack4", HOST),
          (r) => r?.acknowledged === 1,
        ),
      ).to.include({ acknowledgement_type: 2 });
      await d.feed([{ hostname: "ack4", check: "Host", status: 1, timestamp: BASE + 40 }]);
      expect(await hostRow("ack4", HOST)).to.include({ state: 1, acknowledged: 1, acknowledgement_type: 2 });

      d.perlDo(`COMMAND [${BASE + 50}] REMOVE_HOST_ACKNOWLEDGEMENT;ack4`);
      expect(
        await eventually(
          () => hostRow("ack4", HOST),
          (r) => r?.acknowledged === 0,
        ),
      ).to.deep.equal({ state: 1, acknowledged: 0, acknowledgement_type: 0, comments_with_info: [] });
      expect(await commentsOf("ack4")).to.deep.equal([]);
    });
  });

  describe("downtimes", () => {
    it("SCHEDULE_SVC_DOWNTIME, fixed, started in the past: depth 1, a downtimes row, STARTED in the log; DEL_SVC_DOWNTIME: depth 0, CANCELLED", async () => {
      await d.feed([{ hostname: "dt1", check: "disk", status: 0, timestamp: BASE }]);
      const start = NOW - 60;
      const end = NOW + 3600;
      d.perlDo(`COMMAND [${NOW}] SCHEDULE_SVC_DOWNTIME;dt1;disk;${start};${end};1;0;0;erin;kernel update`);
      const inDowntime = await eventually(
        () => svc("dt1", "disk"),
        (r) => r?.scheduled_downtime_depth === 1,
      );
      expect(inDowntime).to.include({ scheduled_downtime_depth: 1 });
      const rows = await downtimesOf("dt1");
      expect(rows).to.have.length(1);
      const id = rows[0]!.id as number;
      expect(id).to.be.a("number").and.to.be.above(0);
      expect(rows[0]).to.deep.equal({
        id,
        host_name: "dt1",
        service_description: "disk",
        author: "erin",
        comment: "kernel update",
        start_time: start,
        end_time: end,
        fixed: 1,
        duration: end - start,
        is_pending: 0,
        type: 1,
        is_service: 1,
      });
      expect(inDowntime!.downtimes).to.deep.equal([id]);
      // The window opened before the command: the downtime starts when it is scheduled (the command's time).
      expect(await logOf("dt1", ["type = SERVICE DOWNTIME ALERT"])).to.deep.equal([
        `[${NOW}] SERVICE DOWNTIME ALERT: dt1;disk;STARTED; Service has entered a period of scheduled downtime`,
      ]);

      d.perlDo(`COMMAND [${NOW}] DEL_SVC_DOWNTIME;${id}`);
      expect(
        await eventually(
          () => svc("dt1", "disk"),
          (r) => r?.scheduled_downtime_depth === 0,
        ),
      ).to.deep.include({ scheduled_downtime_depth: 0, downtimes: [] });
      expect(await downtimesOf("dt1")).to.deep.equal([]);
      const log = await logOf("dt1", ["type = SERVICE DOWNTIME ALERT"]);
      expect(log).to.have.length(2);
      expect(log[1]).to.match(/^\[\d+\] SERVICE DOWNTIME ALERT: dt1;disk;CANCELLED; /);
    });

    it("SCHEDULE_HOST_SVC_DOWNTIME: the host and each of its services get a downtime", async () => {
      await d.feed([
        { hostname: "dt2", check: "Host", status: 0, timestamp: BASE },
        { hostname: "dt2", check: "disk", status: 0, timestamp: BASE },
        { hostname: "dt2", check: "load", status: 1, timestamp: BASE },
      ]);
      d.perlDo(`COMMAND [${NOW}] SCHEDULE_HOST_SVC_DOWNTIME;dt2;${NOW - 30};${NOW + 3600};1;0;0;frank;rack move`);
      const host = await eventually(
        () => hostRow("dt2", ["scheduled_downtime_depth", "downtimes"]),
        (r) => r?.scheduled_downtime_depth === 1,
      );
      const rows = await downtimesOf("dt2");
      expect(rows.map((r) => [r.service_description, r.type, r.author, r.comment, r.is_pending])).to.deep.equal([
        ["", 2, "frank", "rack move", 0],
        ["disk", 1, "frank", "rack move", 0],
        ["load", 1, "frank", "rack move", 0],
      ]);
      expect(host).to.deep.equal({ scheduled_downtime_depth: 1, downtimes: [rows[0]!.id] });
      expect(await svc("dt2", "disk")).to.deep.include({ scheduled_downtime_depth: 1, downtimes: [rows[1]!.id] });
      expect(await svc("dt2", "load")).to.deep.include({ scheduled_downtime_depth: 1, downtimes: [rows[2]!.id] });
      const log = await logOf("dt2", ["class = 1", "type ~ DOWNTIME ALERT"]);
      expect(log.map((m) => m.replace(/^\[\d+\] /, "").replace(/; .*$/, ""))).to.have.members([
        "HOST DOWNTIME ALERT: dt2;STARTED",
        "SERVICE DOWNTIME ALERT: dt2;disk;STARTED",
        "SERVICE DOWNTIME ALERT: dt2;load;STARTED",
      ]);
    });

    it("SCHEDULE_HOST_SVC_DOWNTIME on a pending host (services only, no Host check yet): the host's scheduled_downtime_depth counts its active downtime", async () => {
      await d.feed([{ hostname: "dt4", check: "disk", status: 0, timestamp: BASE }]);
      d.perlDo(`COMMAND [${NOW}] SCHEDULE_HOST_SVC_DOWNTIME;dt4;${NOW - 30};${NOW + 3600};1;0;0;olga;passive host`);
      await eventually(
        () => svc("dt4", "disk"),
        (r) => r?.scheduled_downtime_depth === 1,
      );
      const rows = await downtimesOf("dt4");
      expect(rows.map((r) => [r.service_description, r.is_pending])).to.deep.equal([
        ["", 0],
        ["disk", 0],
      ]);
      expect(await hostRow("dt4", ["has_been_checked", "scheduled_downtime_depth", "downtimes"])).to.deep.equal({
        has_been_checked: 0,
        scheduled_downtime_depth: 1,
        downtimes: [rows[0]!.id],
      });
      expect(await svc("dt4", "disk", ["host_scheduled_downtime_depth"])).to.deep.equal({ host_scheduled_downtime_depth: 1 });
    });

    it("a fixed downtime ends by itself at its end time: depth 0, no row, STOPPED in the log", async () => {
      await d.feed([{ hostname: "dt3", check: "disk", status: 2, timestamp: BASE }]);
      const now = Math.floor(Date.now() / 1000);
      const end = now + 2;
      d.perlDo(`COMMAND [${now}] SCHEDULE_SVC_DOWNTIME;dt3;disk;${now - 10};${end};1;0;0;gina;short one`);
      expect(
        await eventually(
          () => svc("dt3", "disk"),
          (r) => r?.scheduled_downtime_depth === 1,
        ),
      ).to.include({ scheduled_downtime_depth: 1 });
      const ended = await eventually(
        () => svc("dt3", "disk"),
        (r) => r?.scheduled_downtime_depth === 0,
        10_000,
      );
      expect(ended).to.deep.include({ scheduled_downtime_depth: 0, downtimes: [] });
      expect(Date.now() / 1000).to.be.at.least(end - 0.01);
      expect(await downtimesOf("dt3")).to.deep.equal([]);
      const log = await eventually(
        () => logOf("dt3", ["type = SERVICE DOWNTIME ALERT"]),
        (l) => l.length === 2,
      );
      expect(log).to.deep.equal([
        `[${now}] SERVICE DOWNTIME ALERT: dt3;disk;STARTED; Service has entered a period of scheduled downtime`,
        `[${end}] SERVICE DOWNTIME ALERT: dt3;disk;STOPPED; Service has exited from a period of scheduled downtime`,
      ]);
    });
  });

  describe("comments", () => {
    it("ADD_SVC_COMMENT keeps every `;` of the comment; DEL_SVC_COMMENT removes it", async () => {
      await d.feed([{ hostname: "cm1", check: "disk", status: 0, timestamp: BASE }]);
      d.perlDo(`COMMAND [${BASE + 10}] ADD_SVC_COMMENT;cm1;disk;1;hank;first; second;third;0`);
      const rows = await eventually(
        () => commentsOf("cm1"),
        (r) => r.length === 1,
      );
      expect(rows).to.have.length(1);
      const id = rows[0]!.id as number;
      expect(rows[0]).to.deep.equal({
        id,
        host_name: "cm1",
        service_description: "disk",
        author: "hank",
        comment: "first; second;third;0",
        entry_type: 1,
        entry_time: BASE + 10,
        expires: 0,
        expire_time: 0,
        persistent: 1,
        is_service: 1,
      });
      expect(await svc("cm1", "disk", ["comments", "comments_with_info"])).to.deep.equal({
        comments: [id],
        comments_with_info: [[id, "hank", "first; second;third;0"]],
      });

      d.perlDo(`COMMAND [${BASE + 20}] DEL_SVC_COMMENT;${id}`);
      expect(
        await eventually(
          () => commentsOf("cm1"),
          (r) => r.length === 0,
        ),
      ).to.deep.equal([]);
      expect(await svc("cm1", "disk", ["comments", "comments_with_info"])).to.deep.equal({ comments: [], comments_with_info: [] });
    });
  });

  describe("DEL_SVC and DEL_HOST (Tantale's own commands)", () => {
    it("DEL_SVC: the service, its downtime and its comments are gone, the host's other services stay, the log keeps its history", async () => {
      await d.feed([
        { hostname: "del1", check: "Host", status: 0, timestamp: BASE },
        { hostname: "del1", check: "disk", status: 2, timestamp: BASE },
        { hostname: "del1", check: "load", status: 0, timestamp: BASE },
      ]);
      d.perlDo(`COMMAND [${NOW}] SCHEDULE_SVC_DOWNTIME;del1;disk;${NOW - 30};${NOW + 3600};1;0;0;ivan;gone soon`);
      d.perlDo(`COMMAND [${NOW}] ADD_SVC_COMMENT;del1;disk;1;ivan;to be removed`);
      d.perlDo(`COMMAND [${NOW}] ACKNOWLEDGE_SVC_PROBLEM;del1;disk;1;0;1;ivan;ack`);
      d.perlDo(`COMMAND [${NOW}] ADD_SVC_COMMENT;del1;load;1;ivan;stays`);
      await eventually(
        () => commentsOf("del1"),
        (r) => r.length === 3,
      );
      expect((await downtimesOf("del1")).map((r) => r.service_description)).to.deep.equal(["disk"]);

      d.perlDo(`COMMAND [${NOW}] DEL_SVC;del1;disk`);
      expect(
        (
          await eventually(
            () => d.get("services", ["description"], ["host_name = del1"]),
            (r) => r.length === 1,
          )
        ).map((r) => r.description),
      ).to.deep.equal(["load"]);
      expect(await downtimesOf("del1")).to.deep.equal([]);
      expect((await commentsOf("del1")).map((c) => [c.service_description, c.comment])).to.deep.equal([["load", "stays"]]);
      expect(await hostRow("del1", ["name", "num_services"])).to.deep.equal({ name: "del1", num_services: 1 });
      const log = await logOf("del1", ["service_description = disk"]);
      expect(log).to.include(`[${BASE}] SERVICE ALERT: del1;disk;CRITICAL;HARD;1;disk CRITICAL`);
      expect(log.some((m) => m.includes("SERVICE DOWNTIME ALERT: del1;disk;STARTED"))).to.equal(true, log.join("\n"));
      expect(log.some((m) => m.endsWith("EXTERNAL COMMAND: DEL_SVC;del1;disk"))).to.equal(true, log.join("\n"));
    });

    it("DEL_HOST: the host, its services, their downtimes and comments are gone, the log keeps their history", async () => {
      await d.feed([
        { hostname: "del2", check: "Host", status: 1, timestamp: BASE },
        { hostname: "del2", check: "disk", status: 2, timestamp: BASE },
        { hostname: "del2", check: "load", status: 0, timestamp: BASE },
      ]);
      d.perlDo(`COMMAND [${NOW}] SCHEDULE_HOST_SVC_DOWNTIME;del2;${NOW - 30};${NOW + 3600};1;0;0;judy;whole host`);
      d.perlDo(`COMMAND [${NOW}] ADD_HOST_COMMENT;del2;1;judy;host note`);
      d.perlDo(`COMMAND [${NOW}] ACKNOWLEDGE_HOST_PROBLEM;del2;1;0;1;judy;host ack`);
      d.perlDo(`COMMAND [${NOW}] ADD_SVC_COMMENT;del2;disk;1;judy;svc note`);
      await eventually(
        () => commentsOf("del2"),
        (r) => r.length === 3,
      );
      expect(await downtimesOf("del2")).to.have.length(3);
      const ids = { comments: (await commentsOf("del2")).map((c) => c.id), downtimes: (await downtimesOf("del2")).map((r) => r.id) };

      d.perlDo(`COMMAND [${NOW}] DEL_HOST;del2`);
      expect(
        await eventually(
          () => d.get("hosts", ["name"], ["name = del2"]),
          (r) => r.length === 0,
        ),
      ).to.deep.equal([]);
      expect(await d.get("services", ["description"], ["host_name = del2"])).to.deep.equal([]);
      expect(await downtimesOf("del2")).to.deep.equal([]);
      expect(await commentsOf("del2")).to.deep.equal([]);
      // Not under another name either: the ids are gone from the whole tables.
      const allComments = (await d.get("comments", ["id"])).map((r) => r.id);
      const allDowntimes = (await d.get("downtimes", ["id"])).map((r) => r.id);
      for (const id of ids.comments) expect(allComments).not.to.include(id);
      for (const id of ids.downtimes) expect(allDowntimes).not.to.include(id);
      const log = await logOf("del2");
      expect(log).to.include.members([`[${BASE}] HOST ALERT: del2;DOWN;HARD;1;Host DOWN`, `[${BASE}] SERVICE ALERT: del2;disk;CRITICAL;HARD;1;disk CRITICAL`]);
      expect(log.some((m) => m.endsWith("EXTERNAL COMMAND: DEL_HOST;del2"))).to.equal(true, log.join("\n"));
    });
  });

  describe("the log", () => {
    it("every accepted command is logged as EXTERNAL COMMAND (log class 5) with its object", async () => {
      await d.feed([{ hostname: "lg1", check: "disk", status: 2, timestamp: BASE }]);
      d.perlDo(`COMMAND [${BASE + 10}] ADD_SVC_COMMENT;lg1;disk;1;kim;logged; really`);
      d.perlDo(`COMMAND [${BASE + 11}] ACKNOWLEDGE_SVC_PROBLEM;lg1;disk;2;0;1;kim;mine`);
      const rows = await eventually(
        () => d.get("log", ["class", "type", "host_name", "service_description", "options", "message"], ["class = 5", "host_name = lg1"]),
        (r) => r.length === 2,
      );
      expect(rows.map((r) => [r.class, r.type, r.host_name, r.service_description, r.options])).to.deep.equal([
        [5, "EXTERNAL COMMAND", "lg1", "disk", "ADD_SVC_COMMENT;lg1;disk;1;kim;logged; really"],
        [5, "EXTERNAL COMMAND", "lg1", "disk", "ACKNOWLEDGE_SVC_PROBLEM;lg1;disk;2;0;1;kim;mine"],
      ]);
      for (const r of rows) expect(r.message).to.match(/^\[\d+\] EXTERNAL COMMAND: /);
      // Filter: class = 5 alone gives the EXTERNAL COMMAND lines only.
      const all = await d.get("log", ["type"], ["class = 5"]);
      expect(new Set(all.map((r) => r.type))).to.deep.equal(new Set(["EXTERNAL COMMAND"]));
    });
  });

  describe("refused commands", () => {
    const bad = (): { line: string; message: RegExp }[] => [
      { line: `NO_SUCH_COMMAND;bad1;disk`, message: /NO_SUCH_COMMAND/ },
      { line: `ACKNOWLEDGE_SVC_PROBLEM;bad1;disk;1`, message: /ACKNOWLEDGE_SVC_PROBLEM.*<notify> is missing/ },
      { line: `ACKNOWLEDGE_HOST_PROBLEM;nosuchhost;1;0;0;x;c`, message: /host nosuchhost is not known/ },
      { line: `ACKNOWLEDGE_SVC_PROBLEM;bad1;nosuchsvc;1;0;0;x;c`, message: /service bad1;nosuchsvc is not known/ },
      { line: `ACKNOWLEDGE_SVC_PROBLEM;bad1;disk;yes;0;0;x;c`, message: /<sticky> must be a whole number.*"?yes/ },
      {
        line: `SCHEDULE_SVC_DOWNTIME;bad1;disk;${NOW + 600};${NOW + 60};1;0;0;x;c`,
        message: new RegExp(`<end> \\(${NOW + 60}\\) must be after <start> \\(${NOW + 600}\\)`),
      },
      { line: `DEL_SVC_COMMENT;999999`, message: /no comment with id 999999/ },
    ];

    before(async () => {
      await d.feed([
        { hostname: "bad1", check: "Host", status: 0, timestamp: BASE },
        { hostname: "bad1", check: "disk", status: 2, timestamp: BASE },
      ]);
    });

    it("with ResponseHeader: fixed16, each gets a 400 naming the problem on a connection that stays open; nothing changes", async () => {
      const before = await snapshot("bad1");
      const client = await LivestatusClient.connect(d.ls);
      try {
        for (const { line, message } of bad()) {
          client.send(`COMMAND [${NOW}] ${line}\nResponseHeader: fixed16\n\n`);
          const a = await client.answer();
          expect(a.status, `${line} → ${a.body}`).to.equal(400);
          expect(a.body, line).to.match(message);
        }
        // still open, and a GET on it is answered as usual
        client.send("GET services\nColumns: state\nFilter: host_name = bad1\nOutputFormat: json\nResponseHeader: fixed16\n\n");
        expect(JSON.parse((await client.answer()).body)).to.deep.equal([[2]]);
      } finally {
        client.destroy();
      }
      expect(await snapshot("bad1")).to.deep.equal(before);
    });

    it("without fixed16 they get no bytes at all, and a GET that follows on the connection is answered", async () => {
      const before = await snapshot("bad1");
      const client = await LivestatusClient.connect(d.ls);
      try {
        const commands = bad().map(({ line }) => `COMMAND [${NOW}] ${line}\n\n`);
        // All in one write: an error line for any of them would come before the GET's answer.
        client.send(
          `${commands.join("")}GET services\nColumns: host_name state\nFilter: host_name = bad1\nOutputFormat: json\nKeepAlive: on\nResponseHeader: fixed16\n\n`,
        );
        const a = await client.answer();
        expect(a.status, a.body).to.equal(200);
        expect(JSON.parse(a.body)).to.deep.equal([["bad1", 2]]);
        await client.silentFor(200);
        // one refused command more, alone, then a GET: still nothing but the GET's answer
        client.send(`COMMAND [${NOW}] ACKNOWLEDGE_SVC_PROBLEM;bad1;nosuchsvc;1;0;0;x;c\n\n`);
        await client.silentFor(200);
        client.send("GET hosts\nColumns: name\nFilter: name = bad1\nOutputFormat: json\nResponseHeader: fixed16\n\n");
        expect(JSON.parse((await client.answer()).body)).to.deep.equal([["bad1"]]);
      } finally {
        client.destroy();
      }
      expect(await snapshot("bad1")).to.deep.equal(before);
    });
  });

  describe("AuthUser on a command", () => {
    before(async () => {
      await d.feed([
        { hostname: "au1", check: "Host", status: 0, timestamp: BASE, contacts: ["hostops"] },
        { hostname: "au1", check: "disk", status: 2, timestamp: BASE, contacts: ["alice"] },
        { hostname: "au1", check: "load", status: 2, timestamp: BASE, contacts: ["alice"] },
        { hostname: "au1", check: "mem", status: 2, timestamp: BASE, contacts: ["bob"] },
      ]);
    });

    /** Sends one command (with fixed16) and then a GET of the service on the same connection: the refusal if any, and the service after. */
    async function commandThenRead(
      command: string,
      authUser: string | undefined,
      service: string,
    ): Promise<{ refusal: { status: number; body: string } | undefined; after: Rec }> {
      const client = await LivestatusClient.connect(d.ls);
      try {
        client.send(`COMMAND [${BASE + 10}] ${command}\n${authUser === undefined ? "" : `AuthUser: ${authUser}\n`}ResponseHeader: fixed16\n\n`);
        client.send(
          `GET services\nColumns: acknowledged acknowledgement_type comments_with_info\nFilter: host_name = au1\nFilter: description = ${service}\nOutputFormat: json\nColumnHeaders: on\nResponseHeader: fixed16\n\n`,
        );
        const first = await client.answer();
        if (first.status === 200) return { refusal: undefined, after: records(first)[0]! };
        return { refusal: first, after: records(await client.answer())[0]! };
      } finally {
        client.destroy();
      }
    }

    it("by a user who is not a contact of the service: 403 with fixed16, nothing changes", async () => {
      const before = await snapshot("au1");
      for (const user of ["mallory", "bob"]) {
        const { refusal, after } = await commandThenRead(`ACKNOWLEDGE_SVC_PROBLEM;au1;disk;1;0;1;${user};mine`, user, "disk");
        expect(refusal?.status, refusal?.body).to.equal(403);
        expect(refusal!.body).to.contain(`AuthUser ${user} is not a contact of service au1;disk`);
        expect(after).to.deep.equal({ acknowledged: 0, acknowledgement_type: 0, comments_with_info: [] });
      }
      expect(await snapshot("au1")).to.deep.equal(before);
    });

    it("by a contact of the service, or of its host: applied", async () => {
      const byAlice = await commandThenRead("ACKNOWLEDGE_SVC_PROBLEM;au1;disk;1;0;1;alice;mine", "alice", "disk");
      expect(byAlice.refusal).to.equal(undefined);
      expect(byAlice.after).to.deep.include({ acknowledged: 1, acknowledgement_type: 1 });
      expect((byAlice.after.comments_with_info as unknown[][]).map((c) => c.slice(1))).to.deep.equal([["alice", "mine"]]);
      const byHostContact = await commandThenRead("ACKNOWLEDGE_SVC_PROBLEM;au1;mem;2;0;1;hostops;host's contact", "hostops", "mem");
      expect(byHostContact.refusal).to.equal(undefined);
      expect(byHostContact.after).to.deep.include({ acknowledged: 1, acknowledgement_type: 2 });
    });

    it("without AuthUser: applied", async () => {
      const { refusal, after } = await commandThenRead("ACKNOWLEDGE_SVC_PROBLEM;au1;load;1;0;1;root;no auth", undefined, "load");
      expect(refusal).to.equal(undefined);
      expect(after).to.deep.include({ acknowledged: 1, acknowledgement_type: 1 });
    });
  });

  describe("racing results and acknowledgements end in timestamp order", () => {
    /** The three commands in `order`, in one write on one connection, then a GET: the ack's refusal (it asks for fixed16) if any, and the service. */
    async function race(host: string, order: ("critical" | "ack" | "warning")[]): Promise<{ refusal: { status: number; body: string } | undefined; row: Rec }> {
      const t = Math.floor(Date.now() / 1000) - 10;
      const commands = {
        critical: `COMMAND [${t}] PROCESS_SERVICE_CHECK_RESULT;${host};svc;2;CRITICAL at t\n\n`,
        ack: `COMMAND [${t + 1}] ACKNOWLEDGE_SVC_PROBLEM;${host};svc;1;0;0;race;normal ack\nResponseHeader: fixed16\n\n`,
        warning: `COMMAND [${t + 2}] PROCESS_SERVICE_CHECK_RESULT;${host};svc;1;WARNING at t+2\n\n`,
      };
      const client = await LivestatusClient.connect(d.ls);
      try {
        // One write, one connection: the commands, then a GET that sees their effect.
        client.send(
          `${order.map((o) => commands[o]).join("")}GET services\nColumns: state plugin_output acknowledged acknowledgement_type comments\nFilter: host_name = ${host}\nOutputFormat: json\nColumnHeaders: on\nResponseHeader: fixed16\n\n`,
        );
        const first = await client.answer(); // the ack asked for fixed16: a refusal comes before the GET's answer
        if (first.status === 200) return { refusal: undefined, row: records(first)[0]! };
        return { refusal: first, row: records(await client.answer())[0]! };
      } finally {
        client.destroy();
      }
    }

    it("CRITICAL at t, ACKNOWLEDGE at t+1, WARNING at t+2, in that order: the WARNING ends the normal acknowledgement", async () => {
      expect(await race("race1", ["critical", "ack", "warning"])).to.deep.equal({
        refusal: undefined,
        row: { state: 1, plugin_output: "WARNING at t+2", acknowledged: 0, acknowledgement_type: 0, comments: [] },
      });
    });

    it("the WARNING at t+2 sent before the ACKNOWLEDGE stamped t+1: the same end", async () => {
      expect(await race("race2", ["critical", "warning", "ack"])).to.deep.equal({
        refusal: undefined,
        row: { state: 1, plugin_output: "WARNING at t+2", acknowledged: 0, acknowledgement_type: 0, comments: [] },
      });
    });

    it("the WARNING at t+2 sent first of all (the CRITICAL at t comes too late and is ignored), the ACKNOWLEDGE last: not acknowledged, WARNING; the ack is refused as given on OK", async () => {
      const { refusal, row } = await race("race3", ["warning", "critical", "ack"]);
      expect(row).to.deep.equal({ state: 1, plugin_output: "WARNING at t+2", acknowledged: 0, acknowledgement_type: 0, comments: [] });
      // As the engine knows it, the service was OK until t+2: the acknowledgement at t+1 had no problem to acknowledge.
      expect(refusal?.status, refusal?.body).to.equal(400);
      expect(refusal!.body).to.match(/^service race3;svc was OK at \d+, the acknowledgement's time .*there was no problem to acknowledge/);
    });
  });
});

describe("Livestatus commands survive a restart of the daemon", function () {
  this.timeout(60_000);
  let d: Daemon;
  before(async () => {
    d = await Daemon.start();
  });
  after(async () => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
    await d?.t.kill();
    cleanupTempDirs();
  });

  it("acknowledgements, downtimes with their ids and comments are the same after a restart; new ids continue above the old ones", async () => {
    await d.feed([
      { hostname: "rs1", check: "Host", status: 1, timestamp: BASE },
      { hostname: "rs1", check: "disk", status: 2, timestamp: BASE },
      { hostname: "rs1", check: "load", status: 1, timestamp: BASE },
      { hostname: "rs1", check: "mem", status: 0, timestamp: BASE },
    ]);
    const send = async (commands: readonly string[]): Promise<void> => {
      // all on one connection, then a GET: once it is answered every command is applied and committed
      const client = await LivestatusClient.connect(d.ls);
      try {
        client.send(
          `${commands.map((c) => `COMMAND [${NOW}] ${c}\nResponseHeader: fixed16\n\n`).join("")}GET status\nColumns: program_start\nOutputFormat: json\nResponseHeader: fixed16\n\n`,
        );
        const a = await client.answer();
        expect(a.status, a.body).to.equal(200);
      } finally {
        client.destroy();
      }
    };
    await send([
      "ACKNOWLEDGE_SVC_PROBLEM;rs1;disk;2;0;1;lea;sticky; with semicolon",
      "ACKNOWLEDGE_SVC_PROBLEM;rs1;load;1;0;0;lea;normal, not persistent",
      "ACKNOWLEDGE_HOST_PROBLEM;rs1;1;0;1;lea;host ack",
      `SCHEDULE_SVC_DOWNTIME;rs1;mem;${NOW - 60};${NOW + 3600};1;0;0;lea;active fixed`,
      `SCHEDULE_HOST_DOWNTIME;rs1;${NOW + 1800};${NOW + 7200};1;0;0;lea;pending fixed`,
      `SCHEDULE_SVC_DOWNTIME;rs1;disk;${NOW - 60};${NOW + 3600};0;0;600;lea;flexible`,
      "ADD_SVC_COMMENT;rs1;mem;1;lea;a note; with semicolon",
      "ADD_HOST_COMMENT;rs1;0;lea;host note",
      "ADD_SVC_COMMENT;rs1;mem;1;lea;deleted before the restart",
      `SCHEDULE_SVC_DOWNTIME;rs1;load;${NOW - 60};${NOW + 3600};1;0;0;lea;deleted before the restart`,
    ]);
    // The highest ids are deleted before the restart: they must not come back either.
    const doomed = (await d.get("comments", ["id"], ["host_name = rs1", "comment = deleted before the restart"]))[0]!.id as number;
    const doomedDowntime = (await d.get("downtimes", ["id"], ["host_name = rs1", "comment = deleted before the restart"]))[0]!.id as number;
    await send([`DEL_SVC_COMMENT;${doomed}`, `DEL_SVC_DOWNTIME;${doomedDowntime}`]);

    const state = async (): Promise<unknown> => ({
      hosts: await d.get(
        "hosts",
        ["name", "state", "acknowledged", "acknowledgement_type", "scheduled_downtime_depth", "downtimes", "comments_with_info"],
        ["name = rs1"],
      ),
      services: await d.get("services", ["description", ...SVC_COLUMNS, "comments"], ["host_name = rs1"]),
      downtimes: await d.get("downtimes", [...DOWNTIME_COLUMNS, "entry_time", "triggered_by"], ["host_name = rs1"]),
      comments: await d.get("comments", COMMENT_COLUMNS, ["host_name = rs1"]),
    });
    const before = (await state()) as { downtimes: Rec[]; comments: Rec[] };
    expect(before.downtimes).to.have.length(3);
    expect(before.comments.map((c) => [c.entry_type, c.comment])).to.have.deep.members([
      [4, "sticky; with semicolon"],
      [4, "normal, not persistent"],
      [4, "host ack"],
      [1, "a note; with semicolon"],
      [1, "host note"],
    ]);
    expect(before.downtimes.map((r) => [r.service_description, r.fixed, r.is_pending])).to.deep.equal([
      ["mem", 1, 0],
      ["", 1, 1],
      ["disk", 0, 0], // flexible, started by the CRITICAL state within its window
    ]);

    await d.restart();
    expect(await state()).to.deep.equal(before);
    // `tantale dump` reads the same from the store: a line per downtime and comment of the host.
    const dumped = runTantale(["dump", "--conf-dir", d.conf, "--data-dir", d.data, "--host", "rs1"]);
    expect(dumped.status, dumped.stderr).to.equal(0);
    const lines = dumped.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string; id?: number });
    expect(lines.filter((l) => l.type === "downtime").map((l) => l.id)).to.deep.equal(before.downtimes.map((r) => r.id));
    expect(lines.filter((l) => l.type === "comment").map((l) => l.id)).to.deep.equal(
      before.comments.map((c) => c.id).sort((a, b) => (a as number) - (b as number)),
    );

    const oldComments = [...before.comments.map((c) => c.id as number), doomed];
    const oldDowntimes = [...before.downtimes.map((r) => r.id as number), doomedDowntime];
    await send(["ADD_SVC_COMMENT;rs1;disk;1;lea;after the restart", `SCHEDULE_SVC_DOWNTIME;rs1;load;${NOW - 60};${NOW + 3600};1;0;0;lea;after the restart`]);
    const newComment = (await d.get("comments", ["id"], ["host_name = rs1", "comment = after the restart"]))[0]?.id as number;
    const newDowntime = (await d.get("downtimes", ["id"], ["host_name = rs1", "comment = after the restart"]))[0]?.id as number;
    expect(newComment).to.be.above(Math.max(...oldComments));
    expect(newDowntime).to.be.above(Math.max(...oldDowntimes));
  });
});

describe("Nagstamon acknowledges a problem over Livestatus (Debian's nagstamon, its Livestatus server class, headless)", function () {
  this.timeout(60_000);
  let d: Daemon;
  before(async function () {
    const probe = spawnSync(PYTHON, ["-c", "import Nagstamon.Servers.Livestatus"], {
      encoding: "utf8",
      env: { ...process.env, HOME: makeTempDir("nagstamon-home-") },
    });
    if (probe.error !== undefined || probe.status !== 0) {
      throw new Error(
        `${PYTHON} cannot import Nagstamon: install the Debian package nagstamon (apt-get install nagstamon; .ci/run does)\n${probe.error?.message ?? probe.stderr}`,
      );
    }
    d = await Daemon.start();
  });
  after(async () => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
    await d?.t.kill();
    cleanupTempDirs();
  });

  it("sees the CRITICAL service unacknowledged, acknowledges it as the GUI does, and sees it acknowledged", async () => {
    await d.feed([
      { hostname: "ns1", check: "Host", status: 0, timestamp: BASE },
      { hostname: "ns1", check: "http", status: 2, timestamp: BASE },
      { hostname: "ns1", check: "ssh", status: 0, timestamp: BASE },
    ]);
    const r = spawnSync(PYTHON, [NAGSTAMON_SCRIPT, `127.0.0.1:${d.ls}`, "ns1", "http", "on it; from Nagstamon"], { encoding: "utf8", timeout: 30_000 });
    if (r.error) throw r.error;
    const output = `${r.stdout}\n${r.stderr}`;
    expect(r.status, output).to.equal(0);
    expect(r.stdout).to.contain('before: 1 problem service(s)\n  ns1;http CRITICAL acknowledged=False "http CRITICAL"');
    expect(r.stdout).to.match(/after \(attempt \d+\): 1 problem service\(s\)\n {2}ns1;http CRITICAL acknowledged=True/);
    expect(r.stdout).to.contain("OK: ns1;http acknowledged");

    const row = (await d.get("services", ["acknowledged", "acknowledgement_type", "comments_with_info"], ["host_name = ns1", "description = http"]))[0];
    expect(row).to.deep.include({ acknowledged: 1, acknowledgement_type: 2 });
    expect((row!.comments_with_info as unknown[][]).map((c) => c.slice(1))).to.deep.equal([["nagstamon-user", "on it; from Nagstamon"]]);
    const comments = await d.get("comments", ["author", "comment", "entry_type", "persistent"], ["host_name = ns1"]);
    expect(comments).to.deep.equal([{ author: "nagstamon-user", comment: "on it; from Nagstamon", entry_type: 4, persistent: 1 }]);
  });
});
