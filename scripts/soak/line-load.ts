import net from "node:net";
import { eachLine } from "./each-line";

export interface LineLoadReport {
  readonly connections: number;
  readonly sent: number;
  /** Results before the last SYNCED answer of each connection: committed. */
  readonly synced: number;
  readonly errors: Map<string, number>;
}

const BATCH = 500;

/** Results for the soak's hosts (`soak<n>`, 10 services each): mostly OK, now and then a problem, so that states change and alerts are logged. */
function batch(from: number, hosts: number): string {
  const ts = Date.now() / 1000;
  const lines: string[] = [];
  for (let i = from; i < from + BATCH; i++) {
    const status = i % 97 === 0 ? 2 : i % 31 === 0 ? 1 : 0;
    lines.push(
      JSON.stringify({
        hostname: `soak${i % hosts}`,
        check: `svc${Math.floor(i / hosts) % 10}`,
        status,
        output: `soak result ${i}`,
        timestamp: ts,
        interval: 60,
      }),
    );
  }
  lines.push("SYNC");
  return `${lines.join("\n")}\n`;
}

/**
 * One sender at full speed: batches of 500 results (sequence numbers from `first`) and a
 * SYNC, written as fast as TCP takes them, until `deadline` or `max` results; then every
 * SYNC is awaited.
 */
async function sender(
  port: number,
  first: number,
  hosts: number,
  deadline: number,
  max: number,
  errors: Map<string, number>,
): Promise<{ sent: number; synced: number }> {
  const fail = (kind: string): void => void errors.set(kind, (errors.get(kind) ?? 0) + 1);
  const socket = await new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1", () => resolve(s));
    s.once("error", reject);
  });
  const pending: number[] = [];
  let synced = 0;
  let allAnswered: (() => void) | undefined;
  let failed = false as boolean; // set by the socket's callbacks
  eachLine(socket, "latin1", (answer) => {
    if (answer !== "SYNCED") fail(`line answer: ${answer.slice(0, 60)}`);
    synced = pending.shift() ?? synced;
    if (pending.length === 0) allAnswered?.();
  });
  socket.on("error", (err: NodeJS.ErrnoException) => {
    failed = true;
    fail(`line: ${err.code ?? err.message}`);
    allAnswered?.();
  });
  socket.on("close", () => allAnswered?.());
  let sent = 0;
  let seq = first;
  try {
    while (performance.now() < deadline && sent < max && !failed) {
      const ok = socket.write(batch(seq, hosts));
      seq += BATCH;
      sent += BATCH;
      pending.push(sent);
      // A socket the daemon closes never drains: 'close' ends the wait too (and the loop, through `failed`).
      if (!ok) {
        await new Promise<void>((resolve) => {
          const drained = (): void => {
            socket.off("close", closed);
            resolve();
          };
          const closed = (): void => {
            socket.off("drain", drained);
            if (!failed) fail("line: connection closed while sending");
            failed = true;
            resolve();
          };
          socket.once("drain", drained);
          socket.once("close", closed);
        });
      }
    }
    if (pending.length > 0 && !failed) {
      const done = new Promise<void>((resolve) => (allAnswered = resolve));
      const timeout = setTimeout(() => allAnswered?.(), 60_000);
      await done;
      clearTimeout(timeout);
      if (pending.length > 0) fail("line: SYNC not answered in 60 s after the end");
    }
    return { sent, synced };
  } finally {
    socket.destroy();
  }
}

export async function lineLoad(port: number, connections: number, hosts: number, deadline: number): Promise<LineLoadReport> {
  const errors = new Map<string, number>();
  const results = await Promise.all(
    Array.from({ length: connections }, (_, i) => sender(port, (i + 1) * 1_000_000_000, hosts, deadline, Number.POSITIVE_INFINITY, errors)),
  );
  return { connections, sent: results.reduce((n, r) => n + r.sent, 0), synced: results.reduce((n, r) => n + r.synced, 0), errors };
}

/** Loads `hosts` × 10 services once, before the soak, so that the queries have something to read. */
export async function preload(port: number, hosts: number): Promise<void> {
  const errors = new Map<string, number>();
  const r = await sender(port, 0, hosts, Number.POSITIVE_INFINITY, hosts * 10, errors);
  if (errors.size > 0 || r.synced < hosts * 10) throw new Error(`preload failed: ${r.synced} of ${hosts * 10} SYNCED; ${[...errors.keys()].join(", ")}`);
}
