/**
 * A Livestatus filter on the log table as a LogCondition for the store: what the store can
 * select by, so that a capped read keeps the newest lines that may pass, not the newest lines
 * of the range. The condition lets through a SUPERSET of what the filter lets through (the
 * query engine applies the whole filter to the lines read afterwards); it is exact where each
 * part it holds reads the column as the filter does (docs/livestatus.md §3.2, core's predicates):
 *
 * - `time` (whole seconds: the column floors the stored time): the six comparisons, as bounds on
 *   the stored time that give the same answer for every fraction;
 * - `class`, `state` (int): the six comparisons, operand read with `atoi`;
 * - `host_name`, `service_description`, `type`, `plugin_output`, `message`: `=` and `!=`
 *   (exact text), `~`, `~~`, `!~`, `!~~` (the same RE2 search);
 * - And keeps the children it can translate, Or only when it can translate every child,
 *   Negate only when its child translates exactly.
 *
 * Everything else is left to the query engine: `=~`, string `<`/`>`, the bitmask operators on
 * ints, `lineno` (a position among the lines read), `options`, the constant and `current_*` columns.
 */
import { atoi, type FilterNode, type FilterOperator, type LogCondition, type LogNumberOp, type LogTextField, type RowHint } from "../../../core";

/** A translated filter: its condition, and whether it lets through exactly what the filter does. */
export interface Pushdown {
  readonly condition: LogCondition;
  readonly exact: boolean;
}

/** What the columns of a hint's filter name: the table's own names (`log_time` is `time`). */
type ColumnName = (name: string) => string | undefined;

const TEXT_FIELDS: Readonly<Record<string, LogTextField>> = {
  host_name: "hostname",
  service_description: "check",
  type: "type",
  plugin_output: "output",
  message: "message",
};

const ALL: Pushdown = Object.freeze({ condition: Object.freeze({ kind: "and", children: Object.freeze([]) }), exact: true });

/**
 * The hint's filter as a condition; undefined when nothing of it can be pushed down (every line
 * of the time range may pass).
 */
export function logPushdown(hint: RowHint): Pushdown | undefined {
  if (hint.filter === undefined) return undefined;
  const columnName: ColumnName = hint.columnName ?? ((name) => name);
  const t = translate(hint.filter, columnName, hint.timezoneOffset ?? 0);
  if (t === undefined || isAll(t.condition)) return undefined;
  return t;
}

function translate(node: FilterNode, columnName: ColumnName, offset: number): Pushdown | undefined {
  switch (node.kind) {
    case "compare":
      return compare(node, columnName, offset);
    case "and": {
      const children: LogCondition[] = [];
      let exact = true;
      for (const child of node.children) {
        const t = translate(child, columnName, offset);
        if (t === undefined) {
          // Dropped: the And lets through more than the filter.
          exact = false;
          continue;
        }
        exact &&= t.exact;
        // Nested Ands are one And (one list of terms: the store finds its index among them).
        if (t.condition.kind === "and") children.push(...t.condition.children);
        else children.push(t.condition);
      }
      if (children.length === 0) return exact ? ALL : undefined;
      return { condition: children.length === 1 ? children[0]! : { kind: "and", children }, exact };
    }
    case "or": {
      const children: LogCondition[] = [];
      let exact = true;
      for (const child of node.children) {
        const t = translate(child, columnName, offset);
        // One branch that cannot be told lets any line through.
        if (t === undefined) return undefined;
        exact &&= t.exact;
        if (t.condition.kind === "or") children.push(...t.condition.children);
        else children.push(t.condition);
      }
      const merged = mergeIns(children);
      return { condition: merged.length === 1 ? merged[0]! : { kind: "or", children: merged }, exact };
    }
    case "not": {
      // The complement of a superset is a subset: only an exact child may be negated.
      const t = translate(node.child, columnName, offset);
      if (t === undefined || !t.exact) return undefined;
      return { condition: t.condition.kind === "not" ? t.condition.child : { kind: "not", child: t.condition }, exact: true };
    }
  }
}

