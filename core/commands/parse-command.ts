/**
 * Turns an external command line (`[ts] NAME;args`, already split by parseExternalCommand)
 * into a typed MonitoringCommand, or says why not (docs/livestatus.md §5). The Livestatus
 * COMMAND handler uses it, and the Nagios command FIFO will.
 *
 * Arguments are split on `;`. A command whose last argument is text (a comment, an output)
 * gives that argument every further `;`; any other command sets arguments past its own
 * aside as `extra` (GUIs append some: logged at debug level, otherwise ignored).
 */
import { HOST_CHECK } from "../model/check-result";
import { checkResultFromCommand, type ExternalCommand } from "../model/external-command";
import { describeValue, reject, type Rejected } from "../model/normalize-result";
import type { CommandTarget, MonitoringCommand, ParsedCommand } from "./monitoring-command";

/** Seconds since the epoch from which a trailing ACKNOWLEDGE argument counts as Checkmk's expiry time (2001-09-09); below it the text is the comment's. */
const MIN_EXPIRY_EPOCH = 1_000_000_000;

/** The commands Tantale knows, with a reminder of their arguments for the error messages. */
const USAGE: Readonly<Record<string, string>> = {
  ACKNOWLEDGE_HOST_PROBLEM: "<host>;<sticky>;<notify>;<persistent>;<author>;<comment>",
  ACKNOWLEDGE_SVC_PROBLEM: "<host>;<service>;<sticky>;<notify>;<persistent>;<author>;<comment>",
  ACKNOWLEDGE_HOST_PROBLEM_EXPIRE: "<host>;<sticky>;<notify>;<persistent>;<end_time>;<author>;<comment>",
  ACKNOWLEDGE_SVC_PROBLEM_EXPIRE: "<host>;<service>;<sticky>;<notify>;<persistent>;<end_time>;<author>;<comment>",
  REMOVE_HOST_ACKNOWLEDGEMENT: "<host>",
  REMOVE_SVC_ACKNOWLEDGEMENT: "<host>;<service>",
  SCHEDULE_HOST_DOWNTIME: "<host>;<start>;<end>;<fixed>;<trigger_id>;<duration>;<author>;<comment>",
  SCHEDULE_HOST_SVC_DOWNTIME: "<host>;<start>;<end>;<fixed>;<trigger_id>;<duration>;<author>;<comment>",
  SCHEDULE_SVC_DOWNTIME: "<host>;<service>;<start>;<end>;<fixed>;<trigger_id>;<duration>;<author>;<comment>",
  DEL_HOST_DOWNTIME: "<downtime_id>",
  DEL_SVC_DOWNTIME: "<downtime_id>",
  ADD_HOST_COMMENT: "<host>;<persistent>;<author>;<comment>",
  ADD_SVC_COMMENT: "<host>;<service>;<persistent>;<author>;<comment>",
  DEL_HOST_COMMENT: "<comment_id>",
  DEL_SVC_COMMENT: "<comment_id>",
  DEL_HOST: "<host>",
  DEL_SVC: "<host>;<service>",
  SCHEDULE_FORCED_HOST_CHECK: "<host>;<check_time>",
  SCHEDULE_FORCED_SVC_CHECK: "<host>;<service>;<check_time>",
  SCHEDULE_HOST_CHECK: "<host>;<check_time>",
  SCHEDULE_SVC_CHECK: "<host>;<service>;<check_time>",
};

/** The command names parseCommand accepts (PROCESS_*_CHECK_RESULT included), sorted. */
export const KNOWN_COMMANDS: readonly string[] = Object.freeze([...Object.keys(USAGE), "PROCESS_HOST_CHECK_RESULT", "PROCESS_SERVICE_CHECK_RESULT"].sort());

class ArgumentError extends Error {}

/** Reads one command's arguments in order; throws ArgumentError with the message the client gets. */
class Args {
  private next = 0;

  constructor(
    private readonly name: string,
    /** The command's arguments as its error messages show them (USAGE[name]). */
    private readonly usage: string,
    private readonly parts: readonly string[],
  ) {}

