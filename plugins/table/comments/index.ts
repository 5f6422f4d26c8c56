import { defineTable } from "../../../core";
import { commentsTable } from "./comments-table";
import { commentsSchema } from "./schema";

export default defineTable({
  name: "comments",
  description: "The Livestatus comments table: operators' comments and acknowledgements' comments, with their host's and service's columns.",
  schema: commentsSchema,
  // Multisite, Thruk and Nagstamon ask for it: it runs without a conf file (comments.conf with enabled = false turns it off).
  defaultEnabled: true,
  table: commentsTable,
});
