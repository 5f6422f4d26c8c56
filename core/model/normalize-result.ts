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

/**
 * Host names: a DNS name is at most 253 characters, and Nagios and Checkmk GUIs show names in
 * table cells; 255 leaves room for any real name and keeps every answer and command short.
 */
export const MAX_HOSTNAME_LENGTH = 255;
/**
 * Service descriptions are longer than host names (Checkmk's `Filesystem /very/long/mount`,
 * Windows service names); 1024 keeps a PROCESS_SERVICE_CHECK_RESULT with both names and a full
 * output under Nagios' MAX_EXTERNAL_COMMAND_LENGTH (8192) with room to spare.
 */
export const MAX_CHECK_LENGTH = 1024;
/** Contact, host group and service group names. */
export const MAX_LIST_NAME_LENGTH = 255;
/** Lists and objects in a custom field nest at most this deep (`[[1]]` is 2); deeper would exhaust the stack when stringified. */
export const MAX_CUSTOM_DEPTH = 32;
/** All custom fields of one result together, names and values (lists and objects as their JSON text), in UTF-8 bytes. */
export const MAX_CUSTOM_BYTES = 16_384;

/**
 * What a name may not hold: C0 controls, DEL, C1 controls (U+0085 NEL included), the Unicode
 * line and paragraph separators (a client splitting lines breaks on them), and `;`, which ends
 * a name in Livestatus and Nagios commands and separates csv fields.
 */
const FORBIDDEN_IN_ANY_NAME = /[\u0000-\u001f\u007f-\u009f\u2028\u2029;]/;
/** One test on the hot path: the forbidden characters, plus surrogates (to check they are paired). */
const SUSPECT_IN_NAME = /[\u0000-\u001f\u007f-\u009f\u2028\u2029;\ud800-\udfff]/;
/** List items are joined by `,` in csv answers: `,` is refused there too. */
const SUSPECT_IN_LIST_NAME = /[\u0000-\u001f\u007f-\u009f\u2028\u2029;,\ud800-\udfff]/;
/** Half of a UTF-16 pair alone: it has no UTF-8 form (answers would carry U+FFFD instead). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNESCAPED_BY_JSON = /[\u007f-\u009f\u2028\u2029]/g;

export function reject(key: string, reason: string): Rejected {
  return { ok: false, reason, key };
}

/**
 * THE validator of every input: turns one submitted result (a parsed JSON object, or the
 * fields of a Nagios command) into a frozen CheckResult, or says why not. It rejects rather
 * than coerces (docs/inputs.md §0), except where Nagios is lenient and Tantale copies it with a
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
      case "hostname":
        hostname = value;
        break;
      case "check":
        check = value;
        break;
      case "status":
        status = value;
        break;
      case "output":
        output = value;
        break;
      case "timestamp":
        timestamp = value;
        break;
      case "interval":
        interval = value;
        break;
      case "contacts":
        contacts = value;
        break;
      case "hostgroups":
        hostgroups = value;
        break;
      case "servicegroups":
        servicegroups = value;
        break;
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
        else {
          const text = customValue(key, value);
          if (typeof text !== "string") return text;
          (custom ??= new Map()).set(key.toUpperCase(), text);
        }
    }
  }
  if (custom !== undefined) {
    const tooBig = customSize(custom);
    if (tooBig !== undefined) return tooBig;
  }

  return validated(now, hostname, check, status, output, timestamp, interval, contacts, hostgroups, servicegroups, custom, warnings);
}

/**
 * The fields of a Nagios PROCESS_*_CHECK_RESULT command, as normalizeResult would take them
 * in an object: straight to the rules, without building that object and walking its keys
 * (the hot path of the line input and the command FIFO).
 */
export function normalizeCommandResult(hostname: string, check: string, status: string, output: string, timestamp: number, now: number): Normalized {
  return validated(now, hostname, check, status, output, timestamp, undefined, undefined, undefined, undefined, undefined, undefined);
}

