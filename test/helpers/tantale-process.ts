import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import path from "node:path";

/** The repository root (dist/test/helpers → ../../..). */
export const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
export const TANTALE_BIN = path.join(REPO_ROOT, "bin", "tantale");

export interface CommandResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `tantale ARGS` to its end (check-config, plugins, stop, status, daemon start). */
export function runTantale(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CommandResult {
  const r = spawnSync(process.execPath, [TANTALE_BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: options.env ?? process.env,
    encoding: "utf8",
    timeout: 60_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Parsed pino log lines of a daemon running in the foreground. */
export interface LogLine {
  readonly msg: string;
  readonly level: number;
  readonly [field: string]: unknown;
}

/** `tantale --foreground` as a child process, with its stderr log lines collected. */
export class ForegroundTantale {
  readonly logs: LogLine[] = [];
  readonly stderrText: string[] = [];
  private readonly exited: Promise<number | null>;
  exitCode: number | null | undefined;
  /** The signal that ended the process, when one did. */
  exitSignal: NodeJS.Signals | null = null;
  private listeners: (() => void)[] = [];

  constructor(readonly child: ChildProcess) {
    let partial = "";
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (chunk: string) => {
      partial += chunk;
      let i: number;
      while ((i = partial.indexOf("\n")) >= 0) {
        const line = partial.slice(0, i);
        partial = partial.slice(i + 1);
        this.stderrText.push(line);
        try {
          this.logs.push(JSON.parse(line) as LogLine);
        } catch {
          // not a log line (e.g. a configuration error printed as text)
        }
        for (const l of this.listeners) l();
      }
    });
    this.exited = new Promise((resolve) =>
      child.on("exit", (code, signal) => {
        this.exitCode = code;
        this.exitSignal = signal;
        for (const l of this.listeners) l();
        resolve(code);
      }),
    );
  }

  static start(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ForegroundTantale {
    const child = spawn(process.execPath, [TANTALE_BIN, "--foreground", ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    return new ForegroundTantale(child);
  }

  /** Resolves with the first log line matching `predicate` (already seen or coming). */
  waitForLog(predicate: (l: LogLine) => boolean, timeoutMs = 15_000): Promise<LogLine> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.logs.find(predicate);
        if (found) {
          done();
          resolve(found);
        } else if (this.exitCode !== undefined) {
          done();
          reject(new Error(`tantale exited (${String(this.exitCode)}) before the expected log line; stderr:\n${this.stderrText.join("\n")}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`expected log line did not come in ${timeoutMs} ms; stderr:\n${this.stderrText.join("\n")}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== check);
      };
      this.listeners.push(check);
      check();
    });
  }

  waitForMessage(msg: string, timeoutMs?: number): Promise<LogLine> {
    return this.waitForLog((l) => l.msg === msg, timeoutMs);
  }

  signal(sig: NodeJS.Signals): void {
    this.child.kill(sig);
  }

  /** Waits for the exit; kills the process if it outlives `timeoutMs`. */
  async exit(timeoutMs = 40_000): Promise<number | null> {
    const timer = setTimeout(() => this.child.kill("SIGKILL"), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** For after hooks: make sure nothing is left running. */
  async kill(): Promise<void> {
    if (this.exitCode === undefined) {
      this.child.kill("SIGKILL");
      await this.exited;
    }
  }
}
