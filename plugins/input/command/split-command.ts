/**
 * Splits a command line into its words as a POSIX shell would for a simple command, without
 * running a shell (the original Tantale client used Python's shlex.split): blanks separate
 * words; '...' keeps everything literally; "..." keeps blanks and takes \" \\ \$ \` as
 * escapes; a backslash outside quotes escapes the next character. No variables, globs, pipes
 * or redirections: a check that needs them runs `sh -c '...'`. Returns the words, or why the
 * line cannot be split (an unclosed quote, a trailing backslash, nothing to run).
 */
export function splitCommand(line: string): { ok: true; argv: string[] } | { ok: false; reason: string } {
  const argv: string[] = [];
  let word = "";
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === " " || c === "\t" || c === "\n") {
      if (inWord) argv.push(word);
      word = "";
      inWord = false;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return { ok: false, reason: "unclosed single quote" };
      word += line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === "\\" && j + 1 < line.length && '"\\$`'.includes(line[j + 1]!)) j++;
        word += line.charAt(j);
      }
      if (j >= line.length) return { ok: false, reason: "unclosed double quote" };
      i = j;
    } else if (c === "\\") {
      if (i + 1 >= line.length) return { ok: false, reason: "a backslash ends the line" };
      word += line.charAt(++i);
    } else word += c;
  }
  if (inWord) argv.push(word);
  if (argv.length === 0) return { ok: false, reason: "no command" };
  return { ok: true, argv };
}
