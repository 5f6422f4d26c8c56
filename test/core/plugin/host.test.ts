import "reflect-metadata";
import os from "node:os";
import { expect } from "chai";
import { container, inject, injectable, type DependencyContainer, type InjectionToken } from "tsyringe";
import { systemClock } from "../../../core/clock";
import type { DaemonSettings, OutputSettings } from "../../../core/config/common-schema";
import type { InstanceSpec } from "../../../core/config/load-config";
import { PluginRuntimeError } from "../../../core/errors";
import { silentLogger, type Logger } from "../../../core/log/logger";
import { SelfStats, type InstanceStats } from "../../../core/metrics/self-stats";
import type { CheckResult } from "../../../core/model/check-result";
import { ResultBus } from "../../../core/pipeline/result-bus";
import type { AnyPluginDefinition, Lifecycle, OutputPlugin, Sink } from "../../../core/plugin/api";
import { DeadlineError } from "../../../core/plugin/deadline";
import { definePlugin } from "../../../core/plugin/define";
import { PluginHost } from "../../../core/plugin/host";
import { CLOCK, DAEMON_SETTINGS, DATA_DIR, INSTANCE_ID, INSTANCE_STATS, LOGGER, PLUGIN_CONFIG, SELF_STATS, SINK } from "../../../core/tokens";
import { CountingSink } from "../../../core/pipeline/counting-sink";
import { RecordingLogger, result, results, sleep, turns, waitFor } from "../pipeline/support";
import { testDaemonSettings } from "../../helpers/daemon-settings";

/** What the test plugins did, in order, shared by every instance of one test. */
class Recorder {
  readonly events: string[] = [];
  readonly instances: TestPlugin[] = [];

  record(event: string): void {
    this.events.push(event);
  }

  /** The instance of `id` constructed last (the running one after a restart). */
  latest(id: string): TestPlugin;
  latest<T extends TestPlugin>(id: string, kind: abstract new (...args: never[]) => T): T;
  latest(id: string, kind: abstract new (...args: never[]) => TestPlugin = TestPlugin): TestPlugin {
    const found = this.instances.filter((i) => i.id === id).at(-1);
    if (found === undefined) throw new Error(`no instance ${id} was constructed`);
    if (!(found instanceof kind)) throw new Error(`instance ${id} is not a ${kind.name}`);
    return found;
  }

  all(id: string): TestPlugin[] {
    return this.instances.filter((i) => i.id === id);
  }

  take(): string[] {
    return this.events.splice(0);
  }
}

const RECORDER: InjectionToken<Recorder> = Symbol("test.recorder");

interface TestOptions {
  readonly label?: string;
  /** start() rejects. */
  readonly failStart?: boolean;
  /** start() never settles. */
  readonly hangStart?: boolean;
  /** stop() accepts this many results into the sink first (an input flushing its buffer). */
  readonly emitOnStop?: number;
  /** write() always rejects. */
  readonly failWrites?: boolean;
}

abstract class TestPlugin implements Lifecycle {
  startCalls = 0;
  stopCalls = 0;

  constructor(
    readonly id: string,
    readonly config: TestOptions,
    readonly log: Logger,
    readonly stats: InstanceStats,
    readonly sink: Sink,
    readonly recorder: Recorder,
  ) {
    recorder.instances.push(this);
  }

  async start(): Promise<void> {
    this.startCalls++;
    this.recorder.record(`start ${this.id}`);
    if (this.config.failStart === true) throw new Error(`${this.id} cannot start`);
    if (this.config.hangStart === true) await new Promise<never>(() => undefined);
  }

  async stop(): Promise<void> {
    this.stopCalls++;
    this.recorder.record(`stop ${this.id}`);
    for (let i = 0; i < (this.config.emitOnStop ?? 0); i++) this.sink.accept(result(1000 + i));
  }
}

@injectable()
class TestLifecycle extends TestPlugin {
  constructor(
    @inject(INSTANCE_ID) id: string,
    @inject(PLUGIN_CONFIG) config: TestOptions,
    @inject(LOGGER) log: Logger,
    @inject(INSTANCE_STATS) stats: InstanceStats,
    @inject(SINK) sink: Sink,
    @inject(RECORDER) recorder: Recorder,
  ) {
    super(id, config, log, stats, sink, recorder);
  }
}

