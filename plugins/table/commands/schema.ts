import type { ConfigSchema } from "../../../core";

/** No options: Tantale has no check commands. */
export const commandsSchema = {} as const satisfies ConfigSchema;