/** The rules of normalizeResult, field by field, once the fields are picked out. */
function validated(
  now: number,
  hostname: unknown,
  check: unknown,
  status: unknown,
  output: unknown,
  timestamp: unknown,
  interval: unknown,
  contacts: unknown,
  hostgroups: unknown,
  servicegroups: unknown,
  custom: Map<string, string> | undefined,
  warnings: string[] | undefined,
): Normalized {
  const host = name("hostname", hostname, MAX_HOSTNAME_LENGTH);
  if (typeof host !== "string") return host;
  const service = name("check", check, MAX_CHECK_LENGTH);
  if (typeof service !== "string") return service;
  const isHost = service === HOST_CHECK;
  if (!isHost && service.length === 4 && service.toLowerCase() === "host") {
    (warnings ??= []).push(`check "${service}" is a service: the host check is "Host" (case-sensitive)`);
  }

  let code: number;
  if (status === undefined) return reject("status", "status is required");
  if (typeof status === "number" && Number.isInteger(status))
    code = status + 0; // + 0 turns -0 into 0
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

/**
 * hostname and check: a non-empty string that Livestatus and Nagios commands can carry (no
 * `;`, no control or line-separator character, valid Unicode), at most `max` characters.
 */
function name(field: string, value: unknown, max: number): string | Rejected {
  if (value === undefined) return reject(field, `${field} is required`);
  if (typeof value !== "string") return reject(field, `${field} must be a string, got ${describeValue(value)}`);
  if (value.trim() === "") return reject(field, `${field} must not be empty`);
  const bad = badName(value, max, false);
  return bad === undefined ? value : reject(field, `${field} ${bad}`);
}

/**
 * Why `value` cannot be a name, or undefined when it can. The usual short, plain name costs
 * one length check and one regex test; the reason is worked out only for a suspect one.
 */
function badName(value: string, max: number, listItem: boolean): string | undefined {
  if (value.length > max) return `must be at most ${max} characters, got ${value.length}`;
  // Livestatus strips the blanks around header values and operands: no query could name it.
  if (value.charCodeAt(0) === 32 || value.charCodeAt(value.length - 1) === 32) return `must not begin or end with a space, got ${describeValue(value)}`;
  if (!(listItem ? SUSPECT_IN_LIST_NAME : SUSPECT_IN_NAME).test(value)) return undefined;
  const m = FORBIDDEN_IN_ANY_NAME.exec(value);
  if (m !== null) {
    const c = m[0];
    if (c === ";") return `must not contain ";" (Livestatus and Nagios commands split on it), got ${describeValue(value)}`;
    const code = `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
    return `must not contain control or line-separator characters (${code}), got ${describeValue(value)}`;
  }
  if (listItem && value.includes(",")) return `must not contain "," (csv answers join list items with it), got ${describeValue(value)}`;
  if (LONE_SURROGATE.test(value)) return `must be valid Unicode (it holds a lone surrogate), got ${describeValue(value)}`;
  return undefined; // surrogates, all paired
}

/** contacts, hostgroups, servicegroups: a list of non-empty names without `,` or `;`, copied and frozen. */
function names(field: string, value: unknown): readonly string[] | Rejected {
  if (value === undefined) return NO_NAMES;
  if (!Array.isArray(value)) return reject(field, `${field} must be a list of non-empty strings, got ${describeValue(value)}`);
  if (value.length === 0) return NO_NAMES;
  const out = new Array<string>(value.length);
  for (let i = 0; i < value.length; i++) {
    const v: unknown = value[i];
    if (typeof v !== "string" || v === "") return reject(field, `${field} must be a list of non-empty strings, got ${describeValue(v)} in it`);
    const bad = badName(v, MAX_LIST_NAME_LENGTH, true);
    if (bad !== undefined) return reject(field, `${field}: each name ${bad}`);
    out[i] = v;
  }
  return Object.freeze(out);
}

/** A custom field's value as text; a list or object as its JSON, once its depth is known to be safe. */
function customValue(key: string, value: unknown): string | Rejected {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value === undefined) return "";
  if (typeof value === "object" && value !== null && nestsDeeperThan(value, MAX_CUSTOM_DEPTH)) {
    return reject("custom_depth", `custom field ${describeValue(key)} nests deeper than ${MAX_CUSTOM_DEPTH} levels`);
  }
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- undefined for a function, a symbol or a toJSON() giving undefined, whatever lib.d.ts says
  return JSON.stringify(value) ?? "";
}

/**
 * Whether lists and objects in `value` nest more than `max` deep (`[]` is 1). Iterative, with
 * its own stack: JSON.parse builds 5000-deep arrays happily, but any recursion over them (as
 * JSON.stringify's) overflows the call stack and kills the process. Stops at the first node
 * too deep; a wide value is walked once, in time bounded by the line's size.
 */
function nestsDeeperThan(value: object, max: number): boolean {
  const nodes: object[] = [value];
  const depths: number[] = [1];
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const depth = depths.pop()!;
    const children: readonly unknown[] = Array.isArray(node) ? node : Object.values(node);
    for (let i = 0; i < children.length; i++) {
      const child = children[i];
      if (typeof child !== "object" || child === null) continue;
      if (depth >= max) return true;
      nodes.push(child);
      depths.push(depth + 1);
    }
  }
  return false;
}

/** Rejects custom fields that take more than MAX_CUSTOM_BYTES together (names and values). */
function customSize(custom: ReadonlyMap<string, string>): Rejected | undefined {
  let units = 0;
  for (const [key, value] of custom) units += key.length + value.length;
  // A UTF-16 unit is at most 3 UTF-8 bytes: the usual few short fields need no byte count.
  if (units * 3 <= MAX_CUSTOM_BYTES) return undefined;
  let bytes = 0;
  for (const [key, value] of custom) bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
  if (bytes <= MAX_CUSTOM_BYTES) return undefined;
  return reject("custom_size", `custom fields take ${bytes} bytes together, at most ${MAX_CUSTOM_BYTES}`);
}

/** The value as a reason shows it: short, quoted when a string. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") {
    // JSON escapes C0 controls and lone surrogates, not DEL, C1 or U+2028/9: a reason goes to logs and clients, so those too.
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value).replace(
      UNESCAPED_BY_JSON,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
  }
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
