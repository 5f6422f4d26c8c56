/**
 * A log condition (core/store/log-query.ts) as an Elasticsearch search: the Query DSL of what
 * translates exactly, and the rest as a condition checked in Node on the fetched documents
 * (README.md, "Reading from the cluster"). Pure: no client, no I/O.
 *
 * Every node is translated to two queries, a superset (`upper`) and a subset (`lower`) of
 * the entries it matches; they are the same query when the node translates exactly. A node
 * that does not translate (a condition on `output` or `message`, a regex without an exact
 * Lucene form) has the superset "everything" and the subset "nothing". `not` swaps them:
 * the superset of `not c` is `not (subset of c)`, so a negated inexact part never narrows
 * the search wrongly (a superset under a negation would be a subset). The search sends the
 * root's superset; the post-filter is what remains: for an `and`, only its inexact children
 * (the exact ones are already enforced by the query), otherwise the whole inexact node.
 */
import type { estypes } from "@elastic/elasticsearch";
import { compileRegex } from "../../../core/livestatus/query/regex";
import type { LogCondition, LogNumberField, LogNumberOp, LogTextField } from "../../../core/store/log-query";
import { luceneRegexpOf } from "./lucene-regexp";

export type Query = estypes.QueryDslQueryContainer;

/** What a search of the log sends and what it checks after fetching. */
export interface LogSearch {
  /** The filter of the search: a `bool.filter`, or `match_all` when nothing is pushed down. */
  readonly query: Query;
  /** The part of the condition checked in Node on each fetched entry; undefined when the query is exact. */
  readonly postFilter: LogCondition | undefined;
  /** No entry can match (an empty `in`, an empty time range…): no request is needed. */
  readonly matchesNothing: boolean;
}

/** Fields kept as keywords but indexed only up to LOG_TEXT_INDEXED_CHARS: never pushed down (documents.ts). */
const UNINDEXED_TEXT: ReadonlySet<LogTextField> = new Set(["output", "message"]);

/** Elasticsearch's default `index.max_terms_count`: a longer list is split into several `terms`. */
export const MAX_TERMS = 65_536;

/** A query, or a constant: true matches every entry, false none. */
type Bound = boolean | Query;

interface Translated {
  readonly upper: Bound;
  readonly lower: Bound;
  readonly exact: boolean;
  /** What the post-filter must still check so that `upper` and it together equal the condition. */
  readonly residual: LogCondition | undefined;
}

/**
 * The search for entries of [since, until] (inclusive, seconds; a missing or NaN bound is
 * none, as in logPageOf) that match `where`.
 * @throws LivestatusError for an invalid regular expression (the same error logEntryMatches gives).
 */
export function logSearchOf(where: LogCondition | undefined, since?: number, until?: number): LogSearch {
  if (since !== undefined && until !== undefined && since > until) return { query: { match_none: {} }, postFilter: undefined, matchesNothing: true };
  const parts: LogCondition[] = [];
  if (since !== undefined && !Number.isNaN(since)) parts.push({ kind: "number", field: "time", op: ">=", value: since });
  if (until !== undefined && !Number.isNaN(until)) parts.push({ kind: "number", field: "time", op: "<=", value: until });
  if (where !== undefined) parts.push(where);
  const t = translate({ kind: "and", children: parts });
  const postFilter = t.residual;
  if (t.upper === false) return { query: { match_none: {} }, postFilter: undefined, matchesNothing: true };
  if (t.upper === true) return { query: { match_all: {} }, postFilter, matchesNothing: false };
  return { query: { bool: { filter: filterList(t.upper) } }, postFilter, matchesNothing: false };
}

