import pino from "pino";
import { prettyDestination, type LogFormat, type PrettyBlock } from "./pretty";

export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";
export const LOG_LEVELS: readonly LogLevel[] = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];

export type LogFields = Readonly<Record<string, unknown>>;

/**
 * A log call takes the message first, `log.info("listening", { port })`, or in pino's order,
 * `log.info({ port }, "listening")`; both write the same line. An Error in pino's place,
 * `log.error(err, "write failed")`, is logged as the field `err` (type, message, stack).
 */
export interface LogMethod {
  (msg: string, fields?: LogFields): void;
  (fields: LogFields | Error, msg: string): void;
}

/** The arguments of a LogMethod, as an implementation receives them. */
export type LogArgs = [msg: string, fields?: LogFields] | [fields: LogFields | Error, msg: string];

/** The message and the fields of a log call, whichever order it used. */
export function logCall(args: LogArgs): { readonly msg: string; readonly fields: LogFields } {
  const [first, second] = args;
  if (typeof first === "string") return { msg: first, fields: (second as LogFields | undefined) ?? {} };
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- here `second` is pino's message, a string (destructuring loses LogArgs' pairing); String() keeps a JavaScript caller's missing one printable
  return { msg: String(second), fields: first instanceof Error ? { err: first } : first };
}

/** The one logging interface of core and plugins; plugins get a child bound to their instance. */
export interface Logger {
  readonly trace: LogMethod;
  readonly debug: LogMethod;
  readonly info: LogMethod;
  readonly warn: LogMethod;
  readonly error: LogMethod;
  readonly fatal: LogMethod;
  child(bindings: LogFields, level?: LogLevel): Logger;
  isLevelEnabled(level: LogLevel): boolean;
}

export interface LoggerOptions {
  readonly level: LogLevel;
  /** A file to append to, or undefined for stderr. */
  readonly file?: string;
  /** JSON lines (the default), or readable lines (pretty.ts). */
  readonly format?: LogFormat;
  /** Pretty only: colours (for a terminal). */
  readonly colorize?: boolean;
  /** Pretty only: lines shown as blocks (the start-up block). */
  readonly blocks?: readonly PrettyBlock[];
}

class PinoLogger implements Logger {
  constructor(private readonly p: pino.Logger) {}
  // pino's own order underneath; an Error goes under `err`, which pino's err serializer renders.
  readonly trace: LogMethod = (...args: LogArgs) => this.write("trace", args);
  readonly debug: LogMethod = (...args: LogArgs) => this.write("debug", args);
  readonly info: LogMethod = (...args: LogArgs) => this.write("info", args);
  readonly warn: LogMethod = (...args: LogArgs) => this.write("warn", args);
  readonly error: LogMethod = (...args: LogArgs) => this.write("error", args);
  readonly fatal: LogMethod = (...args: LogArgs) => this.write("fatal", args);
  private write(level: Exclude<LogLevel, "silent">, args: LogArgs): void {
    const { msg, fields } = logCall(args);
    this.p[level](fields, msg);
  }
  child(bindings: LogFields, level?: LogLevel): Logger {
    return new PinoLogger(this.p.child(bindings, level === undefined ? undefined : { level }));
  }
  isLevelEnabled(level: LogLevel): boolean {
    return this.p.isLevelEnabled(level);
  }
}

/** Log lines kept in memory while the log cannot be written (a full disk); more are dropped. */
const UNWRITTEN_LIMIT = 16 * 1024 * 1024;

/**
 * Synchronous writes, in both formats: logs are rare (nothing per line at info) and must survive a crash
 * or an exit right after they were written. A write that fails (ENOSPC: the log shares the
 * full disk of the store) must not end the daemon: the lines wait in memory, up to
 * UNWRITTEN_LIMIT, and are written with the next line once space returns.
 */
export function createLogger(options: LoggerOptions): Logger {
  const destination = pino.destination({ dest: options.file ?? 2, sync: true, mkdir: true, maxLength: UNWRITTEN_LIMIT });
  destination.on("error", () => undefined);
  // Pretty lines go through the same synchronous destination: formatted in the log call, written before it returns.
  const stream = options.format === "pretty" ? prettyDestination(destination, { colorize: options.colorize ?? false, blocks: options.blocks }) : destination;
  return new PinoLogger(pino({ level: options.level, base: { pid: process.pid } }, stream));
}

/** A logger that drops everything, for tools and tests that do not care. */
export function silentLogger(): Logger {
  return new PinoLogger(pino({ level: "silent" }));
}
