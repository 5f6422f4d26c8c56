import { isAscii } from "node:buffer";

/**
 * One Graphite plaintext line, `metric.path value timestamp` (carbon's line receiver; what
 * Diamond, collectd and Telegraf write), parsed strictly: docs/inputs.md §4.1 and §4.4.
 * Pure: no socket, no log, no counter; the caller counts and logs rejections.
 */
export interface Metric {
  readonly path: string;
  readonly value: number;
  /** Whole seconds since the epoch. */
  readonly timestamp: number;
}

export interface MetricRejected {
  /** Stable: the counter and the log rate limit key on it. */
  readonly key: string;
  readonly reason: string;
  /** An expected drop (a NaN value, which Diamond prints for a metric it could not compute): logged at debug. */
  readonly quiet?: true;
}

export type ParsedMetric = { readonly ok: true; readonly metric: Metric } | ({ readonly ok: false } & MetricRejected);

/** A timestamp further ahead of the clock is refused: a milliseconds epoch lands here. */
export const MAX_FUTURE_SECONDS = 86_400;
/** What Number() accepts that a Graphite value or timestamp is not: hex, blanks, empty text. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NAN = /^[+-]?nan$/i;
const BLANK = /[ \t]+/;
const decoder = new TextDecoder("utf-8", { fatal: true });

function rejected(key: string, reason: string, quiet?: true): ParsedMetric {
  return quiet ? { ok: false, key, reason, quiet } : { ok: false, key, reason };
}

/**
 * A framed line (no `\n`, no trailing `\r`) as a metric, or why not. Blank lines are the
 * caller's to skip. `nowSeconds` resolves carbon's `-1` ("now") and bounds the future.
 */
export function parseGraphiteLine(line: Buffer, nowSeconds: number): ParsedMetric {
  let text: string;
  if (isAscii(line)) text = line.toString("latin1");
  else {
    try {
      text = decoder.decode(line);
    } catch {
      return rejected("invalid_utf8", "invalid UTF-8");
    }
  }
  return parseGraphiteText(text, nowSeconds);
}

export function parseGraphiteText(text: string, nowSeconds: number): ParsedMetric {
  const fields = text.trim().split(BLANK);
  if (fields.length !== 3)
    return rejected(
      "fields",
      fields.length === 1 && fields[0]!.startsWith("{")
        ? "not a Graphite line (JSON? this is the diamond input's port, not the line input's)"
        : `expected 3 fields "metric.path value timestamp", got ${fields.length}`,
    );
  const [path, valueText, tsText] = fields as [string, string, string];
  if (hasControl(path)) return rejected("path", "the metric path holds a control character");
  if (NAN.test(valueText)) return rejected("nan", `value is NaN (metric ${path})`, true);
  if (!DECIMAL.test(valueText)) return rejected("value", `value ${JSON.stringify(cut(valueText))} is not a decimal number`);
  const value = Number(valueText);
  if (!Number.isFinite(value)) return rejected("value", `value ${JSON.stringify(cut(valueText))} is not finite`);
  if (!DECIMAL.test(tsText)) return rejected("timestamp", `timestamp ${JSON.stringify(cut(tsText))} is not a number`);
  const ts = Math.floor(Number(tsText));
  // carbon: -1 (and anything that truncates to it) means "now".
  if (Math.trunc(Number(tsText)) === -1) return { ok: true, metric: { path, value, timestamp: Math.floor(nowSeconds) } };
  if (!Number.isFinite(ts) || ts <= 0) return rejected("timestamp", `timestamp ${JSON.stringify(cut(tsText))} must be seconds since the epoch, above 0`);
  if (ts > nowSeconds + MAX_FUTURE_SECONDS)
    return rejected("timestamp_future", `timestamp ${tsText} is more than a day ahead (milliseconds instead of seconds?)`);
  return { ok: true, metric: { path, value, timestamp: ts } };
}

function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

function cut(s: string): string {
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}
