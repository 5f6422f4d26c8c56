import { expect } from "chai";
import { portZeroConf, startDaemon } from "../../../test/helpers/daemon-on-port-zero";
import { exchange } from "../../../test/helpers/livestatus-client";
import { LineClient } from "../../../test/helpers/net";
import type { ForegroundTantale } from "../../../test/helpers/tantale-process";
import { cleanupTempDirs, makeConfDir, makeTempDir } from "../../../test/helpers/temp-dir";
import { systemClock, type Clock } from "../../../core/clock";
import { silentLogger } from "../../../core/log/logger";
import { SelfStats } from "../../../core/metrics/self-stats";
import type { CheckResult } from "../../../core/model/check-result";
import { ResultBus } from "../../../core/pipeline/result-bus";
import type { OutputPlugin } from "../../../core/plugin/api";
import { STATE_ID } from "../../../core/daemon/state-wiring";
import { waitFor } from "../../../test/core/pipeline/support";
import { InternalInput } from "./internal-input";

const CONFIG = { interval: 60_000, hostname: "mon1", check: "tantale", host_result: true };
const clock: Clock = { now: () => 1_764_100_000_000 };
/** Records what the input shows at once (only while the store cannot write). */
const shownNow: CheckResult[] = [];
const engine = { applyNow: (r: CheckResult) => void shownNow.push(r) };

describe("internal input", () => {
  /** What the input files at start, through a real bus. */
  async function filedAtStart(config: typeof CONFIG): Promise<CheckResult[]> {
    const stats = new SelfStats();
    const bus = new ResultBus(10, silentLogger(), stats, systemClock);
    const seen: CheckResult[] = [];
    const out: OutputPlugin = { start: async () => undefined, stop: async () => undefined, write: async (b) => void seen.push(...b) };
    bus.attach("store", out, { batch_size: 1, flush_interval: 1, retry_max_delay: 10 }, silentLogger());
    const input = new InternalInput(config, bus, stats, clock, engine);
    await input.start();
    await input.stop();
    await bus.drain();
    return seen;
  }

  it("files the host's check UP and an OK result at start, with the core's counters as perfdata", async () => {
    const seen = await filedAtStart(CONFIG);
    expect(seen.map((r) => r.check)).to.deep.equal(["tantale", "Host"]);
    const [r, host] = seen as [CheckResult, CheckResult];
    expect([host.hostname, host.status, host.timestamp, host.interval]).to.deep.equal(["mon1", 0, 1_764_100_000, 60]);
    expect(host.output).to.match(/^TANTALE UP - Tantale \S+ runs here \(pid \d+, since /);
    expect([r.hostname, r.check, r.status, r.timestamp, r.interval]).to.deep.equal(["mon1", "tantale", 0, 1_764_100_000, 60]);
    expect(r.output).to.match(/^TANTALE OK - /);
    expect(r.perfData).to.contain("accepted=0c").and.to.contain("'store_written'=0c");
  });

  it("files only the service result with host_result = false (another source sends the host's check)", async () => {
    const seen = await filedAtStart({ ...CONFIG, host_result: false });
    expect(seen.map((r) => r.check)).to.deep.equal(["tantale"]);
  });

  it("refuses to start with an empty check name, as any input's result would be refused", async () => {
    const stats = new SelfStats();
    const input = new InternalInput({ ...CONFIG, check: "" }, new ResultBus(10, silentLogger(), stats, systemClock), stats, clock, engine);
    let error: unknown;
    await input.start().catch((e: unknown) => (error = e));
    expect(String(error)).to.contain("cannot report").and.to.contain("check");
    await input.stop();
  });

  it("says WARNING while the inputs are paused, and when writes failed since the last report", () => {
    const stats = new SelfStats();
    const bus = new ResultBus(1, silentLogger(), stats, systemClock);
    const input = new InternalInput(CONFIG, bus, stats, clock, engine);
    expect(input.report().status).to.equal(0);
    stats.of("store").add("write_errors", 2);
    stats.of("store").set("queue_length", 5);
    const failing = input.report();
    expect(failing.status).to.equal(1);
    expect(failing.output).to.equal("TANTALE WARNING - output writes failed since the last report");
    expect(input.report().status, "no new errors since the last report").to.equal(0);

    const never: OutputPlugin = { start: async () => undefined, stop: async () => undefined, write: () => new Promise<void>(() => undefined) };
    bus.attach("slow", never, { batch_size: 1, flush_interval: 1, retry_max_delay: 10 }, silentLogger());
    bus.accept(input.report());
    expect(bus.paused).to.equal(true);
    expect(input.report().output).to.equal("TANTALE WARNING - inputs paused: outputs are behind");
  });

  it("says CRITICAL for as long as the store cannot write, and shows that result at once (it cannot be committed)", async () => {
    const stats = new SelfStats();
    const bus = new ResultBus(100, silentLogger(), stats, systemClock);
    let fail = true;
    const store: OutputPlugin = {
      start: async () => undefined,
      stop: async () => undefined,
      write: async () => {
        if (fail) throw new Error("SQLITE_FULL");
      },
    };
    bus.attach(STATE_ID, store, { batch_size: 1, flush_interval: 1, retry_max_delay: 20 }, silentLogger());
    const input = new InternalInput(CONFIG, bus, stats, clock, engine);
    shownNow.length = 0;
    await input.start();
    await waitFor(() => stats.of(STATE_ID).get("write_failing") === 1, "the first failed write", 5000);
    for (let i = 0; i < 3; i++) {
      // No new errors between two reports must not make it OK while writes still fail.
      const r = input.report();
      expect(r.status).to.equal(2);
      expect(r.output).to.match(/^TANTALE CRITICAL - the store cannot write \(for \d+ s\): \d+ results queued, not stored/);
    }
    await input.stop();
    await input.start(); // files one more report: now it is shown at once
    await input.stop();
    expect(shownNow.map((r) => [r.check, r.status])).to.deep.equal([
      ["tantale", 2],
      ["Host", 0],
    ]);
    fail = false;
    await bus.drain();
    expect(input.report().status, "writes work again").to.be.below(2);
    expect(input.report().status).to.equal(0);
  });
});

describe("internal input in the real daemon", () => {
  let t: ForegroundTantale | undefined;
  afterEach(async () => {
    await t?.kill();
    t = undefined;
  });
  after(cleanupTempDirs);

  it("makes its host UP in the hosts table, not pending, with the service beside it", async () => {
    const conf = makeConfDir({ ...portZeroConf(), "internal.conf": "hostname = mon-test\ninterval = 60s\n" });
    const started = await startDaemon(conf, makeTempDir());
    t = started.t;
    // The results filed at start were accepted before the line input started: SYNCED says they are committed.
    const client = await LineClient.connect(started.ports.line);
    client.send("SYNC");
    expect(await client.next(20_000)).to.match(/^SYNCED/);
    client.close();
    const hosts = await exchange(
      started.ports.livestatus,
      "GET hosts\nColumns: name state has_been_checked plugin_output num_services\nOutputFormat: json\n\n",
    );
    const [row, ...more] = JSON.parse(hosts) as [string, number, number, string, number][];
    expect(more).to.have.length(0);
    expect(row!.slice(0, 3)).to.deep.equal(["mon-test", 0, 1]);
    expect(row![3]).to.match(/^TANTALE UP - /);
    expect(row![4]).to.equal(1);
  });
});
