import type { ConfigSchema } from "../../../core";

/** No options: the table serves what the state engine holds. */
export const servicesbyhostgroupSchema = {} as const satisfies ConfigSchema;
