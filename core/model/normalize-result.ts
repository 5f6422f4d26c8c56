import { HOST_CHECK, type CheckResult } from "./check-result";
import { splitPluginOutput } from "./plugin-output";

/** Nagios' MAX_PLUGIN_OUTPUT_LENGTH: the whole plugin output, perfdata included. */
export const MAX_OUTPUT_BYTES = 8192;
/** Seconds between two results when the input does not say. */
export const DEFAULT_INTERVAL = 60;
/** A timestamp further in the future is refused (a milliseconds epoch lands here). */
const MAX_FUTURE_SECONDS = 86_400;
/** A result older or newer than this is accepted with a warning (a host clock is off). */
const SKEW_WARNING_SECONDS = 600;

export interface Accepted {
  readonly ok: true;
  readonly result: CheckResult;
  /** What was accepted but changed or suspicious; each starts with the field it is about. */
  readonly warnings: readonly string[];
}

export interface Rejected {
  readonly ok: false;
  /** Short and specific, for the log: `status must be an integer, got 2.5`. */
  readonly reason: string;
  /**
   * A stable name of the rule that failed (`status`, `timestamp`, `not_object`...): reasons carry
   * the offending values, so counters and log rate limits key on this instead.
   */
  readonly key: string;
}

export type Normalized = Accepted | Rejected;

const NO_WARNINGS: readonly string[] = Object.freeze([]);
const NO_NAMES: readonly string[] = Object.freeze([]);
const NO_VARIABLES: Readonly<Record<string, string>> = Object.freeze({});
const INTEGER_STRING = /^-?\d+$/;
const CONTROL = /[\u0000-\u001f\u007f]/;

export function reject(key: string, reason: string): Rejected {
  return { ok: false, reason, key };
}

/**
 * THE validator of every input: turns one submitted result (a parsed JSON object, or the
 * fields of a Nagios command) into a frozen CheckResult, or says why not. It rejects rather
 * than coerces (inputs.md §0), except where Nagios is lenient and Tantale copies it with a
 * warning: a service status outside 0..3 becomes 3 UNKNOWN. Unknown fields become custom
 * variables. `now` is in milliseconds.
 */
