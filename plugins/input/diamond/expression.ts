/**
 * The expressions of Diamond checks: arithmetic over metrics, parsed to an AST and evaluated
 * by walking it. The original Tantale ran Python's eval() on them; nothing here ever runs text
 * as code (docs/inputs.md §0).
 *
 *   expression := sum
 *   condition  := or
 *   or         := and (("or" | "||") and)*
 *   and        := not (("and" | "&&") not)*
 *   not        := ("not" | "!") not | comparison
 *   comparison := sum [("<" | "<=" | ">" | ">=" | "==" | "!=") sum]
 *   sum        := product (("+" | "-") product)*
 *   product    := unary (("*" | "/") unary)*
 *   unary      := ("-" | "+") unary | primary
 *   primary    := number | "{" [age "|"] metric.path "}" | name "(" sum ("," sum)* ")" | "(" sum ")"
 *
 * `{metric.path}` is the metric's latest value, `{3600|metric.path}` (or `{1h|...}`) its value
 * that long ago. Functions: min, max (one or more arguments) and abs (one).
 */

/** A metric reference: `{path}` (age 0) or `{age|path}`, age in seconds. */
export interface MetricRef {
  readonly path: string;
  readonly age: number;
}

export type NumberNode =
  | { readonly kind: "number"; readonly value: number }
  | { readonly kind: "metric"; readonly ref: MetricRef }
  | { readonly kind: "neg"; readonly operand: NumberNode }
  | { readonly kind: "binary"; readonly op: "+" | "-" | "*" | "/"; readonly left: NumberNode; readonly right: NumberNode }
  | { readonly kind: "call"; readonly fn: "min" | "max" | "abs"; readonly args: readonly NumberNode[] };

export type ComparisonOp = "<" | "<=" | ">" | ">=" | "==" | "!=";

export type BoolNode =
  | { readonly kind: "compare"; readonly op: ComparisonOp; readonly left: NumberNode; readonly right: NumberNode }
  | { readonly kind: "and" | "or"; readonly left: BoolNode; readonly right: BoolNode }
  | { readonly kind: "not"; readonly operand: BoolNode };

/** An expression that cannot be parsed: the message says what and where (1-based column). */
export class ExpressionError extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(`${message} at column ${column}`);
    this.name = "ExpressionError";
  }
}

type Token =
  | { readonly type: "number"; readonly value: number; readonly at: number }
  | { readonly type: "metric"; readonly ref: MetricRef; readonly at: number }
  | { readonly type: "name"; readonly name: string; readonly at: number }
  | { readonly type: "op"; readonly op: string; readonly at: number }
  | { readonly type: "end"; readonly at: number };

const NUMBER = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
/** Graphite path characters Diamond, collectd and Telegraf write (plus `:` and `~`, which some templates use). */
const METRIC_PATH = /^[A-Za-z0-9_\-.:~]+$/;
const AGE = /^(\d+)(s|m|h|d)?$/;
const AGE_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };
const OPERATORS = ["<=", ">=", "==", "!=", "&&", "||", "+", "-", "*", "/", "(", ")", ",", "<", ">", "!"];
const FUNCTIONS: Readonly<Record<string, { min: number; max: number }>> = {
  min: { min: 1, max: Infinity },
  max: { min: 1, max: Infinity },
  abs: { min: 1, max: 1 },
};
/** Longest expression: a conf value, not a program. */
const MAX_LENGTH = 4096;
/** Deepest nesting of parentheses and unary operators (the parser recurses). */
const MAX_DEPTH = 64;

export function tokenize(text: string): Token[] {
  if (text.length > MAX_LENGTH) throw new ExpressionError(`longer than ${MAX_LENGTH} characters`, MAX_LENGTH);
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === " " || c === "\t") {
      i++;
      continue;
    }
    const at = i + 1;
    if (c === "{") {
      const close = text.indexOf("}", i);
      if (close < 0) throw new ExpressionError("{ without its }", at);
      tokens.push({ type: "metric", ref: metricRef(text.slice(i + 1, close), at), at });
      i = close + 1;
      continue;
    }
    const rest = text.slice(i);
    const number = NUMBER.exec(rest);
    if (number) {
      tokens.push({ type: "number", value: Number(number[0]), at });
      i += number[0].length;
      continue;
    }
    const name = NAME.exec(rest);
    if (name) {
      tokens.push({ type: "name", name: name[0], at });
      i += name[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => rest.startsWith(o));
    if (op === undefined) throw new ExpressionError(`unexpected ${JSON.stringify(c)}`, at);
    tokens.push({ type: "op", op, at });
    i += op.length;
  }
  tokens.push({ type: "end", at: text.length + 1 });
  return tokens;
}

