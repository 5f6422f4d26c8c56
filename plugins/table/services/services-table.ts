import type { RowHint, TableContext, TableParts } from "../../../core";
import { HostRows } from "../common/host-rows";
import { SERVICE_COLUMNS, serviceVisibleTo, type ServiceRow } from "./service-columns";

/**
 * The Livestatus `services` table over the state: one row per service, sorted by host
 * name then description. The hint names hosts (`host_name = X`): only their services are visited.
 */
export function servicesTable({ state, clock }: TableContext): TableParts<ServiceRow> {
  const hosts = new HostRows(state);
  return {
    prefix: "service_",
    columns: SERVICE_COLUMNS,
    keyColumns: ["host_name"],
    // An array, not a generator: resuming a generator per row costs as much as the row itself on a full scan.
    rows(hint: RowHint): Iterable<ServiceRow> {
      const now = clock.now() / 1000;
      const out: ServiceRow[] = [];
      for (const entry of hosts.entries(hint)) {
        const host = hosts.view(entry, now);
        for (const service of host.services()) out.push({ host, service });
      }
      return out;
    },
    visibleTo: serviceVisibleTo,
    // A service's check state is replaced, never changed, on every result or command: its rendering is reusable while it stands.
    rowVersion: (row) => row.service,
  };
}
