import { definePlugin } from "../../../core/plugin/define";
import { ElasticsearchStore } from "./elasticsearch-store";
import { elasticsearchSchema } from "./schema";

export default definePlugin({
  name: "elasticsearch",
  kind: "store",
  description:
    "Keeps the current state of every check, its downtimes and comments, and the monitoring log in an Elasticsearch cluster (8.x or 9.x), spooling to disk while it is away.",
  schema: elasticsearchSchema,
  create: ElasticsearchStore,
});
