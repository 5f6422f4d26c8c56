import { defineTable } from "../../../core";
import { contactsTable } from "./contacts-table";
import { contactsSchema } from "./schema";

export default defineTable({
  name: "contacts",
  description: "The Livestatus contacts table: every contact name carried by a result, with fixed notification settings.",
  schema: contactsSchema,
  // GUIs list contacts for AuthUser: it runs without a conf file (contacts.conf with enabled = false turns it off).
  defaultEnabled: true,
  table: contactsTable,
});
