import { definePlugin } from "../../../core/plugin/define";
import { servicesSchema } from "./schema";
import { ServicesTable } from "./services-table";

export default definePlugin({
  name: "services",
  kind: "table",
  description: "The Livestatus services table: every service's state, with its host's columns as host_*.",
  schema: servicesSchema,
  // GUIs cannot work without it: it runs without a conf file (services.conf with enabled = false turns it off).
  defaultEnabled: true,
  create: ServicesTable,
});
