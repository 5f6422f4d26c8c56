import type { DependencyContainer, InjectionToken } from "tsyringe";
import type { InstanceSpec } from "../config/load-config";
import { PluginRuntimeError } from "../errors";
import type { Logger } from "../log/logger";
import type { SelfStats } from "../metrics/self-stats";
import { CountingSink } from "../pipeline/counting-sink";
import { INSTANCE_ID, INSTANCE_STATS, LOGGER, PLUGIN_CONFIG, SINK } from "../tokens";
import type { Lifecycle, OutputPlugin } from "./api";

/** A constructed plugin instance with what the host needs to run it. */
export interface PluginInstance {
  readonly spec: InstanceSpec;
  readonly plugin: Lifecycle;
  readonly log: Logger;
}

/**
 * Builds one instance in its own child container: the root's core services, shadowed by the
 * instance's validated options, logger (bound to plugin and instance) and id.
 */
export function constructInstance(spec: InstanceSpec, root: DependencyContainer, rootLog: Logger, stats: SelfStats): PluginInstance {
  const { definition } = spec.plugin;
  const level = spec.settings.log_level ?? undefined;
  const log = rootLog.child({ instance: spec.id, plugin: definition.name }, level);
  const child = root.createChildContainer();
  child.register(PLUGIN_CONFIG, { useValue: spec.options });
  child.register(INSTANCE_ID, { useValue: spec.id });
  child.register(LOGGER, { useValue: log });
  const instanceStats = stats.of(spec.id);
  stats.describe(spec.id, definition.kind);
  child.register(INSTANCE_STATS, { useValue: instanceStats });
  // An input's results are counted as they reach the sink: the same figure for every input.
  if (definition.kind === "input" && root.isRegistered(SINK, true)) child.register(SINK, { useValue: new CountingSink(root.resolve(SINK), instanceStats) });
  let plugin: Lifecycle;
  try {
    plugin = child.resolve(definition.create as InjectionToken<Lifecycle>);
  } catch (err) {
    throw new PluginRuntimeError(spec.id, "construct (is the class @injectable() with @inject(TOKEN) on every parameter?)", { cause: err });
  }
  if (typeof plugin.start !== "function" || typeof plugin.stop !== "function") {
    throw new PluginRuntimeError(spec.id, "construct", { cause: new TypeError(`${definition.name} has no start()/stop()`) });
  }
  if (definition.kind === "output" && typeof (plugin as OutputPlugin).write !== "function") {
    throw new PluginRuntimeError(spec.id, "construct", { cause: new TypeError(`output ${definition.name} has no write()`) });
  }
  return { spec, plugin, log };
}
