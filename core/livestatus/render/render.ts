/**
 * Turns a query result (optional header row + value rows) into the body of a Livestatus
 * answer in the requested OutputFormat (docs/livestatus.md §2.1). Pure and synchronous: the
 * server frames the body (response.ts) and writes it.
 *
 * Choices where implementations differ (docs/livestatus.md §6):
 * - A header, when given, is always rendered, also for an empty result (Checkmk; Icinga 2's
 *   `[]` crashes Nagstamon).
 * - json is compact (no whitespace, final `\n`): one native stringify renders it (render-json.ts).
 * - python and python3 get the same body: the json text with null spelled None.
 * - csv dicts (custom_variables) are `NAME|value` pairs joined by the list separator, as
 *   Checkmk's csv renderer does.
 *
 * A large answer is rendered in slices (bodyRenderer): the query engine renders the rows
 * of each slice of its scan as they come, so that no single render holds the event loop
 * and the pieces can be sent while the rest is rendered. The pieces joined are the bytes
 * renderBody gives for all the rows at once.
 *
 * Performance (20k rows x 4 columns: about 3 ms for csv, 2-3 ms for the JSON family): csv
 * builds one string per row and joins once, CSV adds a quote check per field, the JSON
 * family is one native stringify of the whole answer. No regexes. json rows whose columns
 * are all stable are not even rendered again while their state stands (row-text-cache.ts).
 */
import type { LivestatusValue } from "../query/column";
import type { OutputFormat, Separators } from "../protocol/query";
import { renderCsv, renderRfc4180 } from "./render-csv";
import { jsonRowsInner, renderJson, renderWrappedJson, wrappedJsonTail, type NullLiteral } from "./render-json";

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

type Row = readonly LivestatusValue[];

/** A body rendered piece by piece: the pieces, in order and joined, are the whole body. */
export interface BodyRenderer {
  /** The next rows (the header before the first ones). */
  rows(rows: readonly Row[]): string;
  /** The next rows, each already one JSON text (row-text-cache.ts): json and wrapped_json only. */
  texts(texts: readonly string[]): string;
  /** What ends the body (the header too when no rows came). `totalCount` is wrapped_json's total_count. */
  end(totalCount: number): string;
}

/** The renderer of a body in `format`; the same arguments as renderBody, less the rows. */
export function bodyRenderer(format: OutputFormat, header: readonly string[] | undefined, separators: Separators): BodyRenderer {
  switch (format) {
    case "csv":
      return linesBody((rows, head) => renderCsv(head, rows, separators), header);
    case "CSV":
      return linesBody((rows, head) => renderRfc4180(head, rows), header);
    case "json":
      return new JsonArrayBody(header === undefined ? "[" : "[" + JSON.stringify(header), header !== undefined, "null", () => "]\n");
    case "python":
    case "python3":
      return new JsonArrayBody(header === undefined ? "[" : "[" + JSON.stringify(header), header !== undefined, "None", () => "]\n");
    case "wrapped_json":
      return new JsonArrayBody('{"data":[', false, "null", (total) => wrappedJsonTail(header, total));
    default:
      return unknownFormat(format);
  }
}

/** csv flavours: every row is a line of its own, so slices simply follow each other; the header goes with the first. */
function linesBody(render: (rows: readonly Row[], header: readonly string[] | undefined) => string, header: readonly string[] | undefined): BodyRenderer {
  let headerDone = false;
  const next = (rows: readonly Row[]): string => {
    const text = render(rows, headerDone ? undefined : header);
    headerDone = true;
    return text;
  };
  return {
    rows: next,
    texts: () => {
      throw new TypeError("bodyRenderer: row texts are JSON, not csv");
    },
    end: () => (headerDone ? "" : next([])),
  };
}

/** The JSON family: an array opened by `head`, the slices' rows inside, comma-separated, closed by `tail`. */
class JsonArrayBody implements BodyRenderer {
  private opened = false;

  constructor(
    private readonly head: string,
    /** Whether the array holds an element already after the head (the header row). */
    private hasElement: boolean,
    private readonly nul: NullLiteral,
    private readonly tail: (totalCount: number) => string,
  ) {}

  rows(rows: readonly Row[]): string {
    return rows.length === 0 ? this.open() : this.add(jsonRowsInner(rows, this.nul));
  }

  texts(texts: readonly string[]): string {
    return texts.length === 0 ? this.open() : this.add(texts.join(","));
  }

  end(totalCount: number): string {
    return this.open() + this.tail(totalCount);
  }

  private add(inner: string): string {
    const text = this.open() + (this.hasElement ? "," : "") + inner;
    this.hasElement = true;
    return text;
  }

  private open(): string {
    if (this.opened) return "";
    this.opened = true;
    return this.head;
  }
}
