import { expect } from "chai";
import { compileCheck, runCheck, type CheckOptions, type DiamondCheck } from "./diamond-check";
import { MetricHistory } from "./metric-history";

const BASE: CheckOptions = {
  expression: "",
  condition: "",
  thresholds: "",
  warning: "",
  critical: "",
  prefix: "servers.web1",
  hostname: "web1",
  service: "",
  interval: 60_000,
  contacts: [],
};

function check(options: Partial<CheckOptions>, name = "load"): DiamondCheck {
  const compiled = compileCheck(name, { ...BASE, ...options });
  if (compiled.problems) throw new Error(JSON.stringify(compiled.problems));
  return compiled.check;
}

/** A history watching what the checks read, with their trend ages. */
function historyFor(checks: DiamondCheck[], limits = { maxMetrics: 100, maxPoints: 1000, staleAfter: 600 }): MetricHistory {
  const watched = new Map<string, number>();
  for (const c of checks) for (const r of c.refs) watched.set(r.path, Math.max(watched.get(r.path) ?? 0, r.age));
  return new MetricHistory(watched, limits);
}

const T0 = 1_700_000_000;

describe("diamond checks", () => {
  it("files the value with its thresholds and perfdata, under the prefix", () => {
    const c = check({ expression: "{loadavg.01} * 10", thresholds: ",,10,20" });
    const h = historyFor([c]);
    expect(c.refs).to.deep.equal([{ path: "servers.web1.loadavg.01", age: 0 }]);
    const at = (value: number) => {
      h.record("servers.web1.loadavg.01", T0, value);
      return runCheck(c, h, (T0 + 5) * 1000);
    };
    expect(at(0.5)).to.deep.include({
      hostname: "web1",
      check: "load",
      status: 0,
      output: "value 5 (warning above 10, critical above 20)",
      perfData: "load=5;~:10;~:20;;",
      timestamp: T0 + 5, // evaluated then
      interval: 60,
    });
    expect(at(1.0).status).to.equal(0); // equal to the bound: OK
    expect(at(1.23)).to.deep.include({ status: 1, output: "value 12.3 (warning above 10, critical above 20)" });
    expect(at(2.01).status).to.equal(2);
  });

  it("takes Nagios range strings for warning and critical", () => {
    const c = check({ expression: "{free}", warning: "10:", critical: "@0:2", service: "disk root" });
    const h = historyFor([c]);
    const at = (v: number) => (h.record("servers.web1.free", T0, v), runCheck(c, h, T0 * 1000));
    expect(at(50)).to.deep.include({ status: 0, output: "value 50 (warning below 10, critical inside 0..2)", perfData: "'disk root'=50;10:;@0:2;;" });
    expect(at(5).status).to.equal(1);
    expect(at(2).status).to.equal(2);
    expect(at(0).status).to.equal(2);
    expect(at(-1).status).to.equal(1);
  });

  it("honours 0 as a bound", () => {
    const c = check({ expression: "{x}", thresholds: "0,,,0" });
    const h = historyFor([c]);
    const at = (v: number) => (h.record("servers.web1.x", T0, v), runCheck(c, h, T0 * 1000).status);
    expect([at(0), at(0.1), at(-0.1)]).to.deep.equal([0, 2, 2]);
  });

  it("is UNKNOWN with the reason for a missing metric, a division by zero, NaN-free stale data", () => {
    const c = check({ expression: "{used} / {total} * 100", thresholds: ",,80,90" });
    const h = historyFor([c]);
    expect(runCheck(c, h, T0 * 1000)).to.deep.include({ status: 3, output: "no value yet for servers.web1.used" });
    h.record("servers.web1.used", T0, 5);
    h.record("servers.web1.total", T0, 0);
    expect(runCheck(c, h, T0 * 1000)).to.deep.include({ status: 3, output: "division by zero ({servers.web1.total} is 0)" });
    h.record("servers.web1.total", T0 + 1, 10);
    expect(runCheck(c, h, (T0 + 1) * 1000)).to.deep.include({ status: 0, output: "value 50 (warning above 80, critical above 90)" });
    expect(runCheck(c, h, (T0 + 700) * 1000)).to.deep.include({ status: 3, output: "servers.web1.used: the last value is 700s old (stale after 600s)" });
  });

  it("reads trends against an injected clock: the value an hour ago, UNKNOWN until there is one", () => {
    const c = check({ expression: "{bytes} - {3600|bytes}", thresholds: ",,1000," });
    const h = historyFor([c]);
    for (let t = 0; t <= 7200; t += 60) h.record("servers.web1.bytes", T0 + t, t);
    // at T0+7200: now 7200, an hour ago 3600
    expect(runCheck(c, h, (T0 + 7200) * 1000)).to.deep.include({ status: 1, output: "value 3600 (warning above 1000)" });
    // between two points: the newest at or before the target
    expect(runCheck(c, h, (T0 + 7230) * 1000).output).to.equal("value 3600 (warning above 1000)");
    // the history keeps what the trend needs, not everything
    const young = historyFor([c]);
    young.record("servers.web1.bytes", T0, 0);
    young.record("servers.web1.bytes", T0 + 600, 10);
    expect(runCheck(c, young, (T0 + 600) * 1000)).to.deep.include({
      status: 3,
      output: "{3600|servers.web1.bytes}: not enough history yet (the oldest value is 600s old, 3600s needed)",
    });
    // 90% of the age serves (collection times wander)
    young.record("servers.web1.bytes", T0 + 3300, 20);
    expect(runCheck(c, young, (T0 + 3300) * 1000)).to.deep.include({ status: 0, output: "value 20 (warning above 1000)" });
  });

  it("gates on the condition", () => {
    const c = check({ expression: "{a}", condition: "{b} > 0", thresholds: ",,1," });
    const h = historyFor([c]);
    h.record("servers.web1.a", T0, 5);
    h.record("servers.web1.b", T0, 0);
    expect(runCheck(c, h, T0 * 1000)).to.deep.include({ status: 0, output: "condition not met: {b} > 0" });
    h.record("servers.web1.b", T0, 1);
    expect(runCheck(c, h, T0 * 1000).status).to.equal(1);
  });

  it("reports every bad option at once, keyed by option", () => {
    const compiled = compileCheck("bad", { ...BASE, expression: "{a} +", condition: "{a}", thresholds: "1,2", warning: "10abc", hostname: "" });
    expect(compiled.problems?.map((p) => p.key)).to.deep.equal(["expression", "condition", "thresholds", "warning", "hostname"]);
    const twice = compileCheck("twice", { ...BASE, expression: "{a}", thresholds: ",,1,2", critical: "5" });
    expect(twice.problems).to.deep.equal([{ key: "critical", message: "the critical bounds are already set by thresholds; set them in one place" }]);
    expect(compileCheck("none", { ...BASE }).problems?.[0]?.key).to.equal("expression");
  });

  it("bounds the history: points per metric and metrics, counted", () => {
    const c = check({ expression: "{a} + {b} - {3600|a}" });
    const h = historyFor([c], { maxMetrics: 1, maxPoints: 3, staleAfter: 0 });
    for (let t = 0; t < 10; t++) h.record("servers.web1.a", T0 + t, t);
    expect(h.counters.pointsDropped).to.equal(7);
    expect(h.record("servers.web1.b", T0, 1)).to.equal(false);
    expect(h.counters.metricsRefused).to.equal(1);
    expect(h.record("servers.web1.unwatched", T0, 1)).to.equal(false);
    expect(h.metricCount).to.equal(1);
    // without a trend reference, only the newest point is kept
    const latest = historyFor([check({ expression: "{x}" })], { maxMetrics: 10, maxPoints: 100, staleAfter: 0 });
    for (let t = 0; t < 50; t++) latest.record("servers.web1.x", T0 + t, t);
    expect(latest.counters.pointsDropped).to.equal(0);
    expect(latest.read({ path: "servers.web1.x", age: 0 }, T0 + 50).value).to.equal(49);
  });

  it("keeps points in time order when they arrive out of order", () => {
    const c = check({ expression: "{a} - {60|a}" });
    const h = historyFor([c]);
    h.record("servers.web1.a", T0 + 120, 3);
    h.record("servers.web1.a", T0, 1);
    h.record("servers.web1.a", T0 + 60, 2);
    expect(runCheck(c, h, (T0 + 120) * 1000).output).to.equal("value 1 (no thresholds)");
  });
});
