import type { RowHint, TableContext, TableParts } from "../../../core";
import { HOST_COLUMNS } from "../common/host-columns";
import { HostRows } from "../common/host-rows";
import type { HostView } from "../common/host-view";

/** The Livestatus `hosts` table over the state: one row per host, sorted by name. */
export function hostsTable({ state, clock }: TableContext): TableParts<HostView> {
  const hosts = new HostRows(state);
  return {
    prefix: "host_",
    columns: HOST_COLUMNS,
    keyColumns: ["name"],
    *rows(hint: RowHint): Iterable<HostView> {
      const now = clock.now() / 1000;
      for (const entry of hosts.entries(hint)) yield hosts.view(entry, now);
    },
    visibleTo: (row, user) => row.visibleTo(user),
  };
}
