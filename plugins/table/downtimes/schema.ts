import type { ConfigSchema } from "../../../core";

/** No options. */
export const downtimesSchema = {} as const satisfies ConfigSchema;
