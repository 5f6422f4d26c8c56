import { inject, injectable } from "tsyringe";
import type { Clock } from "../../../core/clock";
import type { LivestatusTable, RowHint, TableRegistry } from "../../../core/livestatus/table-registry";
import type { Logger } from "../../../core/log/logger";
import { Throttle } from "../../../core/log/throttle";
import type { TablePlugin } from "../../../core/plugin/api";
import type { LogEntry } from "../../../core/state/log-entry";
import type { StateEngine } from "../../../core/state/state-engine";
import type { LogQuery } from "../../../core/store/state-store";
import { CLOCK, LOGGER, PLUGIN_CONFIG, STATE_ENGINE, TABLES } from "../../../core/tokens";
import { HostView } from "../common/host-view";
import { TableRegistration } from "../common/table-registration";
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
    ...(keys?.size === 1 ? { hostname: keys.values().next().value as string } : {}),
    limit: maxRows,
  };
}

/**
 * The Livestatus `log` table: lines read from the store through the state engine, oldest
 * first, with the current state of their host and service joined. `onFull` is told when a
 * read returned `maxRows` lines (later lines of the range may have been left out).
 */
export function logTable(engine: StateEngine, clock: Clock, maxRows: number, onFull: (query: LogQuery) => void = () => undefined): LivestatusTable<LogRow> {
  return {
    spec: { name: "log", prefix: "log_", columns: LOG_COLUMNS },
    keyColumns: ["host_name"],
    timeColumn: "time",
    // The log is in the store, not in memory: queries go through load(). A Wait condition
    // (polled synchronously through rows()) therefore never holds on the log.
    rows: () => [],
    async load(hint: RowHint): Promise<Iterable<LogRow>> {
      const query = logQueryOf(hint, maxRows);
      if (query === undefined) return [];
      const entries = await engine.readLog(query);
      if (entries.length >= maxRows) onFull(query);
      return logRows(engine, entries, clock.now() / 1000);
    },
    visibleTo: logVisibleTo,
  };
}

/** The rows of the lines read, built as the query engine scans them (Limit stops early); one host view per host. */
function* logRows(engine: StateEngine, entries: readonly LogEntry[], now: number): Generator<LogRow, void, undefined> {
  const hosts = new Map<string, HostView | undefined>();
  let lineno = 0;
  for (const entry of entries) {
    let host = hosts.get(entry.hostname);
    if (host === undefined && !hosts.has(entry.hostname)) {
      const found = engine.host(entry.hostname);
      host = found === undefined ? undefined : new HostView(found, now, engine);
      hosts.set(entry.hostname, host);
    }
    const service = entry.check === "" || host === undefined ? undefined : host.entry.services.get(entry.check);
    yield { entry, lineno: ++lineno, host, service, now };
  }
}

/** The `log` table plugin: adds the table to the registry while it runs. */
@injectable()
export class LogTable implements TablePlugin {
  private readonly registration: TableRegistration<LogRow>;
  private readonly throttle: Throttle;

  constructor(
    @inject(PLUGIN_CONFIG) private readonly config: LogConfig,
    @inject(TABLES) tables: TableRegistry,
    @inject(STATE_ENGINE) engine: StateEngine,
    @inject(CLOCK) clock: Clock,
    @inject(LOGGER) private readonly log: Logger,
  ) {
    this.throttle = new Throttle(clock);
    this.registration = new TableRegistration(tables, logTable(engine, clock, config.max_rows, (query) => this.full(query)));
  }

  /** The table as the registry serves it (for tests and tools). */
  get table(): LivestatusTable<LogRow> {
    return this.registration.table;
  }

  async start(): Promise<void> {
    if (!Number.isSafeInteger(this.config.max_rows) || this.config.max_rows < 1) {
      throw new Error(`max_rows must be at least 1, got ${this.config.max_rows}`);
    }
    this.registration.start();
  }

  async stop(): Promise<void> {
    this.registration.stop();
  }

  private full(query: LogQuery): void {
    const t = this.throttle.take();
    if (!t.log || !this.log.isLevelEnabled("warn")) return;
    const fields = { max_rows: this.config.max_rows, since: query.since, until: query.until, hostname: query.hostname };
    this.log.warn("a log query read max_rows lines: later lines of its time range may be left out (narrow the range with Filter: time, or raise max_rows)", t.suppressed > 0 ? { ...fields, suppressed: t.suppressed } : fields);
  }
}
