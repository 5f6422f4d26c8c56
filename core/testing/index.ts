/**
 * For plugin authors' tests: `import { startTantale } from "tantale/testing"` runs this
 * Tantale as a real daemon in a temp folder, with the plugin packages under test installed
 * into its plugin_dir (a symlink each, as `npm install ../folder` makes), the line input and
 * the Livestatus listener on ports the system picks, and a client for each.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { installRoot } from "../plugin/peer-resolution";

export interface TestTantaleOptions {
  /** Folders of plugin packages (each with its package.json) to install into the plugin_dir. */
  readonly plugins?: readonly string[];
  /** Conf files (name → text) besides `line.conf`, `livestatus.conf` and `sqlite.conf`, which they may replace. */
  readonly conf?: Readonly<Record<string, string>>;
  /** Longest wait for the daemon to start (default 30 s). */
  readonly startTimeoutMs?: number;
}

/** A daemon log line (pino JSON). */
export interface TestLogLine {
  readonly msg: string;
  readonly level: number;
  readonly [field: string]: unknown;
}

export interface TestTantale {
  /** The daemon's data dir: where `data-path` options point. */
  readonly dataDir: string;
  readonly linePort: number;
  readonly livestatusPort: number;
  /** Every log line so far. */
  readonly logs: readonly TestLogLine[];
  /** Sends lines (JSON results, Nagios command lines) to the line input; resolves once they are committed (SYNC). */
  send(lines: readonly string[]): Promise<void>;
  /** Sends a Livestatus request (its lines, without the closing blank line); resolves with the answer. */
  query(request: string): Promise<string>;
  /** Polls `probe` every 50 ms until it returns something other than undefined (default: up to 20 s). */
  waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs?: number): Promise<T>;
  /** Stops the daemon (SIGTERM, then SIGKILL after 20 s) and removes its folder. */
  stop(): Promise<void>;
}

const IO_TIMEOUT_MS = 10_000;

export async function startTantale(options: TestTantaleOptions = {}): Promise<TestTantale> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "tantale-testing-"));
  const confDir = path.join(root, "conf.d");
  const dataDir = path.join(root, "data");
  const pluginDir = path.join(root, "plugins");
  fs.mkdirSync(confDir);
  fs.mkdirSync(path.join(pluginDir, "node_modules"), { recursive: true });
  for (const folder of options.plugins ?? []) installLink(pluginDir, path.resolve(folder));
  const files: Record<string, string> = {
    "tantale.conf": `plugin_dir = ${pluginDir}\n`,
    "line.conf": "bind = 127.0.0.1\nport = 0\n",
    "livestatus.conf": "bind = 127.0.0.1\nport = 0\n",
    "sqlite.conf": "",
    ...options.conf,
  };
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(confDir, name), text);

  const bin = path.join(installRoot(), "bin", "tantale");
  const child = spawn(process.execPath, [bin, "--foreground", "--conf-dir", confDir, "--data-dir", dataDir], { stdio: ["ignore", "ignore", "pipe"] });
  const logs: TestLogLine[] = [];
  const stderr: string[] = [];
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once("exit", () => {
      exited = true;
      resolve();
    }),
  );
  let partial = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop() ?? "";
    for (const line of parts) {
      stderr.push(line);
      try {
        logs.push(JSON.parse(line) as TestLogLine);
      } catch {
        // a configuration error is printed as text
      }
    }
  });

  const stop = async (): Promise<void> => {
    if (!exited) {
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      await exit;
      clearTimeout(killer);
    }
    fs.rmSync(root, { recursive: true, force: true });
  };

  const waitFor = async <T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const found = await probe();
      if (found !== undefined) return found;
      if (exited) throw new Error(`tantale exited; its log:\n${stderr.join("\n")}`);
      if (Date.now() > until) throw new Error(`nothing came in ${timeoutMs} ms; tantale's log:\n${stderr.join("\n")}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const portOf = (instance: string, prefix: string) => () => {
    const line = logs.find((l) => l.instance === instance && typeof l.port === "number" && l.msg.startsWith(prefix));
    return line === undefined ? undefined : (line.port as number);
  };
  try {
    await waitFor(() => (logs.some((l) => l.msg === "tantale started") ? true : undefined), options.startTimeoutMs ?? 30_000);
    const linePort = await waitFor(portOf("line", "listening on"), 1000);
    const livestatusPort = await waitFor(portOf("livestatus", "livestatus listening on"), 1000);
    return {
      dataDir,
      linePort,
      livestatusPort,
      logs,
      send: (lines) => sendAndSync(linePort, lines),
      query: (request) => livestatusQuery(livestatusPort, request),
      waitFor,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** `npm install FOLDER` into the plugin dir, as npm does it: a symlink named after the package. */
function installLink(pluginDir: string, folder: string): void {
  const manifest = JSON.parse(fs.readFileSync(path.join(folder, "package.json"), "utf8")) as { name?: unknown };
  if (typeof manifest.name !== "string") throw new Error(`${folder}/package.json has no name`);
  const link = path.join(pluginDir, "node_modules", manifest.name);
  fs.mkdirSync(path.dirname(link), { recursive: true });
  fs.symlinkSync(folder, link, "dir");
}

function sendAndSync(port: number, lines: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    const timer = setTimeout(() => socket.destroy(new Error(`no SYNCED from the line input in ${IO_TIMEOUT_MS} ms`)), IO_TIMEOUT_MS);
    let answer = "";
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write(`${lines.join("\n")}\nSYNC\n`));
    socket.on("data", (chunk: string) => {
      answer += chunk;
      const line = answer.split("\n").find((l) => l.startsWith("SYNCED") || l.startsWith("ERROR"));
      if (line === undefined) return;
      clearTimeout(timer);
      socket.end();
      if (line.startsWith("SYNCED")) resolve();
      else reject(new Error(`the line input answered: ${line}`));
    });
    socket.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

function livestatusQuery(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    const timer = setTimeout(() => socket.destroy(new Error(`no Livestatus answer in ${IO_TIMEOUT_MS} ms`)), IO_TIMEOUT_MS);
    let answer = "";
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write(`${request.replace(/\n+$/, "")}\n\n`));
    socket.on("data", (chunk: string) => (answer += chunk));
    socket.on("end", () => {
      clearTimeout(timer);
      resolve(answer);
    });
    socket.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
