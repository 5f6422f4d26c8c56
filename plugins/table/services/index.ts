import { defineTable } from "../../../core";
import { servicesSchema } from "./schema";
import { servicesTable } from "./services-table";

export default defineTable({
  name: "services",
  description: "The Livestatus services table: every service's state, with its host's columns as host_*.",
  schema: servicesSchema,
  // GUIs cannot work without it: it runs without a conf file (services.conf with enabled = false turns it off).
  defaultEnabled: true,
  table: servicesTable,
});
