import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eachLine } from "./each-line";

const ROOT = path.resolve(__dirname, "..", "..", "..");

export interface SoakDaemonOptions {
  /** Livestatus max_connections: the soak's clients and slowloris, plus a margin. */
  readonly livestatusMaxConnections: number;
  /** Livestatus request_timeout, as the conf writes it (`5s`). */
  readonly requestTimeout: string;
}

/**
 * The real daemon for the soak: `tantale --foreground` on port 0 (line input, SQLite store,
 * Livestatus listener, the tables on by default) in a temp dir, its ports read from its
 * "listening" log lines, its RSS read from /proc, its warnings and errors kept.
 */
export class SoakDaemon {
  readonly problems: string[] = [];
  private constructor(
    private readonly child: ChildProcess,
    readonly dir: string,
    readonly linePort: number,
    readonly livestatusPort: number,
  ) {}

  static async start(options: SoakDaemonOptions): Promise<SoakDaemon> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tantale-soak-"));
    const conf = path.join(dir, "conf");
    const data = path.join(dir, "data");
    fs.mkdirSync(conf);
    fs.mkdirSync(data);
    fs.writeFileSync(path.join(conf, "line.conf"), "port = 0\n");
    fs.writeFileSync(
      path.join(conf, "livestatus.conf"),
      `port = 0\nmax_connections = ${options.livestatusMaxConnections}\n# Every soak client comes from 127.0.0.1: no per-address cap.\nmax_connections_per_peer = 0\nrequest_timeout = ${options.requestTimeout}\n`,
    );
    fs.writeFileSync(path.join(conf, "sqlite.conf"), "");
    const child = spawn(process.execPath, [path.join(ROOT, "bin", "tantale"), "--foreground", "--conf-dir", conf, "--data-dir", data], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    const ports = await new Promise<{ line: number; livestatus: number; problems: string[] }>((resolve, reject) => {
      const found: { line?: number; livestatus?: number } = {};
      const problems: string[] = [];
      const onData = eachLine(child.stderr, "utf8", (text) => {
        const line = parseLog(text);
        if (line === undefined) return;
        if (line.level >= 40) problems.push(text);
        if (line.instance === "line" && typeof line.port === "number" && line.msg.startsWith("listening on")) found.line = line.port;
        if (line.instance === "livestatus" && typeof line.port === "number") found.livestatus = line.port;
        if (line.msg === "tantale started" && found.line !== undefined && found.livestatus !== undefined) {
          child.stderr.off("data", onData);
          resolve({ line: found.line, livestatus: found.livestatus, problems });
        }
      });
      child.once("exit", (code) => reject(new Error(`tantale exited (${String(code)}) before it started; see ${dir}`)));
    });
    const daemon = new SoakDaemon(child, dir, ports.line, ports.livestatus);
    daemon.problems.push(...ports.problems);
    daemon.watchLog();
    return daemon;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Resident memory in MB (Linux: /proc; elsewhere undefined). */
  rssMb(): number | undefined {
    try {
      const status = fs.readFileSync(`/proc/${this.pid}/status`, "utf8");
      const m = /^VmRSS:\s+(\d+) kB/m.exec(status);
      return m === null ? undefined : Number(m[1]) / 1024;
    } catch {
      return undefined;
    }
  }

  /** SIGTERM, a clean exit (the exit code), and the temp dir removed. */
  async stop(): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => this.child.once("exit", (code) => resolve(code)));
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 30_000);
    const code = await exited;
    clearTimeout(timer);
    fs.rmSync(this.dir, { recursive: true, force: true });
    return code;
  }

  /** Keeps warnings and errors (at most 200: a flood is counted, not kept). */
  private watchLog(): void {
    let dropped = 0;
    eachLine(this.child.stderr!, "utf8", (text) => {
      const line = parseLog(text);
      if (line === undefined || line.level < 40) return;
      if (this.problems.length < 200) this.problems.push(text);
      else if (++dropped % 1000 === 0) this.problems[199] = `... and ${dropped} more`;
    });
  }
}

interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly instance?: unknown;
  readonly port?: unknown;
}

function parseLog(text: string): LogLine | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== "object" || v === null) return undefined;
    const o = v as Record<string, unknown>;
    return typeof o.level === "number" && typeof o.msg === "string" ? (o as unknown as LogLine) : undefined;
  } catch {
    return undefined;
  }
}