function compare(node: Extract<FilterNode, { kind: "compare" }>, columnName: ColumnName, offset: number): Pushdown | undefined {
  const name = columnName(node.column);
  if (name === undefined) return undefined;
  if (name === "time") return timeCompare(node.op, atoi(node.operand) - offset);
  if (name === "class" || name === "state") {
    // An int column compares the line's value (a whole number) with atoi(operand); ~, =~, ~~ and their negations are bitmask tests.
    const op = NUMBER_OPS[node.op];
    return op === undefined ? undefined : exactly({ kind: "number", field: name, op, value: atoi(node.operand) });
  }
  const field = TEXT_FIELDS[name];
  if (field === undefined) return undefined;
  switch (node.op) {
    case "=":
      return exactly({ kind: "in", field, values: [node.operand] });
    case "!=":
      return exactly({ kind: "not", child: { kind: "in", field, values: [node.operand] } });
    case "~":
    case "~~":
      return exactly({ kind: "match", field, pattern: node.operand, ignoreCase: node.op === "~~" });
    case "!~":
    case "!~~":
      return exactly({ kind: "not", child: { kind: "match", field, pattern: node.operand, ignoreCase: node.op === "!~~" } });
    default:
      // =~ and !=~ (case-insensitive equality by lower-casing) and the string orderings: no such condition.
      return undefined;
  }
}

/** The filter operators that are numeric comparisons on int and time columns. */
const NUMBER_OPS: Readonly<Partial<Record<FilterOperator, LogNumberOp>>> = { "=": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=" };

/**
 * `time <op> ref`: the column shows floor(stored time), compared with ref (atoi of the operand
 * minus the Localtime offset). For whole n, floor(t) >= n ⟺ t >= n and floor(t) < n ⟺ t < n, so
 * each comparison is a bound on t that holds for every fraction:
 * >= ref ⟺ t >= ceil(ref); > ref ⟺ t >= floor(ref) + 1; <= ref ⟺ t < floor(ref) + 1;
 * < ref ⟺ t < ceil(ref); = ref ⟺ ref whole and ref <= t < ref + 1.
 */
function timeCompare(op: FilterOperator, ref: number): Pushdown | undefined {
  const time = (o: LogNumberOp, value: number): LogCondition => ({ kind: "number", field: "time", op: o, value });
  // Far beyond any epoch, floor(ref) + 1 is ref again: still a superset, no longer exact.
  const exact = !Number.isFinite(ref) || Math.abs(ref) < 2 ** 52;
  const whole = Number.isInteger(ref);
  switch (NUMBER_OPS[op]) {
    case ">=":
      return { condition: time(">=", Math.ceil(ref)), exact };
    case ">":
      return { condition: time(">=", Math.floor(ref) + 1), exact };
    case "<=":
      return { condition: time("<", Math.floor(ref) + 1), exact };
    case "<":
      return { condition: time("<", Math.ceil(ref)), exact };
    case "=":
      return whole
        ? { condition: { kind: "and", children: [time(">=", ref), time("<", ref + 1)] }, exact }
        : { condition: { kind: "or", children: [] }, exact };
    case "!=":
      return whole ? { condition: { kind: "or", children: [time("<", ref), time(">=", ref + 1)] }, exact } : { ...ALL, exact };
    default:
      // The bitmask operators on a time: not worth a condition.
      return undefined;
  }
}

function exactly(condition: LogCondition): Pushdown {
  return { condition, exact: true };
}

/** The `in` members of one field in an Or as one `in` (Multisite's and Thruk's `Or:` lists of `host_name = ...`). */
function mergeIns(children: readonly LogCondition[]): LogCondition[] {
  const out: LogCondition[] = [];
  const byField = new Map<LogTextField, { index: number; values: string[] }>();
  for (const c of children) {
    if (c.kind !== "in") {
      out.push(c);
      continue;
    }
    const seen = byField.get(c.field);
    if (seen === undefined) {
      byField.set(c.field, { index: out.length, values: [...c.values] });
      out.push(c);
    } else {
      seen.values.push(...c.values);
    }
  }
  for (const [field, { index, values }] of byField) out[index] = { kind: "in", field, values: [...new Set(values)] };
  return out;
}

function isAll(c: LogCondition): boolean {
  return c.kind === "and" && c.children.length === 0;
}
