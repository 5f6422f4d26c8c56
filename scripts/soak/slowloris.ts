import net from "node:net";

export interface SlowReport {
  /** Connections opened one after the other (a new one when the server closed the last). */
  readonly connections: number;
  /** How each ended: what the server said (first 40 characters) and after how many seconds; "open at the end" for the last. */
  readonly endings: string[];
  readonly refused: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * A slowloris: one connection that sends one byte of a request (or line) that never ends
 * every `intervalMs`, and opens a new one whenever the server closes it, until `deadline`.
 */
export async function slowloris(port: number, text: string, intervalMs: number, deadline: number): Promise<SlowReport> {
  const endings: string[] = [];
  let connections = 0;
  let refused = 0;
  while (performance.now() < deadline) {
    let socket: net.Socket;
    try {
      socket = await new Promise<net.Socket>((resolve, reject) => {
        const s = net.connect(port, "127.0.0.1", () => resolve(s));
        s.once("error", reject);
      });
    } catch {
      refused++;
      await sleep(intervalMs);
      continue;
    }
    connections++;
    const opened = performance.now();
    let received = "";
    let closed = false as boolean; // set on "close"
    socket.on("data", (d: Buffer) => (received += d.toString("utf8")));
    socket.on("error", () => undefined);
    socket.on("close", () => (closed = true));
    for (let i = 0; !closed && performance.now() < deadline; i++) {
      socket.write(text[i % text.length]!);
      await sleep(intervalMs);
    }
    const seconds = ((performance.now() - opened) / 1000).toFixed(1);
    endings.push(
      closed
        ? `closed by the server after ${seconds} s${received === "" ? "" : `: ${JSON.stringify(received.slice(0, 40))}`}`
        : `open at the end (${seconds} s)`,
    );
    socket.destroy();
  }
  return { connections, endings, refused };
}

export interface ProbeReport {
  readonly livestatus: number[];
  readonly line: number[];
  readonly failures: string[];
}

/**
 * A newcomer every `intervalMs` on each port while the load runs: a fresh Livestatus
 * connection with one query, a fresh line connection with one result and SYNC. Their times
 * (ms) show what the soak and the slowloris cost someone who just arrives.
 */
export async function probes(livestatusPort: number, linePort: number, intervalMs: number, deadline: number): Promise<ProbeReport> {
  const report: ProbeReport = { livestatus: [], line: [], failures: [] };
  // One loop per port: a port that stalls must not hide how the other does.
  const loop = async (probe: (i: number) => Promise<number>, times: number[]): Promise<void> => {
    for (let i = 0; performance.now() < deadline; i++) {
      try {
        times.push(await probe(i));
      } catch (err) {
        report.failures.push(String(err));
      }
      await sleep(intervalMs);
    }
  };
  await Promise.all([
    loop(() => exchange(livestatusPort, "GET status\nColumns: num_services\n\n", (s) => s.length > 0, true), report.livestatus),
    loop(
      (i) =>
        exchange(
          linePort,
          `${JSON.stringify({ hostname: "probe", check: "probe", status: 0, output: `probe ${i}`, timestamp: Date.now() / 1000 })}\nSYNC\n`,
          (s) => s.includes("SYNCED\n"),
          false,
        ),
      report.line,
    ),
  ]);
  return report;
}

/** Connects, sends, and resolves with the ms until `done(received)` (or until the server closes, with `untilClose`). */
function exchange(port: number, request: string, done: (received: string) => boolean, untilClose: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let received = "";
    const s = net.connect(port, "127.0.0.1", () => s.write(request));
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`probe on ${request.startsWith("GET") ? "livestatus" : "line"} port ${port}: no answer in 30 s`));
    }, 30_000);
    const finish = (): void => {
      clearTimeout(timer);
      s.destroy();
      if (done(received)) resolve(performance.now() - started);
      else reject(new Error(`probe on ${request.startsWith("GET") ? "livestatus" : "line"} port ${port}: answer ${JSON.stringify(received.slice(0, 60))}`));
    };
    s.on("data", (d: Buffer) => {
      received += d.toString("utf8");
      if (!untilClose && done(received)) finish();
    });
    s.on("close", finish);
    s.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
