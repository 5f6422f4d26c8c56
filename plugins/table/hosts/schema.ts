import type { ConfigSchema } from "../../../core";

/** No options: the table serves what the state engine holds. */
export const hostsSchema = {} as const satisfies ConfigSchema;
