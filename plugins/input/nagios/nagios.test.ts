import { expect } from "chai";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { portZeroConf, startDaemon, type DaemonPorts } from "../../../test/helpers/daemon-on-port-zero";
import { exchange } from "../../../test/helpers/livestatus-client";
import { ForegroundTantale, type LogLine } from "../../../test/helpers/tantale-process";
import { cleanupTempDirs, makeConfDir, makeTempDir } from "../../../test/helpers/temp-dir";

/** Rows of a Livestatus query as JSON. */
async function rows(port: number, query: string): Promise<unknown[][]> {
  const text = await exchange(port, `${query}\nOutputFormat: json\n\n`);
  return JSON.parse(text) as unknown[][];
}

/** Asks again until `test` holds on the rows (the FIFO is read asynchronously), within a generous bound. */
async function until(port: number, query: string, test: (r: unknown[][]) => boolean, timeoutMs = 20_000): Promise<unknown[][]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await rows(port, query);
    if (test(r)) return r;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs}ms; last rows: ${JSON.stringify(r)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A writer as a user's script is one: a shell appending with printf (blocking open: a reader is there). */
function shellWrite(fifo: string, text: string): Promise<number | null> {
  const child = spawn("sh", ["-c", 'printf "%s" "$1" > "$2"', "sh", text, fifo], { stdio: "ignore" });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) => resolve(code));
  });
}

const now = (): number => Math.floor(Date.now() / 1000);

