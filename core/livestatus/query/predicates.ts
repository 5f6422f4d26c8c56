/**
 * One comparison `<column> <op> <operand>` turned into a test on a column value, with the
 * per-type semantics of Checkmk's StringFilter, IntFilter, DoubleFilter, TimeFilter,
 * ListFilter and DictFilter (docs/livestatus.md §3.2). Everything that depends only on the
 * operand (number parsing, regex compilation, lower-casing) happens here, once per query.
 */
import type { ColumnType, LivestatusValue } from "./column";
import { asList, asNumber, asText, atof, atoi, dictEntry } from "./operand";
import type { FilterOperator } from "../protocol/query";
import { compileRegex } from "./regex";

export type ValuePredicate = (value: LivestatusValue) => boolean;
type Test<T> = (value: T) => boolean;

const NEVER = (): boolean => false;

/**
 * `timezoneOffset` (Localtime, seconds) is subtracted from time operands: the column
 * holds server time, the client wrote its local time. `context` names the header in
 * error messages (`Filter`, `Stats`, `WaitCondition`).
 */
export function valuePredicate(type: ColumnType, op: FilterOperator, operand: string, timezoneOffset: number, context: string): ValuePredicate {
  switch (type) {
    case "string": {
      const test = stringTest(op, operand, context);
      return (v) => test(asText(v));
    }
    case "int":
      return integerPredicate(op, atoi(operand));
    case "time":
      return integerPredicate(op, atoi(operand) - timezoneOffset);
    case "float":
      return floatPredicate(op, atof(operand));
    case "list":
      return listPredicate(op, operand, context);
    case "dict":
      return dictPredicate(op, operand, context);
  }
}

/** String rules; also used for dict entries. */
export function stringTest(op: FilterOperator, operand: string, context: string): Test<string> {
  switch (op) {
    case "=":
      return (s) => s === operand;
    case "!=":
      return (s) => s !== operand;
    case "=~":
    case "!=~": {
      // Case-insensitive equality by lower-casing both sides (Checkmk folds case the same way).
      const lower = operand.toLowerCase();
      return op === "=~" ? (s) => s.toLowerCase() === lower : (s) => s.toLowerCase() !== lower;
    }
    case "~":
    case "~~":
    case "!~":
    case "!~~": {
      // Unanchored search, like RE2's PartialMatch.
      const matches = compileRegex(operand, op === "~~" || op === "!~~", context);
      return op === "~" || op === "~~" ? matches : (s) => !matches(s);
    }
    // Lexicographic, by UTF-16 code unit: byte order of UTF-8 for everything but astral characters.
    case "<":
      return (s) => s < operand;
    case ">":
      return (s) => s > operand;
    case "<=":
      return (s) => s <= operand;
    case ">=":
      return (s) => s >= operand;
  }
}

/**
 * Int, time and bool columns. The regex operators are bitmask tests (Checkmk IntFilter;
 * clients use them on `modified_attributes`). They go through BigInt because JavaScript's
 * `&` truncates to 32 bits, which would corrupt epoch-sized values.
 */
function integerPredicate(op: FilterOperator, ref: number): ValuePredicate {
  const compare = numericComparison(op, ref);
  if (compare !== undefined) return compare;
  const bits = bitmaskTest(op as BitmaskOperator, BigInt(ref));
  return (v) => {
    const n = asNumber(v);
    return Number.isFinite(n) && bits(BigInt(Math.trunc(n)));
  };
}

/** The operators left once the numeric comparisons are taken. */
type BitmaskOperator = "~" | "!~" | "=~" | "!=~" | "~~" | "!~~";

function bitmaskTest(op: BitmaskOperator, ref: bigint): Test<bigint> {
  switch (op) {
    case "~": // all bits of the operand are set
      return (x) => (x & ref) === ref;
    case "!~":
      return (x) => (x & ref) !== ref;
    case "=~": // the value's bits are a subset of the operand's
      return (x) => (x & ref) === x;
    case "!=~":
      return (x) => (x & ref) !== x;
    case "~~": // any bit in common
      return (x) => (x & ref) !== 0n;
    case "!~~":
      return (x) => (x & ref) === 0n;
  }
}

/** Float columns: numeric comparisons only; Checkmk's DoubleFilter answers false to the regex operators. */
function floatPredicate(op: FilterOperator, ref: number): ValuePredicate {
  return numericComparison(op, ref) ?? NEVER;
}

/** The six numeric comparisons int, time and float columns share; undefined for the other operators. */
function numericComparison(op: FilterOperator, ref: number): ValuePredicate | undefined {
  switch (op) {
    case "=":
      return (v) => asNumber(v) === ref;
    case "!=":
      return (v) => asNumber(v) !== ref;
    case "<":
      return (v) => asNumber(v) < ref;
    case ">":
      return (v) => asNumber(v) > ref;
    case "<=":
      return (v) => asNumber(v) <= ref;
    case ">=":
      return (v) => asNumber(v) >= ref;
    default:
      return undefined;
  }
}

/**
 * Lists (Checkmk ListFilter): `=`/`!=` only test emptiness, the ordering operators are
 * membership tests, the regex operators ask whether any element matches. Elements compare
 * as text, so a `[host, service]` pair matches the operand `host|service`.
 */
function listPredicate(op: FilterOperator, operand: string, context: string): ValuePredicate {
  // The element test is made once, not once per row (a closure per row is garbage per row).
  const some = (test: Test<string>): ValuePredicate => {
    const element = (e: LivestatusValue): boolean => test(asText(e));
    return (v) => asList(v).some(element);
  };
  const none = (test: Test<string>): ValuePredicate => {
    const element = (e: LivestatusValue): boolean => test(asText(e));
    return (v) => !asList(v).some(element);
  };
  switch (op) {
    case "=":
      // Only emptiness is supported: a non-empty operand never matches (Checkmk).
      return operand === "" ? (v) => asList(v).length === 0 : NEVER;
    case "!=":
      return operand === "" ? (v) => asList(v).length !== 0 : NEVER;
    case ">=":
      return some((e) => e === operand);
    case "<":
      return none((e) => e === operand);
    case "<=":
    case ">": {
      const lower = operand.toLowerCase();
      const equal = (e: string): boolean => e.toLowerCase() === lower;
      return op === "<=" ? some(equal) : none(equal);
    }
    case "~":
    case "~~":
    case "!~":
    case "!~~": {
      const matches = compileRegex(operand, op === "~~" || op === "!~~", context);
      return op === "~" || op === "~~" ? some(matches) : none(matches);
    }
    case "=~":
    case "!=~":
      return NEVER;
  }
}

/** Dicts (`custom_variables`): operand `NAME value`; the named entry ("" if absent) is compared by the string rules. */
function dictPredicate(op: FilterOperator, operand: string, context: string): ValuePredicate {
  const space = operand.search(/\s/);
  const name = space < 0 ? operand : operand.slice(0, space);
  const reference = space < 0 ? "" : operand.slice(space + 1).trimStart();
  const test = stringTest(op, reference, context);
  return (v) => test(dictEntry(v, name));
}
