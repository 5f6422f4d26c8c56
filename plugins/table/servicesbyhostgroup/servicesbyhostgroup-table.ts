import { inject, injectable } from "tsyringe";
import type { Clock } from "../../../core/clock";
import type { ColumnSpec } from "../../../core/livestatus/column";
import type { LivestatusTable, RowHint, TableRegistry } from "../../../core/livestatus/table-registry";
import type { TablePlugin } from "../../../core/plugin/api";
import type { StateEngine } from "../../../core/state/state-engine";
import { CLOCK, STATE_ENGINE, TABLES } from "../../../core/tokens";
import { joined } from "../common/columns";
import { GroupIndex, type HostGroupView } from "../common/group-index";
import { HOSTGROUP_COLUMNS } from "../common/host-group-columns";
import { HostRows } from "../common/host-rows";
import { TableRegistration } from "../common/table-registration";
import { SERVICE_COLUMNS, serviceVisibleTo, type ServiceRow } from "../services/service-columns";

/** One row of servicesbyhostgroup: a service (with its host) and one of its host's host groups. */
export interface ServiceInHostGroup extends ServiceRow {
  readonly group: HostGroupView;
}

/** Every services column (host_* included), then every hostgroups column as `hostgroup_<name>`. */
export const SERVICESBYHOSTGROUP_COLUMNS: readonly ColumnSpec<ServiceInHostGroup>[] = Object.freeze([
  ...SERVICE_COLUMNS,
  ...joined<ServiceInHostGroup, HostGroupView>("hostgroup_", HOSTGROUP_COLUMNS, (r) => r.group, (d) => `Host group: ${d}`),
]);

/**
 * The Livestatus `servicesbyhostgroup` table (livestatus.md §4.3): one row per (service, host
 * group of its host) pair, sorted by host name, description, then group name; the services of
 * a host in no group have no row. The hint names hosts (`host_name = X`): only their services
 * are visited. The group's own columns (members, counters) cost one pass over every host,
 * made only when a query asks for one of them.
 */
export function servicesbyhostgroupTable(engine: StateEngine, clock: Clock): LivestatusTable<ServiceInHostGroup> {
  const hosts = new HostRows(engine);
  return {
    spec: { name: "servicesbyhostgroup", prefix: "service_", columns: SERVICESBYHOSTGROUP_COLUMNS },
    keyColumns: ["host_name"],
    *rows(hint: RowHint): Iterable<ServiceInHostGroup> {
      const index = new GroupIndex(hosts, clock.now() / 1000, hint.user);
      for (const entry of hosts.entries(hint)) {
        const host = index.view(entry);
        const groups = host.groups().map((name) => index.hostGroup(name));
        if (groups.length === 0) continue;
        for (const service of host.services()) {
          for (const group of groups) yield { host, service, group };
        }
      }
    },
    // The services table's rule: a row is the service's.
    visibleTo: serviceVisibleTo,
  };
}

/** The `servicesbyhostgroup` table plugin: adds the table to the registry while it runs. */
@injectable()
export class ServicesbyhostgroupTable implements TablePlugin {
  private readonly registration: TableRegistration<ServiceInHostGroup>;

  constructor(@inject(TABLES) tables: TableRegistry, @inject(STATE_ENGINE) engine: StateEngine, @inject(CLOCK) clock: Clock) {
    this.registration = new TableRegistration(tables, servicesbyhostgroupTable(engine, clock));
  }

  /** The table as the registry serves it (for tests and tools). */
  get table(): LivestatusTable<ServiceInHostGroup> {
    return this.registration.table;
  }

  async start(): Promise<void> {
    this.registration.start();
  }

  async stop(): Promise<void> {
    this.registration.stop();
  }
}
