import type { ConfigOf, ConfigSchema } from "../../../core/plugin/api";
import { allowProblem } from "../../../core/net/peer-access";
import { normalizeResult } from "../../../core/model/normalize-result";
import { configToken } from "../../../core/tokens";
import { ExpressionError, parseCondition, parseExpression } from "./expression";
import { parseRange, parseThresholdTuple } from "./thresholds";

/** The parse error of an expression or condition, for the schema's checks (check-config refuses it with file, line and key). */
function parsed(parse: (text: string) => unknown): (value: string) => string | undefined {
  return (value) => {
    if (value.trim() === "") return undefined;
    try {
      parse(value);
      return undefined;
    } catch (err) {
      return err instanceof ExpressionError ? err.message : String(err);
    }
  };
}

/**
 * A host, service or contact name the results could not carry (`;`, control characters, too
 * long: the rules of every input, core/model/normalize-result.ts), refused at load rather than
 * at each evaluation. Empty values are the caller's (they mean "the default").
 */
function nameCheck(field: "hostname" | "check" | "contacts") {
  return (value: string | readonly string[]): string | undefined => {
    if (value === "" || (Array.isArray(value) && value.length === 0)) return undefined;
    const probe = { hostname: "h", check: "c", status: 0, output: "", interval: 60, [field]: typeof value === "string" ? value.trim() : value };
    const outcome = normalizeResult(probe, Date.now());
    // The reason names the result's field (`check must not...`): the option names itself.
    return outcome.ok ? undefined : outcome.reason.replace(/^(hostname|check|contacts) /, "");
  };
}

/** A warning or critical range string: valid, and not set a second time by the section's thresholds. */
function rangeCheck(level: "warning" | "critical") {
  return (value: string, section: Readonly<Record<string, unknown>>): string | undefined => {
    if (value.trim() === "") return undefined;
    try {
      parseRange(value);
    } catch (err) {
      return (err as Error).message;
    }
    const tuple = section.thresholds;
    if (typeof tuple !== "string" || tuple.trim() === "") return undefined;
    try {
      if (parseThresholdTuple(tuple)[level] !== undefined) return `the ${level} bounds are already set by thresholds; set them in one place`;
    } catch {
      // thresholds itself is refused, on its own line
    }
    return undefined;
  };
}

const checkSchema = {
  expression: {
    doc: "What the check computes: + - * / ( ), numbers, min() max() abs(), {metric.path} (its latest value) and {3600|metric.path} (its value an hour ago; 30m, 1h, 1d also work). Required.",
    format: "string",
    default: "",
    validate: (value: string) =>
      value.trim() === "" ? "is required: what the check computes, such as {loadavg.01} / {cpu.count}" : parsed(parseExpression)(value),
  },
  condition: {
    doc: "Evaluate the check only when this holds (comparisons < <= > >= == != joined by and, or, not); otherwise it is OK with `condition not met` (empty: always).",
    format: "string",
    default: "",
    validate: parsed(parseCondition),
  },
  thresholds: {
    doc: "low critical, low warning, up warning, up critical: four comma-separated numbers, any of them empty for none (0 is a bound); equal to a bound is OK.",
    format: "string",
    default: "",
    validate: (value: string) => {
      if (value.trim() === "") return undefined;
      try {
        parseThresholdTuple(value);
        return undefined;
      } catch (err) {
        return (err as Error).message;
      }
    },
  },
  warning: {
    doc: "Warning as a Nagios range: 10, 10:, ~:10, 10:20, @10:20 (empty: none; not with a warning bound in thresholds).",
    format: "string",
    default: "",
    validate: rangeCheck("warning"),
  },
  critical: { doc: "Critical as a Nagios range, as warning.", format: "string", default: "", validate: rangeCheck("critical") },
  prefix: { doc: "Prefix of this check's metric paths (unset: the instance's prefix).", format: "string", default: null, nullable: true },
  hostname: {
    doc: "Host the result is filed under (unset: the instance's hostname).",
    format: "string",
    default: null,
    nullable: true,
    validate: (value: string) => (value.trim() === "" ? "must not be empty (leave it out for the instance's hostname)" : nameCheck("hostname")(value)),
  },
  service: { doc: "Service name of the result (empty: the section's name).", format: "string", default: "", validate: nameCheck("check") },
  interval: {
    doc: "How often the check is evaluated and its result filed (unset: the instance's interval).",
    format: "duration",
    default: null,
    nullable: true,
    min: 1000,
  },
  contacts: { doc: "Contacts of the result (unset: the instance's contacts).", format: "list", default: null, nullable: true, validate: nameCheck("contacts") },
} as const satisfies ConfigSchema;