function translate(c: LogCondition): Translated {
  switch (c.kind) {
    case "number":
      return exact(numberBound(c.field, c.op, c.value));
    case "in":
      return UNINDEXED_TEXT.has(c.field) ? inexact(c) : exact(termsBound(c.field, c.values));
    case "match": {
      // Validated as the reference does, so that an invalid pattern fails the same way.
      compileRegex(c.pattern, c.ignoreCase, "log condition");
      if (UNINDEXED_TEXT.has(c.field)) return inexact(c);
      const value = luceneRegexpOf(c.pattern, c.ignoreCase);
      if (value === undefined) return inexact(c);
      if (value === ".*.*") return exact(true); // the empty pattern
      return exact({ regexp: { [c.field]: { value, flags: "NONE", ...(c.ignoreCase ? { case_insensitive: true } : {}) } } });
    }
    case "not": {
      const t = translate(c.child);
      return t.exact ? exact(not(t.upper)) : { upper: not(t.lower), lower: not(t.upper), exact: false, residual: c };
    }
    case "and": {
      const ts = c.children.map(translate);
      const upper = and(ts.map((t) => t.upper));
      const lower = and(ts.map((t) => t.lower));
      if (upper === false || ts.every((t) => t.exact)) return exact(upper);
      const rest = ts.flatMap((t) => (t.residual === undefined ? [] : [t.residual]));
      return { upper, lower, exact: false, residual: rest.length === 1 ? rest[0] : { kind: "and", children: rest } };
    }
    case "or": {
      const ts = c.children.map(translate);
      const upper = or(ts.map((t) => t.upper));
      const lower = or(ts.map((t) => t.lower));
      if (lower === true || ts.every((t) => t.exact)) return exact(lower === true ? true : upper);
      return { upper, lower, exact: false, residual: c };
    }
  }
}

function exact(b: Bound): Translated {
  return { upper: b, lower: b, exact: true, residual: undefined };
}

function inexact(c: LogCondition): Translated {
  return { upper: true, lower: false, exact: false, residual: c };
}

/** Stored numbers are finite (Elasticsearch refuses NaN and infinities in numeric fields): non-finite operands fold to constants. */
function numberBound(field: LogNumberField, op: LogNumberOp, value: number): Bound {
  if (Number.isNaN(value)) return op === "!=";
  if (!Number.isFinite(value)) {
    const above = value > 0; // every stored value is below +∞ and above -∞
    switch (op) {
      case "=":
        return false;
      case "!=":
        return true;
      case "<":
      case "<=":
        return above;
      case ">":
      case ">=":
        return !above;
    }
  }
  switch (op) {
    case "=":
      return { term: { [field]: value } };
    case "!=":
      return not({ term: { [field]: value } });
    case "<":
      return { range: { [field]: { lt: value } } };
    case "<=":
      return { range: { [field]: { lte: value } } };
    case ">":
      return { range: { [field]: { gt: value } } };
    case ">=":
      return { range: { [field]: { gte: value } } };
  }
}

function termsBound(field: LogTextField, values: readonly string[]): Bound {
  const unique = [...new Set(values)];
  if (unique.length === 0) return false;
  if (unique.length === 1) return { term: { [field]: unique[0]! } };
  const chunks: Query[] = [];
  for (let i = 0; i < unique.length; i += MAX_TERMS) chunks.push({ terms: { [field]: unique.slice(i, i + MAX_TERMS) } });
  return or(chunks);
}

function not(b: Bound): Bound {
  if (typeof b === "boolean") return !b;
  // not (not q) is q: the shape `!=` and `Negate:` over it give.
  const inner = b.bool;
  if (inner !== undefined && Object.keys(inner).length === 1 && Array.isArray(inner.must_not) && inner.must_not.length === 1) return inner.must_not[0]!;
  return { bool: { must_not: [b] } };
}

function and(bs: readonly Bound[]): Bound {
  if (bs.includes(false)) return false;
  const qs = bs.filter((b): b is Query => b !== true).flatMap(filterList);
  if (qs.length === 0) return true;
  return qs.length === 1 ? qs[0]! : { bool: { filter: qs } };
}

function or(bs: readonly Bound[]): Bound {
  if (bs.includes(true)) return true;
  const qs = bs.filter((b): b is Query => b !== false);
  if (qs.length === 0) return false;
  return qs.length === 1 ? qs[0]! : { bool: { should: qs, minimum_should_match: 1 } };
}

/** The clauses of a query that is only a `bool.filter` (flattened into its parent's), else the query itself. */
function filterList(q: Query): Query[] {
  const inner = q.bool;
  if (inner !== undefined && Object.keys(inner).length === 1 && Array.isArray(inner.filter)) return inner.filter;
  return [q];
}
