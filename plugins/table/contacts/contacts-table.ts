import { EMPTY_DICT, EMPTY_LIST, constants, string, type ColumnSpec } from "../../../core";
import { contactNamesTable } from "../common/contact-names";

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
 * The Livestatus `contacts` table (docs/livestatus.md §4.5): one row per contact name found in
 * the contacts of any check the state engine holds, sorted by name. One pass over the
 * checks per query; with a `name = X` hint, the pass stops once every named contact was
 * seen. No AuthUser (§2.3).
 */
export const contactsTable = contactNamesTable("contact_", CONTACT_COLUMNS);
