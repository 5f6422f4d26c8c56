import { expect } from "chai";
import { EvaluationError, ExpressionError, evaluate, evaluateCondition, metricRefs, parseCondition, parseExpression, type MetricRef } from "./expression";

const values: Record<string, number> = { a: 6, b: 3, zero: 0, neg: -2, "servers.web1.loadavg.01": 1.5 };
function resolve(ref: MetricRef): number {
  const v = values[ref.age === 0 ? ref.path : `${ref.age}|${ref.path}`];
  if (v === undefined) throw new EvaluationError(`no value yet for ${ref.path}`);
  return v;
}
const calc = (text: string): number => evaluate(parseExpression(text), resolve);
const cond = (text: string): boolean => evaluateCondition(parseCondition(text), resolve);

describe("diamond expressions", () => {
  it("computes each operator", () => {
    expect(calc("{a} + {b}")).to.equal(9);
    expect(calc("{a} - {b}")).to.equal(3);
    expect(calc("{a} * {b}")).to.equal(18);
    expect(calc("{a} / {b}")).to.equal(2);
    expect(calc("-{a}")).to.equal(-6);
    expect(calc("+{a}")).to.equal(6);
    expect(calc("--{neg}")).to.equal(-2);
    expect(calc("min({a}, {b}, 10)")).to.equal(3);
    expect(calc("max({a}, {b})")).to.equal(6);
    expect(calc("abs({neg})")).to.equal(2);
    expect(calc("MAX(1)")).to.equal(1);
  });

  it("follows precedence and associativity", () => {
    expect(calc("1 + 2 * 3")).to.equal(7);
    expect(calc("(1 + 2) * 3")).to.equal(9);
    expect(calc("10 - 4 - 3")).to.equal(3);
    expect(calc("24 / 4 / 2")).to.equal(3);
    expect(calc("-2 * 3 + 1")).to.equal(-5);
    expect(calc("2 * -3")).to.equal(-6);
    expect(calc("{a} - -{b}")).to.equal(9);
    expect(calc("1.5e2 + .5")).to.equal(150.5);
  });

  it("reads metric paths and trend references", () => {
    expect(calc("{servers.web1.loadavg.01} * 2")).to.equal(3);
    values["3600|a"] = 4;
    expect(calc("{a} - {3600|a}")).to.equal(2);
    expect(calc("{a} - {1h|a}")).to.equal(2);
    expect(metricRefs(parseExpression("{a} - {3600|a} + {a} / {2m|b}"))).to.deep.equal([
      { path: "a", age: 0 },
      { path: "a", age: 3600 },
      { path: "b", age: 120 },
    ]);
  });

  it("turns division by zero, missing metrics and non-finite values into EvaluationError", () => {
    expect(() => calc("{a} / {zero}")).to.throw(EvaluationError, "division by zero ({zero} is 0)");
    expect(() => calc("{a} / ({b} - 3)")).to.throw(EvaluationError, "division by zero");
    expect(() => calc("{missing} + 1")).to.throw(EvaluationError, "no value yet for missing");
    values.nan = NaN;
    expect(() => calc("{nan} * 0")).to.throw(EvaluationError, "{nan} is not a finite number (NaN)");
    expect(() => calc("1e308 * 10")).to.throw(EvaluationError, "not a finite number (Infinity)");
  });

  it("evaluates conditions", () => {
    expect(cond("{a} > 5")).to.equal(true);
    expect(cond("{a} >= 6 and {b} < 3")).to.equal(false);
    expect(cond("{a} <= 5 or {b} == 3")).to.equal(true);
    expect(cond("not {a} != 6")).to.equal(true);
    expect(cond("({a} > 1) && !({b} > 5)")).to.equal(true);
    expect(cond("({a} + 1) * 2 > 13")).to.equal(true);
    expect(() => cond("{missing} > 1")).to.throw(EvaluationError);
  });

  it("refuses what it cannot parse, with the column", () => {
    const bad: [string, string][] = [
      ["", "expected a number"],
      ["{a} +", "expected a number"],
      ["{a} {b}", "unexpected {b} at column 5"],
      ["({a} + 1", 'expected ")"'],
      ["{a", "{ without its }"],
      ["{}", "must name a metric path"],
      ["{x|a}", "the age in {x|a}"],
      ["{0|a}", "must be above 0"],
      ["eval({a})", 'unknown name "eval"'],
      ["abs(1, 2)", "abs() takes one argument"],
      ["{a} ** 2", "expected a number"],
      ["{a}; 1", 'unexpected ";"'],
      ["process.exit()", `unexpected "."`],
      ["process(1)", `unknown name "process"`],
      ["-".repeat(100) + "1", "nested deeper than 64"],
    ];
    for (const [text, message] of bad) expect(() => parseExpression(text), text).to.throw(ExpressionError, message);
    expect(() => parseCondition("{a} + 1")).to.throw(ExpressionError, "expected a comparison");
    expect(() => parseExpression("{a} > 1")).to.throw(ExpressionError, 'unexpected ">"');
  });
});
