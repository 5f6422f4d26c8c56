import { inject, injectable } from "tsyringe";
import type { Clock } from "../../../core/clock";
import type { LivestatusTable, RowHint, TableRegistry } from "../../../core/livestatus/table-registry";
import type { TablePlugin } from "../../../core/plugin/api";
import type { StateEngine } from "../../../core/state/state-engine";
import { CLOCK, STATE_ENGINE, TABLES } from "../../../core/tokens";
import { HostRows } from "../common/host-rows";
import { TableRegistration } from "../common/table-registration";
import { SERVICE_COLUMNS, serviceVisibleTo, type ServiceRow } from "./service-columns";

/**
 * The Livestatus `services` table over the state engine: one row per service, sorted by host
 * name then description. The hint names hosts (`host_name = X`): only their services are visited.
 */
export function servicesTable(engine: StateEngine, clock: Clock): LivestatusTable<ServiceRow> {
  const hosts = new HostRows(engine);
  return {
    spec: { name: "services", prefix: "service_", columns: SERVICE_COLUMNS },
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

/** The `services` table plugin: adds the table to the registry while it runs. */
@injectable()
export class ServicesTable implements TablePlugin {
  private readonly registration: TableRegistration<ServiceRow>;

  constructor(@inject(TABLES) tables: TableRegistry, @inject(STATE_ENGINE) engine: StateEngine, @inject(CLOCK) clock: Clock) {
    this.registration = new TableRegistration(tables, servicesTable(engine, clock));
  }

  /** The table as the registry serves it (for tests and tools). */
  get table(): LivestatusTable<ServiceRow> {
    return this.registration.table;
  }

  async start(): Promise<void> {
    this.registration.start();
  }

  async stop(): Promise<void> {
    this.registration.stop();
  }
}
