import convict from "convict";
import type { ConfigProblem } from "../errors";
import { describeError } from "../errors";
import type { ConfigSchema, OptionSchema } from "../plugin/api";
import { toNested, type ConfEntry } from "./conf-file";
import { registerFormats } from "./formats";
import { isOption, optionFailures } from "./option-checks";

export type OptionsResult =
  { readonly ok: true; readonly values: Readonly<Record<string, unknown>> } | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

const UNDECLARED = /^configuration param '(.+)' not declared in the schema$/;
const INVALID = /^([A-Za-z0-9_.-]+): (.*)$/;

/**
 * Validates one file's entries against a schema in convict's strict mode and turns each
 * of convict's error lines back into a problem that names the file, the line and the key.
 * Then the schema's ranges and checks (option-checks.ts), so that everything a plugin would
 * refuse at start is refused here, by `check-config` too. The environment and argv are never
 * read here: repeated plugin instances would collide.
 */
export function validateOptions(file: string, entries: ReadonlyMap<string, ConfEntry>, declared: ConfigSchema): OptionsResult {
  registerFormats();
  const schema = expandSections(declared, [...entries.keys()], "");
  const lineOf = (key: string): number | undefined => entries.get(key)?.line;
  const toProblem = (text: string): ConfigProblem => {
    const undeclared = UNDECLARED.exec(text);
    if (undeclared) {
      const key = undeclared[1]!;
      return { file, line: lineOf(key), key, message: "unknown option (see `tantale plugins` for the options of each plugin)" };
    }
    const invalid = INVALID.exec(text);
    if (invalid) return { file, line: lineOf(invalid[1]!), key: invalid[1]!, message: invalid[2]! };
    return { file, message: text };
  };
  const linesOf = (err: unknown): string[] =>
    describeError(err)
      .split("\n")
      .filter((l) => l !== "");
  let config: convict.Config<Record<string, unknown>>;
  try {
    config = convict(schema as convict.Schema<Record<string, unknown>>, { env: {}, args: [] });
    config.load(toNested(entries.values()));
  } catch (err) {
    return { ok: false, problems: linesOf(err).map(toProblem) };
  }
  const problems: ConfigProblem[] = [];
  try {
    config.validate({ allowed: "strict" });
  } catch (err) {
    problems.push(...linesOf(err).map(toProblem));
  }
  // Frozen before the checks run: a check reads the configuration, it never edits it.
  const values = deepFreeze(config.getProperties());
  const failed = new Set(problems.flatMap((p) => (p.key === undefined ? [] : [p.key])));
  // Checks may read other options: only once every value has its format's type.
  for (const f of optionFailures(schema, values, failed, { checks: problems.length === 0 }))
    problems.push({ file, line: lineOf(f.key), key: f.key, message: f.message });
  if (problems.length > 0) return { ok: false, problems: problems.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity)) };
  return { ok: true, values };
}

/**
 * A `"*"` group (a set of named sections, api.ts) made concrete for this file: one copy of its
 * options per name the file uses (`check.load.x` names `load`), so that convict validates each
 * section strictly, unknown options and all. No section gives an empty group.
 */
export function expandSections(schema: ConfigSchema, keys: readonly string[], prefix: string): ConfigSchema {
  const out: Record<string, OptionSchema | ConfigSchema> = {};
  for (const [name, node] of Object.entries(schema)) {
    if (isOption(node)) out[name] = node;
    else if (isSectionGroup(node)) {
      const at = `${prefix}${name}.`;
      const sections: Record<string, ConfigSchema> = {};
      for (const key of keys) {
        if (!key.startsWith(at)) continue;
        const section = key.slice(at.length).split(".")[0]!;
        sections[section] ??= expandSections(node["*"]!, keys, `${at}${section}.`);
      }
      out[name] = sections;
    } else out[name] = expandSections(node, keys, `${prefix}${name}.`);
  }
  return out;
}

function isSectionGroup(node: ConfigSchema): node is { readonly "*": ConfigSchema } {
  const keys = Object.keys(node);
  return keys.length === 1 && keys[0] === "*";
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
