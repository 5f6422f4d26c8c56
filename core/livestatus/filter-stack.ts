/**
 * The stack machines behind `Filter:`/`And:`/`Or:`/`Negate:` (and their `Stats…` and
 * `WaitCondition…` twins), livestatus.md §2 and §3.5. Each header line pushes or combines
 * entries; what is left on the stack at the end is ANDed.
 */
import { LivestatusError } from "./livestatus-error";
import type { Aggregate, FilterNode, FilterOperator, StatsNode } from "./query";

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

/** Removes the top `n` entries, keeping their original order. */
function popN<T>(stack: T[], header: string, n: number): T[] {
  if (n > stack.length) {
    throw new LivestatusError(400, `${header}: cannot combine ${n} entries, only ${stack.length} on the stack`);
  }
  return stack.splice(stack.length - n, n);
}

export class FilterStack {
  private readonly nodes: FilterNode[] = [];

  push(node: FilterNode): void {
    this.nodes.push(node);
  }

  /** `And: n` / `Or: n`. n = 0 pushes an empty group: always true / always false. */
  combine(kind: "and" | "or", header: string, n: number): void {
    this.nodes.push({ kind, children: popN(this.nodes, header, n) });
  }

  negate(header: string): void {
    const top = this.nodes.pop();
    if (top === undefined) throw new LivestatusError(400, `${header}: no filter to negate (the stack is empty)`);
    this.nodes.push({ kind: "not", child: top });
  }

  /** The AND of what is left; undefined when nothing is (no restriction). */
  result(): FilterNode | undefined {
    if (this.nodes.length === 0) return undefined;
    if (this.nodes.length === 1) return this.nodes[0];
    return { kind: "and", children: [...this.nodes] };
  }
}

/**
 * The Stats stack: every entry is one output column. `StatsAnd/Or/Negate` combine count
 * filters into one count column; an aggregate column cannot take part (it has no truth value).
 */
export class StatsStack {
  private readonly nodes: StatsNode[] = [];

  /** `Stats: <agg> <column>` when the first word is an aggregate and one column follows, a count filter otherwise. */
  pushLine(header: string, value: string): void {
    const words = value.trim().split(/\s+/);
    if (words.length <= 2 && AGGREGATE_NAMES.has(words[0]!)) {
      if (words.length < 2) throw new LivestatusError(400, `${header}: missing column after '${words[0]!}'`);
      this.nodes.push({ kind: "aggregate", fn: words[0] as Aggregate, column: words[1]! });
      return;
    }
    this.nodes.push({ kind: "count", filter: parseComparison(header, value) });
  }

  combine(kind: "and" | "or", header: string, n: number): void {
    const entries = popN(this.nodes, header, n);
    this.nodes.push({ kind: "count", filter: { kind, children: entries.map((e) => this.countFilter(header, e)) } });
  }

  negate(header: string): void {
    const top = this.nodes.pop();
    if (top === undefined) throw new LivestatusError(400, `${header}: no Stats filter to negate (the stack is empty)`);
    this.nodes.push({ kind: "count", filter: { kind: "not", child: this.countFilter(header, top) } });
  }

  result(): readonly StatsNode[] {
    return [...this.nodes];
  }

  private countFilter(header: string, node: StatsNode): FilterNode {
    if (node.kind === "count") return node.filter;
    throw new LivestatusError(400, `${header}: cannot combine the aggregate '${node.fn} ${node.column}' with filters`);
  }
}
