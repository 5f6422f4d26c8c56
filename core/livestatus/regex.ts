/**
 * Regular expressions from filter operands (livestatus.md §3.3). Checkmk uses RE2, which
 * cannot backtrack; JavaScript's engine can, so a hostile pattern like `(a+)+$` could pin
 * the event loop. The length cap bounds what a client can send; the patterns real clients
 * use (`^web`, `HOST-000[12]`, `disk full`) are short.
 */
import { LivestatusError } from "./livestatus-error";

export const MAX_REGEX_LENGTH = 1000;

/**
 * Compiles `pattern` once for a whole query. No `g` flag (`test()` must not keep state
 * between rows) and no `u` flag: unicode mode rejects escapes RE2 accepts, such as `\-`
 * outside a class. `context` is the header name used in error messages (`Filter`, `Stats`).
 */
export function compileRegex(pattern: string, ignoreCase: boolean, context: string): RegExp {
  if (pattern.length > MAX_REGEX_LENGTH) {
    throw new LivestatusError(400, `${context}: regular expression too long (${pattern.length} characters, at most ${MAX_REGEX_LENGTH})`);
  }
  try {
    return new RegExp(pattern, ignoreCase ? "i" : "");
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new LivestatusError(400, `${context}: invalid regular expression '${pattern}': ${reason}`);
  }
}