  private take(what: string): string {
    if (this.next >= this.parts.length) throw new ArgumentError(`${this.name} needs ${this.usage}: <${what}> is missing`);
    return this.parts[this.next++]!;
  }

  nonEmpty(what: string): string {
    const v = this.take(what);
    if (v === "") throw new ArgumentError(`${this.name}: <${what}> is empty`);
    return v;
  }

  host(): string {
    return this.nonEmpty("host");
  }

  service(): string {
    const v = this.nonEmpty("service");
    if (v === HOST_CHECK) throw new ArgumentError(`${this.name}: service "${HOST_CHECK}" is the host check: use the HOST command`);
    return v;
  }

  /** A whole number in [min, max]; digits only (Nagios' atoi would read "abc" as 0). */
  int(what: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    const text = this.take(what);
    const n = /^-?\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new ArgumentError(
        `${this.name}: <${what}> must be a whole number${max === Number.MAX_SAFE_INTEGER ? ` of at least ${min}` : ` from ${min} to ${max}`}, got ${describeValue(text)}`,
      );
    }
    return n;
  }

  /** May be empty (Nagios takes any text). */
  author(): string {
    return this.take("author");
  }

  flag(what: string): boolean {
    return this.int(what, 0, 2) !== 0;
  }

  /** The rest of the line, `;` included (a comment may hold any text). */
  text(what: string): string {
    const rest = this.parts.slice(this.next);
    this.next = this.parts.length;
    if (rest.length === 0) throw new ArgumentError(`${this.name} needs ${this.usage}: <${what}> is missing`);
    return rest.join(";");
  }

  /** Arguments left over: the command defines fewer. */
  rest(): string[] {
    const rest = this.parts.slice(this.next);
    this.next = this.parts.length;
    return rest;
  }
}

/**
 * @param now milliseconds since the epoch (for the PROCESS_* results' validation).
 * @returns the typed command, or a rejection whose `reason` is the message for the client
 *   and the log (`key`: unsupported_command or malformed_command, for counters and throttles).
 */
export function parseCommand(command: ExternalCommand, now: number): ParsedCommand | Rejected {
  const name = command.name;
  if (name === "PROCESS_HOST_CHECK_RESULT" || name === "PROCESS_SERVICE_CHECK_RESULT") {
    const outcome = checkResultFromCommand(command, now);
    if (!outcome.ok) return outcome;
    return { ok: true, name, time: command.timestamp, command: { kind: "result", result: outcome.result }, extra: [], warnings: outcome.warnings };
  }
  const usage = USAGE[name];
  if (usage === undefined) return checkResultFromCommand(command, now) as Rejected; // the one wording of "unsupported command X"
  const args = new Args(name, usage, command.rawArgs === undefined ? [] : command.rawArgs.split(";"));
  try {
    const { command: parsed, extra } = build(name, args);
    return { ok: true, name, time: command.timestamp, command: parsed, extra, warnings: [] };
  } catch (err) {
    if (err instanceof ArgumentError) return reject("malformed_command", err.message);
    throw err;
  }
}

