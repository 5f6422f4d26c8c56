import convict from "convict";
import type { ConfigProblem } from "../errors";
import { describeError } from "../errors";
import type { ConfigSchema } from "../plugin/api";
import { toNested, type ConfEntry } from "./conf-file";
import { registerFormats } from "./formats";

export type OptionsResult =
  | { readonly ok: true; readonly values: Readonly<Record<string, unknown>> }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

const UNDECLARED = /^configuration param '(.+)' not declared in the schema$/;
const INVALID = /^([A-Za-z0-9_.-]+): (.*)$/;

/**
 * Validates one file's entries against a schema in convict's strict mode and turns each
 * of convict's error lines back into a problem that names the file, the line and the key.
 * The environment and argv are never read here: repeated plugin instances would collide.
 */
export function validateOptions(file: string, entries: ReadonlyMap<string, ConfEntry>, schema: ConfigSchema): OptionsResult {
  registerFormats();
  const lineOf = (key: string): number | undefined => entries.get(key)?.line;
  let config: convict.Config<unknown>;
  try {
    config = convict(schema as convict.Schema<unknown>, { env: {}, args: [] });
    config.load(toNested(entries.values()));
    config.validate({ allowed: "strict" });
  } catch (err) {
    const problems = describeError(err)
      .split("\n")
      .filter((l) => l !== "")
      .map((text): ConfigProblem => {
        const undeclared = UNDECLARED.exec(text);
        if (undeclared) {
          const key = undeclared[1]!;
          return { file, line: lineOf(key), key, message: "unknown option (see `tantale plugins` for the options of each plugin)" };
        }
        const invalid = INVALID.exec(text);
        if (invalid) return { file, line: lineOf(invalid[1]!), key: invalid[1]!, message: invalid[2]! };
        return { file, message: text };
      });
    return { ok: false, problems };
  }
  return { ok: true, values: deepFreeze(config.getProperties() as Record<string, unknown>) };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
