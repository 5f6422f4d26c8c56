import { checkResultFromCommand, checkResultFromLine, parseExternalCommand } from "../../../core/model/external-command";
import { normalizeResult, reject, type Normalized } from "../../../core/model/normalize-result";

export { decodeLine, skipBlanks } from "../../../core/input/line-text";

/**
 * Turning one framed line into a check result, or into the reason it is not one
 * (docs/inputs.md §0 and §5). Pure: no socket, no log, no counters; the caller settles the
 * outcome. The line protocol's own commands (AUTH, SYNC) are the caller's.
 */

/**
 * A complete line, decoded, not blank, from its first non-blank character at `start`:
 * dispatched on that character, so each line is parsed only the way it can succeed.
 */
export function parseLine(text: string, start: number, now: number): Normalized {
  // Leading blanks are ASCII: the byte offset is the character offset.
  const first = text.charCodeAt(start);
  if (first === 0x7b /* { */) return fromJson(text, now);
  if (first === 0x5b /* [ */) return fromCommand(start === 0 ? text : text.slice(start), now);
  return fromOther(text, now);
}

/**
 * The unterminated last line after a clean FIN, decoded and not blank. Taken only when it
 * is a complete JSON result: a Nagios line cut short would still parse, with its output cut.
 */
export function parseTail(text: string, start: number, now: number): Normalized {
  if (text.charCodeAt(start) !== 0x7b /* { */)
    return reject("unterminated", "last line has no newline, discarded (only a complete JSON object is taken without one)");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return reject("unterminated", "last line has no newline and is incomplete JSON, discarded");
  }
  return normalizeResult(value, now);
}

function fromJson(text: string, now: number): Normalized {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return reject("invalid_json", `invalid JSON: ${jsonError(err)}`);
  }
  return normalizeResult(value, now);
}

function fromCommand(text: string, now: number): Normalized {
  const fast = checkResultFromLine(text, now);
  if (fast !== undefined) return fast;
  const command = parseExternalCommand(text);
  if (command.ok) return checkResultFromCommand(command, now);
  // `[]`, `[1,2]`: JSON, just not an object.
  if (text.charCodeAt(text.length - 1) === 0x5d /* ] */) {
    try {
      return normalizeResult(JSON.parse(text), now);
    } catch {
      // not JSON either: the command's reason says more
    }
  }
  return command;
}

/** Neither `{` nor `[` first: a misplaced AUTH, a graphite line on the wrong port, or a JSON scalar. */
function fromOther(text: string, now: number): Normalized {
  const trimmed = text.trim();
  if (trimmed.startsWith("AUTH ")) return reject("unexpected_auth", "unexpected AUTH line (no token is configured, or already authenticated)");
  if (looksLikeGraphite(trimmed)) return reject("graphite", "not JSON (graphite plaintext? wrong port)");
  try {
    // `null`, `42`, `"x"`: JSON, but not an object (normalizeResult says so).
    return normalizeResult(JSON.parse(trimmed), now);
  } catch {
    return reject("not_json", "not JSON nor a Nagios external command");
  }
}

/** `path value [timestamp]`: what Diamond and collectd send to Carbon's 2003. */
function looksLikeGraphite(text: string): boolean {
  const fields = text.split(/[ \t]+/, 4);
  if (fields.length < 2 || fields.length > 3) return false;
  const value = fields[1]!.toLowerCase();
  return !/["{}[\]]/.test(fields[0]!) && (Number.isFinite(Number(value)) || value === "nan" || value === "inf" || value === "-inf");
}

/** V8's message without the quoted piece of the line (the preview shows it). */
function jsonError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (message.startsWith("Unexpected token '") && message.endsWith(" is not valid JSON")) {
    const close = message.indexOf("', ", 19);
    if (close > 0) return message.slice(0, close + 1);
  }
  return message.length > 120 ? `${message.slice(0, 120)}...` : message;
}
