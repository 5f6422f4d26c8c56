import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { connect, daemonNodeArgs, freePort, waitForPort } from "./bench-net";

const ROOT = path.resolve(__dirname, "..", "..", "..");

/**
 * The Nagios command file end to end: a real `tantale --foreground` with the nagios input,
 * the line input and the SQLite store; a writer process writes N PROCESS_SERVICE_CHECK_RESULT
 * lines into the FIFO (one line per write(), as scripts and NSCA do, then in 64 KiB writes,
 * as a bulk relay would), timed from the writer's first write until the last line is in the
 * state (a marker result seen by Livestatus) and committed to SQLite (a SYNC on the line
 * socket answered after it).
 */
export async function benchNagiosFifo(total = 100_000): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tantale-bench-"));
  const [linePort, lsPort] = [await freePort(), await freePort()];
  const conf = path.join(dir, "conf.d");
  const data = path.join(dir, "data");
  fs.mkdirSync(conf);
  fs.writeFileSync(path.join(conf, "tantale.conf"), `log_level = warn\n${process.env.BENCH_TANTALE_CONF ?? ""}`);
  fs.writeFileSync(path.join(conf, "line.conf"), `port = ${linePort}\n`);
  fs.writeFileSync(path.join(conf, "livestatus.conf"), `port = ${lsPort}\n`);
  fs.writeFileSync(path.join(conf, "sqlite.conf"), "");
  fs.writeFileSync(path.join(conf, "nagios.conf"), "path = nagios.cmd\n");
  const daemon = spawn(process.execPath, [...daemonNodeArgs(), path.join(ROOT, "bin", "tantale"), "--foreground", "--conf-dir", conf, "--data-dir", data], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  try {
    await waitForPort(linePort);
    await waitForPort(lsPort);
    const fifo = path.join(data, "nagios.cmd");
    const lines: string[] = [];
    let timestamp = Math.floor(Date.now() / 1000) - 60;
    for (const writes of ["line", "64KiB"] as const) {
      timestamp++; // each run newer than the last: every result is applied
      const r = await run(fifo, linePort, lsPort, total, timestamp, writes);
      lines.push(
        `nagios-fifo (one write per ${writes === "line" ? "line" : "64 KiB"}): ${total} lines from a writer process, in the state in ${r.inState.toFixed(2)} s` +
          ` (${Math.round(total / r.inState).toLocaleString("en")} lines/s), committed to SQLite in ${r.committed.toFixed(2)} s = ${Math.round(total / r.committed).toLocaleString("en")} lines/s` +
          ` (writer done after ${r.written.toFixed(2)} s)`,
      );
    }
    return lines.join("\n");
  } finally {
    daemon.kill("SIGTERM");
    await new Promise((r) => daemon.once("exit", r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The writer: a child process, so that its writes block on the full pipe as a real writer's do. */
const WRITER = `
const fs = require("node:fs");
const [fifo, totalText, tsText, mode, marker] = process.argv.slice(1);
const total = Number(totalText), ts = Number(tsText);
const fd = fs.openSync(fifo, fs.constants.O_WRONLY);
let batch = "";
for (let i = 0; i < total; i++) {
  const line = "[" + ts + "] PROCESS_SERVICE_CHECK_RESULT;host" + (i % 1000) + ";check" + Math.floor(i / 1000) + ";" + (i % 4) + ";CHECK " + i + " - all fine|time=0." + (i % 1000) + "s;1;2\\n";
  if (mode === "line") fs.writeSync(fd, line);
  else if (batch.length + line.length > 65536) { fs.writeSync(fd, batch); batch = line; } else batch += line;
}
fs.writeSync(fd, batch + "[" + ts + "] PROCESS_HOST_CHECK_RESULT;" + marker + ";0;done\\n");
fs.closeSync(fd);
`;

async function run(fifo: string, linePort: number, lsPort: number, total: number, timestamp: number, mode: "line" | "64KiB") {
  const marker = `bench-end-${mode}`.toLowerCase();
  const started = performance.now();
  const writer = spawn(process.execPath, ["-e", WRITER, fifo, String(total), String(timestamp), mode, marker], { stdio: ["ignore", "ignore", "inherit"] });
  const writerDone = new Promise<number>((resolve, reject) => {
    writer.on("error", reject);
    writer.on("exit", (code) => (code === 0 ? resolve((performance.now() - started) / 1000) : reject(new Error(`writer exited with ${String(code)}`))));
  });
  // The marker is the last line: once Livestatus shows it, every line before it was taken.
  for (;;) {
    const rows = await livestatus(lsPort, `GET hosts\nColumns: name\nFilter: name = ${marker}\n\n`);
    if (rows.trim() !== "") break;
    await new Promise((r) => setTimeout(r, 5));
  }
  const inState = (performance.now() - started) / 1000;
  await sync(linePort);
  const committed = (performance.now() - started) / 1000;
  return { inState, committed, written: await writerDone };
}

/** One Livestatus request, answered until the server closes. */
async function livestatus(port: number, request: string): Promise<string> {
  const s = await connect(port);
  return new Promise((resolve, reject) => {
    let answer = "";
    s.on("data", (d: Buffer) => (answer += d.toString("utf8")));
    s.on("end", () => resolve(answer));
    s.on("error", reject);
    s.end(request);
  });
}

/** SYNC on the line socket: answered once every result accepted so far is committed. */
async function sync(port: number): Promise<void> {
  const s = await connect(port);
  await new Promise<void>((resolve, reject) => {
    let answer = "";
    s.on("data", (d: Buffer) => {
      answer += d.toString("utf8");
      if (!answer.includes("\n")) return;
      s.destroy();
      if (answer.startsWith("SYNCED")) resolve();
      else reject(new Error(`unexpected answer ${answer}`));
    });
    s.on("error", reject);
    s.write("SYNC\n");
  });
}
