import type { ConfigSchema } from "../../../core";

/** No options: the table serves the comments the state engine holds. */
export const commentsSchema = {} as const satisfies ConfigSchema;
