import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { expect } from "chai";
import { portZeroConf, startDaemon } from "../helpers/daemon-on-port-zero";
import { exchange } from "../helpers/livestatus-client";
import type { ForegroundTantale } from "../helpers/tantale-process";
import { cleanupTempDirs, makeConfDir, makeTempDir } from "../helpers/temp-dir";

const SERVICES = "GET services\nColumns: host_name description state plugin_output perf_data\nFilter: host_name = web1\n\n";

/** Asks Livestatus until the answer satisfies `done` (the checks run every second), with a generous deadline. */
async function answerUntil(port: number, request: string, done: (answer: string) => boolean, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let answer = "";
  while (Date.now() < deadline) {
    answer = await exchange(port, request, 10_000);
    if (done(answer)) return answer;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no such answer within ${timeoutMs}ms; last:\n${answer}`);
}

/** Writes as Diamond's FIFO handler does: O_WRONLY|O_NONBLOCK (ENXIO without a reader), one write per metric. */
function writeMetrics(fifo: string, lines: readonly string[]): void {
  const fd = fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  try {
    for (const line of lines) fs.writeSync(fd, `${line}\n`);
  } finally {
    fs.closeSync(fd);
  }
}

describe("diamond input in the real daemon: FIFO and TCP → checks → state", function () {
  this.timeout(90_000);
  let t: ForegroundTantale | undefined;
  afterEach(async () => {
    await t?.kill();
    t = undefined;
  });
  after(cleanupTempDirs);

  it("creates the FIFO, reads Diamond's lines through it and files the checks' states", async () => {
    const conf = makeConfDir({
      ...portZeroConf(),
      "diamond.conf": [
        "hostname = web1",
        "interval = 1s",
        "port = 0",
        "[check load]",
        "expression = {loadavg.01}",
        "thresholds = , , 1, 2",
        "[check disk_root]",
        "service = disk root",
        "expression = {diskspace.root.byte_used} / {diskspace.root.byte_total} * 100",
        "warning = ~:80",
        "critical = ~:90",
      ].join("\n"),
    });
    const data = makeTempDir();
    const started = await startDaemon(conf, data);
    t = started.t;
    const fifo = path.join(data, "diamond.fifo");
    await t.waitForLog((l) => l.instance === "diamond" && l.msg.startsWith("created FIFO"));
    expect(fs.lstatSync(fifo).isFIFO()).to.equal(true);
    const tcp = await t.waitForLog((l) => l.instance === "diamond" && typeof l.port === "number" && l.msg.startsWith("listening for Graphite"));

    const now = Math.floor(Date.now() / 1000);
    writeMetrics(fifo, [
      `servers.web1.loadavg.01 1.5 ${now}`,
      `servers.web1.loadavg.01 9,5 ${now}`, // a bad line between good ones
      `servers.web1.diskspace.root.byte_used 50 ${now}`,
      `servers.web1.diskspace.root.byte_total 0 ${now}`,
    ]);
    const first = await answerUntil(started.ports.livestatus, SERVICES, (a) => a.split("\n").filter((l) => l !== "").length === 2);
    expect(first).to.equal(
      [
        "web1;disk root;3;division by zero ({servers.web1.diskspace.root.byte_total} is 0);",
        "web1;load;1;value 1.5 (warning above 1, critical above 2);load=1.5\\;~:1\\;~:2\\;\\;", // csv escapes the separator
        "",
      ].join("\n"),
    );

    // The same metrics over TCP, as Diamond's GraphiteHandler (or collectd, Telegraf) sends them.
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect({ host: "127.0.0.1", port: tcp.port as number }, () =>
        socket.end(`servers.web1.loadavg.01 2.5 ${now + 1}\nservers.web1.diskspace.root.byte_total 100 ${now + 1}\n`),
      );
      socket.on("error", reject);
      socket.on("close", () => resolve());
    });
    const second = await answerUntil(started.ports.livestatus, SERVICES, (a) => a.includes("web1;load;2;"));
    expect(second).to.equal(
      [
        "web1;disk root;0;value 50 (warning above 80, critical above 90);'disk root'=50\\;~:80\\;~:90\\;\\;",
        "web1;load;2;value 2.5 (warning above 1, critical above 2);load=2.5\\;~:1\\;~:2\\;\\;",
        "",
      ].join("\n"),
    );
    const bad = await t.waitForLog((l) => l.instance === "diamond" && l.msg.includes("rejected"));
    expect(bad.msg).to.equal('line 2 from FIFO diamond.fifo rejected: value "9,5" is not a decimal number');

    t.signal("SIGTERM");
    expect(await t.exit()).to.equal(0);
    // The FIFO stays for Diamond's handler (it reopens on ENXIO while Tantale is down).
    expect(fs.lstatSync(fifo).isFIFO()).to.equal(true);
  });
});
