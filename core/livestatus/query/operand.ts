/**
 * Conversions between raw filter operands, column values and the types the comparisons
 * need. Checkmk parses numeric operands with C `atoi`/`atof` (a leading number, anything
 * else ignored, garbage = 0) rather than rejecting them; clients rely on that leniency
 * (`Filter: state = 0 ` with stray text still works), so these do the same.
 */
import type { LivestatusValue } from "./column";

const LEADING_INT = /^\s*([+-]?\d+)/;
const LEADING_FLOAT = /^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/;

/** C `atoi`: the leading decimal integer, 0 when there is none. */
export function atoi(text: string): number {
  const m = LEADING_INT.exec(text);
  return m === null ? 0 : Number.parseInt(m[1]!, 10);
}

/** C `atof`: the leading decimal number, 0 when there is none. */
export function atof(text: string): number {
  const m = LEADING_FLOAT.exec(text);
  return m === null ? 0 : Number.parseFloat(m[1]!);
}

/**
 * A value as text for string comparisons. Columns are typed, so a string column yields a
 * string; the other cases only keep a mis-declared column from throwing mid-query.
 * Nested lists (servicegroup members `[host, service]`) read as `host|service`, the form
 * clients write in operands.
 */
export function asText(value: LivestatusValue): string {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  if (Array.isArray(value)) return value.map(asText).join("|");
  return "";
}

/** A value as a number for numeric comparisons and aggregates; NaN when it has none. */
export function asNumber(value: LivestatusValue): number {
  if (typeof value === "number") return value;
  if (typeof value === "string") return value.trim() === "" ? Number.NaN : Number(value);
  return Number.NaN;
}

/** The elements of a list column value (a non-list reads as an empty list). */
export function asList(value: LivestatusValue): readonly LivestatusValue[] {
  return Array.isArray(value) ? (value as readonly LivestatusValue[]) : [];
}

/** The named entry of a dict column value, "" when absent (Checkmk compares a missing variable as ""). */
export function dictEntry(value: LivestatusValue, name: string): string {
  if (typeof value !== "object" || Array.isArray(value)) return "";
  // Own properties only: a variable called `constructor` must not find Object.prototype's.
  const dict = value as Readonly<Record<string, string>>;
  return Object.prototype.hasOwnProperty.call(dict, name) ? asText(dict[name]!) : "";
}