export const diamondSchema = {
  path: {
    doc: "The FIFO Diamond's handler writes Graphite lines to, relative to the data dir; created if missing (empty: no FIFO).",
    format: "data-path",
    default: "diamond.fifo",
  },
  mode: {
    doc: "Permissions of the FIFO when it is created (octal).",
    format: "string",
    default: "0660",
    validate: (value: string) => (/^0?[0-7]{3}$/.test(value) ? undefined : "must be an octal mode such as 0660"),
  },
  bind: { doc: "Address the Graphite TCP listener binds to (when port is set).", format: "host", default: "127.0.0.1" },
  port: {
    doc: "TCP port for Graphite plaintext from Diamond's GraphiteHandler, collectd's write_graphite or Telegraf's graphite output (unset: no listener).",
    format: "port",
    default: null,
    nullable: true,
  },
  allow: {
    doc: "Senders allowed to connect to the TCP listener: IPv4 and IPv6 addresses or CIDRs (empty: everyone).",
    format: "list",
    default: [],
    validate: allowProblem,
  },
  max_connections: {
    doc: "Most TCP senders at once; when full, the quietest is closed to let a newcomer in (0: no limit).",
    format: "integer",
    default: 100,
    min: 0,
  },
  idle_timeout: { doc: "A TCP sender that sends nothing this long is closed (0: never); above the senders' interval.", format: "duration", default: 900_000 },
  max_line_bytes: { doc: "Longest Graphite line; a longer one is discarded up to its newline.", format: "size", default: 16_384, min: 64 },
  hostname: {
    doc: "Host the results are filed under (empty: this machine's name, up to its first dot, as Diamond's default).",
    format: "string",
    default: "",
    validate: nameCheck("hostname"),
  },
  prefix: {
    doc: "Prefix of the metric paths the checks name: {name} reads <prefix>.name; {hostname} in it is the check's hostname (Diamond's default path is servers.<hostname>).",
    format: "string",
    default: "servers.{hostname}",
  },
  interval: { doc: "How often each check is evaluated and its result filed.", format: "duration", default: 60_000, min: 1000 },
  contacts: { doc: "Contacts of the results.", format: "list", default: [], validate: nameCheck("contacts") },
  stale_after: {
    doc: "A metric value older than this is stale: the check is UNKNOWN rather than judged on old data (0: never stale).",
    format: "duration",
    default: 600_000,
  },
  max_metrics: {
    doc: "Most metrics kept (only those the checks name are kept); further ones are refused and counted.",
    format: "integer",
    default: 10_000,
    min: 1,
  },
  max_points: {
    doc: "Most values kept per metric for trend references; beyond it the oldest is dropped and counted.",
    format: "integer",
    default: 4096,
    min: 2,
  },
  check: { doc: "The checks: one [check <name>] section each, with the options check.<name>.*.", sections: checkSchema },
} as const satisfies ConfigSchema;

export type DiamondConfig = ConfigOf<typeof diamondSchema>;
export type CheckSection = DiamondConfig["check"][string];
export const DIAMOND_CONFIG = configToken(diamondSchema);
