import type { DependencyContainer } from "tsyringe";
import type { DaemonSettings } from "../config/common-schema";
import type { InstanceSpec } from "../config/load-config";
import { PluginRuntimeError, describeError } from "../errors";
import type { Logger } from "../log/logger";
import type { SelfStats } from "../metrics/self-stats";
import type { ResultBus } from "../pipeline/result-bus";
import { PLUGIN_KINDS, describeSource, type Endpoint, type OutputPlugin, type PluginKind, type StorePlugin } from "./api";
import { withDeadline } from "./deadline";
import { constructInstance, type PluginInstance } from "./instance";

export interface ReloadSummary {
  readonly started: readonly string[];
  readonly stopped: readonly string[];
  readonly restarted: readonly string[];
  readonly unchanged: readonly string[];
  readonly failed: readonly string[];
}

const STOP_ORDER: readonly PluginKind[] = [...PLUGIN_KINDS].reverse();

/** A running instance as the start-up block lists it. */
export interface InstanceView {
  readonly id: string;
  readonly plugin: string;
  readonly kind: PluginKind;
  readonly source: string;
  readonly endpoints: readonly Endpoint[];
}

/** Where a store instance plugs in (the state engine): connected after its start, before its stop. */
export interface StoreBinding {
  attach(id: string, store: StorePlugin): Promise<void>;
  /** `removed`: the store goes away for good (not a restart). */
  detach(id: string, removed: boolean): Promise<void>;
}

/**
 * Runs the plugin instances: starts them stage by stage (outputs, tables, the query
 * listener, inputs), stops them in reverse with the results still queued written in
 * between, and applies a new configuration by touching only the instances that changed.
 */
export class PluginHost {
  private readonly running = new Map<string, PluginInstance>();

  constructor(
    private readonly root: DependencyContainer,
    private readonly log: Logger,
    private readonly bus: ResultBus,
    private readonly stats: SelfStats,
    private readonly settings: DaemonSettings,
    private readonly stores: StoreBinding,
  ) {}

  /** Ids of the running instances, in start order. */
  runningIds(): string[] {
    return [...this.running.keys()];
  }

  /**
   * The running instances, in start order, with the endpoints each reports (plugin/api.ts).
   * A plugin whose endpoints() throws is listed without them: the start-up block must not fail a start.
   */
  describe(): InstanceView[] {
    return [...this.running.values()].map(({ spec, plugin, log }) => {
      let endpoints: readonly Endpoint[] = [];
      try {
        endpoints = plugin.endpoints?.() ?? [];
      } catch (err) {
        log.warn("endpoints() failed: listed without them", { error: describeError(err) });
      }
      const { name, kind } = spec.plugin.definition;
      return { id: spec.id, plugin: name, kind, source: describeSource(spec.plugin.source), endpoints };
    });
  }

  /** Starts everything or nothing: on a failure the instances already started are stopped again. */
  async startAll(specs: readonly InstanceSpec[]): Promise<void> {
    try {
      for (const kind of PLUGIN_KINDS) {
        for (const spec of specs) if (spec.plugin.definition.kind === kind) await this.startOne(spec);
      }
    } catch (err) {
      await this.stopAll(this.settings.shutdown_timeout);
      throw err;
    }
  }

  /**
   * Stops inputs, then the listener and tables, writes what is queued, then closes the
   * outputs. Returns false when queued results could not be written within `timeoutMs`.
   */
  async stopAll(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    const remaining = () => Math.max(1, deadline - Date.now());
    let drained = true;
    for (const kind of STOP_ORDER) {
      if (kind === "output") {
        try {
          await withDeadline(this.bus.drain(), remaining(), "writing the queued results");
        } catch {
          drained = false;
          this.log.error("results left unwritten at shutdown", { queued: this.bus.queued() });
        }
      }
      const ids = [...this.running.values()]
        .filter((i) => i.spec.plugin.definition.kind === kind)
        .map((i) => i.spec.id)
        .reverse();
      for (const id of ids) await this.stopOne(id, remaining());
    }
    return drained;
  }

