import { inject, injectable } from "tsyringe";
import type { Clock } from "../../../core/clock";
import type { LivestatusTable, RowHint, TableRegistry } from "../../../core/livestatus/table-registry";
import type { TablePlugin } from "../../../core/plugin/api";
import type { StateEngine } from "../../../core/state/state-engine";
import { CLOCK, STATE_ENGINE, TABLES } from "../../../core/tokens";
import { HOST_COLUMNS } from "../common/host-columns";
import { HostRows } from "../common/host-rows";
import type { HostView } from "../common/host-view";
import { TableRegistration } from "../common/table-registration";

/** The Livestatus `hosts` table over the state engine: one row per host, sorted by name. */
export function hostsTable(engine: StateEngine, clock: Clock): LivestatusTable<HostView> {
  const hosts = new HostRows(engine);
  return {
    spec: { name: "hosts", prefix: "host_", columns: HOST_COLUMNS },
    keyColumns: ["name"],
    *rows(hint: RowHint): Iterable<HostView> {
      const now = clock.now() / 1000;
      for (const entry of hosts.entries(hint)) yield hosts.view(entry, now);
    },
    visibleTo: (row, user) => row.visibleTo(user),
  };
}

/** The `hosts` table plugin: adds the table to the registry while it runs. */
@injectable()
export class HostsTable implements TablePlugin {
  private readonly registration: TableRegistration<HostView>;

  constructor(@inject(TABLES) tables: TableRegistry, @inject(STATE_ENGINE) engine: StateEngine, @inject(CLOCK) clock: Clock) {
    this.registration = new TableRegistration(tables, hostsTable(engine, clock));
  }

  /** The table as the registry serves it (for tests and tools). */
  get table(): LivestatusTable<HostView> {
    return this.registration.table;
  }

  async start(): Promise<void> {
    this.registration.start();
  }

  async stop(): Promise<void> {
    this.registration.stop();
  }
}
