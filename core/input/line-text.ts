/** Decoding a framed line: shared by the inputs that read lines (line socket, FIFOs). */

/** Fatal: a bad byte rejects the line instead of becoming U+FFFD. Without `stream`, each call is independent. */
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The line as text, or undefined when it is not valid UTF-8. */
export function decodeLine(line: Buffer): string | undefined {
  try {
    return decoder.decode(line);
  } catch {
    return undefined;
  }
}

/** Offset of the first byte that is not a blank; the line's length when it is all blanks. */
export function skipBlanks(line: Buffer): number {
  let start = 0;
  while (start < line.length && isBlank(line[start]!)) start++;
  return start;
}

function isBlank(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0d || byte === 0x0b || byte === 0x0c;
}