@injectable()
class TestOutput extends TestPlugin implements OutputPlugin {
  readonly written: CheckResult[] = [];

  constructor(
    @inject(INSTANCE_ID) id: string,
    @inject(PLUGIN_CONFIG) config: TestOptions,
    @inject(LOGGER) log: Logger,
    @inject(INSTANCE_STATS) stats: InstanceStats,
    @inject(SINK) sink: Sink,
    @inject(RECORDER) recorder: Recorder,
  ) {
    super(id, config, log, stats, sink, recorder);
  }

  async write(batch: readonly CheckResult[]): Promise<void> {
    this.recorder.record(`write ${this.id} ${batch.length}`);
    if (this.config.failWrites === true) throw new Error(`${this.id} cannot write`);
    this.written.push(...batch);
  }
}

/** Not injectable: tsyringe cannot build it. */
class NotInjectable implements Lifecycle {
  constructor(readonly config: TestOptions) {}
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}

const DESCRIPTION = "a plugin of the host tests";
const INPUT = definePlugin({ name: "test-input", kind: "input", description: DESCRIPTION, schema: {}, create: TestLifecycle });
const TABLE = definePlugin({ name: "test-table", kind: "table", description: DESCRIPTION, schema: {}, create: TestLifecycle });
const LISTENER = definePlugin({ name: "test-listener", kind: "listener", description: DESCRIPTION, schema: {}, create: TestLifecycle });
const OUTPUT = definePlugin({ name: "test-output", kind: "output", description: DESCRIPTION, schema: {}, create: TestOutput });
/** An output whose class has no write(). */
const NO_WRITE_OUTPUT = definePlugin({ name: "test-no-write", kind: "output", description: DESCRIPTION, schema: {}, create: TestLifecycle as never });
const NOT_INJECTABLE = definePlugin({ name: "test-not-injectable", kind: "table", description: DESCRIPTION, schema: {}, create: NotInjectable });

/** Results wait in the queue: only a full batch of 1000 or a drain writes them. */
const HOLD: OutputSettings = { batch_size: 1000, flush_interval: 10_000, retry_max_delay: 1000 };
const QUICK: OutputSettings = { batch_size: 1000, flush_interval: 5, retry_max_delay: 1000 };

function spec(
  id: string,
  definition: AnyPluginDefinition,
  options: TestOptions = {},
  extra: { output?: OutputSettings; logLevel?: "debug" } = {},
): InstanceSpec {
  const settings = { plugin: definition.name, enabled: true, log_level: extra.logLevel ?? null } as const;
  const output = definition.kind === "output" ? (extra.output ?? HOLD) : undefined;
  const frozen = Object.freeze({ ...options }) as Readonly<Record<string, unknown>>;
  return {
    id,
    file: `/etc/tantale/conf.d/${id}.conf`,
    plugin: { definition, source: { type: "built-in" } },
    settings,
    output,
    options: frozen,
    fingerprint: JSON.stringify({ source: "built-in", name: definition.name, settings, output, options: frozen }),
  };
}

interface Harness {
  readonly host: PluginHost;
  readonly bus: ResultBus;
  readonly stats: SelfStats;
  readonly log: RecordingLogger;
  readonly recorder: Recorder;
  readonly root: DependencyContainer;
  readonly rootLogger: Logger;
}

