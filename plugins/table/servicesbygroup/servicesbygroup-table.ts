import { inject, injectable } from "tsyringe";
import type { Clock } from "../../../core/clock";
import type { ColumnSpec } from "../../../core/livestatus/column";
import type { LivestatusTable, RowHint, TableRegistry } from "../../../core/livestatus/table-registry";
import type { TablePlugin } from "../../../core/plugin/api";
import type { StateEngine } from "../../../core/state/state-engine";
import { CLOCK, STATE_ENGINE, TABLES } from "../../../core/tokens";
import { joined } from "../common/columns";
import { GroupIndex, serviceGroupNames, type ServiceGroupView } from "../common/group-index";
import { HostRows } from "../common/host-rows";
import { SERVICEGROUP_COLUMNS } from "../common/service-group-columns";
import { TableRegistration } from "../common/table-registration";
import { SERVICE_COLUMNS, serviceVisibleTo, type ServiceRow } from "../services/service-columns";

/** One row of servicesbygroup: a service (with its host) and one of its service groups. */
export interface ServiceInGroup extends ServiceRow {
  readonly group: ServiceGroupView;
}

/** Every services column (host_* included), then every servicegroups column as `servicegroup_<name>`. */
export const SERVICESBYGROUP_COLUMNS: readonly ColumnSpec<ServiceInGroup>[] = Object.freeze([
  ...SERVICE_COLUMNS,
  ...joined<ServiceInGroup, ServiceGroupView>("servicegroup_", SERVICEGROUP_COLUMNS, (r) => r.group, (d) => `Service group: ${d}`),
]);

/**
 * The Livestatus `servicesbygroup` table (livestatus.md §4.3): one row per (service, service
 * group) pair, sorted by host name, description, then group name; a service in no group has
 * no row. The hint names hosts (`host_name = X`): only their services are visited. The
 * group's own columns (members, counters) cost one pass over every service, made only when
 * a query asks for one of them.
 */
export function servicesbygroupTable(engine: StateEngine, clock: Clock): LivestatusTable<ServiceInGroup> {
  const hosts = new HostRows(engine);
  return {
    spec: { name: "servicesbygroup", prefix: "service_", columns: SERVICESBYGROUP_COLUMNS },
    keyColumns: ["host_name"],
    *rows(hint: RowHint): Iterable<ServiceInGroup> {
      const index = new GroupIndex(hosts, clock.now() / 1000, hint.user);
      for (const entry of hosts.entries(hint)) {
        const host = index.view(entry);
        for (const service of host.services()) {
          for (const name of serviceGroupNames(service)) yield { host, service, group: index.serviceGroup(name) };
        }
      }
    },
    // The services table's rule: a row is the service's.
    visibleTo: serviceVisibleTo,
  };
}

/** The `servicesbygroup` table plugin: adds the table to the registry while it runs. */
@injectable()
export class ServicesbygroupTable implements TablePlugin {
  private readonly registration: TableRegistration<ServiceInGroup>;

  constructor(@inject(TABLES) tables: TableRegistry, @inject(STATE_ENGINE) engine: StateEngine, @inject(CLOCK) clock: Clock) {
    this.registration = new TableRegistration(tables, servicesbygroupTable(engine, clock));
  }

  /** The table as the registry serves it (for tests and tools). */
  get table(): LivestatusTable<ServiceInGroup> {
    return this.registration.table;
  }

  async start(): Promise<void> {
    this.registration.start();
  }

  async stop(): Promise<void> {
    this.registration.stop();
  }
}
