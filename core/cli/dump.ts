import fs from "node:fs";
import path from "node:path";
import { systemClock } from "../clock";
import type { Configuration } from "../config/load-config";
import type { InstanceSpec } from "../config/load-config";
import { buildRootContainer } from "../daemon/daemon";
import { TantaleError } from "../errors";
import { TableRegistry } from "../livestatus/query/table-registry";
import { STATE_ID } from "../daemon/state-wiring";
import { silentLogger } from "../log/logger";
import { SelfStats } from "../metrics/self-stats";
import { HOST_CHECK } from "../model/check-result";
import { ResultBus } from "../pipeline/result-bus";
import type { StorePlugin } from "../plugin/api";
import { constructInstance } from "../plugin/instance";
import type { CheckState } from "../state/check-state";
import { StateEngine } from "../state/state-engine";

/**
 * Reads what the configured store has committed (without starting it, so a running daemon
 * keeps its store) and returns one JSON line per host, then per service of that host, then
 * per downtime and comment of the host or its services, by id:
 * `{"type":"host","hostname":…,"has_been_checked":1,…}`, `{"type":"service",…}`,
 * `{"type":"downtime",…}`, `{"type":"comment",…}`.
 * A host known only from its services is pending: has_been_checked 0.
 */
export async function dumpState(config: Configuration, dataDir: string, host?: string): Promise<string[]> {
  const spec = config.instances.find((i) => i.plugin.definition.kind === "store");
  if (spec === undefined) throw new NoStoreError("no store is configured in the conf dir: nothing to dump");
  const missing = missingStore(spec, dataDir);
  if (missing !== undefined) throw new NoStoreError(missing);
  const logger = silentLogger();
  const stats = new SelfStats();
  const engine = new StateEngine(config.daemon, systemClock, logger, stats.of(STATE_ID));
  const bus = new ResultBus(1, logger, stats, systemClock);
  const root = buildRootContainer({ clock: systemClock, settings: config.daemon, dataDir, stats, sink: bus, logger, engine, tables: new TableRegistry() });
  const store = constructInstance(spec, root, logger, stats).plugin as StorePlugin;
  try {
    const { checks, downtimes, comments } = await store.load();
    const byHost = new Map<string, CheckState[]>();
    for (const c of checks) {
      if (host !== undefined && c.hostname !== host) continue;
      let list = byHost.get(c.hostname);
      if (list === undefined) byHost.set(c.hostname, (list = []));
      list.push(c);
    }
    const lines: string[] = [];
    for (const name of [...byHost.keys()].sort()) {
      const list = byHost.get(name)!;
      const hostCheck = list.find((c) => c.check === HOST_CHECK);
      lines.push(
        JSON.stringify(hostCheck === undefined ? { type: "host", hostname: name, has_been_checked: 0 } : { type: "host", has_been_checked: 1, ...hostCheck }),
      );
      for (const s of list.filter((c) => c.check !== HOST_CHECK).sort((a, b) => (a.check < b.check ? -1 : 1)))
        lines.push(JSON.stringify({ type: "service", ...s }));
      for (const d of downtimes.filter((x) => x.hostname === name).sort((a, b) => a.id - b.id)) lines.push(JSON.stringify({ type: "downtime", ...d }));
      for (const c of comments.filter((x) => x.hostname === name).sort((a, b) => a.id - b.id)) lines.push(JSON.stringify({ type: "comment", ...c }));
    }
    return lines;
  } finally {
    await store.stop().catch(() => undefined);
  }
}

/** Nothing to dump where the user pointed: said, rather than an empty dump that looks like an empty store. */
export class NoStoreError extends TantaleError {}

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
