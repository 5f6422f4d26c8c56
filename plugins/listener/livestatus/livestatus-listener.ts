import path from "node:path";
import { inject, injectable } from "tsyringe";
import type { Clock } from "../../../core/clock";
import { LivestatusServer } from "../../../core/livestatus/livestatus-server";
import type { CommandRequest } from "../../../core/livestatus/query";
import type { TableRegistry } from "../../../core/livestatus/table-registry";
import type { Logger } from "../../../core/log/logger";
import { Throttle } from "../../../core/log/throttle";
import { checkResultFromCommand, parseExternalCommand } from "../../../core/model/external-command";
import type { ListenerPlugin, Sink } from "../../../core/plugin/api";
import { CLOCK, DATA_DIR, LOGGER, PLUGIN_CONFIG, SINK, TABLES } from "../../../core/tokens";
import type { LivestatusConfig } from "./schema";

/** How much of a command line a log line quotes. */
const PREVIEW_CHARS = 200;

/**
 * The Livestatus listener: serves the tables that table plugins registered in TABLES to
 * GUIs and scripts (livestatus.md), and takes their COMMANDs. Check results sent as
 * `PROCESS_SERVICE_CHECK_RESULT` / `PROCESS_HOST_CHECK_RESULT` go to the sink like any
 * input's; the other commands (acknowledgements, downtimes, comments) are logged as not
 * supported yet.
 */
@injectable()
export class LivestatusListener implements ListenerPlugin {
  private server: LivestatusServer | undefined;
  private stopping: Promise<void> | undefined;
  private readonly throttle: Throttle;

  constructor(
    @inject(PLUGIN_CONFIG) private readonly config: LivestatusConfig,
    @inject(TABLES) private readonly tables: TableRegistry,
    @inject(SINK) private readonly sink: Sink,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(LOGGER) private readonly log: Logger,
    @inject(DATA_DIR) private readonly dataDir: string,
  ) {
    this.throttle = new Throttle(clock);
  }

  /** The TCP port listened on (the one the system chose for port 0). */
  get port(): number {
    return this.server?.port ?? this.config.port;
  }

  /** Connections open now (TCP and unix socket). */
  get connectionCount(): number {
    return this.server?.connectionCount ?? 0;
  }

  /** The unix socket's absolute path, undefined without one. */
  get socketPath(): string | undefined {
    return this.config.path === "" ? undefined : path.resolve(this.dataDir, this.config.path);
  }

  async start(): Promise<void> {
    const mode = parseMode(this.config.mode);
    if (!Number.isSafeInteger(this.config.max_request_bytes) || this.config.max_request_bytes < 1) {
      throw new Error(`max_request_bytes must be at least 1 byte, got ${this.config.max_request_bytes}`);
    }
    if (this.config.max_connections < 0) throw new Error(`max_connections must be 0 (no limit) or more, got ${this.config.max_connections}`);
    const server = new LivestatusServer({
      tables: this.tables,
      onCommand: (command, authUser, peer) => this.onCommand(command, authUser, peer),
      log: this.log,
      clock: this.clock,
      maxRequestBytes: this.config.max_request_bytes,
      idleTimeoutMs: this.config.idle_timeout,
      maxConnections: this.config.max_connections,
    });
    const unix = this.socketPath;
    await server.listen({ tcp: { host: this.config.bind, port: this.config.port }, ...(unix === undefined ? {} : { unix: { path: unix, mode } }) });
    this.server = server;
    this.log.info(`livestatus listening on ${this.config.bind}:${this.port}${unix === undefined ? "" : ` and ${unix}`}`, { bind: this.config.bind, port: this.port, path: unix });
  }

  /** May be called more than once: every call waits for the same stop. */
  stop(): Promise<void> {
    return (this.stopping ??= this.shutdown());
  }

  private async shutdown(): Promise<void> {
    if (this.server === undefined) return;
    await this.server.stop();
    this.log.info("livestatus stopped");
  }

  /**
   * A COMMAND: check results are validated like any input's and put into the sink; a
   * rejected one is logged with the peer. The client gets no answer either way
   * (livestatus.md §5), but the next request on the connection waits until the result is
   * applied and committed, so that it sees the command's effect (as Checkmk and icinga2).
   * The wait is bounded: an output that keeps failing must not stall the connection.
   */
  private onCommand(request: CommandRequest, authUser: string | undefined, peer: string): Promise<void> | undefined {
    const command = parseExternalCommand(request.line);
    if (!command.ok) {
      this.warn(command.key, `command from ${peer} rejected: ${command.reason}`, { peer, command: request.line.slice(0, PREVIEW_CHARS) });
      return;
    }
    if (command.name !== "PROCESS_SERVICE_CHECK_RESULT" && command.name !== "PROCESS_HOST_CHECK_RESULT") {
      this.warn(`unsupported:${command.name}`, `command not supported yet: ${command.name} (from ${peer})`, { peer, command: command.name, ...(authUser === undefined ? {} : { authUser }) });
      return;
    }
    const outcome = checkResultFromCommand(command, this.clock.now());
    if (!outcome.ok) {
      this.warn(outcome.key, `command ${command.name} from ${peer} rejected: ${outcome.reason}`, { peer, command: request.line.slice(0, PREVIEW_CHARS) });
      return;
    }
    this.sink.accept(outcome.result);
    for (const warning of outcome.warnings) this.log.info(`command ${command.name} from ${peer} accepted with a warning: ${warning}`, { peer, warning });
    return boundedWait(this.sink.sync(), COMMAND_APPLY_WAIT_MS);
  }

  /** At most a few lines per key and minute: a client looping on a bad command cannot fill the disk. */
  private warn(key: string, msg: string, fields: Record<string, unknown>): void {
    const t = this.throttle.take(key);
    if (t.log) this.log.warn(msg, t.suppressed > 0 ? { ...fields, suppressed: t.suppressed } : fields);
  }
}

/** Longest a request waits, after a command on its connection, for the command to be applied. */
const COMMAND_APPLY_WAIT_MS = 2000;

function boundedWait(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** `0660` and the like: 3 or 4 octal digits, checked here because the conf format is a plain string. */
function parseMode(text: string): number {
  if (!/^[0-7]{3,4}$/.test(text)) throw new Error(`mode must be 3 or 4 octal digits such as 0660, got "${text}"`);
  return Number.parseInt(text, 8);
}
