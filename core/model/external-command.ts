import { HOST_CHECK } from "./check-result";
import { normalizeCommandResult, normalizeResult, reject, describeValue, type Normalized, type Rejected } from "./normalize-result";
import { unescapeNagios } from "./plugin-output";

/** One well-formed Nagios external command line: `[<epoch>] <NAME>[;<args>]`. */
export interface ExternalCommand {
  readonly ok: true;
  /** Seconds since the epoch, as the writer stamped it. */
  readonly timestamp: number;
  /** Upper-cased (Nagios compares ids case-insensitively). */
  readonly name: string;
  /** Everything after the first `;`, undefined when there is none. */
  readonly rawArgs: string | undefined;
}

/**
 * Stricter than Nagios (docs/inputs.md 1.1): Nagios ignores text before `[`, takes `strtoul` of
 * the timestamp (junk gives 0) and drops the first character after `]` whatever it is.
 * Here the line must be exactly this. No backtracking: the classes do not overlap.
 */
const HEAD = /^\[(\d{1,12})\] ([A-Za-z_]+)(?=;|$)/;
const MAX_NAME_IN_REASON = 64;

/** Parses one command line (without its newline). Generic: the FIFO input and the Livestatus COMMAND handler use it too. */
export function parseExternalCommand(line: string): ExternalCommand | Rejected {
  const m = HEAD.exec(line);
  if (m === null) return reject("malformed_command", malformedReason(line));
  const end = m[0].length;
  return { ok: true, timestamp: Number(m[1]), name: m[2]!.toUpperCase(), rawArgs: end < line.length ? line.slice(end + 1) : undefined };
}

function malformedReason(line: string): string {
  const close = line.indexOf("]");
  if (line.charCodeAt(0) !== 0x5b /* [ */ || close < 0) return "malformed external command: expected [<epoch seconds>] <COMMAND>;<args>";
  if (!/^\[\d{1,12}\]/.test(line))
    return `malformed external command: the timestamp must be 1 to 12 digits of epoch seconds, got ${describeValue(line.slice(1, close))}`;
  if (line.charCodeAt(close + 1) !== 0x20) return "malformed external command: a space must follow ]";
  return "malformed external command: the command name must be letters and _, then ; or the end of the line";
}

/**
 * A check result from a `PROCESS_SERVICE_CHECK_RESULT` or `PROCESS_HOST_CHECK_RESULT`
 * command, through normalizeResult. The return code must be a decimal integer (Nagios'
 * atoi would file "abc" as 0 OK); the output is unescaped (`\n`, `\\`) and may contain `;`.
 * Any other command is rejected with key `unsupported_command`; `PROCESS_FILE` never will
 * be supported (it reads any file the daemon can).
 */
export function checkResultFromCommand(command: ExternalCommand, now: number): Normalized {
  switch (command.name) {
    case "PROCESS_SERVICE_CHECK_RESULT": {
      const f = fields(command.rawArgs, 3);
      if (f === undefined) return reject("malformed_command", "PROCESS_SERVICE_CHECK_RESULT needs <host>;<service>;<code>;<output>");
      if (f[1] === HOST_CHECK) return reject("check", `service "${HOST_CHECK}" is reserved for the host check: use PROCESS_HOST_CHECK_RESULT`);
      return normalizeResult({ hostname: f[0], check: f[1], status: f[2], output: unescapeNagios(f[3]!), timestamp: command.timestamp }, now);
    }
    case "PROCESS_HOST_CHECK_RESULT": {
      const f = fields(command.rawArgs, 2);
      if (f === undefined) return reject("malformed_command", "PROCESS_HOST_CHECK_RESULT needs <host>;<code>;<output>");
      return normalizeResult({ hostname: f[0], check: HOST_CHECK, status: f[1], output: unescapeNagios(f[2]!), timestamp: command.timestamp }, now);
    }
    case "PROCESS_FILE":
      return reject("unsupported_command", "unsupported command PROCESS_FILE (never supported: it would read any file)");
    default: {
      const n = command.name;
      return reject("unsupported_command", `unsupported command ${n.length > MAX_NAME_IN_REASON ? `${n.slice(0, MAX_NAME_IN_REASON)}...` : n}`);
    }
  }
}

const SERVICE_RESULT = "PROCESS_SERVICE_CHECK_RESULT;";
const HOST_RESULT = "PROCESS_HOST_CHECK_RESULT;";

/**
 * The check result of a well-formed `[<epoch>] PROCESS_SERVICE_CHECK_RESULT;…` or
 * `PROCESS_HOST_CHECK_RESULT;…` line, in one scan: no regex match, no command object, no
 * list of fields (the garbage of the general path was a third of what a result costs to take
 * in). Undefined for any other line, which the general path (parseExternalCommand and
 * checkResultFromCommand) then takes, reasons and all; for these lines both give the same.
 */
export function checkResultFromLine(line: string, now: number): Normalized | undefined {
  if (line.charCodeAt(0) !== 0x5b /* [ */) return undefined;
  let timestamp = 0;
  let i = 1;
  for (; i < line.length && i <= 12; i++) {
    const d = line.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) break;
    timestamp = timestamp * 10 + d;
  }
  if (i === 1 || line.charCodeAt(i) !== 0x5d /* ] */ || line.charCodeAt(i + 1) !== 0x20) return undefined;
  const name = i + 2;
  if (line.startsWith(SERVICE_RESULT, name)) {
    const host = name + SERVICE_RESULT.length;
    const service = line.indexOf(";", host) + 1;
    const code = service === 0 ? -1 : line.indexOf(";", service) + 1;
    if (code <= 0) return undefined;
    const check = line.slice(service, code - 1);
    if (check === HOST_CHECK) return undefined;
    return fromFields(line, host, service - 1, check, code, timestamp, now);
  }
  if (line.startsWith(HOST_RESULT, name)) {
    const host = name + HOST_RESULT.length;
    const code = line.indexOf(";", host) + 1;
    if (code === 0) return undefined;
    return fromFields(line, host, code - 1, HOST_CHECK, code, timestamp, now);
  }
  return undefined;
}

/** The host name from `host` to `hostEnd`, the return code from `code` to the next `;` (or the end: empty output). */
function fromFields(line: string, host: number, hostEnd: number, check: string, code: number, timestamp: number, now: number): Normalized {
  const codeEnd = line.indexOf(";", code);
  const status = codeEnd < 0 ? line.slice(code) : line.slice(code, codeEnd);
  const output = codeEnd < 0 ? "" : unescapeNagios(line.slice(codeEnd + 1));
  return normalizeCommandResult(line.slice(host, hostEnd), check, status, output, timestamp, now);
}

/**
 * `count` fields ended by `;`, then the rest of the line (which may hold `;`, and may be
 * missing: Nagios takes an absent output as empty). Undefined when a field is missing.
 */
function fields(args: string | undefined, count: number): string[] | undefined {
  if (args === undefined) return undefined;
  const out: string[] = [];
  let from = 0;
  for (let i = 0; i < count - 1; i++) {
    const sep = args.indexOf(";", from);
    if (sep < 0) return undefined;
    out.push(args.slice(from, sep));
    from = sep + 1;
  }
  const sep = args.indexOf(";", from);
  if (sep < 0) out.push(args.slice(from), "");
  else out.push(args.slice(from, sep), args.slice(sep + 1));
  return out;
}
