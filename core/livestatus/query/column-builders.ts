import type { ColumnSpec, ColumnType, LivestatusValue } from "./column";

/**
 * Small constructors for column specs, so that a column list reads as one line per column
 * and the value type of each accessor is checked against its Livestatus type.
 */
type Dict = Readonly<Record<string, string>>;
type Getter<Row, T> = (row: Row) => T;

function spec<Row>(name: string, type: ColumnType, description: string, get: Getter<Row, LivestatusValue>): ColumnSpec<Row> {
  return Object.freeze({ name, type, description, get });
}

export function int<Row>(name: string, description: string, get: Getter<Row, number>): ColumnSpec<Row> {
  return spec(name, "int", description, get);
}

export function float<Row>(name: string, description: string, get: Getter<Row, number>): ColumnSpec<Row> {
  return spec(name, "float", description, get);
}

/** Epoch seconds: results may carry fractional timestamps, clients expect whole seconds (time_t). */
export function time<Row>(name: string, description: string, get: Getter<Row, number>): ColumnSpec<Row> {
  return spec(name, "time", description, (row) => Math.floor(get(row)));
}

export function string<Row>(name: string, description: string, get: Getter<Row, string>): ColumnSpec<Row> {
  return spec(name, "string", description, get);
}

export function list<Row>(name: string, description: string, get: Getter<Row, readonly LivestatusValue[]>): ColumnSpec<Row> {
  return spec(name, "list", description, get);
}

export function dict<Row>(name: string, description: string, get: Getter<Row, Dict>): ColumnSpec<Row> {
  return spec(name, "dict", description, get);
}

/** The column flagged `stable`: its value is a function of the row's version object alone (see ColumnSpec.stable). */
export function stable<Row>(column: ColumnSpec<Row>): ColumnSpec<Row> {
  return Object.freeze({ ...column, stable: true });
}

export const EMPTY_LIST: readonly string[] = Object.freeze([]);
export const EMPTY_DICT: Dict = Object.freeze({});

/** A value Tantale has no data for, fixed so that GUIs asking for it get a well-typed answer. */
export type Constant = readonly [name: string, type: ColumnType, value: LivestatusValue, description: string];

export function constants<Row>(list: readonly Constant[]): ColumnSpec<Row>[] {
  return list.map(([name, type, value, description]) => stable(spec<Row>(name, type, description, () => value)));
}

/**
 * The columns of another table seen through a join (a service's host): `prefix + name`,
 * the same type and accessor applied to the joined row.
 */
export function joined<Outer, Inner>(
  prefix: string,
  columns: readonly ColumnSpec<Inner>[],
  inner: (row: Outer) => Inner,
  describe: (d: string) => string,
): ColumnSpec<Outer>[] {
  return columns.map((c) => spec<Outer>(prefix + c.name, c.type, describe(c.description), (row) => c.get(inner(row))));
}
