import { type CheckState, type ColumnSpec, constants, joined, list, stable, string } from "../../../core";
import { checkColumns } from "../common/check-columns";
import { HOST_COLUMNS } from "../common/host-columns";
import type { HostView } from "../common/host-view";

/** One row of the services table: a service and its host's view (shared by the host's rows). */
export interface ServiceRow {
  readonly host: HostView;
  readonly service: CheckState;
}

const SERVICE_STATE_NAMES = ["ok", "warning", "critical", "unknown"] as const;

/**
 * AuthUser on services, Checkmk's default (loose) rule: a contact of the service, or of its
 * host (whoever sees a host sees all its services).
 */
export function serviceVisibleTo(row: ServiceRow, user: string): boolean {
  return row.service.contacts.includes(user) || row.host.visibleTo(user);
}

/**
 * The services table's columns (docs/livestatus.md §4.2, Checkmk's TableServices): its own, then
 * every hosts column as `host_<name>`, read from the service's host.
 */
export function serviceColumns(): ColumnSpec<ServiceRow>[] {
  return [
    stable(string("description", "Service description (the check name of the results)", (r) => r.service.check)),
    stable(string("display_name", "Name to display: the description", (r) => r.service.check)),
    ...checkColumns<ServiceRow>(
      {
        check: (r) => r.service,
        now: (r) => r.host.now,
        downtimes: (r) => r.host.downtimesOf(r.service.check),
        comments: (r) => r.host.commentsOf(r.service.check),
      },
      SERVICE_STATE_NAMES,
    ),
    stable(list("groups", "Service groups named by the service's last result", (r) => r.service.servicegroups)),
    stable(list("contacts", "Contacts of the service's last result", (r) => r.service.contacts)),
    stable(list("contact_groups", "Contact groups: every contact is also a contact group of its name", (r) => r.service.contacts)),
    ...constants<ServiceRow>([
      ["obsess_over_service", "int", 0, "Whether the core obsesses over the service: always 0"],
      ["cached_at", "time", 0, "Checkmk: time of the cached agent data: always 0"],
      ["cache_interval", "int", 0, "Checkmk: validity of cached agent data: always 0"],
    ]),
    // A service's host name is part of its state: that joined column is as stable as the service's own.
    ...joinedOnce(HOST_COLUMNS).map((c) => (c.name === "host_name" ? stable(c) : c)),
  ];
}

/**
 * The host's columns as `host_<name>`, each read once per host and query (HostView.columnValue)
 * rather than once per service: a host's 20 service rows share one value. Filters and Stats
 * over host columns (Multisite's `host_state = 0`, `host_custom_variable_names < _REALNAME`)
 * then cost a lookup per row.
 */
function joinedOnce(columns: readonly ColumnSpec<HostView>[]): ColumnSpec<ServiceRow>[] {
  return joined<ServiceRow, HostView>(
    "host_",
    columns,
    (r) => r.host,
    (d) => `Host: ${d}`,
  ).map((c, i) => {
    const get = columns[i]!.get;
    return Object.freeze({ ...c, get: (r: ServiceRow) => r.host.columnValue(i, get) });
  });
}

export const SERVICE_COLUMNS: readonly ColumnSpec<ServiceRow>[] = Object.freeze(serviceColumns());
