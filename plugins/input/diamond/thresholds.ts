/**
 * Nagios threshold ranges (`[@][start:][end]`, check_range() of monitoring-plugins'
 * lib/utils_base.c; docs/inputs.md §2.3) and Tantale's 4-tuple `thresholds = lc, lw, uw, uc`.
 * The endpoints are inside the range; without `@` a value outside alerts, with `@` one inside.
 * Critical is tested before warning. 0 is a bound like any other (the Python treated it as unset).
 */
export interface Range {
  /** -Infinity for `~`. */
  readonly start: number;
  /** Infinity when empty. */
  readonly end: number;
  /** `@`: alert when inside. */
  readonly inside: boolean;
  /** As written (or built from the tuple): what perfdata carries. */
  readonly text: string;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Parses a range string; throws an Error saying what is wrong (`10abc` is refused, where strtod would read 10). */
export function parseRange(text: string): Range {
  const t = text.trim();
  if (t === "") throw new Error("an empty range");
  let body = t;
  let inside = false;
  if (body.startsWith("@")) {
    inside = true;
    body = body.slice(1);
  }
  const colon = body.indexOf(":");
  let start = 0;
  let end: number;
  if (colon < 0) end = boundOf(body, t);
  else {
    const s = body.slice(0, colon);
    const e = body.slice(colon + 1);
    start = s === "~" ? -Infinity : s === "" ? 0 : boundOf(s, t);
    end = e === "" ? Infinity : boundOf(e, t);
  }
  if (start > end) throw new Error(`range ${JSON.stringify(t)}: start ${start} is above end ${end}`);
  return { start, end, inside, text: t };
}

function boundOf(s: string, whole: string): number {
  if (!NUMBER.test(s))
    throw new Error(`range ${JSON.stringify(whole)}: ${JSON.stringify(s)} is not a number (expected [@][start:][end], ~ for minus infinity)`);
  return Number(s);
}

/** Whether `value` alerts for the range. */
export function alerts(range: Range, value: number): boolean {
  const isInside = value >= range.start && value <= range.end;
  return range.inside ? isInside : !isInside;
}

export interface Thresholds {
  readonly warning: Range | undefined;
  readonly critical: Range | undefined;
}

/** 0 OK, 1 WARNING, 2 CRITICAL: critical first, then warning. */
export function statusOf(t: Thresholds, value: number): 0 | 1 | 2 {
  if (t.critical !== undefined && alerts(t.critical, value)) return 2;
  if (t.warning !== undefined && alerts(t.warning, value)) return 1;
  return 0;
}

/**
 * `lc, lw, uw, uc` (four comma-separated numbers, each may be empty = unset) as the ranges
 * critical = `lc:uc` and warning = `lw:uw`, a missing lower bound being `~`. A level with
 * neither bound is unset. Throws when the text is not four such values.
 */
export function parseThresholdTuple(text: string): Thresholds {
  const parts = text.split(",").map((p) => p.trim());
  if (parts.length !== 4)
    throw new Error(`expected 4 comma-separated values "low critical, low warning, up warning, up critical" (empty = unset), got ${parts.length}`);
  const names = ["low critical", "low warning", "up warning", "up critical"] as const;
  const [lc, lw, uw, uc] = parts.map((p, i) => {
    if (p === "") return undefined;
    if (!NUMBER.test(p)) throw new Error(`${names[i] ?? "bound"} ${JSON.stringify(p)} is not a number`);
    return Number(p);
  });
  return { critical: tupleRange(lc, uc, "critical"), warning: tupleRange(lw, uw, "warning") };
}

function tupleRange(low: number | undefined, up: number | undefined, level: string): Range | undefined {
  if (low === undefined && up === undefined) return undefined;
  if (low !== undefined && up !== undefined && low > up) throw new Error(`low ${level} ${low} is above up ${level} ${up}`);
  const text = `${low === undefined ? "~" : low}:${up === undefined ? "" : up}`;
  return { start: low ?? -Infinity, end: up ?? Infinity, inside: false, text };
}

/** What alerts, in words: `above 10`, `below 5`, `outside 5..10`, `inside 5..10`. */
export function describeRange(range: Range): string {
  const { start, end } = range;
  if (range.inside) {
    if (start === -Infinity && end === Infinity) return "always";
    if (start === -Infinity) return `at or below ${fmt(end)}`;
    if (end === Infinity) return `at or above ${fmt(start)}`;
    return start === end ? `at ${fmt(start)}` : `inside ${fmt(start)}..${fmt(end)}`;
  }
  if (start === -Infinity && end === Infinity) return "never";
  if (start === -Infinity) return `above ${fmt(end)}`;
  if (end === Infinity) return `below ${fmt(start)}`;
  return `outside ${fmt(start)}..${fmt(end)}`;
}

/** A number for outputs and perfdata: integers whole, others to 4 decimals without trailing zeros. */
export function fmt(value: number): string {
  if (Number.isInteger(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && abs < 0.001) return value.toPrecision(4).replace(/\.?0+(e|$)/, "$1");
  return String(Number(value.toFixed(4)));
}
