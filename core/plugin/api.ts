import type { CheckResult } from "../model/check-result";
import type { FormatName, FormatTypes, NumericFormat } from "../config/formats";
import type { StateStore } from "../store/state-store";

/**
 * The plugin API major version. A plugin built for another major is refused at load time;
 * additions that old plugins can ignore do not bump it.
 */
export const PLUGIN_API_VERSION = 1;

/** What a plugin is; the order of this list is the start order (stop runs in reverse). */
export const PLUGIN_KINDS = ["store", "output", "table", "listener", "input"] as const;
export type PluginKind = (typeof PLUGIN_KINDS)[number];

/** What an instance does at an endpoint: listens on it, reads it (a FIFO), writes it (a file), sends to it. */
export type EndpointRole = "listen" | "read" | "write" | "send";

/** A place an instance listens on, reads, writes or sends to, as the start-up block shows it. */
export interface Endpoint {
  readonly role: EndpointRole;
  /** `host:port` (the bound port, not 0), an absolute path, or a URL. */
  readonly address: string;
  /** A few words more: the protocol, TLS. */
  readonly note?: string;
}

/** Every plugin instance: `start()` once, `stop()` drains and may be called more than once. */
export interface Lifecycle {
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * Optional: where this instance listens, reads, writes or sends, for the start-up block the
   * daemon logs. Asked once every instance has started (a port 0 is bound by then); a
   * plugin without it is listed by its name and kind alone.
   */
  endpoints?(): readonly Endpoint[];
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

/**
 * A check of one option beyond its format: returns why `value` is refused (the message after
 * `file:line: key:`), or undefined when it is fine. `config` is the file's whole configuration,
 * frozen, every value of its format's type, for rules that tie options together. Not called
 * for null (a nullable option left unset), nor when any value of the file failed its format,
 * nor when this one is out of its range.
 */
export type OptionCheck<T> = (value: T, config: Readonly<Record<string, unknown>>) => string | undefined;

interface OptionCommon {
  readonly doc: string;
  readonly sensitive?: boolean;
  readonly nullable?: boolean;
}

/** Bounds of a numeric option, inclusive, in the option's unit (milliseconds, bytes). */
interface Range {
  readonly min?: number;
  readonly max?: number;
}

/** An option of one of Tantale's formats; numeric formats may carry a range. */
export type FormatOption<F extends FormatName> = OptionCommon &
  (F extends NumericFormat ? Range : { readonly min?: never; readonly max?: never }) & {
    readonly format: F;
    readonly default: FormatTypes[F] | null;
    readonly validate?: OptionCheck<FormatTypes[F]>;
  };

/** An option whose value is one of a list (an enumeration). */
export interface EnumOption<V extends string | number = string | number> extends OptionCommon {
  readonly format: readonly V[];
  readonly default: V | null;
  readonly min?: never;
  readonly max?: never;
  readonly validate?: OptionCheck<V>;
}

/** One option of a plugin: convict's schema entry, restricted to Tantale's strict formats. */
export type OptionSchema = { [F in FormatName]: FormatOption<F> }[FormatName] | EnumOption;

/** A plugin's options: leaves are options, nested objects are dotted keys (`tls.ca_file`), and named sections. */
export interface ConfigSchema {
  readonly [key: string]: OptionSchema | ConfigSchema | SectionsSchema;
}

/**
 * Named sections of a conf file, each with the same options: `checks: { doc, sections: {...} }`
 * takes `[checks disk_root]` followed by its `key = value` lines (or the dotted keys
 * `checks.disk_root.<key>`) for every name. Each section is validated by `sections` as a file
 * is by its schema; the plugin receives name → options. At the top of a schema only.
 */
export interface SectionsSchema<S extends ConfigSchema = ConfigSchema> {
  readonly doc: string;
  readonly sections: S;
}

/** Whether a schema node is a SectionsSchema. */
export function isSectionsNode(node: OptionSchema | ConfigSchema | SectionsSchema): node is SectionsSchema {
  const sections: unknown = (node as Partial<SectionsSchema>).sections;
  return typeof sections === "object" && sections !== null && typeof node.doc === "string";
}

/** The value one option gives the plugin: its format's type or one of its list, null when nullable. */
export type OptionValue<O extends OptionSchema> =
  | (O["format"] extends FormatName ? FormatTypes[O["format"]] : O["format"] extends readonly (infer V)[] ? V : never)
  | (O extends { readonly nullable: true } ? null : never);

/**
 * The validated options a schema gives the plugin, derived from the schema itself so that no
 * hand-written interface can drift from it. Declare the schema `as const satisfies ConfigSchema`
 * so that formats and lists keep their literal types.
 */
export type ConfigOf<S extends ConfigSchema> = {
  readonly [K in keyof S]: S[K] extends OptionSchema
    ? OptionValue<S[K]>
    : S[K] extends SectionsSchema<infer T>
      ? Readonly<Record<string, ConfigOf<T>>>
      : S[K] extends ConfigSchema
        ? ConfigOf<S[K]>
        : never;
};

/** A class whose instances tsyringe builds (its parameters come from `@inject`). */
export type PluginClass<T> = new (...args: never[]) => T;

export interface PluginDefinition<K extends PluginKind = PluginKind, S extends ConfigSchema = ConfigSchema> {
  readonly apiVersion: number;
  /** kebab-case, unique among built-ins: what `plugin =` names. */
  readonly name: string;
  readonly kind: K;
  /** One line for `tantale plugins`. */
  readonly description: string;
  readonly schema: S;
  /** Runs without a conf file (tables GUIs expect); a file with `enabled = false` turns it off. */
  readonly defaultEnabled?: boolean;
  /** An `@injectable()` class with `@inject(TOKEN)` on every constructor parameter. */
  readonly create: PluginClass<PluginByKind[K]>;
}

export type AnyPluginDefinition = { [K in PluginKind]: PluginDefinition<K> }[PluginKind];

/** Where a plugin came from, for `check-config` and error messages. */
export type PluginSource = { readonly type: "built-in" } | { readonly type: "npm"; readonly package: string; readonly version: string; readonly dir: string };

/** `built-in`, or `package@version` for an npm plugin: how logs and check-config name a source. */
export function describeSource(source: PluginSource): string {
  return source.type === "npm" ? `${source.package}@${source.version}` : "built-in";
}

export interface ResolvedPlugin {
  readonly definition: AnyPluginDefinition;
  readonly source: PluginSource;
}
