/**
 * Regular expressions from filter operands (docs/livestatus.md §3.3), matched by RE2 as Checkmk
 * does: RE2's default options (UTF-8, Perl-like syntax, leftmost-first, `.` not matching a
 * newline), case folding for `~~`, an unanchored search (Checkmk's `RE2::PartialMatch`).
 * RE2 never backtracks, so `^(a+)+$` costs one pass over the text instead of pinning the
 * event loop for seconds (JavaScript's RegExp took 8.9 s on 28 × `a` then `!`).
 *
 * RE2's guarantee is time proportional to text length × compiled pattern size; the caps
 * below bound the second factor and what a client can send (README "Regular expressions").
 */
import RE2 from "re2";
import { LivestatusError } from "../protocol/livestatus-error";

/** Characters in one pattern. Real patterns (`^web`, `HOST-000[12]`, `disk full`) are short. */
export const MAX_REGEX_LENGTH = 1000;

/**
 * RE2 program budget in bytes (RE2's `max_mem`, about 100 bytes per instruction). RE2's
 * worst case per byte of text grows with the program: measured on an 8 KB output,
 * `[ab]*a[ab]{999}c` (≈ 105 KiB, just under the cap) took 256 ms per value, `.{999}` ten
 * times (≈ 1 MiB, refused) 870 ms; without a cap RE2 accepts programs of several MiB.
 * Patterns GUIs send stay far below: a 90-host alternation `^(host-0001|…)$` is 6 KiB,
 * `\pL` 79 KiB; `\pL\pL`, `.{200}.{200}` or `[ab]{999}[ab]{999}` are refused.
 */
export const MAX_REGEX_PROGRAM_BYTES = 128 * 1024;

/** A compiled operand: does the text contain a match? */
export type TextTest = (text: string) => boolean;

/**
 * Compiles `pattern` once for a whole query. `context` is the header name used in error
 * messages (`Filter`, `Stats`, `WaitCondition`).
 * @throws LivestatusError 400 for a pattern that is too long, that RE2 refuses (syntax,
 *   backreferences, lookaround…) or whose program exceeds MAX_REGEX_PROGRAM_BYTES.
 */
export function compileRegex(pattern: string, ignoreCase: boolean, context: string): TextTest {
  if (pattern.length > MAX_REGEX_LENGTH) {
    throw new LivestatusError(400, `${context}: regular expression too long (${pattern.length} characters, at most ${MAX_REGEX_LENGTH})`);
  }
  // `u` is implied by RE2 (it always matches code points); saying so avoids its deprecation notice.
  const flags = ignoreCase ? "iu" : "u";
  let re: RE2;
  try {
    re = new RE2(pattern, flags);
  } catch (err) {
    // RE2 ends some reasons with the offending text, a space among them: an error line ends with a visible character.
    const reason = (err instanceof Error ? err.message : String(err)).trimEnd();
    if (/pattern too large/.test(reason)) throw tooComplex(context, pattern);
    throw new LivestatusError(400, `${context}: invalid regular expression '${pattern}': ${reason}`);
  }
  checkProgramSize(pattern, flags, context);
  // RE2 compiled it, so the syntax is RE2's; a plain literal is then searched in JavaScript
  // with the same meaning, about 10 times cheaper per row than a call into RE2.
  const literal = literalTest(pattern, ignoreCase);
  if (literal !== undefined) return literal;
  const search: TextTest = (text) => re.test(utf8(text));
  // A value without the literal every match contains (`host1` of `host1[23]4`) cannot match:
  // a JavaScript search rules most rows out before the call into RE2.
  const required = requiredLiteral(pattern);
  if (required === undefined) return search;
  const contains = literalTest(required, ignoreCase);
  if (contains === undefined) return search;
  return (text) => contains(text) && search(text);
}

function tooComplex(context: string, pattern: string): LivestatusError {
  return new LivestatusError(
    400,
    `${context}: regular expression too complex '${pattern}': it compiles to more than ${MAX_REGEX_PROGRAM_BYTES / 1024} KiB (large counted repetitions such as .{500} or several Unicode classes)`,
  );
}

/**
 * node-re2 has no option for RE2's `max_mem` on a single pattern, but RE2.Set has: a
 * one-pattern set compiled under the budget fails exactly when the program is larger.
 * Costs about 20 µs, once per operand.
 */
function checkProgramSize(pattern: string, flags: string, context: string): void {
  try {
    new RE2.Set([pattern], flags, { maxMem: MAX_REGEX_PROGRAM_BYTES });
  } catch {
    throw tooComplex(context, pattern);
  }
}

/**
 * RE2 converts a JavaScript string argument to UTF-8 on every call and keeps weak handles
 * to it and to the copy: 25–115 ms per 20,000 outputs in `npm run bench -- filter`, against
 * 5–7 ms for a byte view of the same text. Values are short (plugin output ≤ 8 KiB), so
 * one shared buffer serves them; a longer one gets its own. Safe to share: matching is
 * synchronous and RE2 keeps nothing of binary input after the call.
 */
const SCRATCH = new Uint8Array(64 * 1024);
const ENCODER = new TextEncoder();

function utf8(text: string): Uint8Array {
  // At most 3 bytes per UTF-16 code unit (a lone surrogate becomes U+FFFD, 3 bytes).
  if (text.length * 3 > SCRATCH.length) return Buffer.from(text, "utf8");
  const { written } = ENCODER.encodeInto(text, SCRATCH);
  return SCRATCH.subarray(0, written);
}

