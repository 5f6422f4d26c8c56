import { logCall, type LogArgs, type LogFields, type Logger, type LogLevel, type LogMethod } from "../../core/log/logger";

export interface RecordedLine {
  readonly level: Exclude<LogLevel, "silent">;
  readonly msg: string;
  readonly fields: LogFields;
}

/** A Logger that keeps every line in memory (children write to the same list), for tests that check what is logged. */
export class RecordingLogger implements Logger {
  constructor(
    readonly lines: RecordedLine[] = [],
    private readonly bindings: LogFields = {},
  ) {}

  readonly trace: LogMethod = (...args: LogArgs) => this.write("trace", args);
  readonly debug: LogMethod = (...args: LogArgs) => this.write("debug", args);
  readonly info: LogMethod = (...args: LogArgs) => this.write("info", args);
  readonly warn: LogMethod = (...args: LogArgs) => this.write("warn", args);
  readonly error: LogMethod = (...args: LogArgs) => this.write("error", args);
  readonly fatal: LogMethod = (...args: LogArgs) => this.write("fatal", args);

  child(bindings: LogFields): Logger {
    return new RecordingLogger(this.lines, { ...this.bindings, ...bindings });
  }

  isLevelEnabled(): boolean {
    return true;
  }

  /** The messages logged at `level` (every level when undefined). */
  messages(level?: RecordedLine["level"]): string[] {
    return this.lines.filter((l) => level === undefined || l.level === level).map((l) => l.msg);
  }

  private write(level: RecordedLine["level"], args: LogArgs): void {
    const { msg, fields } = logCall(args);
    this.lines.push({ level, msg, fields: { ...this.bindings, ...fields } });
  }
}
