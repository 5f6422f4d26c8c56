import { PLUGIN_API_VERSION, PLUGIN_KINDS, type ConfigOf, type PluginByKind, type PluginClass, type PluginDefinition, type PluginKind } from "./api";
import { FORMAT_NAMES, NUMERIC_FORMATS } from "../config/formats";
import { RESERVED_KEYS } from "../config/common-schema";
import { isSectionsNode, type ConfigSchema, type OptionSchema, type SectionsSchema } from "./api";

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/**
 * Compiles when the class can take the schema's options: some constructor parameter accepts
 * `ConfigOf<S>` (the one injected with `configToken(schema)`). A schema with options that the
 * class does not take, or takes with other types, is a compile error naming this check.
 */
type TakesConfigOf<C, S extends ConfigSchema> = [keyof S] extends [never]
  ? unknown
  : string extends keyof S
    ? unknown // a schema typed only as ConfigSchema (a wrapper such as defineTable): nothing to compare
    : C extends abstract new (...args: infer A) => unknown
      ? [ConfigOf<S>] extends [A[number]]
        ? unknown
        : { readonly "create must take ConfigOf<typeof schema>, injected with configToken(schema)": ConfigOf<S> }
      : unknown;

type DefinitionInput<K extends PluginKind, S extends ConfigSchema, C extends PluginClass<PluginByKind[K]>> = Omit<
  PluginDefinition<K, S>,
  "apiVersion" | "create"
> & {
  apiVersion?: number;
  create: C;
};

/** Declares a plugin: checks its shape and returns it frozen. Built-ins and npm plugins both use it. */
export function definePlugin<
  K extends PluginKind,
  const S extends ConfigSchema = ConfigSchema,
  C extends PluginClass<PluginByKind[K]> = PluginClass<PluginByKind[K]>,
>(definition: DefinitionInput<K, S, C> & TakesConfigOf<C, S>): PluginDefinition<K, S> {
  const def = { ...definition, apiVersion: definition.apiVersion ?? PLUGIN_API_VERSION };
  const problems = definitionProblems(def);
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-conversion -- a plugin written in JavaScript gets no type check: its name may be anything
  if (problems.length > 0) throw new TypeError(`invalid plugin definition "${String(def.name)}": ${problems.join("; ")}`);
  return Object.freeze(def);
}

/** What is wrong with something that claims to be a plugin definition (empty when nothing is). */
export function definitionProblems(value: unknown): string[] {
  if (typeof value !== "object" || value === null) return ["not an object"];
  const d = value as Record<string, unknown>;
  const out: string[] = [];
  if (typeof d.name !== "string" || !NAME.test(d.name)) out.push("name must be kebab-case");
  if (typeof d.kind !== "string" || !(PLUGIN_KINDS as readonly string[]).includes(d.kind)) out.push(`kind must be one of ${PLUGIN_KINDS.join(", ")}`);
  if (typeof d.apiVersion !== "number") out.push("apiVersion must be a number");
  if (typeof d.description !== "string" || d.description === "") out.push("description is required");
  if (typeof d.create !== "function") out.push("create must be a class");
  if (typeof d.schema !== "object" || d.schema === null) out.push("schema must be an object");
  else out.push(...schemaProblems(d.schema as ConfigSchema, ""));
  return out;
}

function isOption(node: OptionSchema | ConfigSchema | SectionsSchema): node is OptionSchema {
  return !isSectionsNode(node) && (typeof (node as OptionSchema).doc === "string" || "default" in node || "format" in node);
}

/** min, max and validate, as a plugin written in JavaScript may get them wrong. */
function ruleProblems(node: OptionSchema, path: string): string[] {
  const out: string[] = [];
  const bounds = { min: node.min as unknown, max: node.max as unknown };
  for (const [name, bound] of Object.entries(bounds)) {
    if (bound === undefined) continue;
    if (typeof bound !== "number" || !Number.isFinite(bound)) out.push(`option ${path} has ${name} ${JSON.stringify(bound)}; expected a number`);
    else if (!(NUMERIC_FORMATS as readonly unknown[]).includes(node.format))
      out.push(`option ${path} has a ${name} but its format is not one of ${NUMERIC_FORMATS.join(", ")}`);
  }
  if (typeof bounds.min === "number" && typeof bounds.max === "number" && bounds.min > bounds.max)
    out.push(`option ${path} has min ${bounds.min} above max ${bounds.max}`);
  const d = node.default;
  // A default out of range would refuse every instance that does not set the option, naming no line.
  if (typeof d === "number" && ((typeof bounds.min === "number" && d < bounds.min) || (typeof bounds.max === "number" && d > bounds.max)))
    out.push(`option ${path} has default ${d} outside its range`);
  if (node.validate !== undefined && typeof node.validate !== "function") out.push(`option ${path} has a validate that is no function`);
  return out;
}

function schemaProblems(schema: ConfigSchema, prefix: string): string[] {
  const out: string[] = [];
  for (const [key, node] of Object.entries(schema)) {
    const path = prefix + key;
    if (prefix === "" && RESERVED_KEYS.has(key)) out.push(`option ${path} is reserved for the core`);
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a plugin written in JavaScript gets no type check: a node may be anything
    if (typeof node !== "object" || node === null || Object.keys(node).length === 0) {
      out.push(`option ${path} must be an option (doc, format, default) or a group of options`);
    } else if (isSectionsNode(node)) {
      if (prefix !== "") out.push(`sections ${path} must be at the top of the schema`);
      if (node.doc === "") out.push(`sections ${path} need a doc`);
      out.push(...schemaProblems(node.sections, `${path}.<name>.`));
    } else if (isOption(node)) {
      if (typeof node.doc !== "string" || node.doc === "") out.push(`option ${path} needs a doc`);
      if (!("default" in node)) out.push(`option ${path} needs a default`);
      const f = node.format;
      if (!Array.isArray(f) && !(FORMAT_NAMES as readonly unknown[]).includes(f))
        out.push(`option ${path} has format ${JSON.stringify(f)}; use one of ${FORMAT_NAMES.join(", ")} or a list of allowed values`);
      out.push(...ruleProblems(node, path));
    } else {
      out.push(...schemaProblems(node, `${path}.`));
    }
  }
  return out;
}
