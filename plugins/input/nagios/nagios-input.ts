import path from "node:path";
import { inject, injectable } from "tsyringe";
import type { Clock } from "../../../core/clock";
import { commandAllowList } from "../../../core/commands/command-allow-list";
import type { CommandExecutor } from "../../../core/commands/command-executor";
import { KNOWN_COMMANDS } from "../../../core/commands/parse-command";
import { FifoReader } from "../../../core/input/fifo-reader";
import { preview } from "../../../core/input/line-preview";
import { decodeLine, skipBlanks } from "../../../core/input/line-text";
import type { Logger } from "../../../core/log/logger";
import { Throttle } from "../../../core/log/throttle";
import type { InstanceStats } from "../../../core/metrics/self-stats";
import { checkResultFromCommand, checkResultFromLine, parseExternalCommand } from "../../../core/model/external-command";
import { reject, type Normalized, type Rejected } from "../../../core/model/normalize-result";
import type { LoopTurns } from "../../../core/net/loop-turns";
import type { Endpoint, InputPlugin, Sink } from "../../../core/plugin/api";
import { CLOCK, COMMANDS, DATA_DIR, INSTANCE_STATS, LOGGER, LOOP_TURNS, SINK } from "../../../core/tokens";
import { NAGIOS_CONFIG, parseMode, type NagiosConfig } from "./schema";

const RESULT_COMMANDS: ReadonlySet<string> = new Set(["PROCESS_SERVICE_CHECK_RESULT", "PROCESS_HOST_CHECK_RESULT"]);
/** Command names remembered as "already logged": bounded, a flood of invented names costs nothing. */
const MAX_NAMES_LOGGED = 1000;

/**
 * The Nagios command file: a FIFO that Nagios-compatible writers (NSCA, GUIs' CGIs, scripts
 * doing `printf '[%s] PROCESS_SERVICE_CHECK_RESULT;...\n' > nagios.cmd`) write external
 * commands to, one per line (docs/inputs.md §1).
 *
 * - Check results take the same path as the line input's Nagios lines (parse, normalize,
 *   sink), stricter than Nagios (a non-numeric code is refused, never read as 0 OK).
 * - Other commands in the `commands` allow-list go through the core's CommandExecutor, as
 *   Livestatus COMMANDs do: after every result read before them, and the lines after a
 *   command wait until it is applied (arrival order is kept).
 * - A command not allowed, unknown, or PROCESS_FILE (never: it would read any file) is
 *   logged once per name and ignored. A bad line is logged (rate-limited, with the FIFO,
 *   its line number and a preview) and skipped; the lines around it are kept.
 */
@injectable()
export class NagiosInput implements InputPlugin {
  private reader: FifoReader | undefined;
  private readonly throttle: Throttle;
  private readonly allowed: ReadonlySet<string>;
  private readonly namesLogged = new Set<string>();
  private readonly fifoPath: string;
  private lineNo = 0;
  /** Counters of the hot path, read by the self-monitoring when it looks (gauges): no map update per line. */
  private received = 0;

  constructor(
    @inject(NAGIOS_CONFIG) private readonly config: NagiosConfig,
    @inject(SINK) private readonly sink: Sink,
    @inject(LOGGER) private readonly log: Logger,
    @inject(INSTANCE_STATS) private readonly stats: InstanceStats,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(COMMANDS) private readonly commands: CommandExecutor,
    @inject(DATA_DIR) dataDir: string,
    /** Shared with the Livestatus listener and the line input: lines wait their turn when much is ready at once. */
    @inject(LOOP_TURNS) private readonly turns: LoopTurns,
  ) {
    this.throttle = new Throttle(clock);
    this.allowed = commandAllowList(config.commands);
    this.fifoPath = path.resolve(dataDir, config.path);
  }

  /** The FIFO's absolute path. */
  get path(): string {
    return this.fifoPath;
  }

  endpoints(): Endpoint[] {
    return [{ role: "read", address: this.fifoPath, note: "Nagios command FIFO" }];
  }

  async start(): Promise<void> {
    const reader = new FifoReader(
      {
        path: this.fifoPath,
        mode: parseMode(this.config.mode),
        maxLineBytes: this.config.max_line_bytes,
        staleLineMs: this.config.partial_line_timeout,
      },
      {
        line: (line) => this.onLine(line),
        tooLong: (bytes) => {
          this.lineNo++;
          this.rejectLine(reject("line_too_long", `line too long (≥${bytes} bytes), discarded`), undefined);
        },
        stale: (bytes) => {
          this.stats.add("partial_lines_dropped");
          this.logThrottled("warn", "partial_line", () => [
            `FIFO ${this.fifoPath}: an unfinished line of ${bytes} bytes was dropped: its writer stopped mid-line ${this.config.partial_line_timeout}ms ago or more`,
            { path: this.fifoPath, bytes },
          ]);
        },
      },
      { log: this.log, sink: this.sink, turns: this.turns, clock: this.clock },
    );
    await reader.start();
    this.reader = reader;
    this.stats.gauge("fifo_reads", () => reader.counters.reads);
    this.stats.gauge("lines_received", () => this.received);
    this.log.info(`reading Nagios commands from FIFO ${this.fifoPath}`, { path: this.fifoPath });
  }