  /** Applies a new set of specs: stops removed ones, restarts changed ones, starts new ones. */
  async apply(specs: readonly InstanceSpec[]): Promise<ReloadSummary> {
    const next = new Map(specs.map((s) => [s.id, s]));
    const previous = new Map([...this.running].map(([id, i]) => [id, i.spec]));
    const removed = [...previous.keys()].filter((id) => !next.has(id));
    const changed = [...previous.keys()].filter((id) => next.has(id) && next.get(id)!.fingerprint !== previous.get(id)!.fingerprint);
    const added = [...next.keys()].filter((id) => !previous.has(id));
    const unchanged = [...previous.keys()].filter((id) => !removed.includes(id) && !changed.includes(id));
    const failed: string[] = [];

    for (const kind of STOP_ORDER) {
      for (const id of [...removed, ...changed]) {
        if (previous.get(id)!.plugin.definition.kind !== kind) continue;
        await this.stopOne(id, this.settings.shutdown_timeout, { retire: removed.includes(id) });
      }
    }
    for (const kind of PLUGIN_KINDS) {
      for (const id of [...changed, ...added]) {
        const spec = next.get(id)!;
        if (spec.plugin.definition.kind !== kind) continue;
        try {
          await this.startOne(spec);
        } catch (err) {
          failed.push(id);
          this.log.error("instance failed to start with its new configuration", { instance: id, error: describeError(err) });
          const old = previous.get(id);
          if (old !== undefined)
            await this.startOne(old).then(
              () => this.log.warn("instance runs on with its previous configuration", { instance: id }),
              (e: unknown) => this.log.error("instance could not be started again", { instance: id, error: describeError(e) }),
            );
        }
      }
    }
    return { started: added, stopped: removed, restarted: changed, unchanged, failed };
  }

  private async startOne(spec: InstanceSpec): Promise<void> {
    const instance = constructInstance(spec, this.root, this.log, this.stats);
    const { definition } = spec.plugin;
    try {
      await withDeadline(instance.plugin.start(), this.settings.start_timeout, `start of ${spec.id}`);
    } catch (err) {
      // A half-started plugin may hold a port or a file: give it the chance to let go.
      await instance.plugin.stop().catch(() => undefined);
      throw new PluginRuntimeError(spec.id, "start", { cause: err });
    }
    if (definition.kind === "store") {
      try {
        await this.stores.attach(spec.id, instance.plugin as StorePlugin);
      } catch (err) {
        await instance.plugin.stop().catch(() => undefined);
        throw new PluginRuntimeError(spec.id, "load its state", { cause: err });
      }
    }
    this.running.set(spec.id, instance);
    if (definition.kind === "output") this.bus.attach(spec.id, instance.plugin as OutputPlugin, spec.output!, instance.log);
    const source = describeSource(spec.plugin.source);
    this.log.info("instance started", { instance: spec.id, plugin: definition.name, kind: definition.kind, source });
  }

  private async stopOne(id: string, timeoutMs: number, options: { retire?: boolean } = {}): Promise<void> {
    const instance = this.running.get(id);
    if (instance === undefined) return;
    this.running.delete(id);
    if (instance.spec.plugin.definition.kind === "output") {
      // A retired output first writes what is queued for it; a restarting one keeps its queue.
      const pending = options.retire === true ? this.bus.retire(id) : this.bus.detach(id);
      await withDeadline(pending, timeoutMs, `writing the queue of ${id}`).catch((err: unknown) => {
        if (options.retire !== true) {
          this.log.error("output did not finish its write before its restart", { instance: id, error: describeError(err) });
          return;
        }
        const discarded = this.bus.forget(id);
        this.log.error("removed output could not write its queue in time: discarded", { instance: id, discarded, error: describeError(err) });
      });
    }
    if (instance.spec.plugin.definition.kind === "store") {
      await withDeadline(this.stores.detach(id, options.retire === true), timeoutMs, `the last commit to ${id}`).catch((err: unknown) =>
        this.log.error("store detached with a commit unfinished", { instance: id, error: describeError(err) }),
      );
    }
    try {
      await withDeadline(instance.plugin.stop(), timeoutMs, `stop of ${id}`);
      this.log.info("instance stopped", { instance: id });
    } catch (err) {
      this.log.error("instance did not stop cleanly", { instance: id, error: describeError(err) });
    }
  }
}
