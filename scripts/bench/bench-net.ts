import net from "node:net";

/** Loopback helpers of the benchmarks that start a real daemon. */
export function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1", () => resolve(s));
    s.once("error", reject);
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      (await connect(port)).destroy();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`tantale did not listen on ${port}`);
}

/** Node options for the daemon under test, from BENCH_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=prof`: NODE_OPTIONS refuses --cpu-prof). */
export function daemonNodeArgs(): string[] {
  return (process.env.BENCH_NODE_ARGS ?? "").split(" ").filter((a) => a !== "");
}