  async stop(): Promise<void> {
    await this.reader?.stop();
  }

  /** One line of the FIFO; a promise while a command is being applied (the next lines wait). */
  private onLine(line: Buffer): Promise<void> | undefined {
    this.lineNo++;
    const start = skipBlanks(line);
    if (start === line.length) return undefined;
    this.received++;
    const text = decodeLine(line);
    if (text === undefined) {
      this.rejectLine(reject("invalid_utf8", "invalid UTF-8"), line);
      return undefined;
    }
    // Nagios strips blanks around the line (CRLF, trailing spaces) before parsing.
    const trimmed = start === 0 ? text : text.slice(start);
    const now = this.clock.now();
    // Check results, the bulk of what a FIFO carries, in one scan when both kinds are allowed.
    const fast =
      this.allowed.has("PROCESS_SERVICE_CHECK_RESULT") && this.allowed.has("PROCESS_HOST_CHECK_RESULT") ? checkResultFromLine(trimmed, now) : undefined;
    if (fast !== undefined) {
      this.acceptResult(fast, line);
      return undefined;
    }
    const command = parseExternalCommand(trimmed);
    if (!command.ok) {
      this.rejectLine(command, line);
      return undefined;
    }
    const name = command.name;
    if (RESULT_COMMANDS.has(name) && this.allowed.has(name)) {
      this.acceptResult(checkResultFromCommand(command, now), line);
      return undefined;
    }
    if (name === "PROCESS_FILE") this.ignored(name, "never supported (it would read any file the daemon can)");
    else if (!KNOWN_COMMANDS.includes(name)) this.ignored(name, "unknown command");
    else if (!this.allowed.has(name)) this.ignored(name, "not allowed on this FIFO (its commands option)");
    else return this.execute(trimmed, name);
    return undefined;
  }

  /** A check result taken from the line: accepted with its warnings logged, or the line rejected. */
  private acceptResult(outcome: Normalized, line: Buffer): void {
    if (!outcome.ok) {
      this.rejectLine(outcome, line);
      return;
    }
    this.sink.accept(outcome.result); // counted as results_accepted by the sink every input gets
    for (const warning of outcome.warnings) {
      this.stats.add("result_warnings");
      const space = warning.indexOf(" ");
      this.logThrottled("info", `warning:${space < 0 ? warning : warning.slice(0, space)}`, () => [
        `line ${this.lineNo} of FIFO ${this.fifoPath} accepted with a warning: ${warning}`,
        { path: this.fifoPath, line: this.lineNo, warning, preview: preview(line) },
      ]);
    }
  }

  private async execute(text: string, name: string): Promise<void> {
    const lineNo = this.lineNo;
    const outcome = await this.commands.execute(text, { authUser: undefined, allowed: this.allowed });
    if (outcome.status === 200) {
      this.stats.add("commands_applied");
      const note = outcome.note === undefined ? "" : ` (${outcome.note})`;
      this.log.info(`line ${lineNo} of FIFO ${this.fifoPath}: ${name} applied${note}`, { path: this.fifoPath, line: lineNo, command: name });
      return;
    }
    this.stats.add("commands_refused");
    this.logThrottled("warn", `command:${outcome.key}`, () => [
      `line ${lineNo} of FIFO ${this.fifoPath}: ${outcome.message}`,
      { path: this.fifoPath, line: lineNo, command: name, status: outcome.status },
    ]);
  }

  /** A well-formed command that is not taken: logged once per name (it is not the writer's line that is wrong). */
  private ignored(name: string, why: string): void {
    this.stats.add("commands_ignored");
    if (this.namesLogged.has(name) || this.namesLogged.size >= MAX_NAMES_LOGGED) return;
    this.namesLogged.add(name);
    const shown = name.length > 64 ? `${name.slice(0, 64)}...` : name;
    this.log.info(`FIFO ${this.fifoPath}: ${shown} ignored: ${why} (logged once per command)`, { path: this.fifoPath, line: this.lineNo, command: shown });
  }

  private rejectLine(rejection: Rejected, line: Buffer | undefined): void {
    this.stats.add("lines_rejected");
    this.stats.add(`rejected_${rejection.key}`);
    const lineNo = this.lineNo;
    this.logThrottled("warn", rejection.key, () => {
      const fields: Record<string, unknown> = { path: this.fifoPath, line: lineNo, reason: rejection.reason };
      if (line !== undefined) fields.preview = preview(line);
      return [`line ${lineNo} of FIFO ${this.fifoPath} rejected: ${rejection.reason}`, fields];
    });
  }

  /** At most a few lines per key and minute, with the count left out since; built only when written. */
  private logThrottled(level: "warn" | "info", key: string, line: () => [string, Record<string, unknown>]): void {
    const t = this.throttle.take(key);
    if (!t.log || !this.log.isLevelEnabled(level)) return;
    const [msg, fields] = line();
    this.log[level](msg, t.suppressed > 0 ? { ...fields, suppressed: t.suppressed } : fields);
  }
}
