import type { ConfigOf, ConfigSchema } from "../../../core/plugin/api";
import { configToken } from "../../../core/tokens";

export const fileSchema = {
  path: {
    doc: "File the results are appended to, as JSON lines; relative to the data dir.",
    format: "data-path",
    default: "results.jsonl",
    validate: (file) => (file === "" ? "must name the file to append to" : undefined),
  },
  fsync: { doc: "Flush each batch to the disk before it counts as written.", format: "bool", default: false },
} as const satisfies ConfigSchema;

/** The options as the plugin receives them (durations in milliseconds, sizes in bytes). */
export type FileConfig = ConfigOf<typeof fileSchema>;
/** What the plugin's class injects its options with. */
export const FILE_CONFIG = configToken(fileSchema);
