/**
 * Date parsing for `date` fields and range bounds: the formats Tantale's mappings use
 * (epoch_millis, epoch_second, strict_date_optional_time, the default
 * `strict_date_optional_time||epoch_millis`), plus simple Java patterns (yyyy, MM, dd, HH, mm,
 * ss, S…, quoted literals) and `now` date math (`now-1d`, `now+2h/d`). Values are epoch
 * milliseconds, sub-millisecond parts truncated, as a `date` field keeps them.
 */

export const DEFAULT_DATE_FORMAT = "strict_date_optional_time||epoch_millis";

const ISO = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?)?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

function parseIso(s: string, strict: boolean): number | undefined {
  const m = ISO.exec(s);
  if (!m) return undefined;
  if (strict && s.includes(" ")) return undefined;
  const [, y, mo, d, h, mi, sec, frac, zone] = m;
  const ms = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, "0"));
  let t = Date.UTC(Number(y), Number(mo ?? 1) - 1, Number(d ?? 1), Number(h ?? 0), Number(mi ?? 0), Number(sec ?? 0), ms);
  if (Number(y) < 100) t = new Date(t).setUTCFullYear(Number(y));
  if (zone && zone !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || "0")) * 60_000;
  }
  return Number.isFinite(t) ? t : undefined;
}

const EPOCH = /^-?\d+(\.\d+)?$/;

/** A Java DateTimeFormatter pattern of the simple kind, to a matcher. */
function parseJavaPattern(pattern: string, s: string): number | undefined {
  let re = "";
  const order: string[] = [];
  for (let i = 0; i < pattern.length;) {
    const c = pattern[i] as string;
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end < 0) return undefined;
      re += escapeRe(pattern.slice(i + 1, end));
      i = end + 1;
      continue;
    }
    let j = i;
    while (pattern[j] === c) j++;
    const run = j - i;
    if ("yMdHmsS".includes(c)) {
      order.push(c);
      re += c === "y" ? `(\\d{${Math.max(run, 4)}})` : c === "S" ? `(\\d{${run}})` : `(\\d{${run}})`;
    } else re += escapeRe(pattern.slice(i, j));
    i = j;
  }
  const m = new RegExp(`^${re}$`).exec(s);
  if (!m) return undefined;
  const part = (k: string, dflt: number): number => {
    const at = order.indexOf(k);
    return at < 0 ? dflt : Number(m[at + 1]);
  };
  const fracAt = order.indexOf("S");
  const ms = fracAt < 0 ? 0 : Number((m[fracAt + 1] ?? "0").slice(0, 3).padEnd(3, "0"));
  const t = Date.UTC(part("y", 1970), part("M", 1) - 1, part("d", 1), part("H", 0), part("m", 0), part("s", 0), ms);
  return Number.isFinite(t) ? t : undefined;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const FORMATS = new Map<string, string[]>();

/** "1700000000.123" → 1700000000123, in decimal (a float multiplication would give ...122.99). */
function epochSecondToMillis(s: string): number {
  const neg = s.startsWith("-");
  const [whole = "0", frac = ""] = (neg ? s.slice(1) : s).split(".");
  const ms = Number(whole) * 1000 + Number(frac.slice(0, 3).padEnd(3, "0"));
  return neg ? -ms : ms;
}

/** Parses a date value with a `format` (`a||b`); undefined when no format accepts it. */
export function parseDate(value: string | number, format: string = DEFAULT_DATE_FORMAT): number | undefined {
  if (typeof value === "number" && format === "epoch_millis") return Math.trunc(value);
  if (typeof value === "number" && format === "epoch_second" && Number.isInteger(value)) return value * 1000;
  const s = typeof value === "number" ? String(value) : value;
  let names = FORMATS.get(format);
  if (!names) {
    names = format.split("||").map((f) => f.trim());
    FORMATS.set(format, names);
  }
  for (const name of names) {
    let t: number | undefined;
    if (name === "epoch_millis") t = EPOCH.test(s) ? Math.trunc(Number(s)) : undefined;
    else if (name === "epoch_second") t = EPOCH.test(s) ? epochSecondToMillis(s) : undefined;
    else if (name === "strict_date_optional_time" || name === "strict_date_optional_time_nanos") t = parseIso(s, true);
    else if (name === "date_optional_time" || name === "date_time" || name === "strict_date_time") t = parseIso(s, false);
    else t = parseJavaPattern(name, s);
    if (t !== undefined) return t;
  }
  return undefined;
}

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, H: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** A range bound: `now` date math, or a date in the field's (or the query's) format. */
export function parseDateBound(value: string | number, format: string, now: number, roundUp: boolean): number | undefined {
  if (typeof value === "string" && value.startsWith("now")) {
    let t = now;
    const re = /([+-])(\d+)([smhHdw])|\/([smhHdw])/g;
    let m: RegExpExecArray | null;
    let consumed = 3;
    while ((m = re.exec(value.slice(3))) !== null) {
      if (m.index + 3 !== consumed) return undefined;
      consumed += m[0].length;
      if (m[4] !== undefined) {
        const unit = UNIT_MS[m[4]] ?? 1;
        t = Math.floor(t / unit) * unit + (roundUp ? unit - 1 : 0);
      } else t += (m[1] === "-" ? -1 : 1) * Number(m[2]) * (UNIT_MS[m[3] ?? "s"] ?? 1);
    }
    return consumed === value.length ? t : undefined;
  }
  return parseDate(value, format);
}
