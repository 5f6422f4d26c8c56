import { definePlugin } from "../../../core/plugin/define";
import { sqliteSchema } from "./schema";
import { SqliteStore } from "./sqlite-store";

export default definePlugin({
  name: "sqlite",
  kind: "store",
  description: "Keeps the current state of every check, its downtimes and comments, and the monitoring log in an embedded SQLite file.",
  schema: sqliteSchema,
  create: SqliteStore,
});
