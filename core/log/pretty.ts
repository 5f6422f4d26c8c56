import type PinoPretty from "pino-pretty";

/** pino-pretty takes about 150 ms to load: only a daemon that logs pretty lines pays it, not every tantale command. */
function prettyFactory(options: PinoPretty.PrettyOptions): (line: LogRecord) => string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, synchronously (createLogger is synchronous)
  return (require("pino-pretty") as typeof PinoPretty).prettyFactory(options);
}

/** How the daemon writes its log: pino's JSON lines, or readable lines for a person at a terminal. */
export type LogFormat = "json" | "pretty";

/** What `log_format` and `--log-format` take: auto is pretty on a terminal, JSON otherwise. */
export const LOG_FORMAT_SETTINGS = ["auto", "json", "pretty"] as const;
export type LogFormatSetting = (typeof LOG_FORMAT_SETTINGS)[number];

/** auto: pretty only when the log goes to stderr (no log file) and stderr is a terminal. */
export function resolveLogFormat(setting: LogFormatSetting, where: { readonly toFile: boolean; readonly stderrIsTty: boolean }): LogFormat {
  if (setting !== "auto") return setting;
  return !where.toFile && where.stderrIsTty ? "pretty" : "json";
}

/** A log line as pino wrote it, parsed. */
export type LogRecord = Record<string, unknown>;

/**
 * A line shown as a block in pretty mode: the text that replaces its message (several lines
 * may follow it), and the fields that text shows, which are then not printed again.
 */
export type PrettyBlock = (line: LogRecord) => { readonly text: string; readonly shown: readonly string[] } | undefined;

export interface PrettyOptions {
  readonly colorize: boolean;
  readonly blocks?: readonly PrettyBlock[];
}

/** What pino writes to: its serialized JSON line, newline included. */
export interface LineSink {
  write(line: string): unknown;
}

/**
 * A pino destination that turns each JSON line into a readable one and writes it to `to`
 * at once, in the same call: pino-pretty's formatter in-process, not its transport (a worker
 * thread and a stream), whose lines written just before a crash or an exit would be lost.
 * `[time] LEVEL: [instance] message {other fields}`; errors keep their stack on lines of their own.
 */
export function prettyDestination(to: LineSink, options: PrettyOptions): LineSink {
  const pretty = prettyFactory({
    colorize: options.colorize,
    singleLine: true,
    translateTime: "SYS:yyyy-mm-dd HH:MM:ss.l",
    // The instance (or core component) leads the message instead of trailing in the fields.
    ignore: "pid,hostname,instance,component",
    messageFormat: (log, key) => {
      const who = log.instance ?? log.component;
      const msg = String(log[key]);
      return typeof who === "string" ? `[${who}] ${msg}` : msg;
    },
  });
  const blocks = options.blocks ?? [];
  return {
    write(line: string): void {
      let record: LogRecord;
      try {
        record = JSON.parse(line) as LogRecord;
      } catch {
        to.write(line);
        return;
      }
      for (const block of blocks) {
        const shown = block(record);
        if (shown === undefined) continue;
        record = Object.fromEntries(Object.entries(record).filter(([k]) => !shown.shown.includes(k)));
        record.msg = shown.text;
        break;
      }
      // An instance named after its plugin (most are) need not name it twice.
      if (record.plugin !== undefined && record.plugin === record.instance) delete record.plugin;
      to.write(pretty(record));
    },
  };
}
