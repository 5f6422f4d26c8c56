/**
 * Turns the lines of one Livestatus request into a GetQuery or CommandRequest
 * (docs/livestatus.md §1.1, §2). Pure: the framing (splitting a stream on empty lines) is the
 * connection's job, and tables and column types are the query engine's. Every problem
 * becomes a LivestatusError with the status and one-line message the client gets.
 */
import { FilterStack, StatsStack, parseComparison, parseCount } from "../query/filter-stack";
import { WAIT_TRIGGERS, localtimeOffset, nonNegativeInteger, onOff, oneOf, outputFormat, separators } from "./header-values";
import { LivestatusError } from "./livestatus-error";
import { DEFAULT_SEPARATORS, type FilterNode, type GetQuery, type LivestatusRequest, type OutputFormat, type Separators, type WaitSpec } from "./query";

/**
 * Header lines one request may have. Real clients send tens (NagVis's largest, a map's
 * `Or:` of host/service pairs, three lines per object); the cap leaves room for maps and
 * views of a few thousand objects. Filtering costs rows × filters: 50,000 `Filter:` lines
 * and `And: 50000` (950 KB, under the 1 MiB request limit) took 9.1 s on 10k services.
 */
export const MAX_HEADER_LINES = 10_000;

/**
 * Regular-expression comparisons (`~`, `~~`, `!~`, `!~~`) in one request, Filter, Stats and
 * WaitCondition together. Each compiles to an RE2 program whose matching cache may grow to
 * about 2 MB on hostile patterns; GUIs send a handful (Thruk's search: one per searched column).
 */
export const MAX_REGEX_COMPARISONS = 100;

const REGEX_OPERATORS: ReadonlySet<string> = new Set(["~", "~~", "!~", "!~~"]);

/** Mutable state while the headers are read; frozen into a GetQuery at the end. */
interface Draft {
  readonly nowSeconds: number;
  readonly columns: string[];
  readonly filters: FilterStack;
  readonly stats: StatsStack;
  readonly waitConditions: FilterStack;
  limit?: number;
  outputFormat: OutputFormat;
  separators: Separators;
  columnHeaders?: boolean;
  responseHeader: "off" | "fixed16";
  keepAlive: boolean;
  authUser?: string;
  timezoneOffset: number;
  timeLimit?: number;
  hasWait: boolean;
  waitObject?: string;
  waitTrigger: string;
  waitTimeoutMs: number;
  /** Regex comparisons seen so far (MAX_REGEX_COMPARISONS). */
  regexComparisons: number;
}

type HeaderHandler = (draft: Draft, value: string, header: string) => void;

function addColumns(d: Draft, value: string): void {
  d.columns.push(...value.split(/\s+/).filter((c) => c !== ""));
}

function waitHeader(apply: HeaderHandler): HeaderHandler {
  return (d, value, header) => {
    d.hasWait = true;
    apply(d, value, header);
  };
}

const IGNORED: HeaderHandler = () => undefined;

/** A Map, not an object literal: a header named `constructor` must be unknown, not Object's. */
const HEADERS: ReadonlyMap<string, HeaderHandler> = new Map<string, HeaderHandler>([
  ["Columns", addColumns],
  // Deprecated alias of Columns for Stats queries.
  ["StatsGroupBy", addColumns],
  ["Filter", (d, v, h) => d.filters.push(counted(d, h, parseComparison(h, v)))],
  ["And", (d, v, h) => d.filters.combine("and", h, parseCount(h, v))],
  ["Or", (d, v, h) => d.filters.combine("or", h, parseCount(h, v))],
  ["Negate", (d, _v, h) => d.filters.negate(h)],
  [
    "Stats",
    (d, v, h) => {
      const node = d.stats.pushLine(h, v);
      if (node.kind === "count") counted(d, h, node.filter);
    },
  ],
  ["StatsAnd", (d, v, h) => d.stats.combine("and", h, parseCount(h, v))],
  ["StatsOr", (d, v, h) => d.stats.combine("or", h, parseCount(h, v))],
  ["StatsNegate", (d, _v, h) => d.stats.negate(h)],
  ["Limit", (d, v, h) => (d.limit = nonNegativeInteger(h, v))],
  ["OutputFormat", (d, v) => (d.outputFormat = outputFormat(v))],
  ["Separators", (d, v) => (d.separators = separators(v))],
  ["ColumnHeaders", (d, v, h) => (d.columnHeaders = onOff(h, v))],
  ["ResponseHeader", (d, v, h) => (d.responseHeader = oneOf(h, v, ["off", "fixed16"]))],
  ["KeepAlive", (d, v, h) => (d.keepAlive = onOff(h, v))],
  ["AuthUser", (d, v, h) => (d.authUser = nonEmpty(h, v, "missing contact name"))],
  ["Localtime", (d, v) => (d.timezoneOffset = localtimeOffset(v, d.nowSeconds))],
  ["Timelimit", (d, v, h) => (d.timeLimit = nonNegativeInteger(h, v))],
  ["WaitObject", waitHeader((d, v, h) => (d.waitObject = nonEmpty(h, v, "missing object name")))],
  ["WaitCondition", waitHeader((d, v, h) => d.waitConditions.push(counted(d, h, parseComparison(h, v))))],
  ["WaitConditionAnd", waitHeader((d, v, h) => d.waitConditions.combine("and", h, parseCount(h, v)))],
  ["WaitConditionOr", waitHeader((d, v, h) => d.waitConditions.combine("or", h, parseCount(h, v)))],
  ["WaitConditionNegate", waitHeader((d, _v, h) => d.waitConditions.negate(h))],
  ["WaitTrigger", waitHeader((d, v, h) => (d.waitTrigger = oneOf(h, v, WAIT_TRIGGERS)))],
  ["WaitTimeout", waitHeader((d, v, h) => (d.waitTimeoutMs = nonNegativeInteger(h, v)))],
  // LMD extensions some Thruk setups send to any backend: accepted, ignored (docs/livestatus.md §1.1).
  ["Sort", IGNORED],
  ["Offset", IGNORED],
  ["Backends", IGNORED],
]);

