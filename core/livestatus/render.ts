/**
 * Turns a query result (optional header row + value rows) into the body of a Livestatus
 * answer in the requested OutputFormat (livestatus.md §2.1). Pure and synchronous: the
 * server frames the body (response.ts) and writes it once.
 *
 * Choices where implementations differ (livestatus.md §6):
 * - A header, when given, is always rendered, also for an empty result (Checkmk; Icinga 2's
 *   `[]` crashes Nagstamon).
 * - json is compact (no whitespace, final `\n`): one native stringify renders it (render-json.ts).
 * - python and python3 get the same body: the json text with null spelled None.
 * - csv dicts (custom_variables) are `NAME|value` pairs joined by the list separator, as
 *   Checkmk's csv renderer does.
 *
 * Performance (20k rows x 4 columns: about 3 ms for csv, 2-3 ms for the JSON family): csv
 * builds one string per row and joins once, CSV adds a quote check per field, the JSON
 * family is one native stringify of the whole answer. No regexes. json rows whose columns
 * are all stable are not even rendered again while their state stands (row-text-cache.ts).
 */
import type { LivestatusValue } from "./column";
import type { OutputFormat, Separators } from "./query";
import { renderCsv, renderRfc4180 } from "./render-csv";
import { renderJson, renderWrappedJson } from "./render-json";

/**
 * @param header column names for the header row, or undefined when ColumnHeaders is off.
 * @param separators only used by `csv` (the Separators header affects nothing else).
 * @param totalCount wrapped_json's `total_count` (rows before Limit); default rows.length.
 */
export function renderBody(
  format: OutputFormat,
  header: readonly string[] | undefined,
  rows: readonly (readonly LivestatusValue[])[],
  separators: Separators,
  totalCount: number = rows.length,
): string {
  switch (format) {
    case "csv":
      return renderCsv(header, rows, separators);
    case "CSV":
      return renderRfc4180(header, rows);
    case "json":
      return renderJson(header, rows, "null");
    case "python":
    case "python3":
      return renderJson(header, rows, "None");
    case "wrapped_json":
      return renderWrappedJson(header, rows, totalCount);
    default:
      return unknownFormat(format);
  }
}

/** The request parser only lets known formats through; reaching this is a programming error. */
function unknownFormat(format: never): never {
  throw new TypeError(`renderBody: unknown output format ${JSON.stringify(format)}`);
}
