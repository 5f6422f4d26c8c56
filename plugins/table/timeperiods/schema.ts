import type { ConfigSchema } from "../../../core";

/** No options: the one time period is 24X7. */
export const timeperiodsSchema = {} as const satisfies ConfigSchema;
