import { fork, type ChildProcess } from "node:child_process";
import net from "node:net";

/** Parent → floor process: an answer to learn. Floor process → parent: its port, then an acknowledgement per answer. */
type ToFloor = { readonly request: string; readonly bytes: string };
type FromFloor = { readonly port: number } | { readonly learned: string };

/**
 * The floor of the compare bench: a bare Node server, in a process of its own as the daemons
 * are, that answers each request with bytes given in advance (Tantale's own answer to it), in
 * one write, doing no work at all. Timed the same way as the daemons, between them, it shows
 * the least any Node server takes on this machine for that exchange (a process woken by the
 * request included), and so the highest ratio a goal can reach here.
 */
export class FloorServer {
  private readonly learned = new Map<string, () => void>();

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.on("message", (m: FromFloor) => {
      if ("learned" in m) this.learned.get(m.learned)?.();
    });
  }

  static async start(): Promise<FloorServer> {
    const child = fork(__filename, ["--floor-server"], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
    const port = await new Promise<number>((resolve, reject) => {
      child.once("error", reject);
      child.once("exit", (code) => reject(new Error(`the floor server exited (${String(code)})`)));
      child.once("message", (m: FromFloor) => {
        if ("port" in m) resolve(m.port);
      });
    });
    return new FloorServer(child, port);
  }

  /** Teaches the server the bytes to answer `request` (its text up to and with its blank line) with. */
  answer(request: string, bytes: Buffer): Promise<void> {
    return new Promise((resolve) => {
      this.learned.set(request, resolve);
      this.child.send({ request, bytes: bytes.toString("base64") } satisfies ToFloor);
    });
  }

  stop(): Promise<void> {
    if (this.child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once("exit", () => resolve());
      this.child.kill("SIGTERM");
    });
  }
}

/** The floor process: answers what it was taught; KeepAlive keeps the connection, anything else ends it, as a Livestatus server. */
function serveFloor(): void {
  const answers = new Map<string, Buffer>();
  process.on("message", (m: ToFloor) => {
    answers.set(m.request, Buffer.from(m.bytes, "base64"));
    process.send!({ learned: m.request } satisfies FromFloor);
  });
  process.on("disconnect", () => process.exit(0));
  const server = net.createServer({ noDelay: true }, (socket) => {
    let pending = "";
    socket.on("error", () => socket.destroy());
    socket.on("data", (d: Buffer) => {
      pending += d.toString("latin1");
      for (let end = pending.indexOf("\n\n"); end >= 0; end = pending.indexOf("\n\n")) {
        const request = pending.slice(0, end + 2);
        pending = pending.slice(end + 2);
        const bytes = answers.get(request) ?? Buffer.from("400          27\nno answer for this request\n");
        if (request.includes("\nKeepAlive: on\n")) socket.write(bytes);
        else socket.end(bytes);
      }
    });
  });
  server.listen(0, "127.0.0.1", () => process.send!({ port: (server.address() as net.AddressInfo).port } satisfies FromFloor));
}

if (process.argv[2] === "--floor-server" && process.send !== undefined) serveFloor();
