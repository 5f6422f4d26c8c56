import type { CheckResult } from "../model/check-result";
import type { FormatName } from "../config/formats";
import type { StateStore } from "../store/state-store";

/**
 * The plugin API major version. A plugin built for another major is refused at load time;
 * additions that old plugins can ignore do not bump it.
 */
export const PLUGIN_API_VERSION = 1;

/** What a plugin is; the order of this list is the start order (stop runs in reverse). */
export const PLUGIN_KINDS = ["store", "output", "table", "listener", "input"] as const;
export type PluginKind = (typeof PLUGIN_KINDS)[number];

/** Every plugin instance: `start()` once, `stop()` drains and may be called more than once. */
export interface Lifecycle {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Receives results and pushes them into the injected `Sink`. */
export type InputPlugin = Lifecycle;

/** Stores or forwards results. A rejected promise means "nothing of this batch was written": it is retried. */
export interface OutputPlugin extends Lifecycle {
  write(batch: readonly CheckResult[]): Promise<void>;
}

/** Persists the state engine's changes (at most one store instance runs). */
export interface StorePlugin extends Lifecycle, StateStore {}

/** Serves a query table (the Livestatus tables build on this). */
export type TablePlugin = Lifecycle;

/** Serves queries over the network (the Livestatus listener). */
export type ListenerPlugin = Lifecycle;

export interface PluginByKind {
  store: StorePlugin;
  input: InputPlugin;
  output: OutputPlugin;
  table: TablePlugin;
  listener: ListenerPlugin;
}

/** Where inputs put accepted results. It never drops; when `paused`, inputs stop reading. */
export interface Sink {
  accept(result: CheckResult): void;
  readonly paused: boolean;
  /** Called with `true` when inputs must stop reading and `false` when they may go on. Returns an unsubscribe function. */
  onFlowChange(listener: (paused: boolean) => void): () => void;
  /**
   * Resolves once every result accepted so far is written by every output and committed to
   * the store: the durability point an input can report to its client.
   */
  sync(): Promise<void>;
}

/** One option of a plugin: convict's schema entry, restricted to Tantale's strict formats. */
export interface OptionSchema {
  readonly doc: string;
  readonly format: FormatName | readonly (string | number)[];
  readonly default: unknown;
  readonly sensitive?: boolean;
  readonly nullable?: boolean;
}

/** A plugin's options: leaves are options, nested objects are dotted keys (`tls.ca_file`). */
export interface ConfigSchema {
  readonly [key: string]: OptionSchema | ConfigSchema;
}

/** A class whose instances tsyringe builds (its parameters come from `@inject`). */
export type PluginClass<T> = new (...args: never[]) => T;

export interface PluginDefinition<K extends PluginKind = PluginKind> {
  readonly apiVersion: number;
  /** kebab-case, unique among built-ins: what `plugin =` names. */
  readonly name: string;
  readonly kind: K;
  /** One line for `tantale plugins`. */
  readonly description: string;
  readonly schema: ConfigSchema;
  /** Runs without a conf file (tables GUIs expect); a file with `enabled = false` turns it off. */
  readonly defaultEnabled?: boolean;
  /** An `@injectable()` class with `@inject(TOKEN)` on every constructor parameter. */
  readonly create: PluginClass<PluginByKind[K]>;
}

export type AnyPluginDefinition = { [K in PluginKind]: PluginDefinition<K> }[PluginKind];

/** Where a plugin came from, for `check-config` and error messages. */
export type PluginSource =
  | { readonly type: "built-in" }
  | { readonly type: "npm"; readonly package: string; readonly version: string; readonly dir: string };

/** `built-in`, or `package@version` for an npm plugin: how logs and check-config name a source. */
export function describeSource(source: PluginSource): string {
  return source.type === "npm" ? `${source.package}@${source.version}` : "built-in";
}

export interface ResolvedPlugin {
  readonly definition: AnyPluginDefinition;
  readonly source: PluginSource;
}
