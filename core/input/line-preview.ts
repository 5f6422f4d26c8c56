import { isUtf8 } from "node:buffer";

const PREVIEW_BYTES = 200;

/**
 * The first 200 bytes of a line, for the log: readable text with control characters and
 * backslashes escaped, or, when the bytes are not UTF-8, non-ASCII bytes as \xNN.
 */
export function preview(line: Buffer): string {
  let end = Math.min(line.length, PREVIEW_BYTES);
  // Do not cut a character in two.
  if (end < line.length) while (end > PREVIEW_BYTES - 3 && (line[end]! & 0xc0) === 0x80) end--;
  const slice = line.subarray(0, end);
  let text = "";
  if (isUtf8(slice)) text = slice.toString("utf8").replace(/[\u0000-\u001f\u007f\\]/g, escapeChar);
  else for (const b of slice) text += b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : escapeChar(String.fromCharCode(b));
  return end < line.length ? `${text}...` : text;
}

function escapeChar(c: string): string {
  switch (c) {
    case "\\":
      return "\\\\";
    case "\n":
      return "\\n";
    case "\r":
      return "\\r";
    case "\t":
      return "\\t";
    default:
      return `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
  }
}