export function normalizeResult(raw: unknown, now: number): Normalized {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return reject("not_object", `expected a JSON object, got ${kindOf(raw)}`);
  const fields = raw as Record<string, unknown>;
  let hostname: unknown, check: unknown, status: unknown, output: unknown, timestamp: unknown, interval: unknown;
  let contacts: unknown, hostgroups: unknown, servicegroups: unknown;
  // A Map, never a plain object, for names from the network (`__proto__`).
  let custom: Map<string, string> | undefined;
  let warnings: string[] | undefined;

  // One pass over the own keys: no inherited property can stand in for a field.
  for (const key of Object.keys(fields)) {
    const value = fields[key];
    switch (key) {
      case "hostname": hostname = value; break;
      case "check": check = value; break;
      case "status": status = value; break;
      case "output": output = value; break;
      case "timestamp": timestamp = value; break;
      case "interval": interval = value; break;
      case "contacts": contacts = value; break;
      case "hostgroups": hostgroups = value; break;
      case "servicegroups": servicegroups = value; break;
      case "long_output":
      case "perf_data":
      case "longOutput":
      case "perfData":
        (warnings ??= []).push(`${key} is not an input field (it is derived from output), ignored`);
        break;
      case "__proto__":
      case "constructor":
      case "prototype":
        (warnings ??= []).push(`${key} is not allowed as a field name, ignored`);
        break;
      default:
        if (key === "") (warnings ??= []).push("custom field with an empty name ignored");
        else (custom ??= new Map()).set(key.toUpperCase(), customValue(value));
    }
  }

  const host = name("hostname", hostname);
  if (typeof host !== "string") return host;
  const service = name("check", check);
  if (typeof service !== "string") return service;
  const isHost = service === HOST_CHECK;
  if (!isHost && service.length === 4 && service.toLowerCase() === "host") {
    (warnings ??= []).push(`check "${service}" is a service: the host check is "Host" (case-sensitive)`);
  }

  let code: number;
  if (status === undefined) return reject("status", "status is required");
  if (typeof status === "number" && Number.isInteger(status)) code = status + 0; // + 0 turns -0 into 0
  else if (typeof status === "string" && INTEGER_STRING.test(status)) code = Number(status) + 0;
  else return reject("status", `status must be an integer, got ${describeValue(status)}`);
  if (isHost) {
    if (code < 0 || code > 2) return reject("status", `host status must be 0, 1 or 2, got ${code}`);
  } else if (code < 0 || code > 3) {
    // Nagios' process_passive_service_check does the same.
    (warnings ??= []).push(`status ${code} is outside 0..3, taken as 3 UNKNOWN`);
    code = 3;
  }

  let text: string;
  if (output === undefined) text = "";
  else if (typeof output === "string") text = output;
  else return reject("output", `output must be a string, got ${describeValue(output)}`);
  // A UTF-16 unit is at most 3 UTF-8 bytes: shorter strings need no byte count.
  if (text.length * 3 > MAX_OUTPUT_BYTES) {
    const bytes = Buffer.byteLength(text);
    if (bytes > MAX_OUTPUT_BYTES) {
      text = truncateUtf8(text, MAX_OUTPUT_BYTES);
      (warnings ??= []).push(`output truncated from ${bytes} to ${MAX_OUTPUT_BYTES} bytes`);
    }
  }

  const nowSeconds = now / 1000;
  let ts: number;
  if (timestamp === undefined) ts = nowSeconds;
  else if (typeof timestamp !== "number") return reject("timestamp", `timestamp must be a number of seconds, got ${describeValue(timestamp)}`);
  else if (!Number.isFinite(timestamp)) return reject("timestamp", `timestamp must be finite, got ${timestamp}`);
  else if (timestamp <= 0) return reject("timestamp", `timestamp must be positive, got ${timestamp}`);
  else if (timestamp > nowSeconds + MAX_FUTURE_SECONDS) {
    return reject("timestamp", `timestamp ${timestamp} is more than a day ahead (seconds are expected, not milliseconds)`);
  } else {
    ts = timestamp;
    const skew = ts - nowSeconds;
    if (skew > SKEW_WARNING_SECONDS || skew < -SKEW_WARNING_SECONDS) {
      (warnings ??= []).push(`timestamp ${ts} is ${Math.round(Math.abs(skew))}s ${skew > 0 ? "ahead of" : "behind"} this server's clock`);
    }
  }

  let every: number;
  if (interval === undefined) every = DEFAULT_INTERVAL;
  else if (typeof interval === "number" && Number.isFinite(interval) && interval > 0) every = interval;
  else return reject("interval", `interval must be a positive number of seconds, got ${describeValue(interval)}`);

  const contactList = names("contacts", contacts);
  if (isRejected(contactList)) return contactList;
  const hostgroupList = names("hostgroups", hostgroups);
  if (isRejected(hostgroupList)) return hostgroupList;
  const servicegroupList = names("servicegroups", servicegroups);
  if (isRejected(servicegroupList)) return servicegroupList;

  const split = splitPluginOutput(text);
  const result: CheckResult = Object.freeze({
    hostname: host,
    check: service,
    status: code,
    output: split.output,
    longOutput: split.longOutput,
    perfData: split.perfData,
    timestamp: ts,
    interval: every,
    contacts: contactList,
    hostgroups: hostgroupList,
    servicegroups: servicegroupList,
    // fromEntries defines properties (no __proto__ setter); names are upper-cased anyway.
    customVariables: custom === undefined ? NO_VARIABLES : Object.freeze(Object.fromEntries(custom)),
  });
  return { ok: true, result, warnings: warnings ?? NO_WARNINGS };
}

function isRejected(value: readonly string[] | Rejected): value is Rejected {
  return !Array.isArray(value);
}

/** hostname and check: a non-empty string without control characters (they would break the Livestatus and Nagios line formats). */
function name(field: string, value: unknown): string | Rejected {
  if (value === undefined) return reject(field, `${field} is required`);
  if (typeof value !== "string") return reject(field, `${field} must be a string, got ${describeValue(value)}`);
  if (value.trim() === "") return reject(field, `${field} must not be empty`);
  if (CONTROL.test(value)) return reject(field, `${field} must not contain control characters, got ${describeValue(value)}`);
  return value;
}

/** contacts, hostgroups, servicegroups: a list of non-empty strings, copied and frozen. */
function names(field: string, value: unknown): readonly string[] | Rejected {
  if (value === undefined) return NO_NAMES;
  if (!Array.isArray(value)) return reject(field, `${field} must be a list of non-empty strings, got ${describeValue(value)}`);
  if (value.length === 0) return NO_NAMES;
  const out = new Array<string>(value.length);
  for (let i = 0; i < value.length; i++) {
    const v: unknown = value[i];
    if (typeof v !== "string" || v === "") return reject(field, `${field} must be a list of non-empty strings, got ${describeValue(v)} in it`);
    out[i] = v;
  }
  return Object.freeze(out);
}

function customValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value === undefined) return "";
  return JSON.stringify(value) ?? "";
}

/** The value as a reason shows it: short, quoted when a string. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value);
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

/** The longest prefix of `text` that fits in `max` UTF-8 bytes without cutting a character. */
function truncateUtf8(text: string, max: number): string {
  const bytes = Buffer.from(text);
  let end = max;
  // Back off continuation bytes (10xxxxxx) so the cut lands on a character start.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.toString("utf8", 0, end);
}
