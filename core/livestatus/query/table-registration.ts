import type { LivestatusTable, TableRegistry } from "./table-registry";

/**
 * A table plugin's lifecycle: add the table on start, remove it on stop. Stop is idempotent
 * and removes only the table this instance added, so a second instance of the same plugin
 * (refused by the registry at its start) never takes the first one's table away.
 */
export class TableRegistration<Row> {
  private added = false;

  /** Whether the table is in the registry through this registration. */
  get started(): boolean {
    return this.added;
  }

  constructor(
    private readonly tables: TableRegistry,
    readonly table: LivestatusTable<Row>,
  ) {}

  start(): void {
    if (this.added) return;
    this.tables.add(this.table);
    this.added = true;
  }

  stop(): void {
    if (!this.added) return;
    const served: unknown = this.tables.get(this.table.spec.name);
    if (served === this.table) this.tables.remove(this.table.spec.name);
    this.added = false;
  }
}
