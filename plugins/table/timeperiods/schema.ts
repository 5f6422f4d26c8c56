import type { ConfigSchema } from "../../../core/plugin/api";

/** No options: the one time period is 24X7. */
export const timeperiodsSchema = {} as const satisfies ConfigSchema;
