/**
 * A parsed Livestatus request, before it meets a table: the request parser builds it from
 * the header lines, the query engine resolves its column names against a table.
 */
export type FilterOperator = "=" | "!=" | "<" | ">" | "<=" | ">=" | "~" | "!~" | "~~" | "!~~" | "=~" | "!=~";

/** A filter tree, as the Filter:/And:/Or:/Negate: stack builds it. Operands stay raw text until typed by their column. */
export type FilterNode =
  | { readonly kind: "compare"; readonly column: string; readonly op: FilterOperator; readonly operand: string }
  | { readonly kind: "and"; readonly children: readonly FilterNode[] }
  | { readonly kind: "or"; readonly children: readonly FilterNode[] }
  | { readonly kind: "not"; readonly child: FilterNode };

export type Aggregate = "sum" | "min" | "max" | "avg" | "std" | "suminv" | "avginv";

/** One Stats column: a count of rows passing a filter, or an aggregate of a numeric column. */
export type StatsNode =
  { readonly kind: "count"; readonly filter: FilterNode } | { readonly kind: "aggregate"; readonly fn: Aggregate; readonly column: string };

export type OutputFormat = "csv" | "CSV" | "json" | "python" | "python3" | "wrapped_json";

export interface Separators {
  readonly dataset: string;
  readonly field: string;
  readonly list: string;
  readonly hostService: string;
}

export const DEFAULT_SEPARATORS: Separators = Object.freeze({ dataset: "\n", field: ";", list: ",", hostService: "|" });

export interface WaitSpec {
  readonly object?: string;
  readonly condition?: FilterNode;
  readonly trigger: string;
  /** Milliseconds; 0 = no timeout. */
  readonly timeoutMs: number;
}

export interface GetQuery {
  readonly kind: "get";
  readonly table: string;
  /** As the client wrote them (prefixes included); empty = all columns. */
  readonly columns: readonly string[];
  /** And of every filter left on the stack; undefined = no filter. */
  readonly filter?: FilterNode;
  readonly stats: readonly StatsNode[];
  readonly limit?: number;
  readonly outputFormat: OutputFormat;
  readonly separators: Separators;
  /** Explicit ColumnHeaders: on/off; undefined = the default (on without Columns and Stats). */
  readonly columnHeaders?: boolean;
  readonly responseHeader: "off" | "fixed16";
  readonly keepAlive: boolean;
  readonly authUser?: string;
  /** Seconds to add to time columns (Localtime), a multiple of 1800. */
  readonly timezoneOffset: number;
  /** Seconds; undefined = none. */
  readonly timeLimit?: number;
  readonly wait?: WaitSpec;
}

export interface CommandRequest {
  readonly kind: "command";
  /** The text after `COMMAND `: `[ts] NAME;args`. */
  readonly line: string;
  readonly keepAlive: boolean;
}

export type LivestatusRequest = GetQuery | CommandRequest;
