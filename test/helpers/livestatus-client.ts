import net from "node:net";

/**
 * A raw Livestatus client for tests: sends bytes as given and reads exactly what comes
 * back (fixed16 answers, or everything up to the server's close), counting 'data' events.
 */
export class LivestatusClient {
  /** Received and not read yet, kept as chunks: concatenating on every chunk would be quadratic on answers of many MB. */
  private chunks: Buffer[] = [];
  private length = 0;
  private notify: (() => void) | undefined;
  /** How many 'data' events arrived (a small answer written once arrives in one). */
  dataEvents = 0;
  closed = false;
  /** The server ended its side (FIN). */
  ended = false;

  private constructor(readonly socket: net.Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.dataEvents++;
      this.chunks.push(chunk);
      this.length += chunk.length;
      this.wake();
    });
    socket.on("end", () => {
      this.ended = true;
      this.wake();
    });
    socket.on("close", () => {
      this.closed = true;
      this.wake();
    });
    socket.on("error", () => undefined);
  }

  /** `localAddress`: the address to connect from (any of 127.0.0.0/8 on loopback), to stand for another client host. */
  static connect(target: number | string, host = "127.0.0.1", localAddress?: string): Promise<LivestatusClient> {
    return new Promise((resolve, reject) => {
      const socket =
        typeof target === "number" ? net.connect({ port: target, host, ...(localAddress === undefined ? {} : { localAddress }) }) : net.connect(target);
      socket.setNoDelay(true);
      socket.once("connect", () => resolve(new LivestatusClient(socket)));
      socket.once("error", reject);
    });
  }

  get buffered(): number {
    return this.length;
  }

  send(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Exactly `n` bytes; rejects when the server closes before, or after `timeoutMs`. */
  async read(n: number, timeoutMs = 5000): Promise<Buffer> {
    await this.until(() => this.length >= n || this.ended || this.closed, timeoutMs, `${n} bytes`);
    const all = this.take();
    if (all.length < n) throw new Error(`connection closed after ${all.length} of ${n} bytes: ${JSON.stringify(all.toString("utf8"))}`);
    if (all.length > n) {
      this.chunks = [all.subarray(n)];
      this.length = all.length - n;
    }
    return all.subarray(0, n);
  }

  /** One fixed16 answer: status and body (decoded). */
  async answer(timeoutMs = 5000): Promise<{ status: number; body: string; raw: string }> {
    const header = (await this.read(16, timeoutMs)).toString("latin1");
    const m = /^(\d{3}) ([ \d]{11})\n$/.exec(header);
    if (m === null) throw new Error(`not a fixed16 header: ${JSON.stringify(header)}`);
    const body = await this.read(Number(m[2]!.trim()), timeoutMs);
    return { status: Number(m[1]), body: body.toString("utf8"), raw: header + body.toString("utf8") };
  }

  /** Everything until the server ends the connection. */
  async rest(timeoutMs = 5000): Promise<string> {
    await this.until(() => this.ended || this.closed, timeoutMs, "the server to close");
    return this.take().toString("utf8");
  }

  /** Resolves after `ms` when nothing arrived and the connection is still open; rejects otherwise. */
  async silentFor(ms: number): Promise<void> {
    await new Promise((r) => setTimeout(r, ms));
    if (this.length > 0) throw new Error(`unexpected bytes: ${JSON.stringify(this.take().toString("utf8"))}`);
    if (this.ended || this.closed) throw new Error("the server closed the connection");
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** Everything buffered, in one Buffer; the buffer is empty afterwards. */
  private take(): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks = [];
    this.length = 0;
    return all;
  }

  private wake(): void {
    const n = this.notify;
    this.notify = undefined;
    n?.();
  }

  private async until(ready: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.notify = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }
}

/** Sends one request on a fresh connection and returns everything until the server closes. */
export async function exchange(target: number | string, request: string | Buffer, timeoutMs = 5000): Promise<string> {
  const client = await LivestatusClient.connect(target);
  try {
    client.send(request);
    return await client.rest(timeoutMs);
  } finally {
    client.destroy();
  }
}
