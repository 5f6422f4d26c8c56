/**
 * Carries out external commands for every way they arrive (the Livestatus COMMAND, later the
 * Nagios command FIFO): parse, order after the results accepted before, authorize, apply to
 * the state engine, log, commit. Check results (PROCESS_*_CHECK_RESULT) go through the sink
 * like any input's results; everything else is applied to the engine directly.
 */
import type { Clock } from "../clock";
import { HOST_CHECK } from "../model/check-result";
import { parseExternalCommand } from "../model/external-command";
import type { Sink } from "../plugin/api";
import type { CheckKey } from "../state/check-state";
import { describeObject, unknownObject, type Applied, type StateEngine } from "../state/state-engine";
import { checkVisibleTo } from "../state/visibility";
import type { MonitoringCommand, ParsedCommand } from "./monitoring-command";
import { KNOWN_COMMANDS, parseCommand } from "./parse-command";

/** Who sent a command. */
export interface CommandContext {
  /** Livestatus AuthUser: the command is refused on objects this user cannot see; undefined allows all (as Livestatus does). */
  readonly authUser: string | undefined;
  /** The commands the socket it came on accepts (commandAllowList); undefined: all. Others are refused with 403. */
  readonly allowed?: ReadonlySet<string>;
}

/** What became of a command: done (status 200, with notes for the log) or refused (400 malformed, 403 not allowed, 503 the store cannot write it). */
export type CommandOutcome =
  | {
      readonly status: 200;
      readonly name: string;
      /** Why an accepted command changed nothing, for the log. */
      readonly note?: string;
      /** Ids of the downtimes or comments it created. */
      readonly ids?: readonly number[];
      readonly extra: readonly string[];
      readonly warnings: readonly string[];
    }
  | {
      readonly status: 400 | 403 | 503;
      /** The command name when it could be read. */
      readonly name: string | undefined;
      readonly message: string;
      /** Stable rule name for counters and log throttles. */
      readonly key: string;
    };

/** Longest a command waits for the results accepted before it, and then for its own commit: a failing store must not stall the client. */
export const COMMAND_WAIT_MS = 2000;

export class CommandExecutor {
  constructor(
    private readonly engine: StateEngine,
    private readonly sink: Sink,
    private readonly clock: Clock,
    private readonly waitMs: number = COMMAND_WAIT_MS,
  ) {}

  /**
   * @param line `[ts] NAME;args` (the text after `COMMAND `).
   * Resolves once the command is applied and committed (or the wait ran out: it is applied
   * in memory and committed when the store allows); never rejects for a bad command.
   */
  async execute(line: string, context: CommandContext): Promise<CommandOutcome> {
    const external = parseExternalCommand(line);
    if (!external.ok) return { status: 400, name: undefined, message: external.reason, key: external.key };
    // Before the arguments are read: a socket that does not take a command says so whatever follows. Unknown names go on to their 400.
    if (context.allowed !== undefined && !context.allowed.has(external.name) && KNOWN_COMMANDS.includes(external.name)) {
      return { status: 403, name: external.name, message: `${external.name} is not accepted on this socket (its commands option)`, key: "command_not_allowed" };
    }
    const parsed = parseCommand(external, this.clock.now());
    if (!parsed.ok)
      return {
        status: 400,
        name: external.name,
        message: parsed.reason.includes(external.name) ? parsed.reason : `${external.name}: ${parsed.reason}`,
        key: parsed.key,
      };
    const { command } = parsed;
    if (command.kind === "result") {
      const refused = this.refusal(parsed, command.result, context, true);
      if (refused !== undefined) return refused;
      this.engine.logCommand(parsed.name, external.rawArgs, command.result);
      this.sink.accept(command.result);
      await bounded(this.sink.sync(), this.waitMs);
      return done(parsed);
    }
    // Results accepted before the command are applied first: arrival order, then timestamps (state-engine.ts).
    await bounded(this.sink.sync(), this.waitMs);
    // An unknown id has no object to authorize: the engine refuses it below.
    const target = this.targetOf(command);
    if (target !== undefined) {
      const refused = this.refusal(parsed, target, context, false);
      if (refused !== undefined) return refused;
    }
    const applied = this.apply(command, parsed.time);
    if (!applied.ok) return { status: 400, name: parsed.name, message: applied.message, key: "refused" };
    this.engine.logCommand(parsed.name, external.rawArgs, target);
    // A commit that fails rolls the command back in memory: the client is told it did not happen.
    const failure = await commitFailure(this.engine.flush(), this.waitMs);
    if (failure !== undefined)
      return {
        status: 503,
        name: parsed.name,
        message: `${parsed.name}: not applied, the store cannot write it (${failure}); send it again later`,
        key: "store_failed",
      };
    return { ...done(parsed), ...(applied.note === undefined ? {} : { note: applied.note }), ...(applied.ids === undefined ? {} : { ids: applied.ids }) };
  }