function build(name: string, a: Args): { command: MonitoringCommand; extra: string[] } {
  const only = (command: MonitoringCommand): { command: MonitoringCommand; extra: string[] } => ({ command, extra: a.rest() });
  const whole = (command: MonitoringCommand): { command: MonitoringCommand; extra: string[] } => ({ command, extra: [] });
  switch (name) {
    case "ACKNOWLEDGE_HOST_PROBLEM":
    case "ACKNOWLEDGE_SVC_PROBLEM":
    case "ACKNOWLEDGE_HOST_PROBLEM_EXPIRE":
    case "ACKNOWLEDGE_SVC_PROBLEM_EXPIRE": {
      const target = name.startsWith("ACKNOWLEDGE_SVC") ? service(a) : host(a);
      const sticky = a.int("sticky", 0, 2) === 2;
      const notify = a.flag("notify");
      const persistent = a.flag("persistent");
      const expiring = name.endsWith("_EXPIRE");
      const expireTime = expiring ? a.int("end_time") : 0;
      const author = a.author();
      const text = a.text("comment");
      const { comment, expiry } = expiring ? { comment: text, expiry: expireTime } : trailingExpiry(text);
      return whole({ kind: "acknowledge", target, sticky, notify, persistent, author, comment, expireTime: expiry });
    }
    case "REMOVE_HOST_ACKNOWLEDGEMENT":
      return only({ kind: "remove-acknowledgement", target: host(a) });
    case "REMOVE_SVC_ACKNOWLEDGEMENT":
      return only({ kind: "remove-acknowledgement", target: service(a) });
    case "SCHEDULE_HOST_DOWNTIME":
    case "SCHEDULE_HOST_SVC_DOWNTIME":
    case "SCHEDULE_SVC_DOWNTIME": {
      const target = name === "SCHEDULE_SVC_DOWNTIME" ? service(a) : host(a);
      const startTime = a.int("start");
      const endTime = a.int("end");
      const fixed = a.int("fixed", 0, 1) === 1;
      const triggeredBy = a.int("trigger_id");
      const duration = a.int("duration");
      const author = a.author();
      const comment = a.text("comment");
      if (endTime <= startTime) throw new ArgumentError(`${name}: <end> (${endTime}) must be after <start> (${startTime})`);
      if (!fixed && duration <= 0) throw new ArgumentError(`${name}: a flexible downtime (fixed 0) needs a <duration> of at least 1 second`);
      return whole({
        kind: "schedule-downtime",
        withServices: name === "SCHEDULE_HOST_SVC_DOWNTIME",
        target,
        startTime,
        endTime,
        fixed,
        triggeredBy,
        duration: fixed ? endTime - startTime : duration,
        author,
        comment,
      });
    }
    case "DEL_HOST_DOWNTIME":
    case "DEL_SVC_DOWNTIME":
      return only({ kind: "delete-downtime", id: a.int("downtime_id", 1), service: name === "DEL_SVC_DOWNTIME" });
    case "ADD_HOST_COMMENT":
    case "ADD_SVC_COMMENT": {
      const target = name === "ADD_SVC_COMMENT" ? service(a) : host(a);
      const persistent = a.flag("persistent");
      const author = a.author();
      return whole({ kind: "add-comment", target, persistent, author, comment: a.text("comment") });
    }
    case "DEL_HOST_COMMENT":
    case "DEL_SVC_COMMENT":
      return only({ kind: "delete-comment", id: a.int("comment_id", 1), service: name === "DEL_SVC_COMMENT" });
    case "DEL_HOST":
      return only({ kind: "remove-object", target: host(a), withServices: true });
    case "DEL_SVC":
      return only({ kind: "remove-object", target: service(a), withServices: false });
    case "SCHEDULE_FORCED_HOST_CHECK":
    case "SCHEDULE_HOST_CHECK":
    case "SCHEDULE_FORCED_SVC_CHECK":
    case "SCHEDULE_SVC_CHECK": {
      const target = name.endsWith("SVC_CHECK") ? service(a) : host(a);
      a.int("check_time"); // checked, then unused: nothing is scheduled
      return only({ kind: "no-op", target });
    }
    default:
      throw new Error(`parseCommand: ${name} is in USAGE but not built`);
  }
}

function host(a: Args): CommandTarget {
  return { hostname: a.host(), check: HOST_CHECK };
}

function service(a: Args): CommandTarget {
  return { hostname: a.host(), check: a.service() };
}

/**
 * Checkmk's GUI appends an expiry time to ACKNOWLEDGE_* (`…;author;comment;0`): a last
 * `;`-separated part that is 0 or a plausible epoch time is taken as that; anything else
 * stays part of the comment (which may hold `;`).
 */
function trailingExpiry(text: string): { comment: string; expiry: number } {
  const cut = text.lastIndexOf(";");
  if (cut < 0) return { comment: text, expiry: 0 };
  const last = text.slice(cut + 1);
  if (!/^\d{1,12}$/.test(last)) return { comment: text, expiry: 0 };
  const n = Number(last);
  if (n !== 0 && n < MIN_EXPIRY_EPOCH) return { comment: text, expiry: 0 };
  return { comment: text.slice(0, cut), expiry: n };
}
