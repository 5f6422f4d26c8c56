import { inject, injectable } from "tsyringe";
import type { Clock } from "../../../core/clock";
import type { LivestatusTable, RowHint, TableRegistry } from "../../../core/livestatus/table-registry";
import type { TablePlugin } from "../../../core/plugin/api";
import type { StateEngine } from "../../../core/state/state-engine";
import { CLOCK, STATE_ENGINE, TABLES } from "../../../core/tokens";
import { GroupIndex, type HostGroupView } from "../common/group-index";
import { HOSTGROUP_COLUMNS } from "../common/host-group-columns";
import { HostRows } from "../common/host-rows";
import { TableRegistration } from "../common/table-registration";

/**
 * The Livestatus `hostgroups` table over the state engine: one row per host group some
 * result names, sorted by name. Memberships come from one pass over every host per query
 * (a hint by name only narrows the rows, not the pass: any host may name any group).
 */
export function hostgroupsTable(engine: StateEngine, clock: Clock): LivestatusTable<HostGroupView> {
  const hosts = new HostRows(engine);
  return {
    spec: { name: "hostgroups", prefix: "hostgroup_", columns: HOSTGROUP_COLUMNS },
    keyColumns: ["name"],
    *rows(hint: RowHint): Iterable<HostGroupView> {
      const groups = new GroupIndex(hosts, clock.now() / 1000, hint.user).hostGroups();
      const keys = hint.keys;
      for (const group of groups) if (keys === undefined || keys.has(group.name)) yield group;
    },
    visibleTo: (row, user) => row.visibleTo(user),
  };
}

/** The `hostgroups` table plugin: adds the table to the registry while it runs. */
@injectable()
export class HostgroupsTable implements TablePlugin {
  private readonly registration: TableRegistration<HostGroupView>;

  constructor(@inject(TABLES) tables: TableRegistry, @inject(STATE_ENGINE) engine: StateEngine, @inject(CLOCK) clock: Clock) {
    this.registration = new TableRegistration(tables, hostgroupsTable(engine, clock));
  }

  /** The table as the registry serves it (for tests and tools). */
  get table(): LivestatusTable<HostGroupView> {
    return this.registration.table;
  }

  async start(): Promise<void> {
    this.registration.start();
  }

  async stop(): Promise<void> {
    this.registration.stop();
  }
}
