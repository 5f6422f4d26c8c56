/**
 * What the table plugin tests share: a real StateEngine over an in-memory store, a clock
 * moved by hand, results written through the engine's own rules, and queries made through
 * the LivestatusTable interface the listener uses (resolveColumn, rows(hint), visibleTo).
 */
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import type { Clock } from "../../core/clock";
import { resolveColumn, type ColumnSpec, type LivestatusValue } from "../../core/livestatus/query/column";
import { TableRegistry, type LivestatusTable, type RowHint } from "../../core/livestatus/query/table-registry";
import { silentLogger } from "../../core/log/logger";
import { SelfStats } from "../../core/metrics/self-stats";
import type { CheckResult } from "../../core/model/check-result";
import type { ChangeSet } from "../../core/state/change-set";
import { StateEngine } from "../../core/state/state-engine";
import { COMPLETE_COMMIT, type CommitReport } from "../../core/store/commit-report";
import { logPageOf, type LogPage, type LogQuery } from "../../core/store/log-query";
import { EMPTY_STORED_STATE, type StateStore, type StoredState } from "../../core/store/state-store";
import type { InstanceSpec } from "../../core/config/load-config";
import { buildRootContainer } from "../../core/daemon/daemon";
import { ResultBus } from "../../core/pipeline/result-bus";
import { constructInstance } from "../../core/plugin/instance";
import type { TableConfig, TableContext, TableDefinition, TableInstance } from "../../core/plugin/define-table";
import { testDaemonSettings } from "./daemon-settings";
import { REPO_ROOT } from "./tantale-process";

/** Keeps commits in memory: the tables read the engine, never the store. */
// The core internals the table tests drive (the query engine, the registry, the engine): not
// the public API, so the plugins' own tests reach them through this kit.
export { TableRegistry } from "../../core/livestatus/query/table-registry";
export { answerQuery, type QueryAnswer } from "../../core/livestatus/query/query-engine";
export { parseRequest } from "../../core/livestatus/protocol/request-parser";
export type { GetQuery } from "../../core/livestatus/protocol/query";
export { LivestatusError } from "../../core/livestatus/protocol/livestatus-error";
export { planWait } from "../../core/livestatus/protocol/wait-condition";
export { SelfStats } from "../../core/metrics/self-stats";
export { silentLogger } from "../../core/log/logger";
export { StateEngine, type AcknowledgementRequest, type CommentRequest, type DowntimeRequest } from "../../core/state/state-engine";
export { NO_RECORD_CHANGES } from "../../core/state/change-set";
export { CLIENT_REQUESTS } from "../core/livestatus/client-requests";

export class MemoryStore implements StateStore {
  readonly commits: ChangeSet[] = [];
  async load(): Promise<StoredState> {
    return EMPTY_STORED_STATE;
  }
  async commit(changes: ChangeSet): Promise<CommitReport> {
    this.commits.push(changes);
    return COMPLETE_COMMIT;
  }
  async readLog(q: LogQuery): Promise<LogPage> {
    return logPageOf(
      this.commits.flatMap((c) => [...c.log]),
      q,
    );
  }
}

export const T0 = 1_764_100_000;

export interface EngineKit {
  readonly engine: StateEngine;
  readonly clock: Clock;
  /** Moves the clock to `T0 + seconds`. */
  at(seconds: number): void;
  write(...results: CheckResult[]): Promise<void>;
}

export async function engineKit(): Promise<EngineKit> {
  let now = T0;
  const clock: Clock = { now: () => now * 1000 };
  const engine = new StateEngine({ freshness_factor: 2, freshness_check_interval: 1000 }, clock, silentLogger(), new SelfStats().of("(state)"));
  await engine.attachStore(new MemoryStore());
  return {
    engine,
    clock,
    at: (seconds) => void (now = T0 + seconds),
    write: (...results) => engine.write(results),
  };
}

export function result(hostname: string, check: string, status: number, extra: Partial<CheckResult> = {}): CheckResult {
  return Object.freeze({
    hostname,
    check,
    status,
    output: `${check} of ${hostname} is ${status}`,
    longOutput: "",
    perfData: "",
    timestamp: T0,
    interval: 60,
    contacts: ["ops"],
    hostgroups: [],
    servicegroups: [],
    customVariables: {},
    ...extra,
  });
}

/** A column as the query engine resolves it (prefixes stripped as Checkmk does); fails the test when unknown. */
export function column<Row>(table: LivestatusTable<Row>, name: string): ColumnSpec<Row> {
  const byName = new Map(table.spec.columns.map((c) => [c.name, c]));
  const c = resolveColumn(table.spec, byName, name);
  if (c === undefined) return expect.fail(`${table.spec.name} has no column ${name}`);
  return c;
}

export interface QueryOptions {
  readonly keys?: readonly string[];
  readonly user?: string;
}

/** The values of `columns` for every row the table yields (for `keys`), visible to `user`. */
export function select<Row>(table: LivestatusTable<Row>, columns: readonly string[], options: QueryOptions = {}): LivestatusValue[][] {
  const specs = columns.map((name) => column(table, name));
  // As the query engine builds it: the keys, and the AuthUser for tables that summarize other objects.
  const hint: RowHint = {
    ...(options.keys === undefined ? {} : { keys: new Set(options.keys) }),
    ...(options.user === undefined ? {} : { user: options.user }),
  };
  const out: LivestatusValue[][] = [];
  for (const row of table.rows(hint)) {
    if (options.user !== undefined && table.visibleTo !== undefined && !table.visibleTo(row, options.user)) continue;
    out.push(specs.map((c) => c.get(row)));
  }
  return out;
}

