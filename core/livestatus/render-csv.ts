/**
 * The two csv flavours of Livestatus answers (livestatus.md §2.1).
 *
 * `csv` is Checkmk's "broken csv": the client chooses the four separators and nothing is
 * quoted or escaped, so a `;` in plugin_output goes out raw (that is what every
 * implementation does and what clients split on). `CSV` is Checkmk's RFC 4180 flavour with
 * fixed separators, every field in double quotes.
 */
import type { LivestatusValue } from "./column";
import type { Separators } from "./query";

type Row = readonly LivestatusValue[];
type Dict = Readonly<Record<string, string>>;

/**
 * Checkmk's RendererCSV: rows end with CRLF, fields joined by `,`, lists by `,`, sub-lists
 * and dict key/value by `|`. The Separators header does not apply to it (it only applies to
 * the broken csv), so these are fixed.
 */
const RFC4180_SEPARATORS: Separators = Object.freeze({ dataset: "\r\n", field: ",", list: ",", hostService: "|" });

/**
 * Numbers print as JS does (shortest round-trip decimal, integers without `.0`, epoch
 * seconds and milliseconds without an exponent). A non-finite number has no csv spelling;
 * Checkmk prints null as nothing, so we do the same.
 */
function csvNumber(n: number): string {
  return Number.isFinite(n) ? String(n) : "";
}

/**
 * A value inside a list (a list element, or a part of one): nested lists such as
 * host/service pairs or services_with_state entries (`svc|0|1`) join their parts with the
 * host/service separator, at any depth (Checkmk's separateSublistElements).
 */
function csvInner(v: LivestatusValue, sep: Separators): string {
  if (typeof v === "string") return v;
  if (typeof v === "number") return csvNumber(v);
  if (Array.isArray(v)) {
    const list = v as readonly LivestatusValue[];
    let out = "";
    for (let i = 0; i < list.length; i++) {
      if (i > 0) out += sep.hostService;
      out += csvInner(list[i] as LivestatusValue, sep);
    }
    return out;
  }
  // A dict nested in a list is not produced by any column; flatten it with the sub-list separator.
  return csvDict(v as Dict, sep.hostService, sep.hostService);
}

/**
 * A dict (custom_variables) as `NAME|value` pairs joined by the list separator: Checkmk's
 * csv renderer separates dict elements like list elements and key from value like a
 * host/service pair. No escaping: a `,` or `|` in a value is ambiguous, as in Checkmk.
 */
function csvDict(d: Dict, elementSep: string, keyValueSep: string): string {
  let out = "";
  let first = true;
  for (const key of Object.keys(d)) {
    if (!first) out += elementSep;
    first = false;
    out += key + keyValueSep + (d[key] as string);
  }
  return out;
}

/** One column value as a csv field, before any quoting. */
export function csvField(v: LivestatusValue, sep: Separators): string {
  if (typeof v === "string") return v;
  if (typeof v === "number") return csvNumber(v);
  if (Array.isArray(v)) {
    const list = v as readonly LivestatusValue[];
    let out = "";
    for (let i = 0; i < list.length; i++) {
      if (i > 0) out += sep.list;
      out += csvInner(list[i] as LivestatusValue, sep);
    }
    return out;
  }
  return csvDict(v as Dict, sep.list, sep.hostService);
}

/**
 * Broken csv: every row (the header row too) terminated by the dataset separator, so an
 * empty result is an empty body and a header-only result is just the header line.
 */
export function renderCsv(header: readonly string[] | undefined, rows: readonly Row[], sep: Separators): string {
  // One string per row joined once: V8 builds the final string in a single copy.
  const lines: string[] = [];
  if (header !== undefined) lines.push(header.join(sep.field) + sep.dataset);
  for (const row of rows) {
    let line = "";
    for (let i = 0; i < row.length; i++) {
      if (i > 0) line += sep.field;
      line += csvField(row[i] as LivestatusValue, sep);
    }
    lines.push(line + sep.dataset);
  }
  return lines.join("");
}

/** RFC 4180 escaping of a field's content: inner quotes doubled (the caller adds the outer quotes). */
function escapeQuotes(field: string): string {
  // includes() + replaceAll() with a string pattern: no regex, and no copy for the usual quote-free field.
  return field.includes('"') ? field.replaceAll('"', '""') : field;
}

/**
 * One RFC 4180 record. The quotes are appended around the escaped content rather than
 * wrapped into a new string per field: building `"` + field + `"` first costs about twice
 * as much on 20k rows.
 */
function rfc4180Record(fields: readonly string[]): string {
  if (fields.length === 0) return RFC4180_SEPARATORS.dataset;
  let line = '"';
  for (let i = 0; i < fields.length; i++) {
    if (i > 0) line += '","';
    line += escapeQuotes(fields[i] as string);
  }
  return line + '"' + RFC4180_SEPARATORS.dataset;
}

/** Upper-case CSV: every field quoted (numbers too, as Checkmk does), rows end with CRLF. */
export function renderRfc4180(header: readonly string[] | undefined, rows: readonly Row[]): string {
  const sep = RFC4180_SEPARATORS;
  const lines: string[] = [];
  if (header !== undefined) lines.push(rfc4180Record(header));
  for (const row of rows) {
    if (row.length === 0) {
      lines.push(sep.dataset);
      continue;
    }
    let line = '"';
    for (let i = 0; i < row.length; i++) {
      if (i > 0) line += '","';
      line += escapeQuotes(csvField(row[i] as LivestatusValue, sep));
    }
    lines.push(line + '"' + sep.dataset);
  }
  return lines.join("");
}
