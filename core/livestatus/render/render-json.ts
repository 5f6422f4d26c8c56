/**
 * The JSON family of Livestatus answers (docs/livestatus.md §2.1): json, python/python3 and
 * LMD's wrapped_json share one row renderer.
 *
 * Layout: compact JSON (no whitespace at all) and a final `\n`. Checkmk puts `,\n` between
 * rows and Icinga 2 `, `; every client parses the whole body as JSON (Nagstamon, NagVis,
 * Thruk, Multisite, Monitoring::Livestatus), so the layout is free, and the compact one lets
 * a single native JSON.stringify render the whole answer (jsonRows).
 */
import type { LivestatusValue } from "../query/column";

type Row = readonly LivestatusValue[];
type Dict = Readonly<Record<string, string>>;

/**
 * The literal for "no value". LivestatusValue has no null or booleans, so the only source is
 * a non-finite number (JSON has no NaN/Infinity; Checkmk prints null for them). Python
 * output is the JSON text with null spelled `None`; passing the literal in avoids scanning
 * the whole body for `null` outside strings afterwards. (`true`/`false` never occur, for the
 * same reason, so they need no Python spelling.)
 */
export type NullLiteral = "null" | "None";

/**
 * JSON.stringify does the escaping (quotes, backslash, control characters, lone surrogates
 * as \uXXXX); non-ASCII stays raw UTF-8, which is valid JSON and a valid Python 3 literal.
 * Every JSON string escape is also a Python string escape, so the same text serves python.
 */
function jsonString(s: string): string {
  return JSON.stringify(s);
}

/**
 * Shortest round-trip decimal (`5.9`, `0.5`, `11.7`, integers without `.0`, epoch seconds
 * and milliseconds without exponent). Exponent forms only appear below 1e-6 or from 1e21 up,
 * and are valid JSON and Python numbers there.
 */
function jsonNumber(n: number, nul: NullLiteral): string {
  return Number.isFinite(n) ? String(n) : nul;
}

function jsonDict(d: Dict): string {
  let out = "{";
  let first = true;
  for (const key of Object.keys(d)) {
    if (!first) out += ",";
    first = false;
    out += jsonString(key) + ":" + jsonString(d[key] as string);
  }
  return out + "}";
}

function jsonValue(v: LivestatusValue, nul: NullLiteral): string {
  if (typeof v === "string") return jsonString(v);
  if (typeof v === "number") return jsonNumber(v, nul);
  if (Array.isArray(v)) return jsonArray(v as readonly LivestatusValue[], nul);
  return jsonDict(v as Dict);
}

function jsonArray(list: readonly LivestatusValue[], nul: NullLiteral): string {
  let out = "[";
  for (let i = 0; i < list.length; i++) {
    if (i > 0) out += ",";
    out += jsonValue(list[i] as LivestatusValue, nul);
  }
  return out + "]";
}

/**
 * The rows as one JSON array, header first when given. For a LivestatusValue, native
 * JSON.stringify writes exactly what jsonValue writes (no spaces, the same number spelling,
 * keys in Object.keys order, non-finite numbers as null), and one call over the whole answer
 * is about twice as fast as one call per row (the per-call cost dominates 4-column rows).
 * Python needs None instead of null: the rare answer whose text holds "null" anywhere (a
 * NaN, or just a string containing the word) is rendered again value by value.
 */
function jsonRows(header: readonly string[] | undefined, rows: readonly Row[], nul: NullLiteral): string {
  const all: readonly Row[] = header === undefined ? rows : [header, ...rows];
  const text = JSON.stringify(all);
  if (nul === "null" || !text.includes("null")) return text;
  return jsonArray(all, nul);
}

/**
 * json (nul = "null") and python/python3 (nul = "None"). With a header, the header is the
 * first row, also when there are no data rows (`[["name"]]\n`): Nagstamon needs it.
 */
export function renderJson(header: readonly string[] | undefined, rows: readonly Row[], nul: NullLiteral): string {
  return jsonRows(header, rows, nul) + "\n";
}

/**
 * LMD's wrapped_json, as Thruk reads it: `{"data":[rows],"columns":[names],"total_count":N}`.
 * The header goes to `columns` (only when headers are on), never into `data`. total_count
 * is the number of rows before Limit in LMD; the caller passes it, default the rows given.
 * LMD's `failed` and `rows_scanned` keys are about its backends and are left out.
 */
export function renderWrappedJson(header: readonly string[] | undefined, rows: readonly Row[], totalCount: number): string {
  return wrapped(jsonRows(undefined, rows, "null"), header, totalCount);
}

/** `data` is the rows' array text; the tail closes the array and adds the rest. */
function wrapped(data: string, header: readonly string[] | undefined, totalCount: number): string {
  return '{"data":' + data.slice(0, -1) + wrappedJsonTail(header, totalCount);
}

/**
 * The json and wrapped_json bodies from rows already rendered one JSON text each
 * (row-text-cache.ts): the same bytes renderJson and renderWrappedJson give for those rows.
 */
export function renderJsonTexts(header: readonly string[] | undefined, texts: readonly string[]): string {
  const head = header === undefined ? "" : JSON.stringify(header) + (texts.length > 0 ? "," : "");
  return "[" + head + texts.join(",") + "]\n";
}

export function renderWrappedJsonTexts(header: readonly string[] | undefined, texts: readonly string[], totalCount: number): string {
  return wrapped("[" + texts.join(",") + "]", header, totalCount);
}

/**
 * The rows of one slice as the inside of a JSON array (`r1,r2`, no brackets), for bodies
 * rendered in slices (render.ts): one native stringify per slice, as jsonRows does for a
 * whole answer; python re-renders only a slice whose text holds "null".
 */
export function jsonRowsInner(rows: readonly Row[], nul: NullLiteral): string {
  const text = JSON.stringify(rows);
  if (nul === "null" || !text.includes("null")) return text.slice(1, -1);
  return jsonArray(rows, nul).slice(1, -1);
}

/** wrapped_json's closing part after the data rows: `]`, the columns, total_count. */
export function wrappedJsonTail(header: readonly string[] | undefined, totalCount: number): string {
  const columns = header === undefined ? "" : ',"columns":' + JSON.stringify(header);
  return "]" + columns + ',"total_count":' + String(totalCount) + "}\n";
}
