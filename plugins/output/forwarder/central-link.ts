import net from "node:net";
import tls from "node:tls";
import type { CentralServer } from "./central-server";

export interface LinkOptions {
  readonly timeoutMs: number;
  /** Sent as `AUTH <token>` first when not empty. */
  readonly token: string;
  /** TLS options (ca, rejectUnauthorized, servername), or undefined for plain TCP. */
  readonly tls: tls.ConnectionOptions | undefined;
}

/** One connection to a central line socket: lines written, answer lines (`SYNCED`, `ERROR ...`) read. */
export class CentralLink {
  private buffer = "";
  private closedReason: Error | undefined;
  private readonly closeListeners: ((reason: Error) => void)[] = [];
  onLine: (line: string) => void = () => undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding("utf8");
    socket.setNoDelay(true);
    socket.on("data", (chunk: string) => {
      this.buffer += chunk;
      let i: number;
      while ((i = this.buffer.indexOf("\n")) >= 0) {
        const line = this.buffer.slice(0, i);
        this.buffer = this.buffer.slice(i + 1);
        this.onLine(line);
      }
    });
    socket.on("error", (err) => this.end(err));
    socket.on("end", () => this.end(new Error("closed by the server")));
    socket.on("close", () => this.end(new Error("connection closed")));
  }

  /** Connects (TLS handshake included) within timeoutMs and sends AUTH; rejects with why. */
  static connect(server: CentralServer, options: LinkOptions, signal?: AbortSignal): Promise<CentralLink> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(new Error("stopping"));
        return;
      }
      const socket =
        options.tls === undefined
          ? net.connect({ host: server.host, port: server.port })
          : tls.connect({ host: server.host, port: server.port, ...options.tls });
      const timer = setTimeout(() => fail(new Error(`no connection within ${options.timeoutMs}ms`)), options.timeoutMs);
      const onAbort = () => fail(new Error("stopping"));
      signal?.addEventListener("abort", onAbort, { once: true });
      const fail = (err: Error) => {
        signal?.removeEventListener("abort", onAbort);
        clearTimeout(timer);
        socket.destroy();
        reject(err);
      };
      socket.once("error", fail);
      socket.once(options.tls === undefined ? "connect" : "secureConnect", () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        socket.off("error", fail);
        const link = new CentralLink(socket);
        if (options.token !== "") socket.write(`AUTH ${options.token}\n`);
        resolve(link);
      });
    });
  }

  get closed(): Error | undefined {
    return this.closedReason;
  }

  /** Writes and resolves once the socket takes more (its buffer drained), or rejects when it closes first. */
  write(data: Buffer | string): Promise<void> {
    if (this.closedReason !== undefined) return Promise.reject(this.closedReason);
    if (this.socket.write(data)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onDrain = () => {
        off();
        resolve();
      };
      const onClose = (reason: Error) => {
        off();
        reject(reason);
      };
      const off = () => {
        this.socket.off("drain", onDrain);
        const at = this.closeListeners.indexOf(onClose);
        if (at >= 0) this.closeListeners.splice(at, 1);
      };
      this.socket.on("drain", onDrain);
      this.closeListeners.push(onClose);
    });
  }

  onClose(listener: (reason: Error) => void): void {
    if (this.closedReason !== undefined) listener(this.closedReason);
    else this.closeListeners.push(listener);
  }

  /** Closes the connection for `reason` (what the sender logs). */
  destroy(reason: Error): void {
    this.end(reason);
  }

  private end(reason: Error): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    this.socket.destroy();
    for (const l of this.closeListeners.splice(0)) l(reason);
  }
}
