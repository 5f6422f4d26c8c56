import fs from "node:fs";
import path from "node:path";
import { ConfigError, PluginLoadError, describeError, type ConfigProblem } from "../errors";
import { describeSource, isSectionsNode, type AnyPluginDefinition, type ConfigSchema, type OptionSchema, type ResolvedPlugin } from "../plugin/api";
import { NpmPluginLoader } from "../plugin/npm-plugins";
import { PluginRegistry } from "../plugin/registry";
import { parseConf, type ConfEntry, type ParsedConf } from "./conf-file";
import {
  DAEMON_CONF_ID,
  DAEMON_SCHEMA,
  RESERVED_KEYS,
  commonSchemaFor,
  type DaemonSettings,
  type InstanceSettings,
  type OutputSettings,
} from "./common-schema";
import { validateOptions } from "./validate-options";

/** One plugin instance as its conf file describes it, validated. */
export interface InstanceSpec {
  readonly id: string;
  /** The conf file as shown in messages, or a note for instances that run without one. */
  readonly file: string;
  readonly plugin: ResolvedPlugin;
  readonly settings: InstanceSettings;
  /** Batching of an output (outputs only). */
  readonly output?: OutputSettings;
  /** The plugin's own options, frozen: what PLUGIN_CONFIG injects. */
  readonly options: Readonly<Record<string, unknown>>;
  /** Equal fingerprints mean a reload may leave the instance running. */
  readonly fingerprint: string;
}

export interface Configuration {
  readonly daemon: DaemonSettings;
  /** Enabled instances, in file-name order. */
  readonly instances: readonly InstanceSpec[];
  /** Ids of instances whose file says `enabled = false`. */
  readonly disabled: readonly string[];
  readonly registry: PluginRegistry;
}

export interface LoadOptions {
  readonly confDir: string;
  readonly builtIns: readonly AnyPluginDefinition[];
  /** Command-line settings, which win over tantale.conf. */
  readonly overrides?: Partial<DaemonSettings>;
  readonly env?: NodeJS.ProcessEnv;
}

const INSTANCE_ID = /^[a-z0-9][a-z0-9_-]*$/;
/** A built-in's name or an npm package name: no path can hide in it. */
const PLUGIN_NAME = /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/;

/**
 * Reads the conf dir into validated instance specs, or throws one ConfigError listing every
 * problem of every file: nothing starts from a configuration that is partly wrong.
 */
export async function loadConfiguration(options: LoadOptions): Promise<Configuration> {
  const { confDir } = options;
  const problems: ConfigProblem[] = [];
  const files = readConfFiles(confDir, options.env, problems);

  const daemonFile = files.find((f) => idOf(f) === DAEMON_CONF_ID);
  let daemon = validateDaemon(daemonFile, path.join(confDir, `${DAEMON_CONF_ID}.conf`), problems);
  daemon = { ...daemon, ...options.overrides };
  const pluginDirs = daemon.plugin_dir === "" ? [] : [path.resolve(confDir, daemon.plugin_dir)];
  const registry = new PluginRegistry(options.builtIns, new NpmPluginLoader(pluginDirs));

  const instances: InstanceSpec[] = [];
  const disabled: string[] = [];
  const lines = new Map<string, ReadonlyMap<string, ConfEntry>>();
  for (const conf of files) {
    const id = idOf(conf);
    if (id === DAEMON_CONF_ID) continue;
    const spec = await instanceFrom(id, conf, registry, problems);
    if (spec === undefined) continue;
    if (spec.settings.enabled) {
      instances.push(spec);
      lines.set(id, conf.entries);
    } else disabled.push(id);
  }
  for (const def of registry.defaultEnabled()) {
    if (files.some((f) => idOf(f) === def.name)) continue;
    const implicit = await instanceFrom(def.name, parseConf(`(${def.name}: enabled by default, no conf file)`, ""), registry, problems);
    if (implicit !== undefined) instances.push(implicit);
  }
  problems.push(...portConflicts(instances, lines));
  problems.push(...storeConflicts(instances));
  if (problems.length > 0) throw new ConfigError(problems);
  return { daemon, instances, disabled, registry };
}

function idOf(conf: ParsedConf): string {
  return path.basename(conf.file, ".conf");
}

function readConfFiles(confDir: string, env: NodeJS.ProcessEnv | undefined, problems: ConfigProblem[]): ParsedConf[] {
  let names: string[];
  try {
    names = fs
      .readdirSync(confDir)
      .filter((n) => n.endsWith(".conf") && !n.startsWith("."))
      .sort();
  } catch (err) {
    problems.push({ file: confDir, message: `cannot read the conf dir: ${describeError(err)}` });
    return [];
  }
  const out: ParsedConf[] = [];
  for (const name of names) {
    const file = path.join(confDir, name);
    const id = path.basename(name, ".conf");
    if (!INSTANCE_ID.test(id)) {
      problems.push({ file, message: "the file name (the instance id) must be lower case letters, digits, - and _, starting with a letter or digit" });
      continue;
    }
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (err) {
      problems.push({ file, message: `cannot read: ${describeError(err)}` });
      continue;
    }
    const parsed = parseConf(file, text, env);
    problems.push(...parsed.problems);
    out.push(parsed);
  }
  return out;
}

