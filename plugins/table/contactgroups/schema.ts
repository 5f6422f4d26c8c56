import type { ConfigSchema } from "../../../core";

/** No options: every contact name carried by a result is a contact group of that name. */
export const contactgroupsSchema = {} as const satisfies ConfigSchema;
