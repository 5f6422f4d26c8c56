import { expect } from "chai";
import { describeRange, fmt, parseRange, parseThresholdTuple, statusOf, type Thresholds } from "./thresholds";

/** The status of each value for a warning and a critical range string. */
function statuses(t: Thresholds, xs: number[]): number[] {
  return xs.map((x) => statusOf(t, x));
}

describe("diamond thresholds", () => {
  it("reads every Nagios range form per check_range()", () => {
    const alerting = (range: string, xs: number[]): boolean[] => xs.map((x) => statusOf({ warning: parseRange(range), critical: undefined }, x) === 1);
    // 10: alert when x < 0 or x > 10; the endpoints are inside
    expect(alerting("10", [-1, 0, 5, 10, 10.5])).to.deep.equal([true, false, false, false, true]);
    expect(alerting("10:", [9.9, 10, 1e9])).to.deep.equal([true, false, false]);
    expect(alerting("~:10", [-1e9, 10, 10.1])).to.deep.equal([false, false, true]);
    expect(alerting("10:20", [9, 10, 20, 21])).to.deep.equal([true, false, false, true]);
    expect(alerting("@10:20", [9, 10, 15, 20, 21])).to.deep.equal([false, true, true, true, false]);
    expect(alerting("@~:0", [-1, 0, 0.1])).to.deep.equal([true, true, false]);
    // 0 is a bound: "0" means 0..0
    expect(alerting("0", [-0.1, 0, 0.1])).to.deep.equal([true, false, true]);
    expect(alerting("0:", [-0.1, 0])).to.deep.equal([true, false]);
    expect(alerting("-5:-1", [-6, -5, -1, 0])).to.deep.equal([true, false, false, true]);
  });

  it("refuses bad range strings instead of reading what strtod would", () => {
    for (const bad of ["", " ", "10abc", "a:b", "20:10", "@", "1:2:3", "~", "0x10"]) expect(() => parseRange(bad), bad).to.throw(Error);
  });

  it("tests critical before warning", () => {
    const t = { warning: parseRange("~:10"), critical: parseRange("~:20") };
    expect(statuses(t, [5, 10, 11, 20, 21])).to.deep.equal([0, 0, 1, 1, 2]);
  });

  it("maps the 4-tuple: empty is unset, 0 is a bound, equality is OK", () => {
    const upper = parseThresholdTuple(", , 10, 20");
    expect(upper.warning?.text).to.equal("~:10");
    expect(upper.critical?.text).to.equal("~:20");
    expect(statuses(upper, [-100, 10, 10.5, 20, 20.5])).to.deep.equal([0, 0, 1, 1, 2]);

    const lower = parseThresholdTuple("5, 10, ,");
    expect(lower.warning?.text).to.equal("10:");
    expect(statuses(lower, [4, 5, 9, 10, 1e9])).to.deep.equal([2, 1, 1, 0, 0]);

    const zero = parseThresholdTuple("0, , , 0");
    expect(zero.warning).to.equal(undefined);
    expect(statuses(zero, [-0.5, 0, 0.5])).to.deep.equal([2, 0, 2]);

    const zeroUpper = parseThresholdTuple(",,0,");
    expect(statuses(zeroUpper, [-1, 0, 0.01])).to.deep.equal([0, 0, 1]);

    const all = parseThresholdTuple("1,2,8,9");
    expect(statuses(all, [0, 1, 1.5, 2, 5, 8, 8.5, 9, 10])).to.deep.equal([2, 1, 1, 0, 0, 0, 1, 1, 2]);

    const none = parseThresholdTuple(",,,");
    expect(none).to.deep.equal({ warning: undefined, critical: undefined });
    expect(statuses(none, [-1e9, 0, 1e9])).to.deep.equal([0, 0, 0]);
  });

  it("refuses a malformed tuple", () => {
    expect(() => parseThresholdTuple("1,2,3")).to.throw("expected 4 comma-separated values");
    expect(() => parseThresholdTuple("1,2,3,x")).to.throw('up critical "x" is not a number');
    expect(() => parseThresholdTuple("5,,,1")).to.throw("low critical 5 is above up critical 1");
  });

  it("says what alerts in words", () => {
    expect(describeRange(parseRange("~:10"))).to.equal("above 10");
    expect(describeRange(parseRange("10:"))).to.equal("below 10");
    expect(describeRange(parseRange("10"))).to.equal("outside 0..10");
    expect(describeRange(parseRange("@10:20"))).to.equal("inside 10..20");
    expect(describeRange(parseRange("@~:0"))).to.equal("at or below 0");
    expect(fmt(12.3)).to.equal("12.3");
    expect(fmt(1 / 3)).to.equal("0.3333");
    expect(fmt(123456789)).to.equal("123456789");
    expect(fmt(0.00001234)).to.equal("0.00001234");
  });
});