/** One row as name → value (NagVis and Nagstamon address values by column name). */
export function record<Row>(table: LivestatusTable<Row>, columns: readonly string[], options: QueryOptions = {}): Record<string, LivestatusValue>[] {
  return select(table, columns, options).map((values) => Object.fromEntries(columns.map((c, i) => [c, values[i] as LivestatusValue])));
}

/** Every column has a unique name and a description, and on each of `rows` a value of its declared type. */
export function expectWellTypedColumns<Row>(table: LivestatusTable<Row>, rows: readonly Row[]): void {
  expect(rows.length, "rows to check the column types on").to.be.greaterThan(0);
  const names = table.spec.columns.map((c) => c.name);
  expect(new Set(names).size).to.equal(names.length);
  for (const row of rows) {
    for (const c of table.spec.columns) {
      expect(c.description, c.name).to.not.equal("");
      const v = c.get(row);
      if (c.type === "int" || c.type === "time") expect(Number.isInteger(v), c.name).to.equal(true);
      else if (c.type === "float") expect(typeof v, c.name).to.equal("number");
      else if (c.type === "string") expect(typeof v, c.name).to.equal("string");
      else if (c.type === "list") expect(Array.isArray(v), c.name).to.equal(true);
      else expect(typeof v === "object" && !Array.isArray(v), c.name).to.equal(true);
    }
  }
}

/**
 * The README's column table must list every column of the spec, with its type and
 * description (it is committed text, generated once from the specs; this keeps it true).
 */
export function expectReadmeListsColumns<Row>(readme: string, columns: readonly ColumnSpec<Row>[]): void {
  const rows = new Set(readme.split("\n").filter((l) => l.startsWith("| `")));
  for (const c of columns) expect(rows, `README row for ${c.name}`).to.include(`| \`${c.name}\` | ${c.type} | ${c.description} |`);
}

/** A plugin's README, by its folder under the repo (`plugins/table/hosts`). */
export function readPluginReadme(folder: string): string {
  return fs.readFileSync(path.join(REPO_ROOT, folder, "README.md"), "utf8");
}

/** What the table plugins' registration test needs of a plugin instance. */
export interface RegisteringTable<Row> {
  readonly table: LivestatusTable<Row> | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A second instance of a table plugin is refused at start, and its stop leaves the first
 * instance's table served (TableRegistration's promise, checked for each plugin using it).
 */
export async function expectSecondInstanceRefused<Row>(name: string, make: (tables: TableRegistry) => RegisteringTable<Row>): Promise<void> {
  const tables = new TableRegistry();
  const first = make(tables);
  const second = make(tables);
  await first.start();
  let error: unknown;
  await second.start().catch((e: unknown) => (error = e));
  expect(String(error)).to.contain(`two table plugins provide the table ${name}`);
  await second.stop();
  expect(tables.get(name)).to.equal(first.table);
  await first.stop();
}

/** The table a definition serves, built over the kit's engine and clock (a fresh engine without one: tables that read no state). */
export function built<Row, C>(definition: TableDefinition<Row, C>, kit?: EngineKit, config: C = {} as C): LivestatusTable<Row> {
  return definition.build(tableContext(kit ?? bareKit(), config));
}

/** An engine without results or store, on a fixed clock at T0. */
function bareKit(): EngineKit {
  const clock: Clock = { now: () => T0 * 1000 };
  const engine = new StateEngine({ freshness_factor: 2, freshness_check_interval: 1000 }, clock, silentLogger(), new SelfStats().of("(state)"));
  return { engine, clock, at: () => undefined, write: (...results) => engine.write(results) };
}

/** A context to build a table from (`definition.build(kit.context)`): the kit's engine and clock, silent logs. */
export function tableContext<C = TableConfig>(kit: EngineKit, config: C, extra: Partial<TableContext<C>> = {}): TableContext<C> {
  return { state: kit.engine, config, clock: kit.clock, log: silentLogger(), stats: new SelfStats(), tables: new TableRegistry(), ...extra };
}

/**
 * One instance of a table plugin built as the daemon builds it (its root container, then
 * constructInstance with the instance's options), over the kit's engine and clock.
 */
export function tableInstance<Row, C>(
  definition: TableDefinition<Row, C>,
  kit: Pick<EngineKit, "engine" | "clock"> | undefined,
  tables: TableRegistry,
  options: { id?: string; config?: Readonly<Record<string, unknown>>; stats?: SelfStats } = {},
): TableInstance<Row> {
  const stats = options.stats ?? new SelfStats();
  const logger = silentLogger();
  const { clock, engine } = kit ?? bareKit();
  const sink = new ResultBus(10, logger, stats, clock);
  const root = buildRootContainer({ clock, settings: testDaemonSettings(), dataDir: ".", stats, sink, logger, engine, tables });
  const id = options.id ?? definition.name;
  const spec: InstanceSpec = {
    id,
    file: `${id}.conf`,
    plugin: { definition, source: { type: "built-in" } },
    settings: { plugin: definition.name, enabled: true, log_level: null },
    options: Object.freeze({ ...options.config }),
    fingerprint: id,
  };
  return constructInstance(spec, root, logger, stats).plugin as TableInstance<Row>;
}
