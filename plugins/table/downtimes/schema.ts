import type { ConfigSchema } from "../../../core/plugin/api";

/** No options. */
export const downtimesSchema = {} as const satisfies ConfigSchema;
