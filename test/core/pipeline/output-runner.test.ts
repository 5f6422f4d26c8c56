import { expect } from "chai";
import { systemClock } from "../../../core/clock";
import type { OutputSettings } from "../../../core/config/common-schema";
import type { InstanceStats } from "../../../core/metrics/self-stats";
import { SelfStats } from "../../../core/metrics/self-stats";
import type { CheckResult } from "../../../core/model/check-result";
import { OutputRunner } from "../../../core/pipeline/output-runner";
import type { OutputPlugin } from "../../../core/plugin/api";
import { GatedOutput, RecordingLogger, RecordingOutput, results, sleep, turns, waitFor } from "./support";

interface Harness {
  readonly runner: OutputRunner;
  readonly settings: OutputSettings;
  readonly log: RecordingLogger;
  readonly stats: InstanceStats;
  shrinks: number;
}

const SLOW_FLUSH = 10_000; // long enough that only a full batch or a drain can trigger a write

describe("OutputRunner", function () {
  this.timeout(2000);
  const made: OutputRunner[] = [];

  function harness(settings: Partial<OutputSettings> = {}): Harness {
    const full: OutputSettings = { batch_size: 100, flush_interval: SLOW_FLUSH, retry_max_delay: 30_000, ...settings };
    const log = new RecordingLogger();
    const stats = new SelfStats().of("out");
    const h: Harness = { runner: undefined as unknown as OutputRunner, settings: full, log, stats, shrinks: 0 };
    const runner = new OutputRunner("out", full, log, stats, systemClock, () => h.shrinks++);
    made.push(runner);
    return Object.assign(h, { runner });
  }

  function pushAll(runner: OutputRunner, list: readonly CheckResult[]): void {
    for (const r of list) runner.push(r);
  }

  function retryDelaysLogged(log: RecordingLogger): unknown[] {
    return log.entries.filter((e) => e.msg === "write failed, batch kept for retry").map((e) => e.fields.retry_in_ms);
  }

  afterEach(async () => {
    // Cancel the timers of every runner so that nothing fires into the next test.
    await Promise.all(made.splice(0).map((r) => Promise.race([r.detach(), sleep(100)])));
  });

  it("counts what is queued before any output is attached, and writes nothing", async () => {
    const { runner, stats } = harness({ batch_size: 2, flush_interval: 5 });
    pushAll(runner, results(5));
    await sleep(20);
    expect(runner.length).to.equal(5);
    expect(stats.get("queue_length")).to.equal(5);
    expect(stats.get("written")).to.equal(0);
  });

  it("writes batches of at most batch_size, in order; the remainder waits for the flush interval", async () => {
    const h = harness({ batch_size: 3 });
    const out = new RecordingOutput({ delayMs: 2 });
    h.runner.attach(out, h.settings);
    const sent = results(10);
    pushAll(h.runner, sent);

    await waitFor(() => out.written.length === 9, "three full batches");
    expect(out.batches.map((b) => b.length)).to.deep.equal([3, 3, 3]);
    await sleep(20);
    expect(out.attempts).to.have.length(3, "the partial batch must wait for flush_interval");
    expect(h.runner.length).to.equal(1);

    await h.runner.drain();
    expect(out.batches.map((b) => b.length)).to.deep.equal([3, 3, 3, 1]);
    expect(out.written).to.deep.equal(sent);
    out.written.forEach((r, i) => expect(r).to.equal(sent[i], `result ${i} is the same object`));
  });

  it("never hands out more than batch_size even when results keep coming during writes", async () => {
    const h = harness({ batch_size: 4, flush_interval: 3 });
    const out = new RecordingOutput({ delayMs: 3 });
    h.runner.attach(out, h.settings);
    const sent = results(60);
    for (let i = 0; i < sent.length; i += 7) {
      pushAll(h.runner, sent.slice(i, i + 7));
      await sleep(1);
    }
    await h.runner.drain();
    expect(out.written).to.deep.equal(sent);
    for (const b of out.batches) expect(b.length).to.be.within(1, 4);
    expect(out.batches.some((b) => b.length === 4)).to.equal(true, "full batches are used");
  });

  it("writes a partial batch once flush_interval has passed (not before)", async () => {
    const h = harness({ batch_size: 100, flush_interval: 60 });
    const out = new RecordingOutput();
    h.runner.attach(out, h.settings);
    await turns(); // let the flush that attach() asks for pass: it finds the queue empty
    const t0 = performance.now();
    const sent = results(3);
    h.runner.push(sent[0]!);
    await turns();
    h.runner.push(sent[1]!);
    h.runner.push(sent[2]!);
    await turns();
    expect(out.attempts).to.have.length(0, "nothing is written before the flush interval");

    await waitFor(() => out.attempts.length === 1, "the flush");
    expect(out.attempts[0]!.at - t0).to.be.at.least(55);
    expect(out.batches).to.deep.equal([sent], "results pushed while waiting join the same batch");
    expect(h.runner.length).to.equal(0);
    expect(h.stats.get("written")).to.equal(3);
    expect(h.stats.get("queue_length")).to.equal(0);
    expect(h.shrinks).to.equal(1);
  });

  it("writes a full batch without waiting for the flush interval", async () => {
    const h = harness({ batch_size: 2, flush_interval: SLOW_FLUSH });
    const out = new RecordingOutput();
    h.runner.attach(out, h.settings);
    const sent = results(2);
    pushAll(h.runner, sent);
    await waitFor(() => out.written.length === 2, "the full batch");
    expect(out.batches).to.deep.equal([sent]);
  });

  it("retries a failed write with the same results; nothing is lost or written twice", async () => {
    const h = harness({ batch_size: 10, flush_interval: 5 });
    const out = new RecordingOutput({ failures: 1 });
    h.runner.attach(out, h.settings);
    const sent = results(5);
    pushAll(h.runner, sent.slice(0, 3));
    await waitFor(() => out.attempts.length === 1, "the first attempt");
    expect(out.attempts[0]!.ok).to.equal(false);
    expect(h.runner.length).to.equal(3, "a failed batch stays queued");
    // More results arrive while the retry waits.
    pushAll(h.runner, sent.slice(3));

    await waitFor(() => h.runner.length === 0, "the retry");
    const retry = out.attempts[1]!;
    expect(retry.ok).to.equal(true);
    expect(retry.batch.slice(0, 3)).to.deep.equal(out.attempts[0]!.batch);
    retry.batch.slice(0, 3).forEach((r, i) => expect(r).to.equal(sent[i]));
    expect(retry.at - out.attempts[0]!.at).to.be.at.least(95, "the first retry waits 100 ms");

    await sleep(30);
    expect(out.written).to.deep.equal(sent);
    expect(new Set(out.written).size).to.equal(sent.length);
    expect(out.attempts).to.have.length(2, "nothing is written again after the success");
    expect(h.stats.get("write_errors")).to.equal(1);
    expect(h.stats.get("written")).to.equal(5);
    expect(retryDelaysLogged(h.log)).to.deep.equal([100]);
  });

  it("treats a write that throws synchronously like a rejected one", async () => {
    const h = harness({ batch_size: 1 });
    let calls = 0;
    const written: CheckResult[] = [];
    const out: OutputPlugin = {
      start: async () => undefined,
      stop: async () => undefined,
      write(batch) {
        calls++;
        if (calls === 1) throw new Error("sync failure");
        written.push(...batch);
        return Promise.resolve();
      },
    };
    h.runner.attach(out, h.settings);
    const sent = results(1);
    pushAll(h.runner, sent);
    await waitFor(() => written.length === 1, "the retry after a thrown error");
    expect(written).to.deep.equal(sent);
    expect(calls).to.equal(2);
    expect(h.stats.get("write_errors")).to.equal(1);
  });

  it("doubles the retry delay from 100 ms after each failure", async () => {
    const h = harness({ batch_size: 10, retry_max_delay: 30_000 });
    const out = new RecordingOutput({ failAlways: true });
    h.runner.attach(out, h.settings);
    pushAll(h.runner, results(2));
    await waitFor(() => out.attempts.length === 2, "two failed attempts");
    await turns();
    expect(retryDelaysLogged(h.log)).to.deep.equal([100, 200]);
    expect(out.attempts[1]!.at - out.attempts[0]!.at).to.be.at.least(95);
    expect(h.runner.length).to.equal(2);
  });

  it("bounds the retry delay by retry_max_delay and writes once the output recovers", async () => {
    const h = harness({ batch_size: 10, retry_max_delay: 150 });
    const out = new RecordingOutput({ failures: 3 });
    h.runner.attach(out, h.settings);
    const sent = results(2);
    pushAll(h.runner, sent);
    await waitFor(() => out.written.length === 2, "the write after three failures");
    expect(retryDelaysLogged(h.log)).to.deep.equal([100, 150, 150]);
    const at = out.attempts.map((a) => a.at);
    expect(at).to.have.length(4);
    expect(at[1]! - at[0]!).to.be.at.least(95);
    expect(at[2]! - at[1]!).to.be.at.least(145);
    expect(at[3]! - at[2]!).to.be.at.least(145);
    for (const a of out.attempts) expect(a.batch).to.deep.equal(sent);
    expect(out.written).to.deep.equal(sent);
  });

  it("starts again from 100 ms after a successful write", async () => {
    const h = harness({ batch_size: 1 });
    const out = new RecordingOutput({ failAttempts: [1, 3] });
    h.runner.attach(out, h.settings);
    h.runner.push(results(1)[0]!);
    await waitFor(() => out.written.length === 1, "the first result");
    h.runner.push(results(1, 1)[0]!);
    await waitFor(() => out.attempts.length === 3, "the third attempt");
    await turns();
    expect(retryDelaysLogged(h.log)).to.deep.equal([100, 100]);
  });

  it("has at most one write in flight", async () => {
    const h = harness({ batch_size: 2, flush_interval: 1 });
    const out = new RecordingOutput({ delayMs: 4 });
    h.runner.attach(out, h.settings);
    const sent = results(40);
    pushAll(h.runner, sent.slice(0, 9));
    for (let i = 9; i < sent.length; i++) {
      h.runner.push(sent[i]!);
      if (i % 5 === 0) void h.runner.drain();
      if (i % 3 === 0) await sleep(1);
    }
    await h.runner.drain();
    expect(out.written).to.deep.equal(sent);
    expect(out.attempts.length).to.be.at.least(20);
    expect(out.maxInFlight).to.equal(1);
  });

  it("with pipeline 2: hands out a second full batch while the first is written, never a third, and drops them in order", async () => {
    const h = harness({ batch_size: 3 });
    const out = new GatedOutput();
    h.runner.attach(out, h.settings, 2);
    const sent = results(10);
    pushAll(h.runner, sent);
    await waitFor(() => out.pending === 2, "two writes in flight");
    await turns();
    expect(out.calls).to.deep.equal([sent.slice(0, 3), sent.slice(3, 6)]);
    expect(h.runner.length).to.equal(10, "nothing leaves the queue before it is written");
    out.release();
    await waitFor(() => out.pending === 2, "the third batch once the first is written");
    expect(h.runner.length).to.equal(7);
    expect(out.calls[2]).to.deep.equal(sent.slice(6, 9));
    out.release();
    out.release();
    // The partial remainder waits for the flush interval (or a drain), as with one write in flight.
    await turns();
    expect(out.pending).to.equal(0);
    expect(h.runner.length).to.equal(1);
    const drained = h.runner.drain();
    await waitFor(() => out.pending === 1, "the remainder on drain");
    out.release();
    await drained;
    expect(out.written).to.deep.equal(sent);
    expect(h.stats.get("written")).to.equal(10);
  });

  it("with flush_interval 0: hands out whatever is queued at once, behind a write in flight too, and what came meanwhile as one batch", async () => {
    const h = harness({ batch_size: 100, flush_interval: 0 });
    const out = new GatedOutput();
    h.runner.attach(out, h.settings, 2);
    const sent = results(9);
    pushAll(h.runner, sent.slice(0, 2));
    await waitFor(() => out.pending === 1, "the first results at once, not after a flush interval");
    pushAll(h.runner, sent.slice(2, 4));
    await waitFor(() => out.pending === 2, "a partial batch behind the write in flight");
    pushAll(h.runner, sent.slice(4));
    await turns();
    expect(out.pending).to.equal(2, "never more than the pipeline");
    expect(out.calls).to.deep.equal([sent.slice(0, 2), sent.slice(2, 4)]);
    out.release();
    await waitFor(() => out.pending === 2, "the rest once a write slot is free");
    expect(out.calls[2]).to.deep.equal(sent.slice(4), "what came meanwhile goes as one batch");
    out.release();
    out.release();
    await waitFor(() => h.runner.length === 0, "everything written");
    expect(out.written).to.deep.equal(sent);
  });

  it("with pipeline 2: a failed first write makes the runner wait for the second, then retry from the failed batch (the second written again)", async () => {
    const h = harness({ batch_size: 2, flush_interval: 5 });
    const out = new RecordingOutput({ failAttempts: [1], delayMs: 5 });
    h.runner.attach(out, h.settings, 2);
    const sent = results(4);
    pushAll(h.runner, sent);
    await waitFor(() => h.runner.length === 0, "everything written after the retry", 2000);
    expect(out.attempts.map((a) => [a.batch.map((r) => r.hostname), a.ok])).to.deep.equal([
      [["host-0", "host-1"], false],
      [["host-2", "host-3"], true],
      [["host-0", "host-1"], true],
      [["host-2", "host-3"], true],
    ]);
    expect(h.stats.get("write_errors")).to.equal(1);
    expect(h.stats.get("written")).to.equal(4);
    expect(retryDelaysLogged(h.log)).to.deep.equal([100]);
  });

  it("drain() resolves at once when nothing is queued", async () => {
    const h = harness();
    let resolved = false;
    void h.runner.drain().then(() => (resolved = true));
    await turns(1);
    expect(resolved).to.equal(true);
  });

  it("drain() writes partial batches at once and resolves only when everything is written", async () => {
    const h = harness({ batch_size: 2, flush_interval: SLOW_FLUSH });
    const out = new RecordingOutput({ delayMs: 5 });
    h.runner.attach(out, h.settings);
    const sent = results(5);
    pushAll(h.runner, sent);
    let resolved = false;
    const done = h.runner.drain().then(() => (resolved = true));
    await turns(2);
    expect(resolved).to.equal(false, "three writes of 5 ms cannot be done yet");
    await done;
    expect(out.written).to.deep.equal(sent);
    expect(h.runner.length).to.equal(0);
    expect(out.batches.map((b) => b.length)).to.deep.equal([2, 2, 1]);
  });

  it("drain() waits through failed writes until the retry succeeds", async () => {
    const h = harness({ batch_size: 10 });
    const out = new RecordingOutput({ failures: 1 });
    h.runner.attach(out, h.settings);
    const sent = results(3);
    pushAll(h.runner, sent);
    await h.runner.drain();
    expect(out.attempts).to.have.length(2);
    expect(out.written).to.deep.equal(sent);
    expect(h.runner.length).to.equal(0);
  });

  it("every drain() caller is woken", async () => {
    const h = harness({ batch_size: 10 });
    const out = new RecordingOutput({ delayMs: 3 });
    h.runner.attach(out, h.settings);
    pushAll(h.runner, results(3));
    const first = h.runner.drain();
    const second = h.runner.drain();
    await Promise.all([first, second]);
    expect(out.written).to.have.length(3);
  });

  it("a drain() with nothing queued does not make later partial batches skip the flush interval", async () => {
    const h = harness({ batch_size: 100, flush_interval: SLOW_FLUSH });
    const out = new RecordingOutput();
    h.runner.attach(out, h.settings);
    await turns();
    await h.runner.drain();
    h.runner.push(results(1)[0]!);
    await sleep(20);
    expect(out.attempts).to.have.length(0);
    expect(h.runner.length).to.equal(1);
  });

  it("detach() waits for the write in flight, keeps the queue, and a new attach() goes on with it", async () => {
    const h = harness({ batch_size: 2, flush_interval: 5 });
    const first = new RecordingOutput({ delayMs: 10 });
    h.runner.attach(first, h.settings);
    const sent = results(9);
    pushAll(h.runner, sent.slice(0, 4));
    await waitFor(() => first.attempts.length === 1, "the first write");
    expect(first.inFlight).to.equal(1);

    await h.runner.detach();
    expect(first.inFlight).to.equal(0, "detach() resolves after the write in flight");
    expect(first.written).to.deep.equal(sent.slice(0, 2));
    pushAll(h.runner, sent.slice(4));
    await sleep(30);
    expect(first.attempts).to.have.length(1, "a detached output gets no more writes");
    expect(h.runner.length).to.equal(7);

    const second = new RecordingOutput();
    const settings: OutputSettings = { batch_size: 3, flush_interval: 5, retry_max_delay: 1000 };
    h.runner.attach(second, settings);
    await h.runner.drain();
    expect([...first.written, ...second.written]).to.deep.equal(sent);
    expect(second.batches.map((b) => b.length)).to.deep.equal([3, 3, 1], "the new settings apply");
  });

  it("detach() during a failing write keeps the batch for the next plugin", async () => {
    const h = harness({ batch_size: 10, flush_interval: 5 });
    const failing = new RecordingOutput({ failAlways: true, delayMs: 5 });
    h.runner.attach(failing, h.settings);
    const sent = results(3);
    pushAll(h.runner, sent);
    await waitFor(() => failing.attempts.length === 1, "the failing write");
    await h.runner.detach();
    expect(h.runner.length).to.equal(3);

    const working = new RecordingOutput();
    h.runner.attach(working, h.settings);
    await h.runner.drain();
    expect(working.written).to.deep.equal(sent);
    expect(failing.attempts).to.have.length(1);
  });
});
