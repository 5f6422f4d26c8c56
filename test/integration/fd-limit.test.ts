import { spawn } from "node:child_process";
import net from "node:net";
import { expect } from "chai";
import { LivestatusClient } from "../helpers/livestatus-client";
import { LineClient, freePort } from "../helpers/net";
import { ForegroundTantale, REPO_ROOT, TANTALE_BIN } from "../helpers/tantale-process";
import { cleanupTempDirs, makeConfDir, makeTempDir } from "../helpers/temp-dir";

/** The daemon's RLIMIT_NOFILE: enough to start (about 30 descriptors), few enough to run out quickly. */
const FD_LIMIT = 96;

/** Opens a TCP connection and resolves once connected; `closed` tells whether the server dropped it since. */
function open(port: number): Promise<{ socket: net.Socket; closed: () => boolean }> {
  return new Promise((resolve, reject) => {
    let isClosed = false;
    const socket = net.connect(port, "127.0.0.1", () => resolve({ socket, closed: () => isClosed }));
    socket.on("close", () => (isClosed = true));
    socket.once("error", (err) => (socket.connecting ? reject(err) : undefined));
    socket.on("error", () => undefined);
  });
}

describe("at the file-descriptor limit (the real daemon under a low RLIMIT_NOFILE)", function () {
  this.timeout(60_000);
  let t: ForegroundTantale;
  let line: number;
  let ls: number;
  const sockets: net.Socket[] = [];

  before(async () => {
    line = await freePort();
    ls = await freePort();
    const conf = makeConfDir({
      "line.conf": `port = ${line}\nline_timeout = 0\n`,
      "livestatus.conf": `port = ${ls}\n`,
      "sqlite.conf": "",
    });
    // `ulimit -n` in sh lowers both limits; Node raises its soft limit only up to the hard one.
    const child = spawn(
      "sh",
      ["-c", `ulimit -n ${FD_LIMIT} && exec "$0" "$@"`, process.execPath, TANTALE_BIN, "--foreground", "--conf-dir", conf, "--data-dir", makeTempDir()],
      { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    t = new ForegroundTantale(child);
    await t.waitForMessage("tantale started");
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
    await t?.kill();
    cleanupTempDirs();
  });

  it("logs that connections are dropped, with the port, on the line input and Livestatus; accepts again once some close", async () => {
    const opened: { socket: net.Socket; closed: () => boolean }[] = [];
    // More connections than the daemon has descriptors: the last ones are accepted by libuv and closed at once.
    for (let i = 0; i < FD_LIMIT; i++) {
      const c = await open(i % 2 === 0 ? line : ls);
      opened.push(c);
      sockets.push(c.socket);
    }
    const lineLog = await t.waitForLog(
      (l) => l.msg.startsWith("out of file descriptors (EMFILE") && l.msg.endsWith(`new connections on line port ${line} are dropped until some close`),
    );
    const lsLog = await t.waitForLog(
      (l) => l.msg.startsWith("out of file descriptors (EMFILE") && l.msg.endsWith(`new connections on livestatus port ${ls} are dropped until some close`),
    );
    expect(lineLog.msg).to.contain(`limit ${FD_LIMIT}`);
    expect(lineLog.level).to.equal(40); // pino's warn
    expect(lsLog.fd_limit).to.equal(FD_LIMIT);
    // Some were dropped by the daemon, which the clients see as a close they did not ask for.
    await new Promise((r) => setTimeout(r, 200));
    expect(opened.filter((c) => c.closed()).length).to.be.above(0);
    // One log line per listener, not one per dropped connection.
    expect(t.logs.filter((l) => l.msg.startsWith("out of file descriptors") && l.msg.includes(`line port ${line}`))).to.have.length(1);

    for (const s of sockets.splice(0)) s.destroy();
    await t.waitForLog((l) => l.msg.startsWith("file descriptors available again") && l.msg.endsWith(`accepting connections on line port ${line}`));
    await t.waitForLog((l) => l.msg.startsWith("file descriptors available again") && l.msg.endsWith(`accepting connections on livestatus port ${ls}`));
    const sender = await LineClient.connect(line);
    sender.send(JSON.stringify({ hostname: "after-emfile", check: "disk", status: 0, output: "OK" }));
    sender.send("SYNC");
    expect(await sender.next()).to.equal("SYNCED");
    sender.close();
    const client = await LivestatusClient.connect(ls);
    client.send("GET services\nColumns: host_name description\nResponseHeader: fixed16\n\n");
    expect((await client.answer()).body).to.equal("after-emfile;disk\n");
    client.destroy();
  });
});
