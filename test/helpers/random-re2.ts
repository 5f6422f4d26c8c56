/**
 * Random RE2 patterns and texts over a small alphabet chosen to hit the places where RE2 and
 * Lucene differ: case folding beyond ASCII (k, K and the Kelvin sign; s, S and the long s),
 * a newline against `.`, accented letters under `~~`, Lucene's reserved characters
 * (`"`, `<`, `@`, `~`, `#`, `&`), characters outside the BMP. For property tests.
 */

export type Random = () => number;

/** Characters of texts: every literal the patterns use, and some they do not. */
export const TEXT_CHARS = [
  "a",
  "b",
  "A",
  "B",
  "k",
  "K",
  "\u212a",
  "s",
  "S",
  "\u017f",
  "é",
  "É",
  "1",
  "2",
  "_",
  "-",
  " ",
  "\n",
  ".",
  '"',
  "<",
  "@",
  "~",
  "#",
  "&",
  "😀",
];

/** Literal atoms as written in a pattern (RE2 metacharacters escaped). */
const LITERALS = [
  "a",
  "b",
  "A",
  "k",
  "K",
  "\u212a",
  "s",
  "S",
  "\u017f",
  "é",
  "É",
  "1",
  "_",
  "-",
  " ",
  "\\.",
  '"',
  "<",
  "@",
  "~",
  "#",
  "&",
  "😀",
  "\\n",
  "\\-",
  "\\\\",
];
const CLASSES = [
  ".",
  "\\d",
  "\\w",
  "\\s",
  "\\D",
  "\\W",
  "\\S",
  "[ab]",
  "[^ab]",
  "[a-k]",
  "[^\\n]",
  "[K-s]",
  "[\\d_]",
  "[.-]",
  "[é-ë]",
  "[^k]",
  "[^a-z]",
  "[\\w\\s]",
  "[ks]",
  "[]a]",
];
/** Constructs the translator refuses (all valid RE2). */
const REFUSED = ["\\b", "\\B", "\\pL", "\\x41", "(?i)a", "\\Qa.b\\E", "[[:alpha:]]", "\\A", "\\z", "a{,2}", "(?P<n>a)"];
const QUANTIFIERS = ["*", "+", "?", "{2}", "{1,2}", "{0,}", "*?", "{1,3}"];

export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

export function randomText(random: Random, maxLength = 7): string {
  const n = Math.floor(random() * (maxLength + 1));
  let s = "";
  for (let i = 0; i < n; i++) s += pick(random, TEXT_CHARS);
  return s;
}

/** A random pattern; `depth` bounds the nesting of groups. */
export function randomPattern(random: Random, depth = 2): string {
  let s = random() < 0.3 ? "^" : "";
  s += sequence(random, depth);
  if (random() < 0.25) s += `|${sequence(random, depth)}`;
  if (random() < 0.3) s += "$";
  return s;
}

function sequence(random: Random, depth: number): string {
  const n = Math.floor(random() * 4);
  let s = "";
  for (let i = 0; i < n; i++) {
    const r = random();
    let atom: string;
    if (r < 0.45) atom = pick(random, LITERALS);
    else if (r < 0.75) atom = pick(random, CLASSES);
    else if (r < 0.9 && depth > 0)
      atom = `${random() < 0.5 ? "(" : "(?:"}${sequence(random, depth - 1)}${random() < 0.4 ? `|${sequence(random, depth - 1)}` : ""})`;
    else if (r < 0.95) atom = pick(random, REFUSED);
    else atom = pick(random, ["^", "$"]); // an anchor in the middle
    if (random() < 0.3 && atom !== "^" && atom !== "$") atom += pick(random, QUANTIFIERS);
    s += atom;
  }
  return s;
}
