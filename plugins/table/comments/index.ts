import { definePlugin } from "../../../core/plugin/define";
import { CommentsTable } from "./comments-table";
import { commentsSchema } from "./schema";

export default definePlugin({
  name: "comments",
  kind: "table",
  description: "The Livestatus comments table: operators' comments and acknowledgements' comments, with their host's and service's columns.",
  schema: commentsSchema,
  // Multisite, Thruk and Nagstamon ask for it: it runs without a conf file (comments.conf with enabled = false turns it off).
  defaultEnabled: true,
  create: CommentsTable,
});
