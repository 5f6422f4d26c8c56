import { Throttle, type LogCondition, type LogEntry, type LogQuery, type RowHint, type StateView, type TableContext, type TableParts } from "../../../core";
import { HostView } from "../common/host-view";
import { LOG_COLUMNS, logVisibleTo, type LogRow } from "./log-columns";
import { logPushdown } from "./log-pushdown";
import type { LogConfig } from "./schema";

/**
 * The store read for a query: the hint's time range, the part of its filter the store can
 * select by (log-pushdown.ts), the newest `maxRows` lines of what that selects. undefined
 * when no line can pass (an empty range, no host).
 *
 * The hint bounds the `time` column, whole seconds; the store keeps fractions. A line at
 * `until + 0.5` shows as `until` and must be read, so the store is asked up to `until + 1`
 * (a line at exactly `until + 1` is read too, and dropped by the filter).
 */
export function logQueryOf(hint: RowHint, maxRows: number): LogQuery | undefined {
  const { keys, timeRange } = hint;
  if (keys !== undefined && keys.size === 0) return undefined;
  const since = timeRange?.since;
  const until = timeRange?.until;
  if (since !== undefined && until !== undefined && since > until) return undefined;
  const where = withoutImpliedSince(withHostKeys(logPushdown(hint)?.condition, keys), since);
  // Built field by field: conditional spreads cost several µs per query, as much as the rest of this.
  const query: Mutable<LogQuery> = {};
  if (since !== undefined) query.since = since;
  if (until !== undefined) query.until = until + 1;
  if (where !== undefined) query.where = where;
  // The newest lines when capped; answered oldest first (see load).
  query.order = "desc";
  query.limit = maxRows;
  return query;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The hint's hosts (what the engine found the filter to allow: also for an Or of host and
 * service pairs, NagVis's) as a top-level term, so that the store can read by host, unless
 * the condition pins the hosts there already.
 */
function withHostKeys(where: LogCondition | undefined, keys: ReadonlySet<string> | undefined): LogCondition | undefined {
  if (keys === undefined) return where;
  const terms = where === undefined ? [] : where.kind === "and" ? where.children : [where];
  if (terms.some((t) => t.kind === "in" && t.field === "hostname")) return where;
  const hosts: LogCondition = { kind: "in", field: "hostname", values: [...keys] };
  return terms.length === 0 ? hosts : { kind: "and", children: [hosts, ...terms] };
}

/** The condition without its top-level `time >= v` terms that `since` implies (Multisite's and Thruk's `Filter: time >= T`), which it would only repeat. */
function withoutImpliedSince(where: LogCondition | undefined, since: number | undefined): LogCondition | undefined {
  if (where === undefined || since === undefined) return where;
  const implied = (c: LogCondition): boolean => c.kind === "number" && c.field === "time" && c.op === ">=" && c.value <= since;
  if (implied(where)) return undefined;
  if (where.kind !== "and") return where;
  const children = where.children.filter((c) => !implied(c));
  if (children.length === where.children.length) return where;
  if (children.length === 0) return undefined;
  return children.length === 1 ? children[0] : { kind: "and", children };
}

/**
 * The Livestatus `log` table: lines read from the store through the state, oldest first,
 * with the current state of their host and service joined. A read keeps the newest max_rows
 * lines the store selects; when earlier ones were left out, a warning says so, throttled.
 */
export function logTable({ state, config, clock, log }: TableContext<LogConfig>): TableParts<LogRow> {
  const maxRows = config.max_rows;
  const throttle = new Throttle(clock);
  const full = (query: LogQuery): void => {
    const t = throttle.take();
    if (!t.log || !log.isLevelEnabled("warn")) return;
    const fields = { max_rows: maxRows, since: query.since, until: query.until };
    log.warn(
      "a log query read the newest max_rows lines it selects: earlier lines of its time range may be left out (narrow the range with Filter: time, or raise max_rows)",
      t.suppressed > 0 ? { ...fields, suppressed: t.suppressed } : fields,
    );
  };
  return {
    prefix: "log_",
    columns: LOG_COLUMNS,
    keyColumns: ["host_name"],
    timeColumn: "time",
    // The log is in the store, not in memory: queries go through load(). A Wait condition
    // (polled synchronously through rows()) therefore never holds on the log.
    rows: () => [],
    async load(hint: RowHint): Promise<Iterable<LogRow>> {
      const query = logQueryOf(hint, maxRows);
      if (query === undefined) return [];
      const page = await state.readLog(query);
      // The store says when its limit cut the read (there may be more lines).
      if (page.next !== undefined) full(query);
      return logRows(state, [...page.entries].reverse(), clock.now() / 1000);
    },
    visibleTo: logVisibleTo,
  };
}

/** The rows of the lines read, built as the query engine scans them (Limit stops early); one host view per host. */
function* logRows(state: StateView, entries: readonly LogEntry[], now: number): Generator<LogRow, void, undefined> {
  const hosts = new Map<string, HostView | undefined>();
  let lineno = 0;
  for (const entry of entries) {
    let host = hosts.get(entry.hostname);
    if (host === undefined && !hosts.has(entry.hostname)) {
      const found = state.host(entry.hostname);
      host = found === undefined ? undefined : new HostView(found, now, state);
      hosts.set(entry.hostname, host);
    }
    const service = entry.check === "" || host === undefined ? undefined : host.entry.services.get(entry.check);
    yield { entry, lineno: ++lineno, host, service, now };
  }
}
