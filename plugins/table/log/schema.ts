import type { ConfigOf, ConfigSchema } from "../../../core";

export const logSchema = {
  max_rows: {
    doc: "Most log lines one query reads from the store, to bound memory; a query that selects more gets the newest max_rows of them (answered oldest first).",
    format: "integer",
    default: 100_000,
    min: 1,
  },
} as const satisfies ConfigSchema;

/** The options as the plugin receives them. */
export type LogConfig = ConfigOf<typeof logSchema>;
