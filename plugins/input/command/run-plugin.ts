import { spawn } from "node:child_process";

/** Output kept per stream: more than Nagios takes (8192 bytes, perfdata included); the rest is read and dropped. */
const MAX_CAPTURE_BYTES = 65_536;

export interface PluginRun {
  /** 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (any other exit, a signal, a timeout, a failed start). */
  readonly status: 0 | 1 | 2 | 3;
  /** The plugin's stdout (its stderr when stdout is empty), or what went wrong, prefixed as Nagios does. */
  readonly output: string;
  readonly timedOut: boolean;
  /** The process id (undefined when it could not start), for tests and logs. */
  readonly pid: number | undefined;
}

/**
 * Runs a Nagios plugin (any executable): no shell, no stdin, its own process group (detached)
 * so that a timeout kills it with everything it started (`kill(-pgid, SIGKILL)`, as Nagios
 * does), not just the first process. Exit codes 0..3 are the status; any other exit, a death
 * by a signal or a failure to start is UNKNOWN, said in the output. Never rejects.
 */
export function runPlugin(argv: readonly string[], timeoutMs: number, onSpawn?: (pid: number) => void): Promise<PluginRun> {
  const program = argv[0] ?? "";
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(program, argv.slice(1), { detached: true, stdio: ["ignore", "pipe", "pipe"] });
    } catch (err) {
      resolve({ status: 3, output: `UNKNOWN - cannot run ${program}: ${(err as Error).message}`, timedOut: false, pid: undefined });
      return;
    }
    const pid = child.pid;
    const stdout = capture(child.stdout);
    const stderr = capture(child.stderr);
    let timedOut = false;
    let spawnError: NodeJS.ErrnoException | undefined;
    const killGroup = () => {
      if (pid === undefined) return;
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, timeoutMs);
    if (pid !== undefined) onSpawn?.(pid);
    child.on("error", (err: NodeJS.ErrnoException) => {
      spawnError = err;
      // Never started (ENOENT, EACCES): there may be no 'close' to wait for.
      if (pid === undefined) {
        clearTimeout(timer);
        resolve({ status: 3, output: `UNKNOWN - cannot run ${program}: ${err.code ?? err.message}`, timedOut: false, pid });
      }
    });
    // 'close': exited and every stdio closed (a child it left behind holding stdout keeps it open until the timeout).
    child.on("close", (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      // What it started in the background dies with it: a check is over when its plugin is.
      killGroup();
      const out = stdout.text().trimEnd();
      const text = out !== "" ? out : stderr.text().trimEnd();
      if (spawnError !== undefined) {
        resolve({ status: 3, output: `UNKNOWN - cannot run ${program}: ${spawnError.code ?? spawnError.message}`, timedOut: false, pid });
      } else if (timedOut) {
        resolve({
          status: 3,
          output: `UNKNOWN - plugin timed out after ${formatMs(timeoutMs)}, killed with its process group${text === "" ? "" : `\n${text}`}`,
          timedOut,
          pid,
        });
      } else if (code !== null && code >= 0 && code <= 3) {
        resolve({ status: code as 0 | 1 | 2 | 3, output: text, timedOut, pid });
      } else {
        const why = code !== null ? `exit code ${code} is out of range 0-3` : `killed by ${signal ?? "a signal"}`;
        // The plugin's own text stays, its first line after the reason, so its perfdata still parses.
        resolve({ status: 3, output: `UNKNOWN - ${why}${text === "" ? "" : `: ${text}`}`, timedOut, pid });
      }
    });
  });
}

function capture(stream: NodeJS.ReadableStream): { text(): string } {
  const chunks: Buffer[] = [];
  let bytes = 0;
  stream.on("data", (chunk: Buffer) => {
    if (bytes >= MAX_CAPTURE_BYTES) return;
    chunks.push(chunk.subarray(0, MAX_CAPTURE_BYTES - bytes));
    bytes += chunk.length;
  });
  return { text: () => Buffer.concat(chunks).toString("utf8") };
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
