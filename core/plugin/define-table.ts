import { inject, injectable } from "tsyringe";
import type { Clock } from "../clock";
import type { LivestatusTable, RowHint, TableCatalog, TableRegistry } from "../livestatus/query/table-registry";
import { TableRegistration } from "../livestatus/query/table-registration";
import type { Logger } from "../log/logger";
import type { InstanceView, StatsSnapshot } from "../metrics/self-stats";
import type { StateView } from "../state/state-view";
import { CLOCK, LOGGER, PLUGIN_CONFIG, SELF_STATS, STATE_VIEW, TABLES } from "../tokens";
import type { ConfigSchema, PluginDefinition, TablePlugin } from "./api";
import { definePlugin } from "./define";

/** A plugin's validated options, when the table does not name their type. */
export type TableConfig = Readonly<Record<string, unknown>>;

/** What a table is built from: everything it may read, nothing it could change. */
export interface TableContext<C = TableConfig> {
  /** The hosts, services, downtimes, comments and log, read-only. */
  readonly state: StateView;
  /** The instance's validated, frozen options (its schema's keys). */
  readonly config: C;
  readonly clock: Clock;
  /** Bound to `{ plugin, instance }`. */
  readonly log: Logger;
  /** The daemon's own counters, by instance (the `status` table sums the Livestatus ones). */
  /** snapshot(): the counters by instance; instances(): all of it, for readFigures(). */
  readonly stats: { snapshot(): StatsSnapshot; instances(): Iterable<InstanceView> };
  /** The tables being served (the `columns` table lists theirs). */
  readonly tables: TableCatalog;
}

/**
 * A table as its plugin writes it: the `LivestatusTable` without its name, which is the
 * plugin's. `prefix` defaults to none and `keyColumns` to none.
 */
export type TableParts<Row> = Omit<LivestatusTable<Row>, "spec" | "keyColumns"> & {
  /** Prefix clients may put before the column names (`host_` on hosts). */
  readonly prefix?: string;
  readonly columns: LivestatusTable<Row>["spec"]["columns"];
  readonly keyColumns?: readonly string[];
};

export interface TableOptions<Row, C = TableConfig> {
  /** kebab-case: what `plugin =` names, and the table's name in queries (`GET <name>`). */
  readonly name: string;
  /** One line for `tantale plugins`. */
  readonly description: string;
  readonly schema: ConfigSchema;
  /** Runs without a conf file (tables GUIs expect); a file with `enabled = false` turns it off. */
  readonly defaultEnabled?: boolean;
  readonly apiVersion?: number;
  /** Builds the table when an instance starts (again at each start); a throw fails the start. */
  table(context: TableContext<C>): TableParts<Row>;
}

/** A running table plugin: `table` is the table it serves (the last one it built; undefined before its first start). */
export interface TableInstance<Row = unknown> extends TablePlugin {
  readonly table: LivestatusTable<Row> | undefined;
}

export interface TableDefinition<Row = unknown, C = TableConfig> extends PluginDefinition<"table"> {
  /** The table as the registry would serve it, built from a context of your own: for tests and tools. */
  build(context: TableContext<C>): LivestatusTable<Row>;
}

/**
 * Declares a table plugin: its name, description, schema and how its table is built.
 * The core runs it like any other plugin: at start the table is built from the context and
 * added to the served tables; at stop it is removed.
 */
export function defineTable<Row, C = TableConfig>(options: TableOptions<Row, C>): TableDefinition<Row, C> {
  if (typeof options.table !== "function") {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-conversion -- a plugin written in JavaScript gets no type check: its name may be anything
    throw new TypeError(`invalid table plugin definition "${String(options.name)}": table must be a function from the context to the table`);
  }
  const build = (context: TableContext<C>): LivestatusTable<Row> => assemble(options.name, options.table(context));

  @injectable()
  class DefinedTable implements TableInstance<Row> {
    private registration: TableRegistration<Row> | undefined;
    private readonly context: TableContext<C>;

    constructor(
      @inject(TABLES) private readonly registry: TableRegistry,
      @inject(STATE_VIEW) state: StateView,
      @inject(PLUGIN_CONFIG) config: C,
      @inject(CLOCK) clock: Clock,
      @inject(LOGGER) log: Logger,
      @inject(SELF_STATS) stats: TableContext["stats"],
    ) {
      this.context = Object.freeze({ state, config, clock, log, stats, tables: registry });
    }

    get table(): LivestatusTable<Row> | undefined {
      return this.registration?.table;
    }

    async start(): Promise<void> {
      if (this.registration?.started === true) return;
      this.registration = new TableRegistration(this.registry, build(this.context));
      this.registration.start();
    }

    async stop(): Promise<void> {
      this.registration?.stop();
    }
  }
  // Errors and stack traces name the plugin's class: `ContactsTable`, not `DefinedTable`.
  Object.defineProperty(DefinedTable, "name", { value: `${pascalCase(options.name)}Table` });

  const plugin = definePlugin<"table">({
    name: options.name,
    kind: "table",
    description: options.description,
    schema: options.schema,
    ...(options.defaultEnabled === undefined ? {} : { defaultEnabled: options.defaultEnabled }),
    ...(options.apiVersion === undefined ? {} : { apiVersion: options.apiVersion }),
    create: DefinedTable,
  });
  return Object.freeze({ ...plugin, build });
}

/** The served table from the plugin's parts; methods are called on the parts object, so a class instance works too. */
function assemble<Row>(name: string, parts: TableParts<Row>): LivestatusTable<Row> {
  const seen = new Set<string>();
  for (const c of parts.columns) {
    // A second column of the same name would never be reached: say so at start, not as a wrong answer.
    if (seen.has(c.name)) throw new Error(`table ${name}: column ${c.name} is declared twice`);
    seen.add(c.name);
  }
  for (const key of [...(parts.keyColumns ?? []), ...(parts.timeColumn === undefined ? [] : [parts.timeColumn])]) {
    if (!seen.has(key)) throw new Error(`table ${name}: key or time column ${key} is not one of its columns`);
  }
  const { load, blocks, timeColumn, visibleTo, rowVersion } = parts;
  return {
    spec: { name, prefix: parts.prefix ?? "", columns: parts.columns },
    keyColumns: parts.keyColumns ?? [],
    rows: (hint) => parts.rows(hint),
    ...(load === undefined ? {} : { load: (hint: RowHint) => load.call(parts, hint) }),
    ...(blocks === undefined ? {} : { blocks: (hint: RowHint) => blocks.call(parts, hint) }),
    ...(timeColumn === undefined ? {} : { timeColumn }),
    ...(visibleTo === undefined ? {} : { visibleTo }),
    ...(rowVersion === undefined ? {} : { rowVersion }),
  };
}

function pascalCase(name: string): string {
  return name.replace(/(^|-)([a-z0-9])/g, (_m, _dash: string, c: string) => c.toUpperCase());
}
