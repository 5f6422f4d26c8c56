import net from "node:net";

/** What the Livestatus clients saw. */
export interface LivestatusLoadReport {
  readonly connections: number;
  /** How long connecting them all took (ms), and the slowest connect. */
  readonly connectMs: number;
  readonly slowestConnectMs: number;
  readonly requests: number;
  /** Round-trip times (ms) of every answered request but each connection's first. */
  readonly latencies: Float64Array;
  /** Round-trip times (ms) of each connection's first request (the server may not have accepted it yet). */
  readonly firstLatencies: Float64Array;
  readonly errors: Map<string, number>;
}

/** A cheap mix, as GUIs poll: one host, one host's services, a Stats scan of every service, the status row. */
function request(i: number, hosts: number): string {
  const host = `soak${i % hosts}`;
  const tail = "OutputFormat: json\nKeepAlive: on\nResponseHeader: fixed16\n\n";
  switch (i % 8) {
    case 0:
      return `GET services\nStats: state = 0\nStats: state = 1\nStats: state = 2\nStats: state = 3\n${tail}`;
    case 1:
    case 2:
      return `GET services\nColumns: host_name description state plugin_output\nFilter: host_name = ${host}\n${tail}`;
    case 3:
      return `GET status\nColumns: num_hosts num_services requests connections\n${tail}`;
    default:
      return `GET hosts\nColumns: name state plugin_output\nFilter: name = ${host}\n${tail}`;
  }
}

function connect(port: number): Promise<net.Socket> {
  return new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1", () => resolve(s));
    s.once("error", reject);
  });
}

interface Samples {
  readonly latencies: number[];
  readonly first: number[];
  readonly errors: Map<string, number>;
}

/**
 * One keep-alive connection that sends a request, reads its fixed16 answer, and sends the
 * next, until `deadline` (ms, performance.now()). Counts every request and error.
 */
async function client(socket: net.Socket, id: number, hosts: number, deadline: number, samples: Samples): Promise<number> {
  const fail = (kind: string): void => void samples.errors.set(kind, (samples.errors.get(kind) ?? 0) + 1);
  socket.setNoDelay(true);
  let buffered: Buffer = Buffer.alloc(0);
  let waiting: ((answer: { status: number } | Error) => void) | undefined;
  const settle = (v: { status: number } | Error): void => {
    const w = waiting;
    waiting = undefined;
    w?.(v);
  };
  socket.on("data", (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    if (buffered.length < 16) return;
    const length = Number(buffered.toString("latin1", 4, 15).trim());
    if (buffered.length < 16 + length) return;
    const status = Number(buffered.toString("latin1", 0, 3));
    buffered = buffered.subarray(16 + length);
    settle({ status });
  });
  socket.on("error", (err: NodeJS.ErrnoException) => settle(new Error(err.code ?? err.message)));
  socket.on("close", () => settle(new Error("closed by the server")));
  let n = 0;
  try {
    for (let i = id; performance.now() < deadline; i += 1000) {
      const answer = new Promise<{ status: number } | Error>((resolve) => (waiting = resolve));
      const started = performance.now();
      socket.write(request(i, hosts));
      const timeout = setTimeout(() => settle(new Error("no answer in 30 s")), 30_000);
      const a = await answer;
      clearTimeout(timeout);
      if (a instanceof Error) {
        fail(`${n === 0 ? "first request" : "later request"}: ${a.message}`);
        return n;
      }
      if (a.status !== 200) fail(`status ${a.status}`);
      (n === 0 ? samples.first : samples.latencies).push(performance.now() - started);
      n++;
    }
    return n;
  } finally {
    socket.destroy();
  }
}

export interface ConnectedClients {
  readonly sockets: readonly net.Socket[];
  /** How long connecting them all took (ms), and the slowest connect. */
  readonly connectMs: number;
  readonly slowestConnectMs: number;
  readonly errors: Map<string, number>;
}

/**
 * Opens `connections` connections, 100 at a time (a burst of 1000 SYNs would measure the
 * listen backlog, not the server), before the load starts.
 */
export async function connectClients(port: number, connections: number): Promise<ConnectedClients> {
  const errors = new Map<string, number>();
  const sockets: net.Socket[] = [];
  const started = performance.now();
  let slowestConnectMs = 0;
  for (let i = 0; i < connections; i += 100) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(100, connections - i) }, async () => {
        const t = performance.now();
        try {
          const s = await connect(port);
          slowestConnectMs = Math.max(slowestConnectMs, performance.now() - t);
          return s;
        } catch (err) {
          const kind = `connect: ${(err as NodeJS.ErrnoException).code ?? String(err)}`;
          errors.set(kind, (errors.get(kind) ?? 0) + 1);
          return undefined;
        }
      }),
    );
    for (const s of batch) if (s !== undefined) sockets.push(s);
  }
  return { sockets, connectMs: performance.now() - started, slowestConnectMs, errors };
}

/** The connected clients all sending at once until `deadline`. */
export async function livestatusLoad(clients: ConnectedClients, hosts: number, deadline: number): Promise<LivestatusLoadReport> {
  const samples: Samples = { latencies: [], first: [], errors: clients.errors };
  const counts = await Promise.all(clients.sockets.map((s, i) => client(s, i, hosts, deadline, samples)));
  return {
    connections: clients.sockets.length,
    connectMs: clients.connectMs,
    slowestConnectMs: clients.slowestConnectMs,
    requests: counts.reduce((a, b) => a + b, 0),
    latencies: Float64Array.from(samples.latencies),
    firstLatencies: Float64Array.from(samples.first),
    errors: samples.errors,
  };
}
