/** A small hosts-like table for the filter and stats tests: one column of every type. */
import { resolveColumn, type ColumnSpec, type TableSpec } from "../../../core/livestatus/query/column";
import type { ColumnLookup } from "../../../core/livestatus/query/filter";

export interface Host {
  readonly name: string;
  readonly state: number;
  readonly has_been_checked: number;
  readonly acknowledged: number;
  readonly scheduled_downtime_depth: number;
  readonly last_check: number;
  readonly staleness: number;
  readonly plugin_output: string;
  readonly modified_attributes: number;
  readonly groups: readonly string[];
  /** Pairs, like servicegroup members. */
  readonly members: readonly (readonly [string, string])[];
  readonly custom_variables: Readonly<Record<string, string>>;
}

export const HOSTS_TABLE: TableSpec<Host> = {
  name: "hosts",
  prefix: "host_",
  columns: [
    { name: "name", type: "string", description: "host name", get: (h) => h.name },
    { name: "state", type: "int", description: "0 UP 1 DOWN 2 UNREACHABLE", get: (h) => h.state },
    { name: "has_been_checked", type: "int", description: "got a result", get: (h) => h.has_been_checked },
    { name: "acknowledged", type: "int", description: "problem acknowledged", get: (h) => h.acknowledged },
    { name: "scheduled_downtime_depth", type: "int", description: "active downtimes", get: (h) => h.scheduled_downtime_depth },
    { name: "last_check", type: "time", description: "last result", get: (h) => h.last_check },
    { name: "staleness", type: "float", description: "age / interval", get: (h) => h.staleness },
    { name: "plugin_output", type: "string", description: "output", get: (h) => h.plugin_output },
    { name: "modified_attributes", type: "int", description: "bitmask", get: (h) => h.modified_attributes },
    { name: "groups", type: "list", description: "host groups", get: (h) => h.groups },
    { name: "members", type: "list", description: "pairs", get: (h) => h.members },
    { name: "custom_variables", type: "dict", description: "custom variables", get: (h) => h.custom_variables },
  ],
};

const BY_NAME = new Map<string, ColumnSpec<Host>>(HOSTS_TABLE.columns.map((c) => [c.name, c]));

export const hostColumn: ColumnLookup<Host> = (name) => resolveColumn(HOSTS_TABLE, BY_NAME, name);

export function col(name: string): ColumnSpec<Host> {
  const c = hostColumn(name);
  if (c === undefined) throw new Error(`test table has no column ${name}`);
  return c;
}

export function host(overrides: Partial<Host> & { name: string }): Host {
  return {
    state: 0,
    has_been_checked: 1,
    acknowledged: 0,
    scheduled_downtime_depth: 0,
    last_check: 1_700_000_000,
    staleness: 0.5,
    plugin_output: "",
    modified_attributes: 0,
    groups: [],
    members: [],
    custom_variables: {},
    ...overrides,
  };
}
