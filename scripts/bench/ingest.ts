import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { connect, daemonNodeArgs, freePort, waitForPort } from "./bench-net";

const ROOT = path.resolve(__dirname, "..", "..", "..");

/**
 * End-to-end ingest: a real `tantale --foreground` with the line input and the SQLite store;
 * N results sent as JSON lines over 1 and over 10 TCP connections, each connection ending
 * with SYNC, timed until every SYNC is answered (every result committed to SQLite).
 */
export async function benchIngest(total = 100_000): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tantale-bench-"));
  const port = await freePort();
  const conf = path.join(dir, "conf.d");
  fs.mkdirSync(conf);
  fs.writeFileSync(path.join(conf, "tantale.conf"), `log_level = warn\n${process.env.BENCH_TANTALE_CONF ?? ""}`);
  fs.writeFileSync(path.join(conf, "line.conf"), `port = ${port}\n`);
  fs.writeFileSync(path.join(conf, "sqlite.conf"), "");
  const daemon = spawn(
    process.execPath,
    [...daemonNodeArgs(), path.join(ROOT, "bin", "tantale"), "--foreground", "--conf-dir", conf, "--data-dir", path.join(dir, "data")],
    {
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  try {
    await waitForPort(port);
    const lines: string[] = [];
    let timestamp = Math.floor(Date.now() / 1000) - 60; // recent, as live agents send
    for (const order of ["by host", "interleaved"] as const) {
      for (const connections of [1, 10]) {
        timestamp++; // each run newer than the last: every result is applied
        const seconds = await sendAll(port, total, connections, timestamp, order);
        lines.push(
          `ingest (${order}): ${total} results over ${connections} connection(s), committed to SQLite in ${seconds.toFixed(2)} s = ${Math.round(total / seconds).toLocaleString("en")} results/s`,
        );
      }
    }
    return lines.join("\n");
  } finally {
    daemon.kill("SIGTERM");
    await new Promise((r) => daemon.once("exit", r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * 1000 hosts × (total / 1000) services, every result a distinct check (one upsert each).
 * "by host": each host's results together, as an agent pushes its checks; "interleaved":
 * the host changes with every result, the worst case for a store keyed by host.
 */
function payload(from: number, to: number, timestamp: number, order: Order, total: number): Buffer {
  const perHost = total / 1000;
  let text = "";
  for (let i = from; i < to; i++) {
    const host = order === "by host" ? Math.floor(i / perHost) : i % 1000;
    const check = order === "by host" ? i % perHost : Math.floor(i / 1000);
    text += `{"hostname":"host${host}","check":"check${check}","status":${i % 4},"output":"CHECK ${i} - all fine","timestamp":${timestamp},"interval":60,"contacts":["ops"]}\n`;
  }
  return Buffer.from(`${text}SYNC\n`);
}

type Order = "by host" | "interleaved";

async function sendAll(port: number, total: number, connections: number, timestamp: number, order: Order): Promise<number> {
  const per = Math.ceil(total / connections);
  const payloads = Array.from({ length: connections }, (_, c) => payload(c * per, Math.min(total, (c + 1) * per), timestamp, order, total));
  const sockets = await Promise.all(payloads.map(() => connect(port)));
  const started = performance.now();
  await Promise.all(
    sockets.map(
      (s, i) =>
        new Promise<void>((resolve, reject) => {
          let answer = "";
          s.on("data", (d: Buffer) => {
            answer += d.toString("utf8");
            if (answer.includes("\n")) {
              if (!answer.startsWith("SYNCED")) reject(new Error(`unexpected answer ${answer}`));
              s.destroy();
              resolve();
            }
          });
          s.on("error", reject);
          s.write(payloads[i]!);
        }),
    ),
  );
  return (performance.now() - started) / 1000;
}
