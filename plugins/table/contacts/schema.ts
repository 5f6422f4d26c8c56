import type { ConfigSchema } from "../../../core";

/** No options: the contacts are the names the results carry. */
export const contactsSchema = {} as const satisfies ConfigSchema;
