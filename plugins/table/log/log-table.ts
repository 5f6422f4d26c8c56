import { Throttle, type LogEntry, type LogQuery, type RowHint, type StateView, type TableContext, type TableParts } from "../../../core";
import { HostView } from "../common/host-view";
import { LOG_COLUMNS, logVisibleTo, type LogRow } from "./log-columns";
import type { LogConfig } from "./schema";

/**
 * The store read for a query: the hint's time range, its host when it names exactly one,
 * at most `maxRows` lines. undefined when no line can pass (an empty range, no host).
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
  return {
    ...(since === undefined ? {} : { since }),
    ...(until === undefined ? {} : { until: until + 1 }),
    ...(keys === undefined ? {} : { where: { kind: "in", field: "hostname", values: [...keys] } }),
    // The newest lines when capped; answered oldest first (see load).
    order: "desc",
    limit: maxRows,
  };
}

/**
 * The Livestatus `log` table: lines read from the store through the state, oldest first,
 * with the current state of their host and service joined. When a read returns max_rows
 * lines (later lines of the range may have been left out), a warning says so, throttled.
 */
export function logTable({ state, config, clock, log }: TableContext<LogConfig>): TableParts<LogRow> {
  const maxRows = config.max_rows;
  const throttle = new Throttle(clock);
  const full = (query: LogQuery): void => {
    const t = throttle.take();
    if (!t.log || !log.isLevelEnabled("warn")) return;
    const fields = { max_rows: maxRows, since: query.since, until: query.until };
    log.warn(
      "a log query read max_rows lines: earlier lines of its time range may be left out (narrow the range with Filter: time, or raise max_rows)",
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
      if (page.entries.length >= maxRows) full(query);
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