/** Counts a regex comparison against MAX_REGEX_COMPARISONS; returns the comparison. */
function counted<T extends FilterNode>(d: Draft, header: string, node: T): T {
  if (node.kind === "compare" && REGEX_OPERATORS.has(node.op) && ++d.regexComparisons > MAX_REGEX_COMPARISONS) {
    throw new LivestatusError(400, `${header}: more than ${MAX_REGEX_COMPARISONS} regular-expression comparisons in one request`);
  }
  return node;
}

function nonEmpty(header: string, value: string, reason: string): string {
  if (value === "") throw new LivestatusError(400, `${header}: ${reason}`);
  return value;
}

/**
 * @param lines the request's lines, without the empty line that ends it. Trailing `\r`
 *   and blanks are stripped here (Checkmk right-strips every line); blank lines are skipped.
 * @param nowSeconds server time, for `Localtime:` and for stamping a COMMAND sent without
 *   its `[timestamp]`.
 * @throws LivestatusError 452 for an invalid request line, 400 for a bad header.
 */
export function parseRequest(lines: readonly string[], nowSeconds: number): LivestatusRequest {
  const cleaned = lines.map((l) => l.trimEnd()).filter((l) => l !== "");
  const [first, ...headers] = cleaned;
  if (first === undefined) throw new LivestatusError(452, "Invalid request method: empty request");

  const command = /^COMMAND(?:\s+([\s\S]*))?$/.exec(first);
  if (command !== null) return parseCommand(command[1] ?? "", nowSeconds);

  const get = /^GET(?:\s+([\s\S]*))?$/.exec(first);
  if (get === null) throw new LivestatusError(452, "Invalid request method");
  const table = get[1] ?? "";
  if (table === "") throw new LivestatusError(452, "Invalid GET request, missing table name");
  return parseGet(table, headers, nowSeconds);
}

/**
 * A COMMAND is one line; following lines are ignored, as Checkmk does. The connection
 * stays open after it (docs/livestatus.md §1.3: commands get no answer and do not close), so
 * keepAlive is always true. The `[timestamp]` is optional on the wire but the shared
 * external-command parser requires it, so a missing one is filled with the server time.
 */
function parseCommand(text: string, nowSeconds: number): LivestatusRequest {
  if (text === "") throw new LivestatusError(452, "Invalid COMMAND request, missing command");
  const line = text.startsWith("[") ? text : `[${Math.trunc(nowSeconds)}] ${text}`;
  return { kind: "command", line, keepAlive: true };
}

function parseGet(table: string, headers: readonly string[], nowSeconds: number): GetQuery {
  if (headers.length > MAX_HEADER_LINES) {
    throw new LivestatusError(400, `Request has ${headers.length} header lines, more than the limit of ${MAX_HEADER_LINES}`);
  }
  const draft: Draft = {
    nowSeconds,
    columns: [],
    filters: new FilterStack(),
    stats: new StatsStack(),
    waitConditions: new FilterStack(),
    outputFormat: "csv",
    separators: DEFAULT_SEPARATORS,
    responseHeader: "off",
    keepAlive: false,
    timezoneOffset: 0,
    hasWait: false,
    waitTrigger: "all",
    waitTimeoutMs: 0,
    regexComparisons: 0,
  };
  for (const line of headers) {
    const colon = line.indexOf(":");
    if (colon <= 0) throw new LivestatusError(400, `${line}: malformed header line, expected 'Name: value'`);
    const name = line.slice(0, colon);
    const handler = HEADERS.get(name);
    if (handler === undefined) throw new LivestatusError(400, `${name}: undefined request header`);
    handler(draft, line.slice(colon + 1).trimStart(), name);
  }
  return freeze(table, draft);
}

/** Builds the GetQuery, leaving out optional fields that were not set (so `limit` in q means a Limit header). */
function freeze(table: string, d: Draft): GetQuery {
  const filter = d.filters.result();
  return {
    kind: "get",
    table,
    columns: d.columns,
    ...(filter === undefined ? {} : { filter }),
    stats: d.stats.result(),
    ...(d.limit === undefined ? {} : { limit: d.limit }),
    outputFormat: d.outputFormat,
    separators: d.separators,
    ...(d.columnHeaders === undefined ? {} : { columnHeaders: d.columnHeaders }),
    responseHeader: d.responseHeader,
    keepAlive: d.keepAlive,
    ...(d.authUser === undefined ? {} : { authUser: d.authUser }),
    timezoneOffset: d.timezoneOffset,
    ...(d.timeLimit === undefined ? {} : { timeLimit: d.timeLimit }),
    ...(d.hasWait ? { wait: waitSpec(d) } : {}),
  };
}

function waitSpec(d: Draft): WaitSpec {
  const condition = d.waitConditions.result();
  return {
    ...(d.waitObject === undefined ? {} : { object: d.waitObject }),
    ...(condition === undefined ? {} : { condition }),
    trigger: d.waitTrigger,
    timeoutMs: d.waitTimeoutMs,
  };
}
