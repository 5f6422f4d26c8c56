import fs from "node:fs";
import path from "node:path";
import { loadConfiguration, type LoadOptions } from "../config/load-config";
import { ConfigError, PluginRuntimeError, describeError } from "../errors";
import { createLogger, type Logger } from "../log/logger";
import { resolveLogFormat } from "../log/pretty";
import { Daemon } from "./daemon";
import { dataModes, ensureDir, ensureFile, type ModeChange } from "./data-access";
import { acquirePidFile, releasePidFile } from "./pid-file";
import { startupBlock } from "./startup-block";

export interface RunOptions {
  readonly load: LoadOptions;
  readonly dataDir: string;
  readonly pidFile: string;
  /** Log to this file instead of stderr (daemon mode). */
  readonly logFile?: string;
  /** Tell the parent that started us detached whether the start worked (IPC). */
  readonly notifyParent: boolean;
}

export type StartReport = { readonly type: "ready"; readonly pid: number } | { readonly type: "error"; readonly message: string };

function report(options: RunOptions, message: StartReport): void {
  if (options.notifyParent && process.send !== undefined) {
    process.send(message, () => process.disconnect());
  }
}

/**
 * Runs the daemon in this process until SIGTERM or SIGINT: load and validate the conf dir,
 * claim the pid file, start every instance, then handle signals. Resolves with the exit
 * code only when the start fails; after a start the signal handlers end the process.
 */
export async function runDaemon(options: RunOptions): Promise<number> {
  let config;
  try {
    config = await loadConfiguration(options.load);
  } catch (err) {
    const message = err instanceof ConfigError ? `configuration refused:\n${err.message}` : describeError(err);
    process.stderr.write(`tantale: ${message}\n`);
    report(options, { type: "error", message });
    return 1;
  }
  // Before the logger: the daemon log is in the data dir, and must not be created readable by all.
  const modes = dataModes(config.daemon.data_access);
  const narrowed: ModeChange[] = [];
  try {
    const dir = ensureDir(options.dataDir, modes.dir);
    if (dir !== undefined) narrowed.push(dir);
    if (options.logFile !== undefined) {
      fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
      const file = ensureFile(options.logFile, modes.file);
      if (file !== undefined) narrowed.push(file);
    }
  } catch (err) {
    const message = `cannot prepare the data dir ${options.dataDir}: ${describeError(err)}`;
    process.stderr.write(`tantale: ${message}\n`);
    report(options, { type: "error", message });
    return 1;
  }
  const format = resolveLogFormat(config.daemon.log_format, { toFile: options.logFile !== undefined, stderrIsTty: process.stderr.isTTY });
  const log = createLogger({
    level: config.daemon.log_level,
    file: options.logFile,
    format,
    // Colours only for a terminal that takes them (NO_COLOR: no-color.org).
    colorize: options.logFile === undefined && process.stderr.isTTY && process.env.NO_COLOR === undefined,
    blocks: [startupBlock],
  });
  // Tightened rather than only warned about: an install from before data_access kept its checks and log readable by every user.
  for (const change of narrowed)
    log.warn(`mode of ${change.path} changed from ${change.from} to ${change.to} (data_access = ${config.daemon.data_access})`, { ...change });
  try {
    acquirePidFile(options.pidFile, modes.file);
  } catch (err) {
    process.stderr.write(`tantale: ${describeError(err)}\n`);
    log.fatal("not started", { error: describeError(err) });
    report(options, { type: "error", message: describeError(err) });
    return 1;
  }
  installCrashHandlers(log, options.pidFile);
  const daemon = new Daemon(config, { load: options.load, dataDir: options.dataDir, logger: log });
  // Handlers first: a signal that comes during the start waits for it, then acts.
  let settleStart!: (ok: boolean) => void;
  installSignalHandlers(daemon, log, options.pidFile, new Promise<boolean>((resolve) => (settleStart = resolve)));
  try {
    await daemon.start();
    settleStart(true);
  } catch (err) {
    settleStart(false);
    const message = startFailure(err);
    log.fatal("not started: nothing runs", { error: message });
    // Released before the report: the parent that waits for it may look at the pid file at once.
    releasePidFile(options.pidFile);
    report(options, { type: "error", message });
    return 1;
  }
  // Plugins may hold only unref'd handles; the daemon lives until a signal handler exits.
  setInterval(() => undefined, 2 ** 30);
  report(options, { type: "ready", pid: process.pid });
  return new Promise<number>(() => undefined);
}

/**
 * One line for a failed start. An instance's error already quotes its cause, which is added
 * only when it says more; a listener whose address is taken is named with that address.
 */
export function startFailure(err: unknown): string {
  const cause = err instanceof Error ? err.cause : undefined;
  if (err instanceof PluginRuntimeError && isListenInUse(cause)) {
    const host = cause.address.includes(":") ? `[${cause.address}]` : cause.address;
    const where = typeof cause.port === "number" ? `${host}:${cause.port}` : host;
    return `instance "${err.instance}" cannot listen on ${where}: the address is already in use`;
  }
  const message = describeError(err);
  const more = cause === undefined ? "" : describeError(cause);
  return more === "" || message.includes(more) ? message : `${message}: ${more}`;
}

function isListenInUse(err: unknown): err is NodeJS.ErrnoException & { address: string; port?: number } {
  const e = err as (NodeJS.ErrnoException & { address?: unknown }) | undefined;
  return e instanceof Error && e.code === "EADDRINUSE" && e.syscall === "listen" && typeof e.address === "string";
}

/** `started` settles with whether the start worked: a failed start is ended by runDaemon, not here. */
function installSignalHandlers(daemon: Daemon, log: Logger, pidFile: string, started: Promise<boolean>): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn("second stop signal: exiting without waiting for the queues", { signal, queued: daemon.bus.queued() });
      releasePidFile(pidFile);
      process.exit(1);
    }
    stopping = true;
    log.info("stopping", { signal });
    started
      .then((ok) => (ok ? daemon.stop() : new Promise<never>(() => undefined)))
      .then(
        (drained) => {
          releasePidFile(pidFile);
          process.exit(drained ? 0 : 1);
        },
        (err: unknown) => {
          log.fatal("stop failed", { error: describeError(err) });
          releasePidFile(pidFile);
          process.exit(1);
        },
      );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  process.on("SIGHUP", () => {
    log.info("SIGHUP: reloading the conf dir");
    void started.then((ok) => (ok ? daemon.reload() : undefined));
  });
}

/** A crash is logged with what is known and ends the process; the store's commits make restart safe. */
function installCrashHandlers(log: Logger, pidFile: string): void {
  const crash = (kind: string) => (err: unknown) => {
    log.fatal(kind, { error: describeError(err), stack: err instanceof Error ? err.stack : undefined });
    releasePidFile(pidFile);
    process.exit(1);
  };
  process.on("uncaughtException", crash("uncaught exception"));
  process.on("unhandledRejection", crash("unhandled promise rejection"));
}