describe("PluginHost", function () {
  this.timeout(3000);
  const running: Harness[] = [];

  function harness(overrides: Partial<DaemonSettings> = {}): Harness {
    const settings = testDaemonSettings(overrides);
    const stats = new SelfStats();
    const log = new RecordingLogger();
    const rootLogger = silentLogger();
    const bus = new ResultBus(settings.queue_size, rootLogger, stats, systemClock);
    const recorder = new Recorder();
    // As the daemon builds it: a child of the global container, never the global one.
    const root = container.createChildContainer();
    root.register(CLOCK, { useValue: systemClock });
    root.register(DAEMON_SETTINGS, { useValue: settings });
    root.register(DATA_DIR, { useValue: os.tmpdir() });
    root.register(SELF_STATS, { useValue: stats });
    root.register(SINK, { useValue: bus });
    root.register(LOGGER, { useValue: rootLogger });
    root.register(RECORDER, { useValue: recorder });
    const host = new PluginHost(root, log, bus, stats, settings, { attach: async () => undefined, detach: async () => undefined });
    const h = { host, bus, stats, log, recorder, root, rootLogger };
    running.push(h);
    return h;
  }

  afterEach(async () => {
    for (const h of running.splice(0)) {
      if (h.host.runningIds().length > 0) await h.host.stopAll(100);
      await h.root.dispose();
    }
  });

  describe("startAll and stopAll", () => {
    it("starts outputs, then tables, then the listener, then inputs, whatever the order of the specs", async () => {
      const { host, recorder } = harness();
      await host.startAll([
        spec("in-1", INPUT),
        spec("query", LISTENER),
        spec("hosts", TABLE),
        spec("out-1", OUTPUT),
        spec("in-2", INPUT),
        spec("services", TABLE),
        spec("out-2", OUTPUT),
      ]);
      const order = ["out-1", "out-2", "hosts", "services", "query", "in-1", "in-2"];
      expect(recorder.take()).to.deep.equal(order.map((id) => `start ${id}`));
      expect(host.runningIds()).to.deep.equal(order);
    });

    it("stops in exactly the reverse order", async () => {
      const { host, recorder } = harness();
      await host.startAll([
        spec("in-1", INPUT),
        spec("query", LISTENER),
        spec("hosts", TABLE),
        spec("out-1", OUTPUT),
        spec("in-2", INPUT),
        spec("out-2", OUTPUT),
      ]);
      const started = recorder.take().map((e) => e.replace("start ", ""));
      expect(await host.stopAll(500)).to.equal(true);
      expect(recorder.take()).to.deep.equal([...started].reverse().map((id) => `stop ${id}`));
      expect(host.runningIds()).to.deep.equal([]);
      for (const p of recorder.instances) expect(p.stopCalls).to.equal(1, `${p.id} stopped once`);
    });

    it("writes the queued results after the inputs, tables and listener stopped and before the outputs stop", async () => {
      const { host, bus, recorder } = harness();
      await host.startAll([spec("out", OUTPUT), spec("in", INPUT, { emitOnStop: 3 }), spec("hosts", TABLE), spec("query", LISTENER)]);
      await turns(); // the flush that attaching the output asks for finds an empty queue
      recorder.take();
      bus.accept(result(1));
      bus.accept(result(2));
      await sleep(10);
      expect(recorder.events).to.deep.equal([], "the results wait for the flush interval");

      expect(await host.stopAll(500)).to.equal(true);
      expect(recorder.take()).to.deep.equal(["stop in", "stop query", "stop hosts", "write out 5", "stop out"]);
      expect(recorder.latest("out", TestOutput).written.map((r) => r.hostname)).to.deep.equal(["host-1", "host-2", "host-1000", "host-1001", "host-1002"]);
      expect(bus.queued()).to.deep.equal({ out: 0 });
    });

    it("stopAll() says false when the queue could not be written in time, and stops the outputs all the same", async () => {
      const { host, bus, recorder, log } = harness();
      await host.startAll([spec("out", OUTPUT, { failWrites: true })]);
      bus.accept(result(1));
      expect(await host.stopAll(50)).to.equal(false);
      expect(recorder.events).to.include("stop out");
      expect(host.runningIds()).to.deep.equal([]);
      expect(log.messages("error")).to.include("results left unwritten at shutdown");
      expect(bus.queued()).to.deep.equal({ out: 1 });
    });

    it("injects its own options, id, logger and stats into each instance", async () => {
      const { host, bus, stats, recorder, rootLogger } = harness();
      const a = spec("in-a", INPUT, { label: "a" });
      const b = spec("in-b", INPUT, { label: "b" }, { logLevel: "debug" });
      await host.startAll([a, b]);
      const pa = recorder.latest("in-a");
      const pb = recorder.latest("in-b");
      expect(pa).not.to.equal(pb);
      expect(pa.id).to.equal("in-a");
      expect(pb.id).to.equal("in-b");
      expect(pa.config).to.equal(a.options);
      expect(pb.config).to.equal(b.options);
      expect(pa.config.label).to.equal("a");
      expect(pb.config.label).to.equal("b");
      expect(pa.stats).to.equal(stats.of("in-a"));
      expect(pb.stats).to.equal(stats.of("in-b"));
      // An input's sink is the bus, counting what this input hands it (the metrics' per-input results_accepted).
      expect(pa.sink).to.be.instanceOf(CountingSink);
      pa.sink.accept(result(1));
      pa.sink.accept(result(2));
      pb.sink.accept(result(3));
      expect([stats.of("in-a").get("results_accepted"), stats.of("in-b").get("results_accepted"), stats.snapshot().core?.results_accepted]).to.deep.equal([
        2, 1, 3,
      ]);
      expect(pa.sink.paused).to.equal(bus.paused);

      expect(pa.log).not.to.equal(rootLogger, "not the root container's logger");
      const [la, lb] = [pa.log, pb.log];
      if (!(la instanceof RecordingLogger) || !(lb instanceof RecordingLogger)) return expect.fail("each instance's logger is a child of the RecordingLogger");
      expect(la.bindings).to.deep.equal({ instance: "in-a", plugin: "test-input" });
      expect(lb.bindings).to.deep.equal({ instance: "in-b", plugin: "test-input" });
      expect(la.level).to.equal(undefined, "an unset log_level keeps the daemon's");
      expect(lb.level).to.equal("debug");
    });

    it("on a failed start, stops what it started and rethrows a PluginRuntimeError", async () => {
      const { host, recorder } = harness();
      const failure = await host.startAll([spec("in", INPUT), spec("query", LISTENER), spec("hosts", TABLE, { failStart: true }), spec("out", OUTPUT)]).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(failure).to.be.instanceOf(PluginRuntimeError);
      const err = failure as PluginRuntimeError;
      expect(err.instance).to.equal("hosts");
      expect(err.phase).to.equal("start");
      expect((err.cause as Error).message).to.equal("hosts cannot start");
      // The half-started table gets its stop() too; the listener and the input were never built.
      expect(recorder.take()).to.deep.equal(["start out", "start hosts", "stop hosts", "stop out"]);
      expect(recorder.all("query")).to.have.length(0);
      expect(recorder.all("in")).to.have.length(0);
      expect(host.runningIds()).to.deep.equal([]);
    });

    it("enforces start_timeout", async () => {
      const { host, recorder } = harness({ start_timeout: 30 });
      const failure = await host.startAll([spec("out", OUTPUT), spec("hosts", TABLE, { hangStart: true })]).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(failure).to.be.instanceOf(PluginRuntimeError);
      expect((failure as PluginRuntimeError).instance).to.equal("hosts");
      expect((failure as PluginRuntimeError).cause).to.be.instanceOf(DeadlineError);
      expect(recorder.take()).to.deep.equal(["start out", "start hosts", "stop hosts", "stop out"]);
      expect(host.runningIds()).to.deep.equal([]);
    });

    it("refuses a class tsyringe cannot build and an output without write(), as PluginRuntimeErrors", async () => {
      const { host } = harness();
      const notInjectable = await host.startAll([spec("broken", NOT_INJECTABLE)]).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(notInjectable).to.be.instanceOf(PluginRuntimeError);
      expect((notInjectable as PluginRuntimeError).instance).to.equal("broken");
      expect((notInjectable as PluginRuntimeError).phase).to.match(/^construct/);

      const noWrite = await host.startAll([spec("out", NO_WRITE_OUTPUT)]).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(noWrite).to.be.instanceOf(PluginRuntimeError);
      expect((noWrite as PluginRuntimeError).message).to.contain("has no write()");
      expect(host.runningIds()).to.deep.equal([]);
    });
  });

  describe("apply", () => {
    it("leaves unchanged instances alone, restarts changed ones, stops removed ones and starts added ones", async () => {
      const { host, recorder } = harness();
      await host.startAll([spec("out", OUTPUT), spec("query", LISTENER), spec("in-b", INPUT, { label: "v1" }), spec("in-c", INPUT)]);
      const before = { out: recorder.latest("out"), query: recorder.latest("query"), b: recorder.latest("in-b"), c: recorder.latest("in-c") };
      recorder.take();

      // Freshly built specs: "unchanged" is a matter of fingerprints, not of object identity.
      const summary = await host.apply([spec("out", OUTPUT), spec("query", LISTENER), spec("in-b", INPUT, { label: "v2" }), spec("in-d", INPUT)]);
      expect(summary).to.deep.equal({ started: ["in-d"], stopped: ["in-c"], restarted: ["in-b"], unchanged: ["out", "query"], failed: [] });
      expect(recorder.take()).to.deep.equal(["stop in-c", "stop in-b", "start in-b", "start in-d"]);

      expect(recorder.latest("out")).to.equal(before.out);
      expect(recorder.latest("query")).to.equal(before.query);
      expect(before.out.stopCalls + before.query.stopCalls).to.equal(0);
      expect(before.out.startCalls + before.query.startCalls).to.equal(2, "started once each, at startAll");

      const b = recorder.latest("in-b");
      expect(b).not.to.equal(before.b);
      expect(b.config.label).to.equal("v2");
      expect(before.b.stopCalls).to.equal(1);
      expect(before.c.stopCalls).to.equal(1);
      expect(recorder.latest("in-d").startCalls).to.equal(1);
      expect(host.runningIds()).to.have.members(["out", "query", "in-b", "in-d"]);
      expect(host.runningIds()).to.have.length(4);
    });

    it("stops changed instances inputs first and starts them outputs first", async () => {
      const { host, recorder } = harness();
      await host.startAll([spec("in", INPUT, { label: "v1" }), spec("hosts", TABLE, { label: "v1" }), spec("out", OUTPUT, { label: "v1" })]);
      recorder.take();
      const summary = await host.apply([spec("in", INPUT, { label: "v2" }), spec("hosts", TABLE, { label: "v2" }), spec("out", OUTPUT, { label: "v2" })]);
      expect(summary.restarted).to.have.members(["in", "hosts", "out"]);
      expect(recorder.take()).to.deep.equal(["stop in", "stop hosts", "stop out", "start out", "start hosts", "start in"]);
    });

    it("an unchanged configuration touches nothing", async () => {
      const { host, recorder } = harness();
      const specs = [spec("out", OUTPUT), spec("in", INPUT)];
      await host.startAll(specs);
      recorder.take();
      const summary = await host.apply([spec("in", INPUT), spec("out", OUTPUT)]);
      expect(summary).to.deep.equal({ started: [], stopped: [], restarted: [], unchanged: ["out", "in"], failed: [] });
      expect(recorder.events).to.deep.equal([]);
      expect(recorder.instances).to.have.length(2);
    });

    it("a changed output keeps the results queued for it across its restart", async () => {
      const { host, bus, recorder } = harness();
      await host.startAll([spec("out", OUTPUT, { label: "v1" }), spec("in", INPUT, { label: "v1", emitOnStop: 2 })]);
      const old = recorder.latest("out", TestOutput);
      await turns();
      const queued = results(3);
      for (const r of queued) bus.accept(r);
      await turns();
      expect(bus.queued()).to.deep.equal({ out: 3 });

      // The input, restarted too, flushes two more results while the output is being replaced.
      const summary = await host.apply([spec("out", OUTPUT, { label: "v2" }, { output: QUICK }), spec("in", INPUT, { label: "v2" })]);
      expect(summary.restarted).to.have.members(["out", "in"]);
      const fresh = recorder.latest("out", TestOutput);
      expect(fresh).not.to.equal(old);
      await waitFor(() => fresh.written.length === 5, "the new output writing the kept queue");
      expect(old.written).to.deep.equal([]);
      queued.forEach((r, i) => expect(fresh.written[i]).to.equal(r));
      expect(fresh.written.slice(3).map((r) => r.hostname)).to.deep.equal(["host-1000", "host-1001"]);
      expect(bus.queued()).to.deep.equal({ out: 0 });

      bus.accept(result(7));
      await bus.drain();
      expect(fresh.written).to.have.length(6, "later results go to the new output, once each");
    });

    it("a removed output writes its queue before it is stopped, and is forgotten", async () => {
      const { host, bus, recorder } = harness();
      await host.startAll([spec("out", OUTPUT), spec("keep", OUTPUT)]);
      await turns();
      for (const r of results(2)) bus.accept(r);
      recorder.take();
      const summary = await host.apply([spec("keep", OUTPUT)]);
      expect(summary.stopped).to.deep.equal(["out"]);
      expect(recorder.take()).to.deep.equal(["write out 2", "stop out"]);
      expect(recorder.latest("out", TestOutput).written).to.have.length(2);
      expect(bus.queued()).to.deep.equal({ keep: 2 });
    });

    it("a removed output that cannot write its queue in time is forgotten: no write after its stop, inputs not held", async () => {
      const { host, bus, recorder, log } = harness({ shutdown_timeout: 150 });
      await host.startAll([spec("dead", OUTPUT, { failWrites: true }), spec("keep", OUTPUT)]);
      await turns();
      for (const r of results(3)) bus.accept(r);
      await host.apply([spec("keep", OUTPUT)]);
      expect(bus.queued()).to.not.have.property("dead");
      const discarded = log.entries.find((e) => e.msg === "removed output could not write its queue in time: discarded");
      expect(discarded?.fields.discarded).to.equal(3);
      recorder.take();
      await new Promise((r) => setTimeout(r, 300)); // past the first retry delays
      expect(recorder.take().filter((e) => e.startsWith("write dead"))).to.deep.equal([]);
    });

    it("a changed instance whose new start fails is started again with its previous spec", async () => {
      const { host, recorder, log } = harness();
      await host.startAll([spec("in", INPUT, { label: "v1" })]);
      recorder.take();
      const summary = await host.apply([spec("in", INPUT, { label: "v2", failStart: true })]);
      expect(summary.restarted).to.deep.equal(["in"]);
      expect(summary.failed).to.deep.equal(["in"]);
      expect(recorder.take()).to.deep.equal(["stop in", "start in", "stop in", "start in"]);
      const [first, failed, again] = recorder.all("in");
      expect(failed!.config.label).to.equal("v2");
      expect(again!.config.label).to.equal("v1");
      expect(again).not.to.equal(first);
      expect(host.runningIds()).to.deep.equal(["in"]);
      expect(log.messages("error")).to.include("instance failed to start with its new configuration");
      expect(log.messages("warn")).to.include("instance runs on with its previous configuration");

      // The running instance is the v1 one: applying v1 again changes nothing.
      const next = await host.apply([spec("in", INPUT, { label: "v1" })]);
      expect(next.unchanged).to.deep.equal(["in"]);
      expect(recorder.events).to.deep.equal([]);
    });

    it("a changed output whose new start times out runs on with its previous spec and its queue", async () => {
      const { host, bus, recorder } = harness({ start_timeout: 30 });
      await host.startAll([spec("out", OUTPUT, { label: "v1" }, { output: QUICK })]);
      await host.apply([spec("out", OUTPUT, { label: "v1" }, { output: HOLD })]); // now holding results
      await turns();
      const sent = results(3);
      for (const r of sent) bus.accept(r);
      recorder.take();

      const summary = await host.apply([spec("out", OUTPUT, { label: "v2", hangStart: true })]);
      expect(summary.failed).to.deep.equal(["out"]);
      expect(recorder.take()).to.deep.equal(["stop out", "start out", "stop out", "start out"]);
      const current = recorder.latest("out", TestOutput);
      expect(current.config.label).to.equal("v1");
      await bus.drain();
      expect(current.written).to.deep.equal(sent);
    });

    it("a failed new instance is reported and not left running", async () => {
      const { host, recorder } = harness();
      await host.startAll([spec("in", INPUT)]);
      const summary = await host.apply([spec("in", INPUT), spec("bad", TABLE, { failStart: true })]);
      expect(summary.started).to.deep.equal(["bad"]);
      expect(summary.failed).to.deep.equal(["bad"]);
      expect(host.runningIds()).to.deep.equal(["in"]);
      expect(recorder.latest("bad").stopCalls).to.equal(1, "the half-started instance was stopped");
    });
  });
});
