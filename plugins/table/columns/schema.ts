import type { ConfigSchema } from "../../../core";

/** No options: the table lists the columns of the tables registered at query time. */
export const columnsSchema = {} as const satisfies ConfigSchema;
