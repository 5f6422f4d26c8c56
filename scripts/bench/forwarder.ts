import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { connect, freePort, waitForPort } from "./bench-net";

const ROOT = path.resolve(__dirname, "..", "..", "..");

/**
 * The forwarder on loopback: a host-side `tantale --foreground` (line input + forwarder) and
 * a central one (line input + SQLite), both real processes.
 * - replay: N results spooled while the central side is not there, then the central side
 *   started on the forwarder's port: from its first accepted connection until the whole
 *   spool is acknowledged (the spool's acked.json reaches N);
 * - throughput: N results written to the host side (one connection, one SYNC) with the
 *   central side up, until all are acknowledged by the central side;
 * - central cost per result: the central process's CPU time (utime + stime from /proc) for N
 *   results sent to it directly (one connection, one SYNC, as a plain sender) and through
 *   the forwarder; the ratio is what the forwarder adds to the central side.
 */
export async function benchForwarder(total = 100_000): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tantale-bench-fwd-"));
  const centralPort = await freePort();
  const hostPort = await freePort();
  const central = conf(dir, "central", { "line.conf": `port = ${centralPort}\n`, "sqlite.conf": "" });
  const host = conf(dir, "host", {
    "line.conf": `port = ${hostPort}\n`,
    "forwarder.conf": `servers = 127.0.0.1:${centralPort}\nreconnect_min_delay = 10ms\nreconnect_max_delay = 100ms\n${process.env.BENCH_FORWARDER_CONF ?? ""}`,
  });
  const ackFile = path.join(host.data, "spool", "forwarder", "acked.json");
  const procs: ChildProcess[] = [];
  const lines: string[] = [];
  let stamp = Math.floor(Date.now() / 1000) - 3600;
  try {
    // Replay: the host side spools while nothing listens on the central port.
    const h = start(host);
    procs.push(h);
    await waitForPort(hostPort);
    await send(hostPort, payload(total, stamp++));
    const c = start(central);
    procs.push(c);
    await waitForPort(centralPort);
    let t0 = performance.now();
    await ackedAtLeast(ackFile, total);
    let seconds = (performance.now() - t0) / 1000;
    lines.push(
      `forwarder replay: ${total} spooled results delivered to the central Tantale and acknowledged in ${seconds.toFixed(2)} s = ${rate(total, seconds)} results/s`,
    );

    // Throughput with the central side up.
    let cpu = cpuSeconds(c.pid!);
    t0 = performance.now();
    await send(hostPort, payload(total, stamp++));
    const spooled = (performance.now() - t0) / 1000;
    await ackedAtLeast(ackFile, 2 * total);
    seconds = (performance.now() - t0) / 1000;
    const viaForwarder = (cpuSeconds(c.pid!) - cpu) / total;
    lines.push(
      `forwarder throughput: ${total} results into the host side, committed by the central Tantale in ${seconds.toFixed(2)} s = ${rate(total, seconds)} results/s (all in the host's spool after ${spooled.toFixed(2)} s)`,
    );

    // The same results sent to the central side directly.
    cpu = cpuSeconds(c.pid!);
    t0 = performance.now();
    await send(centralPort, payload(total, stamp++));
    seconds = (performance.now() - t0) / 1000;
    const direct = (cpuSeconds(c.pid!) - cpu) / total;
    lines.push(`direct to the central Tantale (no forwarder): ${total} results committed in ${seconds.toFixed(2)} s = ${rate(total, seconds)} results/s`);
    // And once more through the forwarder, so that a warming-up of the first run does not count against it.
    cpu = cpuSeconds(c.pid!);
    await send(hostPort, payload(total, stamp++));
    await ackedAtLeast(ackFile, 3 * total);
    const viaForwarder2 = (cpuSeconds(c.pid!) - cpu) / total;
    const best = Math.min(viaForwarder, viaForwarder2);
    lines.push(
      `central CPU per result: direct ${us(direct)} µs, through the forwarder ${us(viaForwarder)} / ${us(viaForwarder2)} µs (runs 1, 2): ${(((best - direct) / direct) * 100).toFixed(1)}% added (best run)`,
    );
    return lines.join("\n");
  } finally {
    for (const p of procs) {
      p.kill("SIGTERM");
      await new Promise((r) => p.once("exit", r));
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function conf(dir: string, name: string, files: Record<string, string>): { conf: string; data: string } {
  const confDir = path.join(dir, name, "conf.d");
  fs.mkdirSync(confDir, { recursive: true });
  fs.writeFileSync(path.join(confDir, "tantale.conf"), "log_level = warn\n");
  for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(confDir, file), text);
  return { conf: confDir, data: path.join(dir, name, "data") };
}

function start(d: { conf: string; data: string }): ChildProcess {
  return spawn(process.execPath, [path.join(ROOT, "bin", "tantale"), "--foreground", "--conf-dir", d.conf, "--data-dir", d.data], {
    stdio: ["ignore", "ignore", "inherit"],
  });
}

/** 1000 hosts × total/1000 checks, by host, one timestamp per run (every result applied). */
function payload(total: number, timestamp: number): Buffer {
  const perHost = total / 1000;
  let text = "";
  for (let i = 0; i < total; i++)
    text += `{"hostname":"host${Math.floor(i / perHost)}","check":"check${i % perHost}","status":${i % 4},"output":"CHECK ${i} - all fine","timestamp":${timestamp},"interval":60,"contacts":["ops"]}\n`;
  return Buffer.from(`${text}SYNC\n`);
}

/** Writes and waits for SYNCED. */
async function send(port: number, data: Buffer): Promise<void> {
  const s = await connect(port);
  await new Promise<void>((resolve, reject) => {
    let answer = "";
    s.on("data", (d: Buffer) => {
      answer += d.toString("utf8");
      if (answer.includes("\n")) {
        s.destroy();
        if (answer.startsWith("SYNCED")) resolve();
        else reject(new Error(`unexpected answer ${answer}`));
      }
    });
    s.on("error", reject);
    s.write(data);
  });
}

/** Polls the spool's ack position (written atomically by the spool) until it reaches `n`. */
async function ackedAtLeast(file: string, n: number): Promise<void> {
  for (;;) {
    try {
      if ((JSON.parse(fs.readFileSync(file, "utf8")) as { acked: number }).acked >= n) return;
    } catch {
      // not written yet
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** utime + stime of a process, in seconds (Linux /proc). */
function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
}

function rate(n: number, seconds: number): string {
  return Math.round(n / seconds).toLocaleString("en");
}

function us(seconds: number): string {
  return (seconds * 1e6).toFixed(1);
}
