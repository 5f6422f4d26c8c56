/** A plugin's output split the way Nagios splits it (`parse_check_output()` in base/checks.c). */
export interface PluginOutput {
  /** Line 1 up to the first `|`, trimmed. */
  readonly output: string;
  /** Lines 2..n up to the line that holds a `|`, joined with `\n`. */
  readonly longOutput: string;
  /** Everything after the first `|` of line 1, after the `|` of the long-output line and every later line, joined with single spaces. */
  readonly perfData: string;
}

/**
 * Splits plugin output into output, long output and perfdata (docs/inputs.md 1.4 and 2.1):
 * `TEXT | PERF\nLONG 1\nLONG 2 | PERF 2\nPERF 3`. Unlike Nagios' strtok, a line 1 that
 * starts with `|` gives an empty output rather than taking the perfdata as output, and
 * trailing newlines are dropped from the long output (a plugin's stdout usually ends in one).
 */
export function splitPluginOutput(text: string): PluginOutput {
  const nl = text.indexOf("\n");
  // The common case, one line: no array, no join.
  if (nl < 0) {
    const bar = text.indexOf("|");
    if (bar < 0) return { output: text.trim(), longOutput: "", perfData: "" };
    return { output: text.slice(0, bar).trim(), longOutput: "", perfData: text.slice(bar + 1).trim() };
  }
  const first = text.slice(0, nl);
  const bar = first.indexOf("|");
  const output = (bar < 0 ? first : first.slice(0, bar)).trim();
  const perf: string[] = [];
  if (bar >= 0) pushPerf(perf, first.slice(bar + 1));

  let longOutput = "";
  let start = nl + 1;
  let inPerf = false;
  while (start <= text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    if (inPerf) pushPerf(perf, line);
    else {
      const b = line.indexOf("|");
      const part = b < 0 ? line : line.slice(0, b);
      longOutput = start === nl + 1 ? part : `${longOutput}\n${part}`;
      if (b >= 0) {
        pushPerf(perf, line.slice(b + 1));
        inPerf = true;
      }
    }
    start = end + 1;
  }
  return { output, longOutput: trimNewlines(longOutput), perfData: perf.join(" ") };
}

function pushPerf(perf: string[], part: string): void {
  const p = part.trim();
  if (p !== "") perf.push(p);
}

function trimNewlines(s: string): string {
  let end = s.length;
  while (end > 0 && (s.charCodeAt(end - 1) === 10 || s.charCodeAt(end - 1) === 13)) end--;
  return end === s.length ? s : s.slice(0, end);
}

/**
 * Undoes the escaping of the Nagios command pipe (`unescape_check_result_output`): `\n`
 * becomes a newline and `\\` a backslash. Any other `\x` stays as the two characters.
 */
export function unescapeNagios(text: string): string {
  let i = text.indexOf("\\");
  if (i < 0) return text;
  let out = "";
  let from = 0;
  while (i >= 0 && i + 1 < text.length) {
    const next = text.charCodeAt(i + 1);
    if (next === 0x6e /* n */ || next === 0x5c /* \ */) {
      out += text.slice(from, i) + (next === 0x6e ? "\n" : "\\");
      from = i + 2;
      i = text.indexOf("\\", from);
    } else i = text.indexOf("\\", i + 1);
  }
  return out + text.slice(from);
}
