/**
 * RE2 patterns (Livestatus semantics: an unanchored search, `~~` folding case) translated to
 * Lucene regular expressions (Elasticsearch's `regexp` query: the pattern must match the
 * whole term), only when the translation is EXACT: the same strings match on both sides.
 * Anything not understood here is refused (undefined) and the caller checks the pattern in
 * Node after fetching; refusing is always correct, a wrong translation never is.
 *
 * Accepted: literals, escaped punctuation, `.`, classes and ranges (`[a-z]`, `[^…]`), `\d`
 * `\w` `\s` and their negations (expanded: Lucene's own `\d` depends on its version),
 * `\t \n \r \f \v \a`, groups `(…)` `(?:…)`, `|`, greedy `* + ? {n} {n,} {n,m}`, `^` first
 * and `$` last in a top-level branch.
 * Refused: `\b`, `\A`, `\z`, `\p…`, `\x…`, octal, `\Q…\E`, `\C`, POSIX classes, inline flags,
 * named groups, non-greedy quantifiers, anchors elsewhere, a `{` that is not a repetition,
 * and under `~~` any non-ASCII character that has a case (Elasticsearch 8's
 * `case_insensitive` folds ASCII only, RE2 folds all of Unicode).
 *
 * Meaning differences handled:
 * - RE2's `.` does not match a newline; Lucene's does: `.` becomes `[^\n]`.
 * - RE2 `(?i)` folds `k` with the Kelvin sign (U+212A) and `s` with the long s (U+017F);
 *   Lucene does not: those letters become explicit classes. Lucene folds single characters
 *   but not ranges: every class is written closed under ASCII case folding, so that
 *   whatever Lucene folds in it, it stays the same set.
 * - Lucene's reserved and optional-operator characters (`"`, `<`, `&`, `@`, `#`, `~`…) are
 *   escaped; the query also passes `flags: "NONE"`.
 *
 * Elasticsearch refuses a regexp longer than `index.max_regex_length` (1000) and one whose
 * automaton needs more than 10,000 states: translations that could come near are refused
 * (see MAX_LUCENE_LENGTH, MAX_EXPANDED_ATOMS, MAX_WIDE_ATOMS).
 */

/** Elasticsearch's default `index.max_regex_length`. */
export const MAX_LUCENE_LENGTH = 1000;
/** Atoms after expanding counted repetitions (`(abc){400}` is 1200): Lucene builds one state or more per atom. */
export const MAX_EXPANDED_ATOMS = 1000;
/**
 * Class atoms (`.`, `[…]`, `\d`…, counted repetitions multiplied) after an unanchored start
 * or in a branch with an unbounded repetition:
 * `.*` followed by n overlapping classes determinizes to up to 2^n states (`.*a.{20}` is a
 * million, over Elasticsearch's 10,000 limit); 2^8 stays far below it.
 */
export const MAX_WIDE_ATOMS = 8;

const MAX_CODE_POINT = 0x10ffff;
const NEWLINE = 0x0a;

/** A set of code points: sorted, disjoint, non-adjacent inclusive ranges. */
type CodeSet = readonly (readonly [number, number])[];

type Node =
  | { readonly kind: "char"; readonly cp: number }
  | { readonly kind: "set"; readonly set: CodeSet }
  | { readonly kind: "cat"; readonly items: readonly Node[] }
  | { readonly kind: "alt"; readonly branches: readonly Node[] }
  | { readonly kind: "repeat"; readonly node: Node; readonly min: number; readonly max: number }
  | { readonly kind: "begin" }
  | { readonly kind: "end" };

/** Thrown inside the parser for anything not translated; never leaves this module. */
class Refused extends Error {}

/**
 * The Lucene regexp that matches exactly the terms in which `pattern` (RE2) finds a match,
 * to be sent with `flags: "NONE"` and `case_insensitive: ignoreCase`; undefined when no exact
 * translation is known. `pattern` must be valid RE2 (the caller compiles it first).
 */
