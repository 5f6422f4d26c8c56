import { list, string, type ColumnSpec } from "../../../core";
import { contactNamesTable } from "../common/contact-names";

/** A contact group is the name of the one contact it holds. */
export type ContactgroupRow = string;

export const CONTACTGROUP_COLUMNS: readonly ColumnSpec<ContactgroupRow>[] = Object.freeze([
  string<ContactgroupRow>("name", "Contact group name: a contact name (every contact is a group of its name)", (name) => name),
  string<ContactgroupRow>("alias", "Alias: the group name", (name) => name),
  list<ContactgroupRow>("members", "Contacts of the group: the contact of that name", (name) => [name]),
]);

/**
 * The Livestatus `contactgroups` table (docs/livestatus.md §4.5). Tantale's model: every contact
 * name carried by a result is also a contact group of that name whose only member is that
 * contact (so `contact_groups` on hosts and services equals `contacts`). Rows sorted by
 * name; key `name`; no AuthUser (§2.3).
 */
export const contactgroupsTable = contactNamesTable("contactgroup_", CONTACTGROUP_COLUMNS);