/** Longest literal searched in JavaScript; a longer one goes to RE2 (String search is not linear for every input). */
const MAX_FAST_LITERAL = 100;
/** RE2 metacharacters: a pattern holding one unescaped (beyond a leading ^ and a final $) is not a plain literal. */
const META = new Set("\\^$.|?*+()[]{}");
/** RE2 takes a backslash before ASCII punctuation as that character (`\-`, `\.`, `\/`). */
const ESCAPABLE = /^[!-/:-@[-`{-~]$/;

/**
 * A JavaScript test equal to RE2's for a plain literal with optional `^`/`$` anchors (the
 * patterns GUIs send most: `^web`, `disk full`, `HOST\-01`), or undefined for anything else.
 * Case-insensitive literals use a JavaScript RegExp with `iu`: Unicode simple case folding,
 * the folding RE2 applies (k, K and the Kelvin sign K match each other in both).
 */
function literalTest(pattern: string, ignoreCase: boolean): TextTest | undefined {
  // RE2 reads a lone surrogate of the text as U+FFFD; JavaScript's search would not.
  if (pattern.includes(REPLACEMENT)) return undefined;
  const atStart = pattern.startsWith("^");
  let text = "";
  let atEnd = false;
  for (let i = atStart ? 1 : 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\") {
      const next = pattern[i + 1];
      if (next === undefined || !ESCAPABLE.test(next)) return undefined;
      text += next;
      i++;
    } else if (c === "$" && i === pattern.length - 1) {
      atEnd = true;
    } else if (META.has(c)) {
      return undefined;
    } else {
      text += c;
    }
  }
  if (text.length > MAX_FAST_LITERAL) return undefined;
  if (ignoreCase) {
    // Only the syntax characters of JavaScript's unicode mode may (and must) be escaped.
    const source = `${atStart ? "^" : ""}${text.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&")}${atEnd ? "$" : ""}`;
    const re = new RegExp(source, "iu");
    return (s) => re.test(s);
  }
  if (atStart && atEnd) return (s) => s === text;
  if (atStart) return (s) => s.startsWith(text);
  if (atEnd) return (s) => s.endsWith(text);
  return (s) => s.includes(text);
}

const REPLACEMENT = "\uFFFD";

/**
 * The longest run of literal characters at the top level of `pattern` (escaped as
 * literalTest reads it, so it can be passed back to literalTest), which every match must
 * contain; undefined when there is none or when the pattern could break the reasoning:
 * a top-level `|`, inline flags (`(?i)` changes what the literal matches), `\Q…\E`. A
 * character followed by a quantifier (`?`, `*`, `+`, `{…}`) is left out. Conservative: a
 * construct not understood here only ends the run.
 */
export function requiredLiteral(pattern: string): string | undefined {
  if (/\(\?[a-zA-Z-]/.test(pattern) || pattern.includes("\\Q")) return undefined;
  const chars = Array.from(pattern); // code points: a quantifier after an emoji repeats all of it
  let best: string[] = [];
  let run: string[] = [];
  const end = (): void => {
    if (run.length > best.length) best = run;
    run = [];
  };
  let depth = 0;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === "\\") {
      const next = chars[++i];
      if (next === undefined) return undefined;
      if (ESCAPABLE.test(next)) {
        if (depth === 0) run.push(`\\${next}`);
        continue;
      }
      end();
      // A letter or digit escape may take arguments: a braced one (`\x{e9}`, `\p{Greek}`) or
      // letters and digits (`\x41`, `\u00e9`, `\pL`, `\012`), skipped (a literal right after them is lost).
      if ("xpPu".includes(next) && chars[i + 1] === "{") {
        const close = chars.indexOf("}", i + 1);
        if (close < 0) return undefined;
        i = close;
      } else {
        while (i + 1 < chars.length && /^[0-9A-Za-z]$/.test(chars[i + 1]!)) i++;
      }
    } else if (c === "[") {
      end();
      i = classEnd(chars, i);
      if (i < 0) return undefined;
    } else if (c === "(") {
      end();
      depth++;
    } else if (c === ")") {
      end();
      depth--;
    } else if (c === "|") {
      if (depth === 0) return undefined;
    } else if (c === "*" || c === "?" || c === "+" || c === "{") {
      run.pop(); // the quantified character is optional (or counted): not part of the run
      end();
      if (c === "{") {
        // RE2 reads a `{` that does not open `{n}`, `{n,}` or `{n,m}` as itself: do not reason about it.
        const repeat = /^\{\d+(?:,\d*)?\}/.exec(chars.slice(i, i + 24).join(""));
        if (repeat === null) return undefined;
        i += repeat[0].length - 1;
      }
    } else if (c === "." || c === "^" || c === "$" || c === "]" || c === "}" || c === REPLACEMENT) {
      end();
    } else if (depth === 0) {
      run.push(c);
    }
  }
  end();
  // Any part of a required run is required too: keep within what literalTest searches itself.
  return best.length === 0 ? undefined : best.slice(0, MAX_FAST_LITERAL).join("");
}

/** The index of the `]` closing the class that opens at `start` (`[]a]`, `[^]a]`, `[[:alpha:]]`, `[\]]`); -1 if none. */
function classEnd(chars: readonly string[], start: number): number {
  let i = start + 1;
  if (chars[i] === "^") i++;
  if (chars[i] === "]") i++; // a `]` first in the class is a member
  for (; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === "\\") i++;
    else if (c === "[" && chars[i + 1] === ":") {
      const close = chars.findIndex((x, k) => k > i + 1 && x === ":" && chars[k + 1] === "]");
      if (close < 0) return -1;
      i = close + 1;
    } else if (c === "]") return i;
  }
  return -1;
}
