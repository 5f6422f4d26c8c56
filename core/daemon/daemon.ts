import { container, type DependencyContainer } from "tsyringe";
import { systemClock, type Clock } from "../clock";
import type { DaemonSettings } from "../config/common-schema";
import type { Sink } from "../plugin/api";
import { loadConfiguration, type Configuration, type LoadOptions } from "../config/load-config";
import { ConfigError, describeError } from "../errors";
import type { Logger } from "../log/logger";
import { SelfStats } from "../metrics/self-stats";
import { SummaryLine } from "../metrics/summary-line";
import { ResultBus } from "../pipeline/result-bus";
import { PluginHost, type ReloadSummary } from "../plugin/host";
import { StateEngine } from "../state/state-engine";
import { TableRegistry } from "../livestatus/query/table-registry";
import { CLOCK, COMMANDS, DAEMON_SETTINGS, DATA_DIR, LOGGER, LOOP_TURNS, SELF_STATS, SINK, STATE_ENGINE, STATE_VIEW, TABLES } from "../tokens";
import { LoopTurns } from "../net/loop-turns";
import { CommandExecutor } from "../commands/command-executor";
import { STATE_ID, connectStateEngine } from "./state-wiring";
import { dataModes, ensureDir } from "./data-access";
import { STARTED_MESSAGE, startupFields } from "./startup-block";
import { tantaleVersion } from "../tantale-version";

export interface DaemonOptions {
  readonly load: LoadOptions;
  readonly dataDir: string;
  readonly logger: Logger;
  readonly clock?: Clock;
}

export interface CoreServices {
  readonly clock: Clock;
  readonly settings: DaemonSettings;
  readonly dataDir: string;
  readonly stats: SelfStats;
  readonly sink: Sink;
  readonly logger: Logger;
  readonly engine: StateEngine;
  readonly tables: TableRegistry;
}

/** A fresh root container with the core services every plugin instance may inject. */
export function buildRootContainer(services: CoreServices): DependencyContainer {
  const root = container.createChildContainer();
  root.register(CLOCK, { useValue: services.clock });
  root.register(DAEMON_SETTINGS, { useValue: services.settings });
  root.register(DATA_DIR, { useValue: services.dataDir });
  root.register(SELF_STATS, { useValue: services.stats });
  root.register(SINK, { useValue: services.sink });
  root.register(LOGGER, { useValue: services.logger });
  root.register(STATE_ENGINE, { useValue: services.engine });
  root.register(STATE_VIEW, { useValue: services.engine });
  root.register(TABLES, { useValue: services.tables });
  root.register(COMMANDS, { useValue: new CommandExecutor(services.engine, services.sink, services.clock) });
  root.register(LOOP_TURNS, { useValue: new LoopTurns() });
  return root;
}

/**
 * The composition root: one fresh tsyringe container per daemon (never the global one,
 * so that tests and reloads do not leak), the core services in it, and the plugin host.
 */
export class Daemon {
  readonly stats = new SelfStats();
  readonly bus: ResultBus;
  readonly engine: StateEngine;
  readonly tables = new TableRegistry();
  private readonly root: DependencyContainer;
  private readonly host: PluginHost;
  /** The periodic summary log line (summary_interval). */
  private readonly summary: SummaryLine;
  private reloading: Promise<ReloadSummary | undefined> = Promise.resolve(undefined);
  private stopping = false;

  constructor(
    private config: Configuration,
    private readonly options: DaemonOptions,
  ) {
    const clock = options.clock ?? systemClock;
    const log = options.logger;
    const narrowed = ensureDir(options.dataDir, dataModes(config.daemon.data_access).dir);
    if (narrowed !== undefined)
      log.warn(`mode of the data dir ${narrowed.path} changed from ${narrowed.from} to ${narrowed.to} (data_access = ${config.daemon.data_access})`, {
        ...narrowed,
      });
    this.bus = new ResultBus(config.daemon.queue_size, log.child({ component: "bus" }), this.stats, clock);
    this.engine = new StateEngine(config.daemon, clock, log.child({ component: "state" }), this.stats.of(STATE_ID));
    const stores = connectStateEngine(this.engine, this.bus, config.daemon, log.child({ component: "state" }));
    this.root = buildRootContainer({
      clock,
      settings: config.daemon,
      dataDir: options.dataDir,
      stats: this.stats,
      sink: this.bus,
      logger: log,
      engine: this.engine,
      tables: this.tables,
    });
    this.host = new PluginHost(this.root, log, this.bus, this.stats, config.daemon, stores);
    this.summary = new SummaryLine(this.stats, log, clock, config.daemon.summary_interval);
  }

  /** Loads the conf dir (throwing ConfigError on any problem) and builds the daemon. */
  static async create(options: DaemonOptions): Promise<Daemon> {
    return new Daemon(await loadConfiguration(options.load), options);
  }

  get configuration(): Configuration {
    return this.config;
  }

  runningInstances(): string[] {
    return this.host.runningIds();
  }

  async start(): Promise<void> {
    const { instances, disabled } = this.config;
    for (const id of disabled) this.options.logger.info("instance disabled by its conf file", { instance: id });
    await this.host.startAll(instances);
    this.engine.start();
    this.summary.start();
    // One line saying what runs and where it listens, once every listener is bound (port 0 included).
    const fields = startupFields({
      version: tantaleVersion(),
      confDir: this.options.load.confDir,
      dataDir: this.options.dataDir,
      instances: this.host.describe(),
    });
    this.options.logger.info(STARTED_MESSAGE, { ...fields });
  }

  /** Graceful stop; false when queued results could not all be written in time. */
  async stop(): Promise<boolean> {
    // Set before waiting: a reload asked for from now on must not start what is being stopped.
    this.stopping = true;
    this.summary.stop();
    await this.reloading;
    await this.engine.stop();
    const drained = await this.host.stopAll(this.config.daemon.shutdown_timeout);
    // tsyringe's dispose may return a Promise (a core service with an async dispose): wait for it,
    // and a failing one is logged, not left as an unhandled rejection that would end the process.
    await Promise.resolve(this.root.dispose()).catch((err: unknown) => {
      this.options.logger.error("disposing the core services failed", { error: describeError(err) });
    });
    this.options.logger.info("tantale stopped", { drained });
    return drained;
  }

  /**
   * Re-reads the conf dir and applies it instance by instance. A conf dir with any problem
   * is refused as a whole and everything keeps running as it was. Reloads never overlap.
   */
  reload(): Promise<ReloadSummary | undefined> {
    const next = this.reloading.then(() => (this.stopping ? undefined : this.reloadNow()));
    // One failed reload must not block the later ones, nor the stop that waits for it.
    this.reloading = next.catch((err: unknown) => {
      this.options.logger.error("reload failed", { error: describeError(err) });
      return undefined;
    });
    return this.reloading;
  }

  private async reloadNow(): Promise<ReloadSummary | undefined> {
    const log = this.options.logger;
    let next: Configuration;
    try {
      next = await loadConfiguration(this.options.load);
    } catch (err) {
      const problems = err instanceof ConfigError ? err.problems.length : 1;
      log.error("reload refused: the conf dir has errors, the running configuration stays", { problems, error: describeError(err) });
      return undefined;
    }
    if (JSON.stringify(next.daemon) !== JSON.stringify(this.config.daemon)) {
      log.warn("tantale.conf changed: daemon settings take effect at the next restart");
    }
    const summary = await this.host.apply(next.instances);
    this.config = { ...next, daemon: this.config.daemon };
    log.info("reloaded", { ...summary });
    return summary;
  }
}
