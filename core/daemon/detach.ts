import { spawn } from "node:child_process";
import type { StartReport } from "./run";

/**
 * Starts `tantale --foreground --daemonized ...` in a new session with no terminal, and
 * waits until it reports that every instance started (or why not), so that the command
 * that started it exits with an honest status.
 */
export function startDetached(script: string, args: readonly string[], timeoutMs: number): Promise<StartReport> {
  const child = spawn(process.execPath, [script, ...args], { detached: true, stdio: ["ignore", "ignore", "ignore", "ipc"] });
  return new Promise<StartReport>((resolve) => {
    const timer = setTimeout(
      () => finish({ type: "error", message: `no answer from the daemon (pid ${String(child.pid)}) within ${timeoutMs} ms` }),
      timeoutMs,
    );
    const finish = (r: StartReport) => {
      clearTimeout(timer);
      child.removeAllListeners();
      if (child.connected) child.disconnect();
      child.unref();
      resolve(r);
    };
    child.on("message", (m: StartReport) => finish(m));
    child.on("exit", (code) => finish({ type: "error", message: `the daemon exited during its start with code ${String(code)}` }));
    child.on("error", (err) => finish({ type: "error", message: err.message }));
  });
}
