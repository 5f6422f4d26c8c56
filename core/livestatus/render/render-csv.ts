/**
 * The two csv flavours of Livestatus answers (docs/livestatus.md §2.1).
 *
 * `csv` is Checkmk's "broken csv": the client chooses the four separators and nothing is
 * quoted. Checkmk and Icinga 2 escape nothing either, so an output of
 * `ok\nvictim;svc;2;FAKE` forges a row. Tantale escapes, with a backslash, what would break
 * the framing: a newline is written `\n` and a carriage return `\r` (Nagios keeps long
 * output that way, and GUIs turn `\n` back into newlines), a backslash `\\`, and a character
 * of the dataset or field separator gets a `\` before it (`a=1\;2`); inside list items, the
 * list and host/service separators too. So no value holds a separator unescaped, and a
 * client that honours `\` recovers every value exactly. `CSV` is Checkmk's RFC 4180 flavour
 * with fixed separators, every field in double quotes: newlines and separators are safe
 * inside the quotes and need nothing more.
 */
import type { LivestatusValue } from "../query/column";
import type { Separators } from "../protocol/query";

type Row = readonly LivestatusValue[];
type Dict = Readonly<Record<string, string>>;

/** What to escape in a broken-csv value: `test` finds it (no state), `all` replaces every one. */
interface Escape {
  readonly test: RegExp;
  readonly all: RegExp;
}

/** For top-level fields, and for list items (stricter). */
interface CsvEscapes {
  readonly field: Escape;
  readonly inner: Escape;
}

/** One per Separators object: the default one is shared by most requests. */
const escapesBySeparators = new WeakMap<Separators, CsvEscapes>();

function escapesFor(sep: Separators): CsvEscapes {
  let escapes = escapesBySeparators.get(sep);
  if (escapes === undefined) {
    // Every character of a (programmatic) multi-character separator is escaped: sound, if more than needed.
    escapes = { field: charClass(`\\\n\r${sep.dataset}${sep.field}`), inner: charClass(`\\\n\r${sep.dataset}${sep.field}${sep.list}${sep.hostService}`) };
    escapesBySeparators.set(sep, escapes);
  }
  return escapes;
}

/** Regexes matching any of `chars`, each written as \uXXXX (no class metacharacter can slip in). */
function charClass(chars: string): Escape {
  let body = "";
  for (const c of new Set(chars)) body += `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
  return { test: new RegExp(`[${body}]`), all: new RegExp(`[${body}]`, "g") };
}

function escapeChar(c: string): string {
  if (c === "\n") return "\\n";
  if (c === "\r") return "\\r";
  return `\\${c}`;
}

/**
 * The value with every character of `escape` escaped. A test first: replace() with a
 * callback costs about as much on a value with nothing to escape, the usual case.
 */
function escapeValue(value: string, escape: Escape | undefined): string {
  return escape === undefined || !escape.test.test(value) ? value : value.replace(escape.all, escapeChar);
}

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
function csvInner(v: LivestatusValue, sep: Separators, esc: CsvEscapes | undefined): string {
  if (typeof v === "string") return escapeValue(v, esc?.inner);
  if (typeof v === "number") return csvNumber(v);
  if (Array.isArray(v)) return csvList(v as readonly LivestatusValue[], sep.hostService, sep, esc);
  // A dict nested in a list is not produced by any column; flatten it with the sub-list separator.
  return csvDict(v as Dict, sep.hostService, sep.hostService, esc);
}

/**
 * A dict (custom_variables) as `NAME|value` pairs joined by the list separator: Checkmk's
 * csv renderer separates dict elements like list elements and key from value like a
 * host/service pair. Names and values are escaped as list items (a `,` in a value is `\,`);
 * in RFC 4180 CSV (`esc` undefined) a `,` or `|` in a value stays ambiguous, as in Checkmk.
 */
function csvDict(d: Dict, elementSep: string, keyValueSep: string, esc: CsvEscapes | undefined): string {
  let out = "";
  let first = true;
  for (const key of Object.keys(d)) {
    if (!first) out += elementSep;
    first = false;
    out += escapeValue(key, esc?.inner) + keyValueSep + escapeValue(d[key] as string, esc?.inner);
  }
  return out;
}

/** One column value as a csv field, before any quoting; `esc` for the broken csv, undefined for RFC 4180. */
function csvField(v: LivestatusValue, sep: Separators, esc: CsvEscapes | undefined): string {
  if (typeof v === "string") return escapeValue(v, esc?.field);
  if (typeof v === "number") return csvNumber(v);
  if (Array.isArray(v)) return csvList(v as readonly LivestatusValue[], sep.list, sep, esc);
  return csvDict(v as Dict, sep.list, sep.hostService, esc);
}

/** A list's elements, each as a value inside a list, joined by `joiner` (the list separator at the top, the host/service one below). */
function csvList(list: readonly LivestatusValue[], joiner: string, sep: Separators, esc: CsvEscapes | undefined): string {
  let out = "";
  for (let i = 0; i < list.length; i++) {
    if (i > 0) out += joiner;
    out += csvInner(list[i] as LivestatusValue, sep, esc);
  }
  return out;
}

/**
 * Broken csv: every row (the header row too) terminated by the dataset separator, so an
 * empty result is an empty body and a header-only result is just the header line.
 */
export function renderCsv(header: readonly string[] | undefined, rows: readonly Row[], sep: Separators): string {
  // One string per row joined once: V8 builds the final string in a single copy.
  const esc = escapesFor(sep);
  const lines: string[] = [];
  if (header !== undefined) lines.push(header.map((name) => escapeValue(name, esc.field)).join(sep.field) + sep.dataset);
  for (const row of rows) {
    let line = "";
    for (let i = 0; i < row.length; i++) {
      if (i > 0) line += sep.field;
      line += csvField(row[i] as LivestatusValue, sep, esc);
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
      line += escapeQuotes(csvField(row[i] as LivestatusValue, sep, undefined));
    }
    lines.push(line + '"' + sep.dataset);
  }
  return lines.join("");
}