  /** The object a command acts on; for a deletion by id, the record's object (undefined: no such id). */
  private targetOf(command: MonitoringCommand): CheckKey | undefined {
    switch (command.kind) {
      case "delete-downtime":
        return this.engine.downtime(command.id);
      case "delete-comment":
        return this.engine.comment(command.id);
      case "result":
        return command.result;
      default:
        return command.target;
    }
  }

  /**
   * 403 when AuthUser may not see the object. An object Tantale does not know is left to the
   * engine (400 "not known"); a result may create one, and a result for a new service of a
   * known host is allowed to whoever sees the host.
   */
  private refusal(parsed: ParsedCommand, target: CheckKey, context: CommandContext, isResult: boolean): CommandOutcome | undefined {
    const user = context.authUser;
    if (user === undefined) return undefined;
    const entry = this.engine.host(target.hostname);
    if (entry === undefined) return undefined;
    const check = isResult && target.check !== HOST_CHECK && !entry.services.has(target.check) ? HOST_CHECK : target.check;
    if (checkVisibleTo(entry, check, user)) return undefined;
    return { status: 403, name: parsed.name, message: `${parsed.name}: AuthUser ${user} is not a contact of ${describeObject(target)}`, key: "not_authorized" };
  }

  private apply(command: MonitoringCommand, time: number): Applied {
    const engine = this.engine;
    switch (command.kind) {
      case "acknowledge":
        return engine.acknowledge(command.target, command, time);
      case "remove-acknowledgement":
        return engine.removeAcknowledgement(command.target, time);
      case "schedule-downtime":
        return engine.scheduleDowntime(command.target, command, command.withServices, time);
      case "delete-downtime":
        return engine.deleteDowntime(command.id, command.service);
      case "add-comment":
        return engine.addComment(command.target, command, time);
      case "delete-comment":
        return engine.deleteComment(command.id, command.service);
      case "remove-object":
        return engine.removeObject(command.target, command.withServices, time);
      case "no-op":
        if (command.target !== undefined && !engine.knows(command.target)) return unknownObject(command.target);
        return { ok: true, note: "a passive daemon schedules no checks: nothing to do" };
      case "result":
        throw new Error("CommandExecutor.apply: results go to the sink");
    }
  }
}

function done(parsed: ParsedCommand): CommandOutcome {
  return { status: 200, name: parsed.name, extra: parsed.extra, warnings: parsed.warnings };
}

/** Waits for the command's commit at most `ms` (then it counts as done and commits when the store allows); the error's message when it was rolled back. */
async function commitFailure(commit: Promise<void>, ms: number): Promise<string | undefined> {
  let message: string | undefined;
  await bounded(
    commit.catch((err: unknown) => void (message = rootMessage(err))),
    ms,
  );
  return message;
}

/** The innermost cause's words (SQLite's "database or disk is full"), without the file's path. */
function rootMessage(err: unknown): string {
  let e = err;
  while (e instanceof Error && e.cause !== undefined) e = e.cause;
  return (e instanceof Error ? e.message : String(e)).replace(/\s+/g, " ");
}

/** Waits for `work` at most `ms`; its failure is not the command's (the engine retries commits). */
function bounded(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  return Promise.race([work.catch(() => undefined), timeout]).finally(() => clearTimeout(timer));
}
