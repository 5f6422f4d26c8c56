import type { TableSpec } from "./column";
import type { FilterNode } from "../protocol/query";
import type { TimeRange } from "./time-range";

/** What the query engine may know of the rows a filter allows: an index hint, never a promise. */
export interface RowHint {
  /** Only rows whose key column value is in this set can pass the filter (see filterEqualities). */
  readonly keys?: ReadonlySet<string>;
  /**
   * Only rows whose time column value (whole seconds, server time) is within these
   * inclusive bounds can pass the filter (see filterTimeRange); only for a table that
   * declares `timeColumn`.
   */
  readonly timeRange?: TimeRange;
  /**
   * The query's AuthUser. Rows are filtered by `visibleTo` whatever the table does; a table
   * whose rows summarize other objects (a group's members and counts) leaves out of them
   * what the user may not see, as Checkmk does.
   */
  readonly user?: string;
  /**
   * The query's whole filter, for a table that reads a store able to apply more than keys
   * and a time range (the log): it may push down any part it can express as a superset.
   * Operands are as the client wrote them: time operands still carry the Localtime offset.
   */
  readonly filter?: FilterNode;
  /** The Localtime offset (seconds) to subtract from time operands of `filter`. */
  readonly timezoneOffset?: number;
  /** The table's own name of a column as a filter names it (`log_time` → `time`); undefined for an unknown one. */
  readonly columnName?: (name: string) => string | undefined;
}

/**
 * A run of rows that a table hands out in place (a host's services): the query engine scans
 * them without a row object per row, and reuses what it rendered of the whole block while
 * the block comes with the same key.
 */
export interface RowBlock<Row> {
  /**
   * Stands for the block's rows and their versions: while a block comes with the same key
   * object, it holds the same rows, in the same order, with the same rowVersion each (so
   * its stable columns render to the same text). Undefined: no such promise.
   */
  readonly key: object | undefined;
  /** How many rows the block holds (0 or more). */
  readonly size: number;
  /**
   * Row `i` (0 ≤ i < size). The table may hand out one object for every row, changed in
   * place: a row is valid until the next call, and nobody may keep it.
   */
  row(i: number): Row;
}

/**
 * A Livestatus table as the table plugins provide it: its columns and its rows. The query
 * engine applies every filter itself, so `rows()` may return more rows than the hint allows,
 * never fewer; with a hint it should cost O(matching rows), not a scan (hosts by name,
 * services by host name).
 */
export interface LivestatusTable<Row = unknown> {
  readonly spec: TableSpec<Row>;
  /** Column names whose `=` filters the table can look up directly (`name` on hosts, `host_name` on services). */
  readonly keyColumns: readonly string[];
  /** The time column whose bounds the table can use (`time` on log): the query engine puts them in the hint's `timeRange`. */
  readonly timeColumn?: string;
  /**
   * The rows in memory, synchronously. A table whose rows live in a store (the log) has
   * `load()`; its `rows()` gives what it has without reading the store (the Wait headers,
   * which poll synchronously, use it).
   */
  rows(hint: RowHint): Iterable<Row>;
  /**
   * The rows read from a store: when present the query engine awaits this instead of
   * calling `rows()`, with the same hint and the same contract (more rows than the hint
   * allows, never fewer, except where the table documents a cap).
   */
  load?(hint: RowHint): Promise<Iterable<Row>>;
  /**
   * The rows of rows(hint), the same ones in the same order, in blocks (RowBlock): what the
   * query engine scans when present (a table without `load`). rows() stays for the others
   * who read a table (the Wait headers).
   */
  blocks?(hint: RowHint): readonly RowBlock<Row>[];
  /**
   * Whether the contact `user` may see the row (AuthUser). Absent: the table has no
   * authorization (status, columns, commands, contacts, ...).
   */
  readonly visibleTo?: (row: Row, user: string) => boolean;
  /**
   * The immutable object a row's `stable` columns are computed from (a service's check
   * state), undefined for a row without one: while it is the same object, the query engine
   * reuses the row's rendering (row-text-cache.ts). Absent: nothing is reused.
   */
  readonly rowVersion?: (row: Row) => object | undefined;
}

/** The served tables, read-only: what a table that lists the others (`columns`) may see. */
export interface TableCatalog {
  get(name: string): LivestatusTable | undefined;
  all(): IterableIterator<LivestatusTable>;
}

/**
 * The tables the Livestatus listener serves, by name. Table plugins add theirs on start and
 * remove it on stop, so the core protocol code knows no table by name.
 */
export class TableRegistry implements TableCatalog {
  private readonly tables = new Map<string, LivestatusTable>();

  add<Row>(table: LivestatusTable<Row>): void {
    if (this.tables.has(table.spec.name)) throw new Error(`two table plugins provide the table ${table.spec.name}`);
    this.tables.set(table.spec.name, table as LivestatusTable);
  }

  remove(name: string): void {
    this.tables.delete(name);
  }

  get(name: string): LivestatusTable | undefined {
    return this.tables.get(name);
  }

  all(): IterableIterator<LivestatusTable> {
    return this.tables.values();
  }
}
