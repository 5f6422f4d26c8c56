import type { ConfigSchema } from "../../../core/plugin/api";

export const fileSchema = {
  path: { doc: "File the results are appended to, as JSON lines; relative to the data dir.", format: "data-path", default: "results.jsonl" },
  fsync: { doc: "Flush each batch to the disk before it counts as written.", format: "bool", default: false },
} as const satisfies ConfigSchema;

export interface FileConfig {
  readonly path: string;
  readonly fsync: boolean;
}
