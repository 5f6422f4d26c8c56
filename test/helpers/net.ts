import net from "node:net";

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** The local port of a connected socket, as the server logs its peer (a socket not yet connected has none). */
export function localPortOf(socket: net.Socket): number {
  const port = socket.localPort;
  if (port === undefined) throw new Error("the socket has no local port: it is not connected");
  return port;
}

/** A line-oriented TCP client: send a line, read the next answer line. */
export class LineClient {
  private buffer = "";
  private readonly lines: string[] = [];
  private waiter: ((line: string) => void) | undefined;
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      this.buffer += chunk;
      let i: number;
      while ((i = this.buffer.indexOf("\n")) >= 0) {
        const line = this.buffer.slice(0, i);
        this.buffer = this.buffer.slice(i + 1);
        if (this.waiter) {
          const w = this.waiter;
          this.waiter = undefined;
          w(line);
        } else this.lines.push(line);
      }
    });
    socket.on("close", () => (this.closed = true));
  }

  static connect(port: number, host = "127.0.0.1"): Promise<LineClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, host, () => resolve(new LineClient(s)));
      s.once("error", reject);
    });
  }

  send(line: string): void {
    this.socket.write(`${line}\n`);
  }

  next(timeoutMs = 5000): Promise<string> {
    const ready = this.lines.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error("no answer line in time")), timeoutMs);
      this.waiter = (l) => {
        clearTimeout(t);
        resolve(l);
      };
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Resolves once something accepts TCP connections on the port (or rejects after `timeoutMs`). */
export async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, "127.0.0.1", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing listens on port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
