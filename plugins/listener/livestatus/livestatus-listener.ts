import path from "node:path";
import { inject, injectable } from "tsyringe";
import type { Clock } from "../../../core/clock";
import { LivestatusServer } from "../../../core/livestatus/protocol/livestatus-server";
import type { CommandExecutor } from "../../../core/commands/command-executor";
import { commandAllowList } from "../../../core/commands/command-allow-list";
import type { CommandRefusal } from "../../../core/livestatus/protocol/livestatus-connection";
import type { CommandRequest } from "../../../core/livestatus/protocol/query";
import type { TableRegistry } from "../../../core/livestatus/query/table-registry";
import type { Logger } from "../../../core/log/logger";
import { Throttle } from "../../../core/log/throttle";
import type { Endpoint, ListenerPlugin } from "../../../core/plugin/api";
import { peerOf } from "../../../core/net/peer-access";
import type { InstanceStats } from "../../../core/metrics/self-stats";
import type { StateEngine } from "../../../core/state/state-engine";
import { CLOCK, COMMANDS, DATA_DIR, INSTANCE_STATS, LOGGER, LOOP_TURNS, STATE_ENGINE, TABLES } from "../../../core/tokens";
import { LoopTurns } from "../../../core/net/loop-turns";
import { LIVESTATUS_CONFIG, type LivestatusConfig } from "./schema";

/** How much of a command line a log line quotes. */
const PREVIEW_CHARS = 200;

/**
 * The Livestatus listener: serves the tables that table plugins registered in TABLES to
 * GUIs and scripts (docs/livestatus.md), and hands their COMMANDs to the core's CommandExecutor
 * (acknowledgements, downtimes, comments, removals, check results). Every command is logged:
 * accepted at info level, refused as a warning naming the peer and the line.
 */
@injectable()
export class LivestatusListener implements ListenerPlugin {
  private server: LivestatusServer | undefined;
  private stopping: Promise<void> | undefined;
  private readonly throttle: Throttle;
  /** The commands this socket accepts (the commands option), set at start. */
  private allowed: ReadonlySet<string> = new Set();

  constructor(
    @inject(LIVESTATUS_CONFIG) private readonly config: LivestatusConfig,
    @inject(TABLES) private readonly tables: TableRegistry,
    @inject(COMMANDS) private readonly commands: CommandExecutor,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(LOGGER) private readonly log: Logger,
    @inject(DATA_DIR) private readonly dataDir: string,
    @inject(INSTANCE_STATS) private readonly stats: InstanceStats,
    /** The state engine's change notices (its `changes`), which wake Wait queries. */
    @inject(STATE_ENGINE) private readonly engine: Pick<StateEngine, "changes">,
    /** Shared with the inputs: requests wait their turn when much is ready at once. */
    @inject(LOOP_TURNS) private readonly loopTurns: LoopTurns = new LoopTurns(),
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

  endpoints(): Endpoint[] {
    const unix = this.socketPath;
    return [
      { role: "listen", address: peerOf(this.config.bind, this.port) },
      ...(unix === undefined ? [] : [{ role: "listen" as const, address: unix, note: "unix socket" }]),
    ];
  }

  /** The options are valid: the schema's ranges and checks refused the others (check-config too). */
  async start(): Promise<void> {
    const mode = Number.parseInt(this.config.mode, 8);
    this.allowed = commandAllowList(this.config.commands);
    const server = new LivestatusServer({
      tables: this.tables,
      onCommand: (command, authUser, peer) => this.onCommand(command, authUser, peer),
      log: this.log,
      clock: this.clock,
      maxRequestBytes: this.config.max_request_bytes,
      idleTimeoutMs: this.config.idle_timeout,
      requestTimeoutMs: this.config.request_timeout,
      writeTimeoutMs: this.config.write_timeout,
      answerMemoryBytes: this.config.answer_memory,
      maxConnections: this.config.max_connections,
      maxConnectionsPerPeer: this.config.max_connections_per_peer,
      stats: this.stats,
      changes: this.engine.changes,
      loopTurns: this.loopTurns,
    });
    const unix = this.socketPath;
    await server.listen({ tcp: { host: this.config.bind, port: this.config.port }, ...(unix === undefined ? {} : { unix: { path: unix, mode } }) });
    this.server = server;
    this.log.info(`livestatus listening on ${this.config.bind}:${this.port}${unix === undefined ? "" : ` and ${unix}`}`, {
      bind: this.config.bind,
      port: this.port,
      path: unix,
    });
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
   * A COMMAND, carried out by the executor. The client gets no answer unless the command is
   * refused and asked for fixed16 (livestatus-connection.ts), but the next request on the
   * connection waits until the command is applied and committed (bounded by the executor),
   * so that it sees the command's effect, as with Checkmk and icinga2.
   */
  private async onCommand(request: CommandRequest, authUser: string | undefined, peer: string): Promise<CommandRefusal | undefined> {
    const outcome = await this.commands.execute(request.line, { authUser, allowed: this.allowed });
    const fields = { peer, command: request.line.slice(0, PREVIEW_CHARS), ...(authUser === undefined ? {} : { authUser }) };
    if (outcome.status !== 200) {
      this.warn(`${outcome.key}:${outcome.name ?? "?"}`, `command from ${peer} refused (${outcome.status}): ${outcome.message}`, fields);
      return { status: outcome.status, message: outcome.message };
    }
    // Results are the bulk of commands from scripts: logged at debug level, the others at info.
    const level = outcome.name.startsWith("PROCESS_") ? "debug" : "info";
    this.log[level](`command ${outcome.name} from ${peer}${outcome.note === undefined ? "" : `: ${outcome.note}`}`, {
      ...fields,
      ...(outcome.ids === undefined ? {} : { ids: outcome.ids }),
    });
    if (outcome.extra.length > 0) this.log.debug(`command ${outcome.name} from ${peer}: extra arguments ignored`, { peer, extra: outcome.extra });
    for (const warning of outcome.warnings) this.log.info(`command ${outcome.name} from ${peer} accepted with a warning: ${warning}`, { peer, warning });
    return undefined;
  }

  /** At most a few lines per key and minute: a client looping on a bad command cannot fill the disk. */
  private warn(key: string, msg: string, fields: Record<string, unknown>): void {
    const t = this.throttle.take(key);
    if (t.log) this.log.warn(msg, t.suppressed > 0 ? { ...fields, suppressed: t.suppressed } : fields);
  }
}
