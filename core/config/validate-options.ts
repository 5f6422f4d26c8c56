import convict from "convict";
import type { ConfigProblem } from "../errors";
import { describeError } from "../errors";
import { isSectionsNode, type ConfigSchema, type SectionsSchema } from "../plugin/api";
import { toNested, type ConfEntry } from "./conf-file";
import { registerFormats } from "./formats";
import { optionFailures } from "./option-checks";

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
export function validateOptions(file: string, entries: ReadonlyMap<string, ConfEntry>, schema: ConfigSchema): OptionsResult {
  const sectionKeys = Object.keys(schema).filter((k) => isSectionsNode(schema[k]!));
  if (sectionKeys.length > 0) return validateWithSections(file, entries, schema, sectionKeys);
  registerFormats();
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
 * A schema with SectionsSchema nodes: the entries `<kind>.<name>.<key>` of each section are
 * validated by its `sections` schema, as a file of their own (their problems name the full
 * key and its line); the rest by the schema without those nodes. The plugin receives
 * `<kind>` as name → options.
 */
function validateWithSections(file: string, entries: ReadonlyMap<string, ConfEntry>, schema: ConfigSchema, sectionKeys: readonly string[]): OptionsResult {
  const own = new Map(entries);
  const problems: ConfigProblem[] = [];
  const sectionValues: Record<string, Record<string, unknown>> = {};
  for (const kind of sectionKeys) {
    const node = schema[kind] as SectionsSchema;
    const byName = new Map<string, Map<string, ConfEntry>>();
    for (const [key, entry] of entries) {
      if (key === kind) {
        own.delete(key);
        problems.push({ file, line: entry.line, key, message: `holds named sections: write them as [${kind} <name>] followed by their options` });
        continue;
      }
      if (!key.startsWith(`${kind}.`)) continue;
      own.delete(key);
      const rest = key.slice(kind.length + 1);
      const dot = rest.indexOf(".");
      if (dot < 0) {
        problems.push({ file, line: entry.line, key, message: `expected [${kind} <name>] then its options (or ${kind}.<name>.<option>)` });
        continue;
      }
      const name = rest.slice(0, dot);
      let section = byName.get(name);
      if (section === undefined) byName.set(name, (section = new Map<string, ConfEntry>()));
      const inner = rest.slice(dot + 1);
      section.set(inner, { ...entry, key: inner });
    }
    const values: Record<string, unknown> = {};
    for (const [name, section] of byName) {
      const result = validateOptions(file, section, node.sections);
      if (result.ok) values[name] = result.values;
      else
        for (const p of result.problems)
          problems.push({ ...p, ...(p.key === undefined ? { message: `[${kind} ${name}]: ${p.message}` } : { key: `${kind}.${name}.${p.key}` }) });
    }
    sectionValues[kind] = values;
  }
  const rest: Record<string, unknown> = {};
  for (const [key, node] of Object.entries(schema)) if (!sectionKeys.includes(key)) rest[key] = node;
  const result = validateOptions(file, own, rest as ConfigSchema);
  if (!result.ok) problems.push(...result.problems);
  if (problems.length > 0) return { ok: false, problems: problems.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity)) };
  return { ok: true, values: deepFreeze({ ...(result.ok ? result.values : {}), ...sectionValues }) };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
