import { inject, injectable } from "tsyringe";
import type { ColumnSpec } from "../../../core/livestatus/column";
import type { LivestatusTable, TableRegistry } from "../../../core/livestatus/table-registry";
import type { TablePlugin } from "../../../core/plugin/api";
import { TABLES } from "../../../core/tokens";
import { string } from "../common/columns";
import { TableRegistration } from "../common/table-registration";

/** A check command as a core defines it (Tantale defines none). */
export interface CommandRow {
  readonly name: string;
  readonly line: string;
}

export const COMMAND_COLUMNS: readonly ColumnSpec<CommandRow>[] = Object.freeze([
  string<CommandRow>("name", "Command name", (c) => c.name),
  string<CommandRow>("line", "Command line", (c) => c.line),
]);

const NO_COMMANDS: readonly CommandRow[] = Object.freeze([]);

/**
 * The Livestatus `commands` table (livestatus.md §4.10): empty, because Tantale runs no check
 * commands (results are pushed, `check_command` is empty everywhere). It is served so that
 * `GET commands` answers 200 (with the header row in all-columns mode) instead of 404.
 */
export function commandsTable(): LivestatusTable<CommandRow> {
  return {
    spec: { name: "commands", prefix: "command_", columns: COMMAND_COLUMNS },
    keyColumns: [],
    rows: () => NO_COMMANDS,
  };
}

/** The `commands` table plugin: adds the table to the registry while it runs. */
@injectable()
export class CommandsTable implements TablePlugin {
  private readonly registration: TableRegistration<CommandRow>;

  constructor(@inject(TABLES) tables: TableRegistry) {
    this.registration = new TableRegistration(tables, commandsTable());
  }

  /** The table as the registry serves it (for tests and tools). */
  get table(): LivestatusTable<CommandRow> {
    return this.registration.table;
  }

  async start(): Promise<void> {
    this.registration.start();
  }

  async stop(): Promise<void> {
    this.registration.stop();
  }
}
