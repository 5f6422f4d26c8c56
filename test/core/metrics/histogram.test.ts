import { expect } from "chai";
import { Histogram, histogramDelta, histogramMean, histogramQuantile, histogramSum } from "../../../core/metrics/histogram";
import { LabelledCounter } from "../../../core/metrics/labelled-counter";
import { readFigures } from "../../../core/metrics/figures";
import { SelfStats } from "../../../core/metrics/self-stats";

describe("Histogram", () => {
  it("counts each value in the first bucket whose bound is at least it, the rest in +Inf", () => {
    const h = new Histogram([0.01, 0.1, 1]);
    for (const v of [0.001, 0.01, 0.05, 0.5, 1, 7]) h.observe(v);
    expect(h.read()).to.deep.equal({ bounds: [0.01, 0.1, 1], counts: [2, 1, 2, 1], sum: 8.561, count: 6 });
  });

  it("refuses bounds that do not ascend", () => {
    expect(() => new Histogram([1, 1])).to.throw(RangeError, /must ascend/);
  });

  it("estimates quantiles as histogram_quantile does: linear in the bucket, the highest bound in +Inf, 0 when empty", () => {
    const h = new Histogram([1, 2, 4]);
    expect(histogramQuantile(h.read(), 0.5)).to.equal(0);
    for (let i = 0; i < 10; i++) h.observe(1.5); // all in (1, 2]
    expect(histogramQuantile(h.read(), 0.5)).to.equal(1.5);
    expect(histogramQuantile(h.read(), 1)).to.equal(2);
    h.observe(100);
    expect(histogramQuantile(h.read(), 1)).to.equal(4);
    expect(histogramMean(h.read())).to.be.closeTo(115 / 11, 1e-9);
  });

  it("gives what was observed between two reads, and sums histograms of the same bounds", () => {
    const h = new Histogram([1]);
    h.observe(0.5);
    const before = h.read();
    h.observe(2);
    h.observe(0.2);
    expect(histogramDelta(h.read(), before)).to.deep.include({ counts: [1, 1], count: 2 });
    expect(histogramDelta(h.read(), undefined).count).to.equal(3);
    expect(histogramSum([h.read(), before])).to.deep.include({ counts: [3, 1], count: 4 });
    expect(histogramSum([])).to.equal(undefined);
  });
});

describe("LabelledCounter", () => {
  it("counts per combination of label values, and refuses the wrong number of values", () => {
    const c = new LabelledCounter(["table", "code"]);
    c.add(["hosts", "200"]);
    c.add(["hosts", "200"], 2);
    c.add(["hosts", "400"]);
    expect(c.get(["hosts", "200"])).to.equal(3);
    expect(c.total()).to.equal(4);
    expect(c.read().values).to.deep.equal([
      { labels: ["hosts", "200"], value: 3 },
      { labels: ["hosts", "400"], value: 1 },
    ]);
    expect(() => c.add(["hosts"])).to.throw(RangeError, /expected 2 label values/);
  });
});

describe("readFigures", () => {
  it("groups the self-stats: inputs by kind with rejections by reason, queues, Livestatus listeners, spools, the engine", () => {
    const stats = new SelfStats();
    stats.describe("line", "input");
    stats.of("line").gauge("results_accepted", () => 5);
    stats.of("line").add("rejected_invalid_json", 2);
    stats.of("line").add("lines_rejected", 2); // a total, not a reason
    stats.describe("command", "input");
    stats.of("command").add("results_rejected", 1);
    stats.of("command").labelled("results_rejected", ["reason"]).add(["timeout"], 3);
    stats.of("(state)").set("queue_length", 4);
    stats.of("(state)").add("results_out_of_order", 1);
    stats.of("(state)").histogram("commit_seconds").observe(0.01);
    stats.of("file").set("queue_length", 9);
    stats.of("livestatus").add("requests", 3);
    stats.of("livestatus").labelled("requests_served", ["table", "code"]).add(["hosts", "200"], 3);
    stats.of("forwarder").set("spool_bytes", 100);
    const f = readFigures(stats);
    expect(f.inputs.map((i) => [i.id, i.accepted, Object.fromEntries(i.rejected), i.rejectedTotal])).to.deep.equal([
      ["line", 5, { invalid_json: 2 }, 2],
      ["command", 0, { invalid_result: 1, timeout: 3 }, 4],
    ]);
    expect(f.queues.map((q) => [q.id, q.depth])).to.deep.equal([
      ["store", 4],
      ["file", 9],
    ]);
    expect(f.livestatus.map((l) => [l.id, l.requests, l.served?.values])).to.deep.equal([["livestatus", 3, [{ labels: ["hosts", "200"], value: 3 }]]]);
    expect(f.spools).to.deep.equal([{ id: "forwarder", bytes: 100, records: 0 }]);
    expect(f.engine.ignored).to.deep.equal({ older: 1, duplicate: 0, removed: 0 });
    expect(f.engine.commitLatency?.count).to.equal(1);
  });
});
