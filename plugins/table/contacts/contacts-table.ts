import { inject, injectable } from "tsyringe";
import type { ColumnSpec } from "../../../core/livestatus/column";
import type { LivestatusTable, RowHint, TableRegistry } from "../../../core/livestatus/table-registry";
import type { TablePlugin } from "../../../core/plugin/api";
import type { StateEngine } from "../../../core/state/state-engine";
import { STATE_ENGINE, TABLES } from "../../../core/tokens";
import { EMPTY_DICT, EMPTY_LIST, constants, string } from "../common/columns";
import { contactNames } from "../common/contact-names";
import { TableRegistration } from "../common/table-registration";

/** A contact is its name: Tantale knows nothing else of it. */
export type ContactRow = string;

export const CONTACT_COLUMNS: readonly ColumnSpec<ContactRow>[] = Object.freeze([
  string<ContactRow>("name", "Contact name, as named in the contacts of a result", (name) => name),
  string<ContactRow>("alias", "Alias: the contact name", (name) => name),
  ...constants<ContactRow>([
    ["email", "string", "", "Email address: always empty (results carry only contact names)"],
    ["pager", "string", "", "Pager: always empty"],
    ["host_notification_period", "string", "24X7", "Host notification period: always 24X7"],
    ["service_notification_period", "string", "24X7", "Service notification period: always 24X7"],
    ["can_submit_commands", "int", 1, "Whether the contact may send commands: always 1"],
    ["host_notifications_enabled", "int", 1, "Whether host notifications are enabled: always 1"],
    ["service_notifications_enabled", "int", 1, "Whether service notifications are enabled: always 1"],
    ["in_host_notification_period", "int", 1, "Whether now is in the host notification period: always 1"],
    ["in_service_notification_period", "int", 1, "Whether now is in the service notification period: always 1"],
    ["custom_variable_names", "list", EMPTY_LIST, "Names of the contact's custom variables: always empty"],
    ["custom_variable_values", "list", EMPTY_LIST, "Values of the contact's custom variables: always empty"],
    ["custom_variables", "dict", EMPTY_DICT, "The contact's custom variables: always empty"],
    ["modified_attributes", "int", 0, "Bitmask of attributes changed at runtime: always 0"],
    ["modified_attributes_list", "list", EMPTY_LIST, "Names of attributes changed at runtime: always empty"],
  ]),
]);

/**
 * The Livestatus `contacts` table (livestatus.md §4.5): one row per contact name found in
 * the contacts of any check the state engine holds, sorted by name. One pass over the
 * checks per query; with a `name = X` hint, the pass stops once every named contact was
 * seen. No AuthUser (§2.3).
 */
export function contactsTable(engine: StateEngine): LivestatusTable<ContactRow> {
  return {
    spec: { name: "contacts", prefix: "contact_", columns: CONTACT_COLUMNS },
    keyColumns: ["name"],
    rows: (hint: RowHint) => contactNames(engine, hint.keys),
  };
}

/** The `contacts` table plugin: adds the table to the registry while it runs. */
@injectable()
export class ContactsTable implements TablePlugin {
  private readonly registration: TableRegistration<ContactRow>;

  constructor(@inject(TABLES) tables: TableRegistry, @inject(STATE_ENGINE) engine: StateEngine) {
    this.registration = new TableRegistration(tables, contactsTable(engine));
  }

  /** The table as the registry serves it (for tests and tools). */
  get table(): LivestatusTable<ContactRow> {
    return this.registration.table;
  }

  async start(): Promise<void> {
    this.registration.start();
  }

  async stop(): Promise<void> {
    this.registration.stop();
  }
}
