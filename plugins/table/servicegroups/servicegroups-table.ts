import { inject, injectable } from "tsyringe";
import type { Clock } from "../../../core/clock";
import type { LivestatusTable, RowHint, TableRegistry } from "../../../core/livestatus/table-registry";
import type { TablePlugin } from "../../../core/plugin/api";
import type { StateEngine } from "../../../core/state/state-engine";
import { CLOCK, STATE_ENGINE, TABLES } from "../../../core/tokens";
import { GroupIndex, type ServiceGroupView } from "../common/group-index";
import { HostRows } from "../common/host-rows";
import { SERVICEGROUP_COLUMNS } from "../common/service-group-columns";
import { TableRegistration } from "../common/table-registration";
import { serviceVisibleTo } from "../services/service-columns";

/**
 * AuthUser on service groups, Checkmk's loose rule: visible to whoever sees any member
 * service (the services table's rule: a contact of the service or of its host).
 */
export function serviceGroupVisibleTo(group: ServiceGroupView, user: string): boolean {
  return group.members().some((m) => serviceVisibleTo(m, user));
}

/**
 * The Livestatus `servicegroups` table over the state engine: one row per service group some
 * service result names, sorted by name. Memberships come from one pass over every service per query.
 */
export function servicegroupsTable(engine: StateEngine, clock: Clock): LivestatusTable<ServiceGroupView> {
  const hosts = new HostRows(engine);
  return {
    spec: { name: "servicegroups", prefix: "servicegroup_", columns: SERVICEGROUP_COLUMNS },
    keyColumns: ["name"],
    *rows(hint: RowHint): Iterable<ServiceGroupView> {
      const groups = new GroupIndex(hosts, clock.now() / 1000, hint.user).serviceGroups();
      const keys = hint.keys;
      for (const group of groups) if (keys === undefined || keys.has(group.name)) yield group;
    },
    visibleTo: serviceGroupVisibleTo,
  };
}

/** The `servicegroups` table plugin: adds the table to the registry while it runs. */
@injectable()
export class ServicegroupsTable implements TablePlugin {
  private readonly registration: TableRegistration<ServiceGroupView>;

  constructor(@inject(TABLES) tables: TableRegistry, @inject(STATE_ENGINE) engine: StateEngine, @inject(CLOCK) clock: Clock) {
    this.registration = new TableRegistration(tables, servicegroupsTable(engine, clock));
  }

  /** The table as the registry serves it (for tests and tools). */
  get table(): LivestatusTable<ServiceGroupView> {
    return this.registration.table;
  }

  async start(): Promise<void> {
    this.registration.start();
  }

  async stop(): Promise<void> {
    this.registration.stop();
  }
}