function metricRef(inside: string, at: number): MetricRef {
  const bar = inside.indexOf("|");
  const path = (bar < 0 ? inside : inside.slice(bar + 1)).trim();
  let age = 0;
  if (bar >= 0) {
    const m = AGE.exec(inside.slice(0, bar).trim());
    if (!m) throw new ExpressionError(`the age in {${inside}} must be seconds, or a duration such as 30m, 1h or 1d`, at);
    age = Number(m[1]) * AGE_SECONDS[m[2] ?? "s"]!;
    if (age <= 0) throw new ExpressionError(`the age in {${inside}} must be above 0`, at);
  }
  if (!METRIC_PATH.test(path)) throw new ExpressionError(`{${inside}} must name a metric path (letters, digits, . _ - :)`, at);
  return { path, age };
}

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  private get peek(): Token {
    return this.tokens[this.pos]!;
  }

  private isOp(...ops: string[]): string | undefined {
    const t = this.peek;
    if (t.type === "op" && ops.includes(t.op)) return t.op;
    if (t.type === "name" && ops.includes(t.name.toLowerCase())) return t.name.toLowerCase();
    return undefined;
  }

  private expect(op: string): void {
    if (this.isOp(op) === undefined) throw new ExpressionError(`expected "${op}", got ${describe(this.peek)}`, this.peek.at);
    this.pos++;
  }

  end(): void {
    if (this.peek.type !== "end") throw new ExpressionError(`unexpected ${describe(this.peek)}`, this.peek.at);
  }

  private nest<T>(parse: () => T): T {
    if (++this.depth > MAX_DEPTH) throw new ExpressionError(`nested deeper than ${MAX_DEPTH}`, this.peek.at);
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  or(): BoolNode {
    let left = this.and();
    while (this.isOp("or", "||") !== undefined) {
      this.pos++;
      left = { kind: "or", left, right: this.and() };
    }
    return left;
  }

  private and(): BoolNode {
    let left = this.not();
    while (this.isOp("and", "&&") !== undefined) {
      this.pos++;
      left = { kind: "and", left, right: this.not() };
    }
    return left;
  }

  private not(): BoolNode {
    if (this.isOp("not", "!") !== undefined) {
      this.pos++;
      return this.nest(() => ({ kind: "not", operand: this.not() }));
    }
    return this.comparison();
  }

  private comparison(): BoolNode {
    // `(a > 1) and ...`: a parenthesis may open a condition as well as a number.
    if (this.isOp("(") !== undefined) {
      const save = this.pos;
      try {
        this.pos++;
        const inner = this.nest(() => this.or());
        this.expect(")");
        if (this.isOp("<", "<=", ">", ">=", "==", "!=", "+", "-", "*", "/") === undefined) return inner;
      } catch {
        // not a condition in parentheses: read it as a number below
      }
      this.pos = save;
    }
    const left = this.sum();
    const op = this.isOp("<", "<=", ">", ">=", "==", "!=");
    if (op === undefined) throw new ExpressionError(`expected a comparison (< <= > >= == !=), got ${describe(this.peek)}`, this.peek.at);
    this.pos++;
    return { kind: "compare", op: op as ComparisonOp, left, right: this.sum() };
  }

  sum(): NumberNode {
    let left = this.product();
    for (let op = this.isOp("+", "-"); op !== undefined; op = this.isOp("+", "-")) {
      this.pos++;
      left = { kind: "binary", op: op as "+" | "-", left, right: this.product() };
    }
    return left;
  }

  private product(): NumberNode {
    let left = this.unary();
    for (let op = this.isOp("*", "/"); op !== undefined; op = this.isOp("*", "/")) {
      this.pos++;
      left = { kind: "binary", op: op as "*" | "/", left, right: this.unary() };
    }
    return left;
  }

  private unary(): NumberNode {
    const op = this.isOp("-", "+");
    if (op !== undefined) {
      this.pos++;
      const operand = this.nest(() => this.unary());
      return op === "-" ? { kind: "neg", operand } : operand;
    }
    return this.primary();
  }

  private primary(): NumberNode {
    const t = this.peek;
    if (t.type === "number") {
      this.pos++;
      return { kind: "number", value: t.value };
    }
    if (t.type === "metric") {
      this.pos++;
      return { kind: "metric", ref: t.ref };
    }
    if (t.type === "name") {
      const fn = t.name.toLowerCase();
      const arity = FUNCTIONS[fn];
      if (arity === undefined) throw new ExpressionError(`unknown name "${t.name}" (metrics are written {metric.path}; functions: min, max, abs)`, t.at);
      this.pos++;
      this.expect("(");
      const args = [this.nest(() => this.sum())];
      while (this.isOp(",") !== undefined) {
        this.pos++;
        args.push(this.nest(() => this.sum()));
      }
      this.expect(")");
      if (args.length < arity.min || args.length > arity.max)
        throw new ExpressionError(`${fn}() takes ${arity.max === 1 ? "one argument" : "one or more arguments"}, got ${args.length}`, t.at);
      return { kind: "call", fn: fn as "min" | "max" | "abs", args };
    }
    if (this.isOp("(") !== undefined) {
      this.pos++;
      const inner = this.nest(() => this.sum());
      this.expect(")");
      return inner;
    }
    throw new ExpressionError(`expected a number, a {metric}, a function or "(", got ${describe(t)}`, t.at);
  }
}

