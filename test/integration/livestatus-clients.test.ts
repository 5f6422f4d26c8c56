import { spawnSync } from "node:child_process";
import path from "node:path";
import { expect } from "chai";
import { LineClient } from "../helpers/net";
import { portZeroConf, startDaemon } from "../helpers/daemon-on-port-zero";
import { ForegroundTantale, REPO_ROOT } from "../helpers/tantale-process";
import { cleanupTempDirs, makeConfDir, makeTempDir } from "../helpers/temp-dir";

const PERL_CLIENT = path.join(REPO_ROOT, "test", "fixtures", "perl", "ls-client.pl");

interface PerlAnswer {
  readonly result?: unknown;
  readonly error?: number;
  readonly message?: string;
}

/** Asks with Monitoring::Livestatus (Debian's libmonitoring-livestatus-perl, Thruk's client library). */
function perl(port: number, mode: string, query: string, repeat?: number): PerlAnswer {
  const r = spawnSync("perl", [PERL_CLIENT, `127.0.0.1:${port}`, mode, ...(repeat === undefined ? [] : [String(repeat)])], {
    input: query,
    encoding: "utf8",
    timeout: 30_000,
  });
  if (r.error) throw r.error;
  expect(r.stderr, "perl stderr").to.equal("");
  return JSON.parse(r.stdout) as PerlAnswer;
}

describe("Livestatus with a client written by others: Monitoring::Livestatus (Perl)", function () {
  this.timeout(60_000);
  let t: ForegroundTantale;
  let ls: number;
  // Stamped when the file's tests start, not when mocha loads it: minutes of other suites in between would outdate the results.
  let now = 0;

  before(async function () {
    now = Math.floor(Date.now() / 1000);
    if (spawnSync("perl", ["-MMonitoring::Livestatus", "-e", "1"]).status !== 0) {
      throw new Error("perl with Monitoring::Livestatus is missing: apt-get install libmonitoring-livestatus-perl (.ci/run does)");
    }
    // Port 0: the system picks free ports (a port guessed free could be taken by another test's daemon meanwhile).
    const started = await startDaemon(makeConfDir(portZeroConf({ livestatus: "commands = gui, results\n" })), makeTempDir());
    t = started.t;
    ls = started.ports.livestatus;
    const line = started.ports.line;
    const client = await LineClient.connect(line);
    const send = (o: object) => client.send(JSON.stringify({ timestamp: now, interval: 60, ...o }));
    send({ hostname: "web1", check: "Host", status: 0, output: "PING OK", contacts: ["ops"], hostgroups: ["web"] });
    send({ hostname: "web1", check: "disk", status: 2, output: "DISK CRITICAL - 1% free | root=99%", contacts: ["ops"] });
    send({ hostname: "web1", check: "load", status: 0, output: "LOAD OK", contacts: ["alice"] });
    send({ hostname: "db1", check: "mysql", status: 1, output: "MYSQL WARNING", contacts: ["dba"] });
    client.send("SYNC");
    expect(await client.next()).to.match(/^SYNCED/);
    client.close();
  });
  after(async () => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
    await t?.kill();
    cleanupTempDirs();
  });

  it("selectall_arrayref of services, with the values stored from the line input", () => {
    const a = perl(ls, "rows", "GET services\nColumns: host_name description state plugin_output perf_data\nFilter: host_name = web1");
    expect(a.result).to.deep.equal([
      ["web1", "disk", 2, "DISK CRITICAL - 1% free", "root=99%"],
      ["web1", "load", 0, "LOAD OK", ""],
    ]);
  });

  it("hash rows keyed by column name, and a pending host (no Host check yet)", () => {
    const a = perl(ls, "hashes", "GET hosts\nColumns: name state has_been_checked num_services groups");
    expect(a.result).to.deep.equal([
      { name: "db1", state: 0, has_been_checked: 0, num_services: 1, groups: [] },
      { name: "web1", state: 0, has_been_checked: 1, num_services: 2, groups: ["web"] },
    ]);
  });

  it("stats grouped by state, as numbers", () => {
    const a = perl(ls, "rows", "GET services\nStats: state >= 0\nColumns: state");
    expect(a.result).to.deep.equal([
      [0, 1],
      [1, 1],
      [2, 1],
    ]);
  });

  it("AuthUser: a contact sees its services, and the services of hosts it is a contact of", () => {
    expect(perl(ls, "col", "GET services\nColumns: description\nAuthUser: alice").result).to.deep.equal(["load"]);
    expect(perl(ls, "col", "GET services\nColumns: description\nAuthUser: ops").result).to.deep.equal(["disk", "load"]);
    expect(perl(ls, "col", "GET services\nColumns: description\nAuthUser: nobody").result).to.deep.equal([]);
  });

  it("selectscalar_value and KeepAlive repeats on one connection", () => {
    expect(perl(ls, "scalar", "GET services\nStats: state = 2", 5).result).to.equal(1);
  });

  it("an unknown table is an error the client reports with its status code", () => {
    const a = perl(ls, "rows", "GET nosuchtable\nColumns: name");
    expect(a.error).to.equal(404);
  });

  it("a PROCESS_SERVICE_CHECK_RESULT command sent with ->do becomes a result", async () => {
    expect(perl(ls, "do", `COMMAND [${now + 1}] PROCESS_SERVICE_CHECK_RESULT;db1;mysql;0;MYSQL OK`).result).to.equal(1);
    const until = Date.now() + 5000;
    let state: unknown;
    while (Date.now() < until) {
      state = perl(ls, "scalar", "GET services\nColumns: state\nFilter: host_name = db1\nFilter: description = mysql").result;
      if (state === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(state).to.equal(0);
  });
});