describe("nagios input: the Nagios command file read by the real daemon", function () {
  this.timeout(60_000);
  let t: ForegroundTantale | undefined;
  let ports: DaemonPorts;
  let data: string;
  let fifo: string;

  async function start(nagiosConf: string): Promise<void> {
    data = makeTempDir();
    const conf = makeConfDir({ ...portZeroConf(), "nagios.conf": nagiosConf });
    const started = await startDaemon(conf, data);
    t = started.t;
    ports = started.ports;
    fifo = path.join(data, "nagios.cmd");
    await t.waitForLog((l) => l.instance === "nagios" && l.msg.startsWith("reading Nagios commands from FIFO"), 5000);
  }

  afterEach(async () => {
    await t?.kill();
    t = undefined;
    cleanupTempDirs();
  });

  it("creates the FIFO with its mode; results written to it reach the state; bad lines are logged and skipped, the good ones around kept", async () => {
    await start("path = nagios.cmd\nmode = 0640\n");
    const stat = fs.lstatSync(fifo);
    expect(stat.isFIFO()).to.equal(true);
    expect(stat.mode & 0o777).to.equal(0o640);
    const ts = now();
    const lines = [
      `[${ts}] PROCESS_HOST_CHECK_RESULT;web1;0;PING OK - 0.1 ms`,
      `[${ts}] PROCESS_SERVICE_CHECK_RESULT;web1;disk;abc;not a code`, // refused: Nagios would file it as 0 OK
      `[${ts}] PROCESS_SERVICE_CHECK_RESULT;web1;disk;2;DISK CRITICAL - 1% free; on /|root=99%;90;95`,
      `[${ts}]PROCESS_SERVICE_CHECK_RESULT;web1;load;0;no space after ]`,
      `[${ts}] PROCESS_FILE;/etc/shadow;0`,
      `[${ts}] FROBNICATE_EVERYTHING;1`,
      `[${ts}] process_service_check_result;web1;load;1;LOAD WARNING\\nlong line 2\r`,
    ];
    expect(await shellWrite(fifo, `${lines.join("\n")}\n`)).to.equal(0);
    const services = await until(
      ports.livestatus,
      "GET services\nColumns: host_name description state plugin_output perf_data long_plugin_output",
      (r) => r.length === 2,
    );
    expect(services).to.deep.equal([
      ["web1", "disk", 2, "DISK CRITICAL - 1% free; on /", "root=99%;90;95", ""],
      ["web1", "load", 1, "LOAD WARNING", "", "long line 2"],
    ]);
    expect(await rows(ports.livestatus, "GET hosts\nColumns: name state plugin_output")).to.deep.equal([["web1", 0, "PING OK - 0.1 ms"]]);
    const mine = (l: LogLine) => l.instance === "nagios";
    const rejected = t!.logs.filter((l) => mine(l) && l.msg.includes("rejected"));
    expect(rejected.map((l) => [l.line, l.path])).to.deep.equal([
      [2, fifo],
      [4, fifo],
    ]);
    expect(rejected[0]!.msg).to.include(`line 2 of FIFO ${fifo} rejected`);
    expect(String(rejected[0]!.preview)).to.include("not a code");
    const ignored = t!.logs.filter((l) => mine(l) && l.msg.includes("ignored")).map((l) => l.msg);
    expect(ignored).to.have.length(2);
    expect(ignored[0]).to.include("PROCESS_FILE ignored: never supported");
    expect(ignored[1]).to.include("FROBNICATE_EVERYTHING ignored: unknown command");
  });

  it("applies other allowed commands in arrival order (after the results before them), ignores those not allowed once per name", async () => {
    await start("path = nagios.cmd\ncommands = results, acknowledgements\n");
    const ts = now();
    await shellWrite(
      fifo,
      [
        `[${ts}] PROCESS_SERVICE_CHECK_RESULT;db1;mysql;2;MYSQL CRITICAL`,
        `[${ts}] ACKNOWLEDGE_SVC_PROBLEM;db1;mysql;1;0;1;alice;on it`,
        `[${ts}] SCHEDULE_SVC_DOWNTIME;db1;mysql;${ts};${ts + 3600};1;0;3600;alice;maintenance`,
        `[${ts}] SCHEDULE_SVC_DOWNTIME;db1;mysql;${ts};${ts + 3600};1;0;3600;alice;again`,
        `[${ts}] PROCESS_SERVICE_CHECK_RESULT;db1;disk;0;DISK OK`,
        "",
      ].join("\n"),
    );
    const r = await until(ports.livestatus, "GET services\nColumns: description state acknowledged scheduled_downtime_depth", (r) => r.length === 2);
    expect(r).to.deep.equal([
      ["disk", 0, 0, 0],
      ["mysql", 2, 1, 0],
    ]);
    const mine = t!.logs.filter((l) => l.instance === "nagios");
    expect(mine.some((l) => l.msg.includes("ACKNOWLEDGE_SVC_PROBLEM applied"))).to.equal(true);
    expect(mine.filter((l) => l.msg.includes("SCHEDULE_SVC_DOWNTIME ignored: not allowed"))).to.have.length(1);
  });

  it("writers coming and going, lines split across writers: every line arrives, the reader is never at EOF", async () => {
    await start("path = nagios.cmd\n");
    const ts = now();
    const writes: Promise<number | null>[] = [];
    for (let i = 0; i < 20; i++) writes.push(shellWrite(fifo, `[${ts}] PROCESS_SERVICE_CHECK_RESULT;h${i};svc;0;writer ${i}\n`));
    await Promise.all(writes);
    // One line in two writers, one after the other (the first leaves no newline).
    await shellWrite(fifo, `[${ts}] PROCESS_SERVICE_CHECK_RESULT;split;sv`);
    await shellWrite(fifo, "c;1;joined\n");
    const r = await until(ports.livestatus, "GET services\nColumns: host_name plugin_output", (r) => r.length === 21);
    expect(r.find((row) => row[0] === "split")).to.deep.equal(["split", "joined"]);
    expect(t!.logs.filter((l) => l.instance === "nagios" && /reopening|end of file/.test(l.msg))).to.deep.equal([]);
  });

  it("stops on SIGTERM (exit 0) with the FIFO open and no writer", async () => {
    await start("path = nagios.cmd\n");
    // No writer now: a blocking open would hold a thread and keep the process from exiting.
    t!.signal("SIGTERM");
    expect(await t!.exit()).to.equal(0);
    expect(fs.lstatSync(fifo).isFIFO()).to.equal(true);
  });

  it("refuses to start on a path that is a regular file, saying so", async () => {
    data = makeTempDir();
    fs.writeFileSync(path.join(data, "nagios.cmd"), "a regular file\n");
    const conf = makeConfDir({ ...portZeroConf(), "nagios.conf": "path = nagios.cmd\n" });
    t = ForegroundTantale.start(["--conf-dir", conf, "--data-dir", data]);
    const code = await t.exit();
    expect(code).to.not.equal(0);
    expect(t.stderrText.join("\n")).to.include("is a regular file, not a FIFO");
    expect(fs.readFileSync(path.join(data, "nagios.cmd"), "utf8")).to.equal("a regular file\n");
  });

  it("the daemon refuses an empty path, a mode that is not octal and an unknown command group", () => {
    const conf = makeConfDir({ ...portZeroConf(), "nagios.conf": "path =\nmode = 0999\ncommands = results, frobs\n" });
    const t2 = ForegroundTantale.start(["--conf-dir", conf, "--data-dir", makeTempDir()]);
    return t2.exit().then((code) => {
      const text = t2.stderrText.join("\n");
      expect(code).to.not.equal(0);
      expect(text).to.include("must name the FIFO to read");
      expect(text).to.include("must be octal permissions");
      expect(text).to.include('"frobs" is no group');
    });
  });
});
