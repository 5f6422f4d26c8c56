import { inject, injectable } from "tsyringe";
import type { ColumnSpec } from "../../../core/livestatus/column";
import type { LivestatusTable, RowHint, TableRegistry } from "../../../core/livestatus/table-registry";
import type { TablePlugin } from "../../../core/plugin/api";
import type { StateEngine } from "../../../core/state/state-engine";
import { STATE_ENGINE, TABLES } from "../../../core/tokens";
import { list, string } from "../common/columns";
import { contactNames } from "../common/contact-names";
import { TableRegistration } from "../common/table-registration";

/** A contact group is the name of the one contact it holds. */
export type ContactgroupRow = string;

export const CONTACTGROUP_COLUMNS: readonly ColumnSpec<ContactgroupRow>[] = Object.freeze([
  string<ContactgroupRow>("name", "Contact group name: a contact name (every contact is a group of its name)", (name) => name),
  string<ContactgroupRow>("alias", "Alias: the group name", (name) => name),
  list<ContactgroupRow>("members", "Contacts of the group: the contact of that name", (name) => [name]),
]);

/**
 * The Livestatus `contactgroups` table (livestatus.md §4.5). Tantale's model: every contact
 * name carried by a result is also a contact group of that name whose only member is that
 * contact (so `contact_groups` on hosts and services equals `contacts`). Rows sorted by
 * name; key `name`; no AuthUser (§2.3).
 */
export function contactgroupsTable(engine: StateEngine): LivestatusTable<ContactgroupRow> {
  return {
    spec: { name: "contactgroups", prefix: "contactgroup_", columns: CONTACTGROUP_COLUMNS },
    keyColumns: ["name"],
    rows: (hint: RowHint) => contactNames(engine, hint.keys),
  };
}

/** The `contactgroups` table plugin: adds the table to the registry while it runs. */
@injectable()
export class ContactgroupsTable implements TablePlugin {
  private readonly registration: TableRegistration<ContactgroupRow>;

  constructor(@inject(TABLES) tables: TableRegistry, @inject(STATE_ENGINE) engine: StateEngine) {
    this.registration = new TableRegistration(tables, contactgroupsTable(engine));
  }

  /** The table as the registry serves it (for tests and tools). */
  get table(): LivestatusTable<ContactgroupRow> {
    return this.registration.table;
  }

  async start(): Promise<void> {
    this.registration.start();
  }

  async stop(): Promise<void> {
    this.registration.stop();
  }
}
