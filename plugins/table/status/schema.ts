import type { ConfigSchema } from "../../../core";

/** No options: the table serves the daemon's figures and what the state engine holds. */
export const statusSchema = {} as const satisfies ConfigSchema;
