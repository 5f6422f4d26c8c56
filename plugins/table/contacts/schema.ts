import type { ConfigSchema } from "../../../core/plugin/api";

/** No options: the contacts are the names the results carry. */
export const contactsSchema = {} as const satisfies ConfigSchema;
