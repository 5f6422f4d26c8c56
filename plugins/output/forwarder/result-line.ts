import type { CheckResult } from "../../../core/model/check-result";

/** The line input's fields; a custom variable with one of these names would be read as the field. */
const FIELDS = new Set([
  "hostname",
  "check",
  "status",
  "output",
  "timestamp",
  "interval",
  "contacts",
  "hostgroups",
  "servicegroups",
  "long_output",
  "perf_data",
]);

/**
 * A result as the line input's JSON line (newline included), so the central side parses
 * back the same result: output, long output and perfdata joined the way the line input
 * splits them (splitPluginOutput), custom variables as extra fields (already upper-case).
 */
export function resultLine(r: CheckResult, timestamp: number = r.timestamp): string {
  let output = r.output;
  if (r.perfData !== "") output += ` | ${r.perfData}`;
  if (r.longOutput !== "") output += `\n${r.longOutput}`;
  const line: Record<string, unknown> = {
    hostname: r.hostname,
    check: r.check,
    status: r.status,
    output,
    timestamp,
    interval: r.interval,
  };
  if (r.contacts.length > 0) line.contacts = r.contacts;
  if (r.hostgroups.length > 0) line.hostgroups = r.hostgroups;
  if (r.servicegroups.length > 0) line.servicegroups = r.servicegroups;
  for (const [name, value] of Object.entries(r.customVariables)) if (!FIELDS.has(name)) line[name] = value;
  return `${JSON.stringify(line)}\n`;
}

/** Added to a timestamp equal to its check's previous one: a microsecond, well above a double's step at today's epoch (~0.24 µs). */
export const TIMESTAMP_STEP = 1e-6;

interface LastStamp {
  /** The timestamp the source gave the last result of the check. */
  readonly given: number;
  /** The one it was forwarded with. */
  readonly sent: number;
}

/**
 * Makes the timestamps of one check's forwarded results strictly increasing, so that a
 * replay is harmless to the central engine (core/state/result-rules.ts): a result older
 * than the stored one is ignored, and one of the same timestamp is applied again. After a
 * lost SYNCED the forwarder sends again results the central side had committed; with
 * strictly increasing timestamps, only the last committed one of each check is applied
 * again, with the state it already has: no alert, no log line. Two results of one check
 * in the same second (Nagios lines carry whole seconds) would otherwise be applied again
 * in turn, each logging a state change a second time.
 *
 * A result stamped no later than the previous one of its check but not before the previous
 * one's own timestamp (the same second, or the same instant) is moved just past what was
 * forwarded; a result truly older is left as it is (the central side ignores it either way).
 * Remembers at most `maxChecks` checks (the least recently seen are forgotten).
 */
export class TimestampSequencer {
  private readonly last = new Map<string, LastStamp>();

  constructor(private readonly maxChecks = 200_000) {}

  /** The timestamp to forward `r` with. */
  next(r: CheckResult): number {
    const key = `${r.hostname}\n${r.check}`;
    const prev = this.last.get(key);
    // Truly older than the previous one: sent as it is (the central side ignores it), remembered stamps unchanged.
    if (prev !== undefined && r.timestamp < prev.given) return r.timestamp;
    const sent = prev !== undefined && r.timestamp <= prev.sent ? prev.sent + TIMESTAMP_STEP : r.timestamp;
    if (prev !== undefined)
      this.last.delete(key); // re-inserted below: the Map's order is least recently seen first
    else if (this.last.size >= this.maxChecks) {
      const oldest = this.last.keys().next();
      if (oldest.done !== true) this.last.delete(oldest.value);
    }
    this.last.set(key, { given: r.timestamp, sent });
    return sent;
  }
}