export function luceneRegexpOf(pattern: string, ignoreCase: boolean): string | undefined {
  try {
    const branches = new Parser(pattern).parse();
    const parts = branches.map((items) => {
      let body = items;
      const anchoredStart = body[0]?.kind === "begin";
      if (anchoredStart) body = body.slice(1);
      const anchoredEnd = body.at(-1)?.kind === "end";
      if (anchoredEnd) body = body.slice(0, -1);
      if (body.some(hasAnchor)) throw new Refused();
      const cat: Node = { kind: "cat", items: body };
      checkComplexity(cat, anchoredStart);
      // Inside a concatenation with the `.*` around it: a lone alternation keeps its group.
      const text = body.length > 0 ? emit(cat, ignoreCase, 1) : anchoredStart && anchoredEnd ? "()" : "";
      return `${anchoredStart ? "" : ".*"}${text}${anchoredEnd ? "" : ".*"}`;
    });
    const value = parts.join("|");
    return value.length > MAX_LUCENE_LENGTH ? undefined : value;
  } catch (err) {
    if (err instanceof Refused) return undefined;
    throw err;
  }
}

function hasAnchor(n: Node): boolean {
  switch (n.kind) {
    case "begin":
    case "end":
      return true;
    case "cat":
      return n.items.some(hasAnchor);
    case "alt":
      return n.branches.some(hasAnchor);
    case "repeat":
      return hasAnchor(n.node);
    default:
      return false;
  }
}

/** Refuses translations that Elasticsearch may reject as too complex (see the limits above). */
function checkComplexity(n: Node, anchoredStart: boolean): void {
  const [atoms, wide] = weight(n);
  if (atoms > MAX_EXPANDED_ATOMS) throw new Refused();
  // An unbounded repetition inside (`^a.*b.{20}`) opens the same blow-up as an unanchored start.
  if ((!anchoredStart || hasUnbounded(n)) && wide > MAX_WIDE_ATOMS) throw new Refused();
}

function hasUnbounded(n: Node): boolean {
  switch (n.kind) {
    case "cat":
      return n.items.some(hasUnbounded);
    case "alt":
      return n.branches.some(hasUnbounded);
    case "repeat":
      return n.max === Infinity || hasUnbounded(n.node);
    default:
      return false;
  }
}

/** [atoms after expansion, class atoms after expansion]; an unbounded repetition counts its minimum plus one. */
function weight(n: Node): [number, number] {
  switch (n.kind) {
    case "char":
      return [1, 0];
    case "set":
      return [1, 1];
    case "cat":
    case "alt": {
      const parts = (n.kind === "cat" ? n.items : n.branches).map(weight);
      return [parts.reduce((s, p) => s + p[0], 0), parts.reduce((s, p) => s + p[1], 0)];
    }
    case "repeat": {
      const [a, w] = weight(n.node);
      const times = Number.isFinite(n.max) ? n.max : n.min + 1;
      return [a * Math.max(times, 1), w * Math.max(times, 1)];
    }
    default:
      return [0, 0];
  }
}

// ---------------------------------------------------------------------------------------------
// Parsing (the RE2 subset above; RE2 has already accepted the pattern)

