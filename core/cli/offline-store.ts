import fs from "node:fs";
import path from "node:path";
import { systemClock } from "../clock";
import type { Configuration, InstanceSpec } from "../config/load-config";
import { buildRootContainer } from "../daemon/daemon";
import { STATE_ID } from "../daemon/state-wiring";
import { TantaleError } from "../errors";
import { TableRegistry } from "../livestatus/query/table-registry";
import { silentLogger } from "../log/logger";
import { SelfStats } from "../metrics/self-stats";
import { ResultBus } from "../pipeline/result-bus";
import type { StorePlugin } from "../plugin/api";
import { constructInstance } from "../plugin/instance";
import { StateEngine } from "../state/state-engine";

/** Nothing to read where the user pointed: said, rather than an empty answer that looks like an empty store. */
export class NoStoreError extends TantaleError {}

/** The configured store, constructed and not started, and its instance. */
export interface OfflineStore {
  readonly spec: InstanceSpec;
  readonly store: StorePlugin;
}

/**
 * The conf dir's store instance over its files in `dataDir`, constructed but not started, so
 * that a daemon running on the same files keeps its store (`tantale dump`, `tantale backup`).
 * `purpose` ends the message when there is none: "nothing to dump". The caller stops it.
 */
export function openOfflineStore(config: Configuration, dataDir: string, purpose: string): OfflineStore {
  const spec = config.instances.find((i) => i.plugin.definition.kind === "store");
  if (spec === undefined) throw new NoStoreError(`no store is configured in the conf dir: ${purpose}`);
  const missing = missingStore(spec, dataDir);
  if (missing !== undefined) throw new NoStoreError(missing);
  const logger = silentLogger();
  const stats = new SelfStats();
  const engine = new StateEngine(config.daemon, systemClock, logger, stats.of(STATE_ID));
  const bus = new ResultBus(1, logger, stats, systemClock);
  const root = buildRootContainer({ clock: systemClock, settings: config.daemon, dataDir, stats, sink: bus, logger, engine, tables: new TableRegistry() });
  return { spec, store: constructInstance(spec, root, logger, stats).plugin as StorePlugin };
}

/**
 * Why there is no store of `spec` in `dataDir`, or undefined when there may be one: the data
 * dir must exist, and so must one of the store's files (its `data-path` options), since a
 * store reads a missing file as an empty state.
 */
export function missingStore(spec: InstanceSpec, dataDir: string): string | undefined {
  if (!fs.statSync(dataDir, { throwIfNoEntry: false })?.isDirectory()) return `no store in ${dataDir}: no such directory`;
  const files = Object.entries(spec.plugin.definition.schema)
    .filter(([key, option]) => "format" in option && option.format === "data-path" && typeof spec.options[key] === "string" && spec.options[key] !== "")
    .map(([key]) => path.resolve(dataDir, spec.options[key] as string));
  if (files.length > 0 && !files.some((f) => fs.existsSync(f))) return `no store in ${dataDir}: ${files.join(", ")} does not exist (store "${spec.id}")`;
  return undefined;
}
