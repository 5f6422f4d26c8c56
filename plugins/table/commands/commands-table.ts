import { string, type ColumnSpec, type TableParts } from "../../../core";

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
 * The Livestatus `commands` table (docs/livestatus.md §4.10): empty, because Tantale runs no check
 * commands (results are pushed, `check_command` is empty everywhere). It is served so that
 * `GET commands` answers 200 (with the header row in all-columns mode) instead of 404.
 */
export function commandsTable(): TableParts<CommandRow> {
  return { prefix: "command_", columns: COMMAND_COLUMNS, rows: () => NO_COMMANDS };
}
