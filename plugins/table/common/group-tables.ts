import { joined, type CheckState, type ColumnSpec, type RowHint, type TableContext, type TableParts } from "../../../core";
import { SERVICE_COLUMNS, serviceVisibleTo, type ServiceRow } from "../services/service-columns";
import { GroupIndex } from "./group-index";
import { HostRows } from "./host-rows";
import type { HostView } from "./host-view";

/** What a by-group table declares; its rows come from the query's GroupIndex. */
interface GroupTableShape<Row> {
  readonly prefix: string;
  readonly columns: readonly ColumnSpec<Row>[];
  readonly keyColumn: string;
  readonly visibleTo: (row: Row, user: string) => boolean;
}

/**
 * A table of groups (hostgroups, servicegroups): one row per group some result names,
 * sorted by name; key `name`. Memberships come from one pass per query over every host or
 * service (a hint by name narrows the rows, not the pass: any host may name any group).
 */
export function groupsTable<Group extends { readonly name: string }>(
  prefix: string,
  columns: readonly ColumnSpec<Group>[],
  groups: (index: GroupIndex) => readonly Group[],
  visibleTo: (group: Group, user: string) => boolean,
): (context: TableContext) => TableParts<Group> {
  return ({ state, clock }) => {
    const hosts = new HostRows(state);
    return {
      prefix,
      columns,
      keyColumns: ["name"],
      *rows(hint: RowHint): Iterable<Group> {
        const keys = hint.keys;
        for (const group of groups(new GroupIndex(hosts, clock.now() / 1000, hint.user))) if (keys === undefined || keys.has(group.name)) yield group;
      },
      visibleTo,
    };
  };
}

/**
 * A by-group table (docs/livestatus.md §4.3: hostsbygroup, servicesbygroup, servicesbyhostgroup):
 * a host's or service's row once per group it is in, hosts by name; `expand` gives one host's
 * rows. The hint names hosts: only they are visited. The group's own columns (members,
 * counters) cost one pass over every host, made only when a query asks for one of them.
 */
export function byGroupTable<Row>(
  { state, clock }: TableContext,
  shape: GroupTableShape<Row> & { readonly expand: (host: HostView, index: GroupIndex) => Iterable<Row> },
): TableParts<Row> {
  const hosts = new HostRows(state);
  return {
    prefix: shape.prefix,
    columns: shape.columns,
    keyColumns: [shape.keyColumn],
    *rows(hint: RowHint): Iterable<Row> {
      const index = new GroupIndex(hosts, clock.now() / 1000, hint.user);
      for (const entry of hosts.entries(hint)) yield* shape.expand(index.view(entry), index);
    },
    visibleTo: shape.visibleTo,
  };
}

/** A by-group table's columns: its object's, then every column of the group's table as `<prefix><name>`, described as the `label`'s. */
export function byGroupColumns<Row extends { readonly group: Group }, Group>(
  own: readonly ColumnSpec<Row>[],
  prefix: string,
  group: readonly ColumnSpec<Group>[],
  label: string,
): readonly ColumnSpec<Row>[] {
  return Object.freeze([
    ...own,
    ...joined<Row, Group>(
      prefix,
      group,
      (r) => r.group,
      (d) => `${label}: ${d}`,
    ),
  ]);
}

/** A row of a services-by-group table: a service (with its host) and one of its groups. */
export interface ServiceInGroupOf<Group> extends ServiceRow {
  readonly group: Group;
}

/**
 * A services-by-group table (servicesbygroup, servicesbyhostgroup): every services column
 * (host_* included), then the group's columns as `<groupPrefix><name>`. Rows by host name,
 * description, then group name; a service in no group has no row. Key `host_name`; AuthUser:
 * the services table's rule (a row is the service's). `groupsOf` gives, for one host of a
 * query, the groups of each of its services.
 */
export function servicesByGroupTable<Group>(
  groupPrefix: string,
  groupColumns: readonly ColumnSpec<Group>[],
  label: string,
  groupsOf: (host: HostView, index: GroupIndex) => (service: CheckState) => readonly Group[],
): (context: TableContext) => TableParts<ServiceInGroupOf<Group>> {
  const columns = byGroupColumns<ServiceInGroupOf<Group>, Group>(SERVICE_COLUMNS, groupPrefix, groupColumns, label);
  return (context) =>
    byGroupTable(context, {
      prefix: "service_",
      columns,
      keyColumn: "host_name",
      *expand(host, index) {
        const groupsOfService = groupsOf(host, index);
        for (const service of host.services()) for (const group of groupsOfService(service)) yield { host, service, group };
      },
      visibleTo: serviceVisibleTo,
    });
}
