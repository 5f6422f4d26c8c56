import { inject, injectable } from "tsyringe";
import type { Clock } from "../../../core/clock";
import type { ColumnSpec } from "../../../core/livestatus/column";
import type { LivestatusTable, RowHint, TableRegistry } from "../../../core/livestatus/table-registry";
import type { TablePlugin } from "../../../core/plugin/api";
import type { StateEngine } from "../../../core/state/state-engine";
import { CLOCK, STATE_ENGINE, TABLES } from "../../../core/tokens";
import { joined } from "../common/columns";
import { GroupIndex, type HostGroupView } from "../common/group-index";
import { HOST_COLUMNS } from "../common/host-columns";
import { HOSTGROUP_COLUMNS } from "../common/host-group-columns";
import { HostRows } from "../common/host-rows";
import type { HostView } from "../common/host-view";
import { TableRegistration } from "../common/table-registration";

/** One row of hostsbygroup: a host and one of its host groups. */
export interface HostInGroup {
  readonly host: HostView;
  readonly group: HostGroupView;
}

/** Every hosts column (same name, read from the row's host), then every hostgroups column as `hostgroup_<name>`. */
export const HOSTSBYGROUP_COLUMNS: readonly ColumnSpec<HostInGroup>[] = Object.freeze([
  ...joined<HostInGroup, HostView>("", HOST_COLUMNS, (r) => r.host, (d) => d),
  ...joined<HostInGroup, HostGroupView>("hostgroup_", HOSTGROUP_COLUMNS, (r) => r.group, (d) => `Host group: ${d}`),
]);

/**
 * The Livestatus `hostsbygroup` table (livestatus.md §4.3): one row per (host, host group)
 * pair, sorted by host name then group name; a host in no group has no row. The hint names
 * hosts (`name = X`): only they are visited. The group's own columns (members, counters)
 * cost one pass over every host, made only when a query asks for one of them.
 */
export function hostsbygroupTable(engine: StateEngine, clock: Clock): LivestatusTable<HostInGroup> {
  const hosts = new HostRows(engine);
  return {
    spec: { name: "hostsbygroup", prefix: "host_", columns: HOSTSBYGROUP_COLUMNS },
    keyColumns: ["name"],
    *rows(hint: RowHint): Iterable<HostInGroup> {
      const index = new GroupIndex(hosts, clock.now() / 1000, hint.user);
      for (const entry of hosts.entries(hint)) {
        const host = index.view(entry);
        for (const name of host.groups()) yield { host, group: index.hostGroup(name) };
      }
    },
    // The hosts table's rule: a row is the host's.
    visibleTo: (row, user) => row.host.visibleTo(user),
  };
}

/** The `hostsbygroup` table plugin: adds the table to the registry while it runs. */
@injectable()
export class HostsbygroupTable implements TablePlugin {
  private readonly registration: TableRegistration<HostInGroup>;

  constructor(@inject(TABLES) tables: TableRegistry, @inject(STATE_ENGINE) engine: StateEngine, @inject(CLOCK) clock: Clock) {
    this.registration = new TableRegistration(tables, hostsbygroupTable(engine, clock));
  }

  /** The table as the registry serves it (for tests and tools). */
  get table(): LivestatusTable<HostInGroup> {
    return this.registration.table;
  }

  async start(): Promise<void> {
    this.registration.start();
  }

  async stop(): Promise<void> {
    this.registration.stop();
  }
}