const DIGIT: CodeSet = [[0x30, 0x39]];
const WORD: CodeSet = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
];
/** RE2's `\s`: `[\t\n\f\r ]` (no `\v`). */
const SPACE: CodeSet = [
  [0x09, 0x0a],
  [0x0c, 0x0d],
  [0x20, 0x20],
];
const SIMPLE_ESCAPES: Readonly<Record<string, number>> = { t: 0x09, n: 0x0a, r: 0x0d, f: 0x0c, v: 0x0b, a: 0x07 };
/** ASCII punctuation: RE2 reads a backslash before it as the character itself. */
const PUNCTUATION = /^[!-/:-@[-`{-~]$/;

class Parser {
  private readonly cps: readonly string[];
  private i = 0;

  constructor(pattern: string) {
    this.cps = Array.from(pattern);
    // A lone surrogate is U+FFFD to RE2 (it reads UTF-8); do not reason about it.
    if (this.cps.some((c) => c.length === 1 && c.charCodeAt(0) >= 0xd800 && c.charCodeAt(0) <= 0xdfff)) throw new Refused();
  }

  /** The top-level branches, each a list of items. */
  parse(): Node[][] {
    const branches: Node[][] = [this.items()];
    while (this.peek() === "|") {
      this.i++;
      branches.push(this.items());
    }
    if (this.i < this.cps.length) throw new Refused(); // an unmatched `)`
    return branches;
  }

  private peek(offset = 0): string | undefined {
    return this.cps[this.i + offset];
  }

  private next(): string {
    const c = this.cps[this.i++];
    if (c === undefined) throw new Refused();
    return c;
  }

  private alternation(): Node {
    const branches: Node[] = [{ kind: "cat", items: this.items() }];
    while (this.peek() === "|") {
      this.i++;
      branches.push({ kind: "cat", items: this.items() });
    }
    return branches.length === 1 ? branches[0]! : { kind: "alt", branches };
  }

  private items(): Node[] {
    const items: Node[] = [];
    for (let c = this.peek(); c !== undefined && c !== "|" && c !== ")"; c = this.peek()) {
      let atom = this.atom();
      const repeat = this.quantifier();
      if (repeat !== undefined) {
        if (atom.kind === "begin" || atom.kind === "end") throw new Refused();
        atom = { kind: "repeat", node: atom, ...repeat };
        if (this.quantifierAhead()) throw new Refused(); // non-greedy `*?`, or a repeated repetition
      }
      items.push(atom);
    }
    return items;
  }

  private quantifierAhead(): boolean {
    const c = this.peek();
    return c === "*" || c === "+" || c === "?" || c === "{";
  }

  private quantifier(): { min: number; max: number } | undefined {
    const c = this.peek();
    if (c === "*") return this.skip({ min: 0, max: Infinity });
    if (c === "+") return this.skip({ min: 1, max: Infinity });
    if (c === "?") return this.skip({ min: 0, max: 1 });
    if (c !== "{") return undefined;
    const m = /^\{(\d+)(,(\d*))?\}/.exec(this.cps.slice(this.i, this.i + 16).join(""));
    if (m === null) throw new Refused(); // RE2 reads such a `{` as itself: not reasoned about
    this.i += m[0].length;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === "" ? Infinity : Number(m[3]);
    return { min, max };
  }

  private skip<T>(value: T): T {
    this.i++;
    return value;
  }

  private atom(): Node {
    const c = this.next();
    switch (c) {
      case "(": {
        if (this.peek() === "?") {
          if (this.peek(1) !== ":") throw new Refused(); // flags, named groups
          this.i += 2;
        }
        const inner = this.alternation();
        if (this.next() !== ")") throw new Refused();
        return inner;
      }
      case "[":
        return { kind: "set", set: this.charClass() };
      case ".":
        return { kind: "set", set: complement([[NEWLINE, NEWLINE]]) };
      case "^":
        return { kind: "begin" };
      case "$":
        return { kind: "end" };
      case "\\":
        return this.escape();
      case "*":
      case "+":
      case "?":
      case "{":
        throw new Refused();
      default:
        return { kind: "char", cp: c.codePointAt(0)! };
    }
  }

  private escape(): Node {
    const c = this.next();
    if (PUNCTUATION.test(c)) return { kind: "char", cp: c.codePointAt(0)! };
    const simple = SIMPLE_ESCAPES[c];
    if (simple !== undefined) return { kind: "char", cp: simple };
    const group = perlClass(c);
    if (group !== undefined) return { kind: "set", set: group };
    throw new Refused();
  }

  /** After `[`: the class up to its `]`, as a set; a negated one remembers its positive set for foldSet. */
  private charClass(): CodeSet {
    let negated = false;
    if (this.peek() === "^") {
      negated = true;
      this.i++;
    }
    const ranges: [number, number][] = [];
    let first = true;
    for (;;) {
      const c = this.next();
      if (c === "]" && !first) break;
      first = false;
      if (c === "[" && this.peek() === ":") throw new Refused(); // POSIX classes
      let lo: number;
      if (c === "\\") {
        const e = this.next();
        if (PUNCTUATION.test(e)) lo = e.codePointAt(0)!;
        else if (SIMPLE_ESCAPES[e] !== undefined) lo = SIMPLE_ESCAPES[e]!;
        else if (e === "d" || e === "w" || e === "s") {
          ranges.push(...perlClass(e)!.map(([a, b]): [number, number] => [a, b]));
          continue;
        } else throw new Refused();
      } else lo = c.codePointAt(0)!;
      let hi = lo;
      if (this.peek() === "-" && this.peek(1) !== "]" && this.peek(1) !== undefined) {
        this.i++;
        const h = this.next();
        if (h === "\\") {
          const e = this.next();
          if (PUNCTUATION.test(e)) hi = e.codePointAt(0)!;
          else if (SIMPLE_ESCAPES[e] !== undefined) hi = SIMPLE_ESCAPES[e]!;
          else throw new Refused();
        } else if (h === "[") throw new Refused();
        else hi = h.codePointAt(0)!;
        if (hi < lo) throw new Refused();
      }
      ranges.push([lo, hi]);
    }
    const set = normalize(ranges);
    return negated ? negatedClass(set) : set;
  }
}

/**
 * A negated class keeps its positive set with a marker so that folding happens before the
 * negation, as RE2 does (`(?i)[^k]` excludes k, K and the Kelvin sign).
 */
const NEGATED = new WeakMap<CodeSet, CodeSet>();

function negatedClass(positive: CodeSet): CodeSet {
  const set = complement(positive);
  NEGATED.set(set, positive);
  return set;
}

function perlClass(c: string): CodeSet | undefined {
  switch (c) {
    case "d":
      return DIGIT;
    case "w":
      return WORD;
    case "s":
      return SPACE;
    case "D":
      return negatedClass(DIGIT);
    case "W":
      return negatedClass(WORD);
    case "S":
      return negatedClass(SPACE);
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Code point sets

function normalize(ranges: readonly (readonly [number, number])[]): CodeSet {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = out.at(-1);
    if (last !== undefined && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

function complement(set: CodeSet): CodeSet {
  const out: [number, number][] = [];
  let from = 0;
  for (const [lo, hi] of set) {
    if (lo > from) out.push([from, lo - 1]);
    from = hi + 1;
  }
  if (from <= MAX_CODE_POINT) out.push([from, MAX_CODE_POINT]);
  return out;
}

/** Characters RE2's case folding joins beyond ASCII: k K U+212A (Kelvin sign), s S U+017F (long s). */
const FOLD_ORBITS: readonly (readonly number[])[] = [
  [0x4b, 0x6b, 0x212a],
  [0x53, 0x73, 0x17f],
];
const ORBIT_OF = new Map<number, readonly number[]>(FOLD_ORBITS.flatMap((orbit) => orbit.map((cp) => [cp, orbit] as [number, readonly number[]])));
/** Non-ASCII characters checked one by one for a case, at most (a larger non-ASCII range under `~~` is refused). */
const MAX_CHECKED_RANGE = 512;

/** Has the character a case other than itself (so that RE2's `(?i)` matches more than it)? */
function hasCase(cp: number): boolean {
  if (ORBIT_OF.has(cp)) return true;
  const c = String.fromCodePoint(cp);
  return c.toLowerCase() !== c || c.toUpperCase() !== c;
}

/** The set as RE2 `(?i)` reads it, closed under case folding; refused where ES 8 cannot be told the same. */
function foldSet(set: CodeSet): CodeSet {
  const positive = NEGATED.get(set);
  if (positive !== undefined) return complement(foldSet(positive));
  const out: [number, number][] = set.map(([a, b]) => [a, b]);
  for (const [lo, hi] of set) {
    // ASCII letters: the other case's range.
    for (const [a, z, shift] of [
      [0x41, 0x5a, 0x20],
      [0x61, 0x7a, -0x20],
    ] as const) {
      const from = Math.max(lo, a);
      const to = Math.min(hi, z);
      if (from <= to) out.push([from + shift, to + shift]);
    }
    for (const orbit of FOLD_ORBITS) if (orbit.some((cp) => cp >= lo && cp <= hi)) for (const cp of orbit) out.push([cp, cp]);
    const from = Math.max(lo, 0x80);
    if (from <= hi) {
      if (hi - from >= MAX_CHECKED_RANGE) throw new Refused();
      for (let cp = from; cp <= hi; cp++) if (hasCase(cp) && !ORBIT_OF.has(cp)) throw new Refused();
    }
  }
  return normalize(out);
}

// ---------------------------------------------------------------------------------------------
// Emitting Lucene syntax

/** Escapes ASCII punctuation (Lucene's reserved and optional-operator characters among them): `\c` is `c` in Lucene. */
function luceneChar(cp: number): string {
  const c = String.fromCodePoint(cp);
  return PUNCTUATION.test(c) ? `\\${c}` : c;
}

function emitSet(set: CodeSet): string {
  if (set.length === 0) throw new Refused(); // matches nothing: rare, not worth a form of its own
  const full = set.length === 1 && set[0]![0] === 0 && set[0]![1] === MAX_CODE_POINT;
  if (full) return ".";
  const negate = set.at(-1)![1] === MAX_CODE_POINT;
  const ranges = negate ? complement(set) : set;
  const body = ranges.map(([lo, hi]) => (lo === hi ? luceneChar(lo) : `${luceneChar(lo)}-${luceneChar(hi)}`)).join("");
  return `[${negate ? "^" : ""}${body}]`;
}

/** precedence: 0 top or group, 1 inside a concatenation, 2 under a repetition. */
function emit(n: Node, ignoreCase: boolean, precedence: number): string {
  switch (n.kind) {
    case "char": {
      if (!ignoreCase) return luceneChar(n.cp);
      const orbit = ORBIT_OF.get(n.cp);
      if (orbit !== undefined) return emitSet(normalize(orbit.map((cp) => [cp, cp])));
      if (n.cp >= 0x80 && hasCase(n.cp)) throw new Refused();
      return luceneChar(n.cp); // an ASCII letter: Lucene's case_insensitive folds it as RE2 does
    }
    case "set":
      return emitSet(ignoreCase ? foldSet(n.set) : n.set);
    case "cat": {
      if (n.items.length === 0) return precedence === 0 ? "" : "()";
      if (n.items.length === 1) return emit(n.items[0]!, ignoreCase, precedence);
      const text = n.items.map((i) => emit(i, ignoreCase, 1)).join("");
      return precedence >= 2 ? `(${text})` : text;
    }
    case "alt": {
      const text = n.branches.map((b) => emit(b, ignoreCase, 0) || "()").join("|");
      return precedence >= 1 ? `(${text})` : text;
    }
    case "repeat": {
      const inner = emit(n.node, ignoreCase, 2);
      const { min, max } = n;
      const suffix =
        min === 0 && max === Infinity
          ? "*"
          : min === 1 && max === Infinity
            ? "+"
            : min === 0 && max === 1
              ? "?"
              : max === Infinity
                ? `{${min},}`
                : min === max
                  ? `{${min}}`
                  : `{${min},${max}}`;
      // A repetition of a repetition is kept in a group, as written (`(a{2}){3}`).
      return precedence >= 2 ? `(${inner}${suffix})` : `${inner}${suffix}`;
    }
    default:
      throw new Refused();
  }
}
