/**
 * The stack machines behind `Filter:`/`And:`/`Or:`/`Negate:` (and their `Stats…` and
 * `WaitCondition…` twins), docs/livestatus.md §2 and §3.5. Each header line pushes or combines
 * entries; what is left on the stack at the end is ANDed.
 */
import { LivestatusError } from "../protocol/livestatus-error";
import type { Aggregate, FilterNode, FilterOperator, StatsNode } from "../protocol/query";

export const FILTER_OPERATORS: readonly FilterOperator[] = ["=", "!=", "<", ">", "<=", ">=", "~", "!~", "~~", "!~~", "=~", "!=~"];
const OPERATORS: ReadonlySet<string> = new Set(FILTER_OPERATORS);
export const AGGREGATES: readonly Aggregate[] = ["sum", "min", "max", "avg", "std", "suminv", "avginv"];
const AGGREGATE_NAMES: ReadonlySet<string> = new Set(AGGREGATES);

export function isFilterOperator(text: string): text is FilterOperator {
  return OPERATORS.has(text);
}

type Compare = Extract<FilterNode, { kind: "compare" }>;

/**
 * `<column> <op> <operand>`: column and operator are single words; the operand is the
 * rest of the line with leading blanks removed, inner spaces kept (`plugin_output ~ disk
 * full`) and possibly empty (`groups =`). Trailing blanks were stripped with the line.
 */
export function parseComparison(header: string, text: string): Compare {
  const m = /^(\S+)(?:\s+(\S+))?(?:\s+([\s\S]*))?$/.exec(text.trimStart());
  if (m === null) throw new LivestatusError(400, `${header}: missing column name`);
  const [, column, op, operand] = m;
  if (op === undefined) throw new LivestatusError(400, `${header}: missing operator after column ${column!}`);
  if (!isFilterOperator(op)) throw new LivestatusError(400, `${header}: invalid operator '${op}'`);
  return { kind: "compare", column: column!, op, operand: operand ?? "" };
}

/** The `n` of `And: n` and friends: a non-negative decimal integer. */
export function parseCount(header: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new LivestatusError(400, `${header}: expected a non-negative integer, got '${value}'`);
  return Number(value);
}

/**
 * How deep `And`/`Or`/`Negate` (and their Stats and WaitCondition twins) may nest. Real
 * clients nest a few levels (NagVis's deepest Stats are 3); the compiled filter and every
 * walk over the tree recurse once per level, so the bound keeps them far from the stack
 * limit (50,000 nested `Negate:` lines overflowed it: a 500). `Negate` of a `Negate`
 * cancels out and adds no level.
 */
export const MAX_FILTER_DEPTH = 100;

/** A stack entry: the node and how many levels its tree has (a comparison is 1). */
interface Entry<T> {
  readonly node: T;
  readonly depth: number;
}

/** Removes the top `n` entries, keeping their original order. */
function popN<T>(stack: Entry<T>[], header: string, n: number): Entry<T>[] {
  if (n > stack.length) {
    throw new LivestatusError(400, `${header}: cannot combine ${n} entries, only ${stack.length} on the stack`);
  }
  return stack.splice(stack.length - n, n);
}

/** The depth of a node combining `children`, refused past MAX_FILTER_DEPTH. */
function combinedDepth(header: string, children: readonly { readonly depth: number }[]): number {
  let deepest = 0;
  for (const c of children) if (c.depth > deepest) deepest = c.depth;
  return checkedDepth(header, deepest + 1);
}

function checkedDepth(header: string, depth: number): number {
  if (depth > MAX_FILTER_DEPTH) throw new LivestatusError(400, `${header}: filters nested more than ${MAX_FILTER_DEPTH} levels deep`);
  return depth;
}

/** `Negate` of an entry: a negated negation is its inner filter again, one level less. */
function negated(header: string, entry: Entry<FilterNode>): Entry<FilterNode> {
  if (entry.node.kind === "not") return { node: entry.node.child, depth: Math.max(1, entry.depth - 1) };
  return { node: { kind: "not", child: entry.node }, depth: checkedDepth(header, entry.depth + 1) };
}

export class FilterStack {
  private readonly entries: Entry<FilterNode>[] = [];

  push(node: Compare): void {
    this.entries.push({ node, depth: 1 });
  }

  /** `And: n` / `Or: n`. n = 0 pushes an empty group: always true / always false. */
  combine(kind: "and" | "or", header: string, n: number): void {
    const children = popN(this.entries, header, n);
    const depth = combinedDepth(header, children);
    this.entries.push({ node: { kind, children: children.map((c) => c.node) }, depth });
  }

  negate(header: string): void {
    const top = this.entries.pop();
    if (top === undefined) throw new LivestatusError(400, `${header}: no filter to negate (the stack is empty)`);
    this.entries.push(negated(header, top));
  }

  /** The AND of what is left; undefined when nothing is (no restriction). */
  result(): FilterNode | undefined {
    if (this.entries.length === 0) return undefined;
    if (this.entries.length === 1) return this.entries[0]!.node;
    return { kind: "and", children: this.entries.map((e) => e.node) };
  }
}

/**
 * The Stats stack: every entry is one output column. `StatsAnd/Or/Negate` combine count
 * filters into one count column; an aggregate column cannot take part (it has no truth value).
 */
export class StatsStack {
  private readonly entries: Entry<StatsNode>[] = [];

  /** `Stats: <agg> <column>` when the first word is an aggregate and one column follows, a count filter otherwise. Returns the entry pushed. */
  pushLine(header: string, value: string): StatsNode {
    const words = value.trim().split(/\s+/);
    let node: StatsNode;
    if (words.length <= 2 && AGGREGATE_NAMES.has(words[0]!)) {
      if (words.length < 2) throw new LivestatusError(400, `${header}: missing column after '${words[0]!}'`);
      node = { kind: "aggregate", fn: words[0] as Aggregate, column: words[1]! };
    } else {
      node = { kind: "count", filter: parseComparison(header, value) };
    }
    this.entries.push({ node, depth: 1 });
    return node;
  }

  combine(kind: "and" | "or", header: string, n: number): void {
    const entries = popN(this.entries, header, n);
    const depth = combinedDepth(header, entries);
    this.entries.push({ node: { kind: "count", filter: { kind, children: entries.map((e) => this.countFilter(header, e.node)) } }, depth });
  }

  negate(header: string): void {
    const top = this.entries.pop();
    if (top === undefined) throw new LivestatusError(400, `${header}: no Stats filter to negate (the stack is empty)`);
    const inner = negated(header, { node: this.countFilter(header, top.node), depth: top.depth });
    this.entries.push({ node: { kind: "count", filter: inner.node }, depth: inner.depth });
  }

  result(): readonly StatsNode[] {
    return this.entries.map((e) => e.node);
  }

  private countFilter(header: string, node: StatsNode): FilterNode {
    if (node.kind === "count") return node.filter;
    throw new LivestatusError(400, `${header}: cannot combine the aggregate '${node.fn} ${node.column}' with filters`);
  }
}
