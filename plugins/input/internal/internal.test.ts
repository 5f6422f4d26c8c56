import { expect } from "chai";
import { systemClock, type Clock } from "../../../core/clock";
import { silentLogger } from "../../../core/log/logger";
import { SelfStats } from "../../../core/metrics/self-stats";
import type { CheckResult } from "../../../core/model/check-result";
import { ResultBus } from "../../../core/pipeline/result-bus";
import type { OutputPlugin } from "../../../core/plugin/api";
import { InternalInput } from "./internal-input";

const CONFIG = { interval: 60_000, hostname: "mon1", check: "tantale" };
const clock: Clock = { now: () => 1_764_100_000_000 };

describe("internal input", () => {
  it("files an OK result at start with the core's counters as perfdata", async () => {
    const stats = new SelfStats();
    const bus = new ResultBus(10, silentLogger(), stats, systemClock);
    const seen: CheckResult[] = [];
    const out: OutputPlugin = { start: async () => undefined, stop: async () => undefined, write: async (b) => void seen.push(...b) };
    bus.attach("store", out, { batch_size: 1, flush_interval: 1, retry_max_delay: 10 }, silentLogger());
    const input = new InternalInput(CONFIG, bus, stats, clock);
    await input.start();
    await input.stop();
    await bus.drain();
    expect(seen).to.have.length(1);
    const r = seen[0]!;
    expect([r.hostname, r.check, r.status, r.timestamp, r.interval]).to.deep.equal(["mon1", "tantale", 0, 1_764_100_000, 60]);
    expect(r.output).to.match(/^TANTALE OK - /);
    expect(r.perfData).to.contain("accepted=0c").and.to.contain("'store_written'=0c");
  });

  it("refuses to start with an empty check name, as any input's result would be refused", async () => {
    const stats = new SelfStats();
    const input = new InternalInput({ ...CONFIG, check: "" }, new ResultBus(10, silentLogger(), stats, systemClock), stats, clock);
    let error: unknown;
    await input.start().catch((e: unknown) => (error = e));
    expect(String(error)).to.contain("cannot report").and.to.contain("check");
    await input.stop();
  });

  it("says WARNING while the inputs are paused, and when writes failed since the last report", () => {
    const stats = new SelfStats();
    const bus = new ResultBus(1, silentLogger(), stats, systemClock);
    const input = new InternalInput(CONFIG, bus, stats, clock);
    expect(input.report().status).to.equal(0);
    stats.of("store").add("write_errors", 2);
    stats.of("store").set("queue_length", 5);
    const failing = input.report();
    expect(failing.status).to.equal(1);
    expect(failing.output).to.equal("TANTALE WARNING - output writes are failing");
    expect(input.report().status, "no new errors since the last report").to.equal(0);

    const never: OutputPlugin = { start: async () => undefined, stop: async () => undefined, write: () => new Promise<void>(() => undefined) };
    bus.attach("slow", never, { batch_size: 1, flush_interval: 1, retry_max_delay: 10 }, silentLogger());
    bus.accept(input.report());
    expect(bus.paused).to.equal(true);
    expect(input.report().output).to.equal("TANTALE WARNING - inputs paused: outputs are behind");
  });
});
