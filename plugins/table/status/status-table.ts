import { inject, injectable } from "tsyringe";
import type { Clock } from "../../../core/clock";
import type { LivestatusTable, TableRegistry } from "../../../core/livestatus/table-registry";
import type { SelfStats } from "../../../core/metrics/self-stats";
import type { TablePlugin } from "../../../core/plugin/api";
import type { StateEngine } from "../../../core/state/state-engine";
import { CLOCK, SELF_STATS, STATE_ENGINE, TABLES } from "../../../core/tokens";
import { TableRegistration } from "../common/table-registration";
import { STATUS_COLUMNS } from "./status-columns";
import { StatusRow, type StatusSource } from "./status-row";

/** The Livestatus `status` table: exactly one row, with no key and no AuthUser (livestatus.md §2.3, §4.7). */
export function statusTable(source: StatusSource): LivestatusTable<StatusRow> {
  return {
    spec: { name: "status", prefix: "status_", columns: STATUS_COLUMNS },
    keyColumns: [],
    *rows(): Iterable<StatusRow> {
      yield new StatusRow(source, source.clock.now() / 1000);
    },
  };
}

/** The `status` table plugin: adds the table to the registry while it runs; program_start is its start. */
@injectable()
export class StatusTable implements TablePlugin {
  private readonly registration: TableRegistration<StatusRow>;
  private startedAt: number;

  constructor(
    @inject(TABLES) tables: TableRegistry,
    @inject(STATE_ENGINE) engine: StateEngine,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(SELF_STATS) stats: SelfStats,
  ) {
    this.startedAt = clock.now() / 1000;
    this.registration = new TableRegistration(tables, statusTable({ engine, clock, stats, programStart: () => this.startedAt }));
  }

  /** The table as the registry serves it (for tests and tools). */
  get table(): LivestatusTable<StatusRow> {
    return this.registration.table;
  }

  async start(): Promise<void> {
    this.startedAt = this.clock.now() / 1000;
    this.registration.start();
  }

  async stop(): Promise<void> {
    this.registration.stop();
  }
}
