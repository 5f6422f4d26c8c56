/**
 * Parsers for single header values. Each throws LivestatusError 400 `<Header>: <reason>`
 * (docs/livestatus.md §2: "Any malformed value → 400"), so the client learns which line was wrong.
 */
import { LivestatusError } from "./livestatus-error";
import type { OutputFormat, Separators } from "./query";

const OUTPUT_FORMATS: readonly OutputFormat[] = ["csv", "CSV", "json", "python", "python3", "wrapped_json"];
export const WAIT_TRIGGERS: readonly string[] = ["check", "state", "log", "downtime", "comment", "command", "program", "all"];
const HALF_HOUR = 1800;
const DAY = 86_400;

function bad(header: string, reason: string): LivestatusError {
  return new LivestatusError(400, `${header}: ${reason}`);
}

/** One of `choices`, compared case-sensitively (`On` is not `on`, as in Checkmk). */
export function oneOf<T extends string>(header: string, value: string, choices: readonly T[]): T {
  const found = choices.find((c) => c === value);
  if (found === undefined) throw bad(header, `expected ${choices.map((c) => `'${c}'`).join(", ")}, got '${value}'`);
  return found;
}

export function onOff(header: string, value: string): boolean {
  return oneOf(header, value, ["on", "off"]) === "on";
}

export function outputFormat(value: string): OutputFormat {
  return oneOf("OutputFormat", value, OUTPUT_FORMATS);
}

/**
 * A non-negative decimal integer. Strict rather than atoi-like: a header value is
 * configuration, and `Limit: ten` silently meaning `Limit: 0` would hide the mistake.
 */
export function nonNegativeInteger(header: string, value: string): number {
  if (/^-\d+$/.test(value)) throw bad(header, `must not be negative, got '${value}'`);
  if (!/^\+?\d+$/.test(value)) throw bad(header, `expected a non-negative integer, got '${value}'`);
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw bad(header, `number too large: '${value}'`);
  return n;
}

/** `Separators: <dataset> <field> <list> <host/service>` as decimal character codes, e.g. `10 59 44 124`. */
export function separators(value: string): Separators {
  const words = value.split(/\s+/).filter((w) => w !== "");
  if (words.length !== 4) throw bad("Separators", `expected 4 decimal character codes, got '${value}'`);
  const chars = words.map((w) => {
    if (!/^\d{1,3}$/.test(w) || Number(w) > 255) throw bad("Separators", `expected a character code 0 to 255, got '${w}'`);
    return String.fromCharCode(Number(w));
  });
  return { dataset: chars[0]!, field: chars[1]!, list: chars[2]!, hostService: chars[3]! };
}

/**
 * `Localtime: <client epoch>` → the offset to add to output times and subtract from time
 * operands (docs/livestatus.md §2.4). Rounded to the nearest half hour, halves away from zero
 * (Checkmk: truncate, then adjust when the remainder reaches 900 s): clocks are assumed
 * synchronised, so only the time-zone difference is kept. |offset| ≥ 24 h is refused.
 */
export function localtimeOffset(value: string, nowSeconds: number): number {
  if (!/^[+-]?\d+$/.test(value)) throw bad("Localtime", `expected the client's time in epoch seconds, got '${value}'`);
  const difference = Number(value) - Math.trunc(nowSeconds);
  let halfHours = Math.trunc(difference / HALF_HOUR);
  const remainder = difference % HALF_HOUR;
  if (remainder >= HALF_HOUR / 2) halfHours++;
  else if (remainder <= -HALF_HOUR / 2) halfHours--;
  const offset = halfHours * HALF_HOUR;
  if (Math.abs(offset) >= DAY) throw bad("Localtime", "timezone difference of 24 hours or more");
  // `+ 0` turns a -0 (from a negative difference under 15 minutes) into 0.
  return offset + 0;
}