function validateDaemon(conf: ParsedConf | undefined, file: string, problems: ConfigProblem[]): DaemonSettings {
  const result = validateOptions(conf?.file ?? file, conf?.entries ?? new Map(), DAEMON_SCHEMA);
  if (result.ok) return result.values as unknown as DaemonSettings;
  problems.push(...result.problems);
  // Go on with the defaults so that the instance files are checked too.
  const fallback = validateOptions(file, new Map(), DAEMON_SCHEMA);
  return (fallback.ok ? fallback.values : {}) as unknown as DaemonSettings;
}

async function instanceFrom(id: string, conf: ParsedConf, registry: PluginRegistry, problems: ConfigProblem[]): Promise<InstanceSpec | undefined> {
  const pluginEntry = conf.entries.get("plugin");
  const pluginName = pluginEntry?.value || id;
  if (!PLUGIN_NAME.test(pluginName)) {
    problems.push({
      file: conf.file,
      line: pluginEntry?.line,
      key: "plugin",
      message: `expected a plugin name (such as file, snmp, @acme/snmp or tantale-plugin-snmp), got ${JSON.stringify(pluginName)}`,
    });
    return undefined;
  }
  let plugin: ResolvedPlugin;
  try {
    plugin = await registry.resolve(pluginName);
  } catch (err) {
    const message = err instanceof PluginLoadError ? err.message : `plugin "${pluginName}": ${describeError(err)}`;
    problems.push({ file: conf.file, line: pluginEntry?.line, key: "plugin", message });
    return undefined;
  }
  const { definition } = plugin;
  const result = validateOptions(conf.file, conf.entries, { ...commonSchemaFor(definition.kind), ...definition.schema });
  if (!result.ok) {
    problems.push(...result.problems);
    return undefined;
  }
  const settings = { plugin: definition.name, enabled: result.values.enabled, log_level: result.values.log_level } as InstanceSettings;
  const output =
    definition.kind === "output" ? (pick(result.values, ["batch_size", "flush_interval", "retry_max_delay"]) as unknown as OutputSettings) : undefined;
  const options = Object.freeze(Object.fromEntries(Object.entries(result.values).filter(([k]) => !RESERVED_KEYS.has(k))));
  const source = describeSource(plugin.source);
  const fingerprint = JSON.stringify({ source, name: definition.name, settings, output, options });
  return { id, file: conf.file, plugin, settings, output, options, fingerprint };
}

/** The state engine persists to one store: a second one would be a silent split of the data. */
function storeConflicts(instances: readonly InstanceSpec[]): ConfigProblem[] {
  const stores = instances.filter((i) => i.plugin.definition.kind === "store");
  return stores
    .slice(1)
    .map((s) => ({ file: s.file, key: "plugin", message: `a second store; ${stores[0]!.file} already enables one (set enabled = false in one of them)` }));
}

function pick(values: Readonly<Record<string, unknown>>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, values[k]]));
}

/** Two enabled instances listening on one port cannot both start: say so before either does. */
function portConflicts(instances: readonly InstanceSpec[], lines: ReadonlyMap<string, ReadonlyMap<string, ConfEntry>>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const taken: { port: number; bind: string; spec: InstanceSpec; key: string }[] = [];
  for (const spec of instances) {
    for (const key of portKeys(spec.plugin.definition.schema, "")) {
      const port = getPath(spec.options, key);
      if (typeof port !== "number" || port === 0) continue;
      const bindValue = getPath(spec.options, key.replace(/[^.]+$/, "bind"));
      const bind = typeof bindValue === "string" ? bindValue : "0.0.0.0";
      const clash = taken.find((t) => t.port === port && bindsOverlap(t.bind, bind));
      if (clash) {
        problems.push({
          file: spec.file,
          line: lines.get(spec.id)?.get(key)?.line,
          key,
          message: `port ${port} is already used by ${clash.spec.file} (${clash.key}); expected a port no other instance listens on`,
        });
      } else taken.push({ port, bind, spec, key });
    }
  }
  return problems;
}

function portKeys(schema: ConfigSchema, prefix: string): string[] {
  const out: string[] = [];
  for (const [key, node] of Object.entries(schema)) {
    if (isSectionsNode(node)) continue; // per-section ports are the plugin's to check
    if ("doc" in node) {
      if ((node as OptionSchema).format === "port") out.push(prefix + key);
    } else out.push(...portKeys(node, `${prefix}${key}.`));
  }
  return out;
}

function getPath(values: Readonly<Record<string, unknown>>, key: string): unknown {
  let node: unknown = values;
  for (const part of key.split(".")) node = (node as Record<string, unknown> | undefined)?.[part];
  return node;
}

const WILDCARDS = new Set(["0.0.0.0", "::", ""]);

function bindsOverlap(a: string, b: string): boolean {
  return a === b || WILDCARDS.has(a) || WILDCARDS.has(b);
}
