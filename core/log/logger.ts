import pino from "pino";

export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";
export const LOG_LEVELS: readonly LogLevel[] = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];

export type LogFields = Readonly<Record<string, unknown>>;

/** The one logging interface of core and plugins; plugins get a child bound to their instance. */
export interface Logger {
  trace(msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  fatal(msg: string, fields?: LogFields): void;
  child(bindings: LogFields, level?: LogLevel): Logger;
  isLevelEnabled(level: LogLevel): boolean;
}

export interface LoggerOptions {
  readonly level: LogLevel;
  /** A file to append to, or undefined for stderr. */
  readonly file?: string;
}

class PinoLogger implements Logger {
  constructor(private readonly p: pino.Logger) {}
  trace(msg: string, fields?: LogFields): void { this.p.trace(fields ?? {}, msg); }
  debug(msg: string, fields?: LogFields): void { this.p.debug(fields ?? {}, msg); }
  info(msg: string, fields?: LogFields): void { this.p.info(fields ?? {}, msg); }
  warn(msg: string, fields?: LogFields): void { this.p.warn(fields ?? {}, msg); }
  error(msg: string, fields?: LogFields): void { this.p.error(fields ?? {}, msg); }
  fatal(msg: string, fields?: LogFields): void { this.p.fatal(fields ?? {}, msg); }
  child(bindings: LogFields, level?: LogLevel): Logger {
    return new PinoLogger(this.p.child(bindings, level === undefined ? undefined : { level }));
  }
  isLevelEnabled(level: LogLevel): boolean { return this.p.isLevelEnabled(level); }
}

/** Log lines kept in memory while the log cannot be written (a full disk); more are dropped. */
const UNWRITTEN_LIMIT = 16 * 1024 * 1024;

/**
 * Synchronous writes: logs are rare (nothing per line at info) and must survive a crash
 * or an exit right after they were written. A write that fails (ENOSPC: the log shares the
 * full disk of the store) must not end the daemon: the lines wait in memory, up to
 * UNWRITTEN_LIMIT, and are written with the next line once space returns.
 */
export function createLogger(options: LoggerOptions): Logger {
  const destination = pino.destination({ dest: options.file ?? 2, sync: true, mkdir: true, maxLength: UNWRITTEN_LIMIT });
  destination.on("error", () => undefined);
  return new PinoLogger(pino({ level: options.level, base: { pid: process.pid } }, destination));
}

/** A logger that drops everything, for tools and tests that do not care. */
export function silentLogger(): Logger {
  return new PinoLogger(pino({ level: "silent" }));
}
