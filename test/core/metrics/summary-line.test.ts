import { expect } from "chai";
import { SelfStats } from "../../../core/metrics/self-stats";
import { SummaryLine, type Every } from "../../../core/metrics/summary-line";
import { RecordingLogger } from "../../helpers/recording-logger";

/** A timer ticked by hand, and a clock moved by hand: the summary's interval is the test's. */
function manualTimer(): { every: Every; tick: () => void; intervals: number[]; running: () => boolean } {
  let tick: (() => void) | undefined;
  const intervals: number[] = [];
  return {
    every: (ms, fn) => {
      intervals.push(ms);
      tick = fn;
      return () => (tick = undefined);
    },
    tick: () => tick?.(),
    intervals,
    running: () => tick !== undefined,
  };
}

describe("SummaryLine", () => {
  let stats: SelfStats;
  let log: RecordingLogger;
  let now: number;
  const clock = { now: () => now };

  beforeEach(() => {
    stats = new SelfStats();
    log = new RecordingLogger();
    now = 1_000_000;
  });

  it("logs one info line per interval with the rates over that interval, the queues now and the latencies of the interval", () => {
    const timer = manualTimer();
    let accepted = 0;
    stats.of("core").gauge("results_accepted", () => accepted);
    stats.of("line").add("rejected_not_json", 0);
    stats.describe("line", "input");
    stats.of("line").set("connections_open", 4);
    const store = stats.of("(state)");
    store.set("queue_length", 7);
    const commits = store.histogram("commit_seconds");
    const ls = stats.of("livestatus");
    ls.add("requests", 10);
    ls.set("connections_open", 2);
    const requests = ls.histogram("request_seconds");
    requests.observe(5); // before the start: not in the first line's latency
    const summary = new SummaryLine(stats, log, clock, 60_000, timer.every);
    summary.start();
    expect(timer.intervals).to.deep.equal([60_000]);

    accepted = 600;
    stats.of("line").add("rejected_not_json", 60);
    store.add("results_out_of_order", 6);
    ls.add("requests", 120);
    for (let i = 0; i < 99; i++) commits.observe(0.002);
    commits.observe(0.8);
    requests.observe(0.003);
    now += 60_000;
    timer.tick();

    expect(log.lines).to.have.length(1);
    const [line] = log.lines;
    expect(line!.level).to.equal("info");
    // p99 of the one request of the interval: interpolated in its bucket (2.5 to 5 ms), as Prometheus does.
    expect(line!.msg).to.equal(
      "summary of the last 60 s: results 10/s accepted, 1/s rejected, 0.1/s ignored; queued 7 (store 7); commits 100, p99 2.5 ms; livestatus 2 req/s, p99 4.98 ms; connections 2 livestatus, 4 inputs",
    );
    expect(line!.fields).to.deep.include({
      interval_s: 60,
      accepted_per_s: 10,
      rejected_per_s: 1,
      ignored_per_s: 0.1,
      queued: 7,
      store_queued: 7,
      commits: 100,
      livestatus_requests_per_s: 2,
      livestatus_connections: 2,
      input_connections: 4,
      spool_bytes: 0,
    });

    // The next interval counts only what happened in it.
    now += 30_000;
    timer.tick();
    expect(log.lines[1]!.fields).to.deep.include({
      interval_s: 30,
      accepted_per_s: 0,
      rejected_per_s: 0,
      commits: 0,
      commit_p99_ms: 0,
      livestatus_requests_per_s: 0,
    });
  });

  it("says so when the store cannot write, and names the bytes spooled", () => {
    const timer = manualTimer();
    stats.of("(state)").set("queue_length", 3);
    stats.of("(state)").set("write_failing", 1);
    stats.of("forwarder").set("spool_bytes", 4096);
    new SummaryLine(stats, log, clock, 1000, timer.every).start();
    now += 1000;
    timer.tick();
    expect(log.lines[0]!.msg).to.contain("queued 3 (store 3, failing)").and.to.contain("spooled 4096 bytes");
    expect(log.lines[0]!.fields).to.deep.include({ store_failing: true, spool_bytes: 4096 });
  });

  it("runs no timer with an interval of 0, and stops its timer on stop()", () => {
    const off = manualTimer();
    new SummaryLine(stats, log, clock, 0, off.every).start();
    expect(off.intervals).to.deep.equal([]);
    const on = manualTimer();
    const summary = new SummaryLine(stats, log, clock, 1000, on.every);
    summary.start();
    summary.start(); // once
    expect(on.intervals).to.deep.equal([1000]);
    summary.stop();
    expect(on.running()).to.equal(false);
  });
});
