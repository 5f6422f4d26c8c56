import { type CheckState, type ColumnSpec, type ColumnType, EMPTY_DICT, EMPTY_LIST, joined, type LivestatusValue } from "../../../core";
import { SERVICE_COLUMNS, serviceVisibleTo, type ServiceRow } from "../services/service-columns";
import { HOST_COLUMNS } from "./host-columns";
import type { HostView } from "./host-view";

/**
 * A row about a host or one of its services, as the comments and downtimes tables have
 * (Checkmk's TableComments, TableDowntimes): the entry's own columns, then every hosts
 * column as `host_<name>` and every column of the service itself as `service_<name>`.
 */
export interface ObjectRow {
  readonly host: HostView;
  /** undefined: the entry is the host's, not a service's. */
  readonly service: CheckState | undefined;
}

/** What a `service_*` column answers on a host's entry (Checkmk: the column's empty value). */
const NO_SERVICE: Readonly<Record<ColumnType, LivestatusValue>> = { int: 0, float: 0, time: 0, string: "", list: EMPTY_LIST, dict: EMPTY_DICT };

/** The services table's own columns, without the host columns it joins. */
const SERVICE_OWN_COLUMNS: readonly ColumnSpec<ServiceRow>[] = SERVICE_COLUMNS.filter((c) => !c.name.startsWith("host_"));

function serviceColumn<Row extends ObjectRow>(c: ColumnSpec<ServiceRow>): ColumnSpec<Row> {
  const empty = NO_SERVICE[c.type];
  const get = c.get;
  return Object.freeze({
    name: `service_${c.name}`,
    type: c.type,
    description: `Service: ${c.description} (${typeof empty === "number" ? "0" : "empty"} for a host's entry)`,
    // A row with a service is a ServiceRow: the same host view and check state.
    get: (row: Row) => (row.service === undefined ? empty : get(row as ObjectRow as ServiceRow)),
  });
}

/** `host_*` (every hosts column) then `service_*` (every column of the services table's own), read from the entry's host and service. */
export function objectColumns<Row extends ObjectRow>(): ColumnSpec<Row>[] {
  return [
    ...joined<Row, HostView>(
      "host_",
      HOST_COLUMNS,
      (r) => r.host,
      (d) => `Host: ${d}`,
    ),
    ...SERVICE_OWN_COLUMNS.map((c) => serviceColumn<Row>(c)),
  ];
}

/**
 * AuthUser: a service's entry as the services table shows the service (a contact of the
 * service or of its host), a host's entry as the hosts table shows the host.
 */
export function objectVisibleTo(row: ObjectRow, user: string): boolean {
  return row.service === undefined ? row.host.visibleTo(user) : serviceVisibleTo(row as ServiceRow, user);
}

/** The names of the service's own columns, each available as `service_<name>` (for tests). */
export const SERVICE_OWN_COLUMN_NAMES: readonly string[] = Object.freeze(SERVICE_OWN_COLUMNS.map((c) => c.name));
