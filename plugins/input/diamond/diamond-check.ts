import type { CheckResult } from "../../../core/model/check-result";
import {
  EvaluationError,
  ExpressionError,
  evaluate,
  evaluateCondition,
  metricRefs,
  parseCondition,
  parseExpression,
  type BoolNode,
  type MetricRef,
  type NumberNode,
} from "./expression";
import type { MetricHistory } from "./metric-history";
import { describeRange, fmt, parseRange, parseThresholdTuple, statusOf, type Thresholds } from "./thresholds";

/** One check of a diamond instance as its conf section writes it (durations in milliseconds). */
export interface CheckOptions {
  readonly expression: string;
  readonly condition: string;
  readonly thresholds: string;
  readonly warning: string;
  readonly critical: string;
  readonly prefix: string;
  readonly hostname: string;
  readonly service: string;
  readonly interval: number;
  readonly contacts: readonly string[];
}

/** A check ready to run: its expression parsed, its metric paths complete (prefix applied). */
export interface DiamondCheck {
  /** The section name. */
  readonly name: string;
  readonly hostname: string;
  readonly service: string;
  readonly expression: NumberNode;
  readonly condition: BoolNode | undefined;
  readonly conditionText: string;
  readonly thresholds: Thresholds;
  /** Milliseconds. */
  readonly interval: number;
  readonly contacts: readonly string[];
  /** Every metric the check reads (expression and condition), full paths. */
  readonly refs: readonly MetricRef[];
}

/** An option of a check that cannot be used: the key is the option's name in the section. */
export interface CheckProblem {
  readonly key: keyof CheckOptions;
  readonly message: string;
}

/** `servers.web1` and `servers.web1.` both prefix `{cpu.total}` as `servers.web1.cpu.total` (the Python normalised it so). */
export function normalizePrefix(prefix: string): string {
  const p = prefix.trim();
  return p === "" || p.endsWith(".") ? p : `${p}.`;
}

/** Parses a check's options; every problem is returned at once, keyed by option. */
export function compileCheck(name: string, o: CheckOptions): { check: DiamondCheck; problems?: never } | { check?: never; problems: CheckProblem[] } {
  const problems: CheckProblem[] = [];
  const prefix = normalizePrefix(o.prefix);
  let expression: NumberNode | undefined;
  let condition: BoolNode | undefined;
  if (o.expression.trim() === "") problems.push({ key: "expression", message: "is required: what the check computes, such as {loadavg.01} / {cpu.count}" });
  else {
    try {
      expression = withPrefix(parseExpression(o.expression), prefix);
    } catch (err) {
      if (!(err instanceof ExpressionError)) throw err;
      problems.push({ key: "expression", message: err.message });
    }
  }
  if (o.condition.trim() !== "") {
    try {
      condition = withPrefix(parseCondition(o.condition), prefix);
    } catch (err) {
      if (!(err instanceof ExpressionError)) throw err;
      problems.push({ key: "condition", message: err.message });
    }
  }
  let warning = undefined;
  let critical = undefined;
  if (o.thresholds.trim() !== "") {
    try {
      ({ warning, critical } = parseThresholdTuple(o.thresholds));
    } catch (err) {
      problems.push({ key: "thresholds", message: (err as Error).message });
    }
  }
  for (const level of ["warning", "critical"] as const) {
    if (o[level].trim() === "") continue;
    if ((level === "warning" ? warning : critical) !== undefined) {
      problems.push({ key: level, message: `the ${level} bounds are already set by thresholds; set them in one place` });
      continue;
    }
    try {
      const range = parseRange(o[level]);
      if (level === "warning") warning = range;
      else critical = range;
    } catch (err) {
      problems.push({ key: level, message: (err as Error).message });
    }
  }
  if (o.hostname.trim() === "") problems.push({ key: "hostname", message: "is required (the host the results are filed under)" });
  if (problems.length > 0 || expression === undefined) return { problems };
  const refs = metricRefs(expression);
  if (condition !== undefined) metricRefs(condition, refs);
  return {
    check: {
      name,
      hostname: o.hostname.trim(),
      service: o.service.trim() === "" ? name : o.service.trim(),
      expression,
      condition,
      conditionText: o.condition.trim(),
      thresholds: { warning, critical },
      interval: o.interval,
      contacts: o.contacts,
      refs,
    },
  };
}

function withPrefix<N extends NumberNode | BoolNode>(node: N, prefix: string): N {
  if (prefix === "") return node;
  const walk = (n: NumberNode | BoolNode): NumberNode | BoolNode => {
    switch (n.kind) {
      case "metric":
        return { kind: "metric", ref: { path: prefix + n.ref.path, age: n.ref.age } };
      case "number":
        return n;
      case "neg":
        return { kind: "neg", operand: walk(n.operand) as NumberNode };
      case "not":
        return { kind: "not", operand: walk(n.operand) as BoolNode };
      case "binary":
        return { ...n, left: walk(n.left) as NumberNode, right: walk(n.right) as NumberNode };
      case "compare":
        return { ...n, left: walk(n.left) as NumberNode, right: walk(n.right) as NumberNode };
      case "and":
      case "or":
        return { ...n, left: walk(n.left) as BoolNode, right: walk(n.right) as BoolNode };
      case "call":
        return { ...n, args: n.args.map((a) => walk(a) as NumberNode) };
    }
  };
  return walk(node) as N;
}

/**
 * Runs a check against the history at `nowMs`. Never throws for missing, stale or odd data:
 * that is UNKNOWN with the reason as output. The result is timestamped now, when it was
 * evaluated, not with its metrics' time (as the Python client did): the state engine's
 * freshness counts from the timestamp, and Diamond's collectors often run every 5 minutes
 * while a check runs every minute, which would turn every result outdated on arrival. Old
 * metrics are `stale_after`'s business.
 */
export function runCheck(check: DiamondCheck, history: MetricHistory, nowMs: number): CheckResult {
  const now = nowMs / 1000;
  const resolve = (ref: MetricRef): number => history.read(ref, now).value;
  const result = (status: number, output: string, perfData = ""): CheckResult => ({
    hostname: check.hostname,
    check: check.service,
    status,
    output,
    longOutput: "",
    perfData,
    timestamp: Math.floor(now),
    interval: check.interval / 1000,
    contacts: check.contacts,
    hostgroups: [],
    servicegroups: [],
    customVariables: {},
  });
  try {
    if (check.condition !== undefined && !evaluateCondition(check.condition, resolve)) return result(0, `condition not met: ${check.conditionText}`);
    const value = evaluate(check.expression, resolve);
    const { warning, critical } = check.thresholds;
    const bounds = [warning && `warning ${describeRange(warning)}`, critical && `critical ${describeRange(critical)}`].filter(Boolean);
    const output = `value ${fmt(value)} (${bounds.length > 0 ? bounds.join(", ") : "no thresholds"})`;
    return result(statusOf(check.thresholds, value), output, `${perfLabel(check.service)}=${fmt(value)};${warning?.text ?? ""};${critical?.text ?? ""};;`);
  } catch (err) {
    if (err instanceof EvaluationError) return result(3, err.message);
    // A bug, not a data problem: still UNKNOWN (a check never takes the input down), said as such.
    return result(3, `internal error evaluating the check: ${String(err)}`);
  }
}

/** A perfdata label: quoted when it holds a space, `=` or `'` (a quote doubled), per the plugin guidelines. */
export function perfLabel(name: string): string {
  return /[\s='|]/.test(name) ? `'${name.replace(/'/g, "''").replace(/\|/g, "_")}'` : name;
}