function describe(t: Token): string {
  switch (t.type) {
    case "end":
      return "the end";
    case "number":
      return String(t.value);
    case "metric":
      return `{${t.ref.path}}`;
    case "name":
      return `"${t.name}"`;
    case "op":
      return `"${t.op}"`;
  }
}

/** Parses an arithmetic expression; throws ExpressionError. */
export function parseExpression(text: string): NumberNode {
  const parser = new Parser(tokenize(text));
  const node = parser.sum();
  parser.end();
  return node;
}

/** Parses a condition (comparisons joined by and/or/not); throws ExpressionError. */
export function parseCondition(text: string): BoolNode {
  const parser = new Parser(tokenize(text));
  const node = parser.or();
  parser.end();
  return node;
}

/** Every metric an expression or condition reads, once each. */
export function metricRefs(node: NumberNode | BoolNode, out: MetricRef[] = []): MetricRef[] {
  switch (node.kind) {
    case "metric":
      if (!out.some((r) => r.path === node.ref.path && r.age === node.ref.age)) out.push(node.ref);
      break;
    case "neg":
    case "not":
      metricRefs(node.operand, out);
      break;
    case "binary":
    case "compare":
    case "and":
    case "or":
      metricRefs(node.left, out);
      metricRefs(node.right, out);
      break;
    case "call":
      for (const a of node.args) metricRefs(a, out);
      break;
    case "number":
      break;
  }
  return out;
}

/** Why an evaluation has no number: what the check's UNKNOWN output says. */
export class EvaluationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EvaluationError";
  }
}

/** Looks a reference up: its value, or throws EvaluationError saying why there is none. */
export type Resolve = (ref: MetricRef) => number;

/** Evaluates an expression. Division by zero and non-finite results throw EvaluationError (they are UNKNOWN, not Infinity). */
export function evaluate(node: NumberNode, resolve: Resolve): number {
  const value = evalNumber(node, resolve);
  if (!Number.isFinite(value)) throw new EvaluationError(`the result is not a finite number (${value})`);
  return value;
}

function evalNumber(node: NumberNode, resolve: Resolve): number {
  switch (node.kind) {
    case "number":
      return node.value;
    case "metric": {
      const value = resolve(node.ref);
      if (!Number.isFinite(value)) throw new EvaluationError(`${refText(node.ref)} is not a finite number (${value})`);
      return value;
    }
    case "neg":
      return -evalNumber(node.operand, resolve);
    case "binary": {
      const left = evalNumber(node.left, resolve);
      const right = evalNumber(node.right, resolve);
      switch (node.op) {
        case "+":
          return left + right;
        case "-":
          return left - right;
        case "*":
          return left * right;
        case "/":
          if (right === 0) throw new EvaluationError(`division by zero (${nodeText(node.right)} is 0)`);
          return left / right;
      }
    }
    // eslint-disable-next-line no-fallthrough -- every op returns or throws above
    case "call": {
      const args = node.args.map((a) => evalNumber(a, resolve));
      if (node.fn === "abs") return Math.abs(args[0]!);
      return node.fn === "min" ? Math.min(...args) : Math.max(...args);
    }
  }
}

/** Evaluates a condition; a missing metric or a division by zero inside it throws EvaluationError. */
export function evaluateCondition(node: BoolNode, resolve: Resolve): boolean {
  switch (node.kind) {
    case "compare": {
      const left = evaluate(node.left, resolve);
      const right = evaluate(node.right, resolve);
      switch (node.op) {
        case "<":
          return left < right;
        case "<=":
          return left <= right;
        case ">":
          return left > right;
        case ">=":
          return left >= right;
        case "==":
          return left === right;
        case "!=":
          return left !== right;
      }
    }
    // eslint-disable-next-line no-fallthrough -- every op returns above
    case "and":
      return evaluateCondition(node.left, resolve) && evaluateCondition(node.right, resolve);
    case "or":
      return evaluateCondition(node.left, resolve) || evaluateCondition(node.right, resolve);
    case "not":
      return !evaluateCondition(node.operand, resolve);
  }
}

export function refText(ref: MetricRef): string {
  return ref.age === 0 ? `{${ref.path}}` : `{${ref.age}|${ref.path}}`;
}

/** The expression written back (fully parenthesised where it matters), for messages. */
export function nodeText(node: NumberNode): string {
  switch (node.kind) {
    case "number":
      return String(node.value);
    case "metric":
      return refText(node.ref);
    case "neg":
      return `-${nodeText(node.operand)}`;
    case "binary":
      return `(${nodeText(node.left)} ${node.op} ${nodeText(node.right)})`;
    case "call":
      return `${node.fn}(${node.args.map(nodeText).join(", ")})`;
  }
}
