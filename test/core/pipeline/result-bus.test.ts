import { expect } from "chai";
import { systemClock } from "../../../core/clock";
import type { OutputSettings } from "../../../core/config/common-schema";
import { SelfStats } from "../../../core/metrics/self-stats";
import { ResultBus } from "../../../core/pipeline/result-bus";
import { GatedOutput, RecordingLogger, RecordingOutput, result, results, sleep, turns, waitFor } from "./support";

const SLOW: OutputSettings = { batch_size: 1000, flush_interval: 10_000, retry_max_delay: 1000 };
const FAST: OutputSettings = { batch_size: 1000, flush_interval: 5, retry_max_delay: 1000 };

async function expectSettled(p: Promise<void>, settled: boolean): Promise<void> {
  const state = await Promise.race([p.then(() => true), turns().then(() => false)]);
  expect(state).to.equal(settled);
}

describe("ResultBus", function () {
  this.timeout(2000);
  const buses: ResultBus[] = [];

  function makeBus(queueSize = 1000) {
    const log = new RecordingLogger();
    const stats = new SelfStats();
    const bus = new ResultBus(queueSize, log, stats, systemClock);
    buses.push(bus);
    const events: boolean[] = [];
    bus.onFlowChange((paused) => events.push(paused));
    return { bus, log, stats, events };
  }

  afterEach(async () => {
    // Detach every output so that no timer fires into the next test.
    for (const bus of buses.splice(0)) {
      await Promise.race([Promise.all(Object.keys(bus.queued()).map((id) => bus.detach(id))), sleep(100)]);
    }
  });

  it("sync() rejects while an output cannot write what it waits for (at once when it is failing already), and resolves again once it writes", async () => {
    const { bus } = makeBus();
    const failing = new RecordingOutput({ failures: 3 });
    const good = new RecordingOutput();
    bus.attach("good", good, FAST, new RecordingLogger());
    bus.accept(result(0));
    await bus.sync();
    bus.describe("store", "the store");
    bus.attach("store", failing, { ...FAST, retry_max_delay: 20 }, new RecordingLogger());
    bus.accept(result(1));
    const waiting = bus.sync();
    let error: unknown;
    await waiting.catch((e: unknown) => (error = e));
    expect(String(error)).to.equal("SyncError: the store cannot write (write 1 failed): the results are kept queued and retried");
    error = undefined;
    await bus.sync().catch((e: unknown) => (error = e));
    expect(String(error), "a SYNC while it fails is answered at once").to.contain("the store cannot write");
    await waitFor(() => failing.attempts.some((a) => a.ok), "a write that works");
    await bus.sync();
    expect(failing.attempts.filter((a) => a.ok).flatMap((a) => a.batch.map((r) => r.hostname))).to.deep.equal(["host-1"]);
  });

  it("sync() resolves once every output wrote what was accepted before it, not waiting for what came after", async () => {
    const { bus } = makeBus();
    const slow = new GatedOutput();
    const quick = new GatedOutput();
    const settings: OutputSettings = { batch_size: 2, flush_interval: 1, retry_max_delay: 100 };
    bus.attach("slow", slow, settings, new RecordingLogger());
    bus.attach("quick", quick, settings, new RecordingLogger());
    await expectSettled(bus.sync(), true); // nothing accepted yet
    for (const r of results(2)) bus.accept(r);
    let synced = false;
    const done = bus.sync().then(() => (synced = true));
    for (const r of results(2, 2)) bus.accept(r); // after the sync: not waited for
    await waitFor(() => slow.pending === 1 && quick.pending === 1, "first writes");
    quick.release();
    await turns();
    expect(synced, "the slow output has not written yet").to.equal(false);
    slow.release();
    await done;
    expect(slow.written).to.have.length(2);
  });

  it("accepts results with no output attached: no throw, no pause, counted", () => {
    const { bus, stats, events } = makeBus(1);
    expect(() => {
      for (const r of results(5)) bus.accept(r);
    }).not.to.throw();
    expect(bus.paused).to.equal(false);
    expect(events).to.deep.equal([]);
    expect(bus.queued()).to.deep.equal({});
    expect(stats.of("core").get("results_accepted")).to.equal(5);
  });

  it("hands the same object to every output", async () => {
    const { bus } = makeBus();
    const a = new RecordingOutput();
    const b = new RecordingOutput();
    bus.attach("a", a, FAST, new RecordingLogger());
    bus.attach("b", b, FAST, new RecordingLogger());
    await turns();
    const sent = results(3);
    for (const r of sent) bus.accept(r);
    await bus.drain();
    expect(a.written).to.have.length(3);
    expect(b.written).to.have.length(3);
    sent.forEach((r, i) => {
      expect(a.written[i]).to.equal(r);
      expect(b.written[i]).to.equal(r);
    });
    expect(Object.isFrozen(a.written[0])).to.equal(true);
  });

  it("keeps one runner per output id, across detach and attach", () => {
    const { bus } = makeBus();
    const first = bus.runnerFor("a", SLOW, new RecordingLogger());
    expect(bus.runnerFor("a", FAST, new RecordingLogger())).to.equal(first);
    expect(bus.runnerFor("b", SLOW, new RecordingLogger())).not.to.equal(first);
  });

  it("pauses the inputs when an output queue reaches queue_size, once", () => {
    const { bus, events, stats } = makeBus(10);
    bus.runnerFor("a", SLOW, new RecordingLogger()); // no plugin attached: nothing is written
    for (const r of results(9)) bus.accept(r);
    expect(bus.paused).to.equal(false);
    expect(events).to.deep.equal([]);
    bus.accept(result(9));
    expect(bus.paused).to.equal(true);
    expect(events).to.deep.equal([true]);
    for (const r of results(5, 10)) bus.accept(r);
    expect(events).to.deep.equal([true], "no second pause while paused");
    expect(bus.queued()).to.deep.equal({ a: 15 }, "nothing is dropped while paused");
    expect(stats.of("core").get("input_pauses")).to.equal(1);
  });

  it("resumes only once every queue is at or below 80 % of queue_size", async () => {
    const { bus, events, stats } = makeBus(10);
    const log = new RecordingLogger();
    bus.runnerFor("a", { ...SLOW, batch_size: 1 }, log);
    bus.runnerFor("b", { ...SLOW, batch_size: 1 }, log);
    const sent = results(10);
    for (const r of sent) bus.accept(r);
    expect(events).to.deep.equal([true]);

    // "a" empties completely, but "b" is still full: the inputs stay paused.
    const a = new RecordingOutput();
    bus.attach("a", a, { ...FAST, batch_size: 1 }, log);
    await waitFor(() => bus.queued().a === 0, "queue a written");
    expect(bus.paused).to.equal(true);
    expect(events).to.deep.equal([true]);

    // "b" writes one result at a time: 9 queued (90 %) is not enough, 8 (80 %) is.
    const b = new GatedOutput();
    bus.attach("b", b, { ...FAST, batch_size: 1 }, log);
    await waitFor(() => b.pending === 1, "first write of b");
    b.release();
    await waitFor(() => b.pending === 1 && bus.queued().b === 9, "second write of b");
    expect(bus.paused).to.equal(true);
    expect(events).to.deep.equal([true]);
    b.release();
    await waitFor(() => bus.queued().b === 8, "b at 80 %");
    expect(bus.paused).to.equal(false);
    expect(events).to.deep.equal([true, false]);
    expect(stats.of("core").get("input_resumes")).to.equal(1);

    // Goes on writing without further flow changes.
    while (bus.queued().b! > 0) {
      await waitFor(() => b.pending === 1, "next write of b");
      b.release();
      await turns(2);
    }
    expect(b.written).to.deep.equal(sent);
    expect(events).to.deep.equal([true, false]);
  });

  it("pauses again after a resume when a queue fills up again", async () => {
    const { bus, events } = makeBus(4);
    const out = new GatedOutput();
    bus.attach("a", out, { ...FAST, batch_size: 4 }, new RecordingLogger());
    await turns();
    for (const r of results(4)) bus.accept(r);
    expect(events).to.deep.equal([true]);
    await waitFor(() => out.pending === 1, "the write of the full batch");
    out.release();
    await waitFor(() => events.length === 2, "the resume");
    expect(events).to.deep.equal([true, false]);
    for (const r of results(4, 4)) bus.accept(r);
    expect(events).to.deep.equal([true, false, true]);
    expect(bus.paused).to.equal(true);
  });

  it("a listener that throws does not keep the others from hearing, nor accept() from returning", () => {
    const { bus, log } = makeBus(2);
    const heard: boolean[] = [];
    bus.onFlowChange(() => {
      throw new Error("listener broke");
    });
    bus.onFlowChange((p) => heard.push(p));
    bus.runnerFor("a", SLOW, log);
    bus.accept(result(0));
    expect(() => bus.accept(result(1))).not.to.throw();
    expect(heard).to.deep.equal([true]);
    expect(bus.paused).to.equal(true);
    const failure = log.entries.find((e) => e.msg === "flow listener failed");
    expect(failure?.level).to.equal("error");
    expect(String(failure?.fields.error)).to.contain("listener broke");
  });

  it("stops calling a listener once it unsubscribed", () => {
    const { bus } = makeBus(1);
    const heard: boolean[] = [];
    const off = bus.onFlowChange((p) => heard.push(p));
    off();
    bus.runnerFor("a", SLOW, new RecordingLogger());
    bus.accept(result(0));
    expect(bus.paused).to.equal(true);
    expect(heard).to.deep.equal([]);
  });

  it("retire() writes what is queued for the output, then forgets it", async () => {
    const { bus } = makeBus();
    const kept = new RecordingOutput();
    const retired = new RecordingOutput({ delayMs: 5 });
    bus.attach("kept", kept, SLOW, new RecordingLogger());
    bus.attach("gone", retired, SLOW, new RecordingLogger());
    await turns();
    const sent = results(4);
    for (const r of sent) bus.accept(r);
    expect(bus.queued()).to.deep.equal({ kept: 4, gone: 4 });

    await bus.retire("gone");
    expect(retired.written).to.deep.equal(sent, "the queue was written before retire() resolved");
    expect(bus.queued()).to.deep.equal({ kept: 4 });

    bus.accept(result(99));
    await bus.drain();
    expect(retired.attempts).to.have.length(1, "a retired output gets nothing more");
    expect(kept.written).to.deep.equal([...sent, result(99)]);
  });

  it("retire() of an unknown output resolves", async () => {
    const { bus } = makeBus();
    await bus.retire("nope");
    expect(bus.queued()).to.deep.equal({});
  });

  it("the inputs resume once the full output that is retired has written its queue", async () => {
    const { bus, events } = makeBus(3);
    const blocked = new GatedOutput();
    bus.attach("slow", blocked, { ...SLOW, batch_size: 1000 }, new RecordingLogger());
    bus.attach("fast", new RecordingOutput(), FAST, new RecordingLogger());
    await turns();
    for (const r of results(3)) bus.accept(r);
    expect(events).to.deep.equal([true]);
    const retiring = bus.retire("slow");
    await waitFor(() => blocked.pending === 1, "the drain of the retired output");
    blocked.release();
    await retiring;
    await waitFor(() => events.length === 2, "the resume");
    expect(events).to.deep.equal([true, false]);
    expect(bus.paused).to.equal(false);
  });

  it("drain() resolves once every output has written its queue", async () => {
    const { bus } = makeBus();
    const a = new RecordingOutput({ delayMs: 5 });
    const b = new RecordingOutput({ delayMs: 1 });
    bus.attach("a", a, { ...SLOW, batch_size: 2 }, new RecordingLogger());
    bus.attach("b", b, SLOW, new RecordingLogger());
    await turns();
    const sent = results(5);
    for (const r of sent) bus.accept(r);
    await bus.drain();
    expect(a.written).to.deep.equal(sent);
    expect(b.written).to.deep.equal(sent);
    expect(bus.queued()).to.deep.equal({ a: 0, b: 0 });
  });

  it("keeps what is queued for a detached output and hands it to the next plugin attached", async () => {
    const { bus } = makeBus();
    const before = new RecordingOutput();
    bus.attach("a", before, FAST, new RecordingLogger());
    await turns();
    const sent = results(6);
    for (const r of sent.slice(0, 2)) bus.accept(r);
    await bus.drain();
    await bus.detach("a");
    for (const r of sent.slice(2)) bus.accept(r);
    await sleep(20);
    expect(bus.queued()).to.deep.equal({ a: 4 });

    const after = new RecordingOutput();
    bus.attach("a", after, FAST, new RecordingLogger());
    await bus.drain();
    expect(before.written).to.deep.equal(sent.slice(0, 2));
    expect(after.written).to.deep.equal(sent.slice(2));
  });
});
