import type { Readable } from "node:stream";

/**
 * Listens to `stream` and calls `onLine` with each complete line (without its `\n`), a
 * partial one kept until its end comes. Returns the listener, for `stream.off("data", ...)`.
 */
export function eachLine(stream: Readable, encoding: BufferEncoding, onLine: (line: string) => void): (chunk: Buffer) => void {
  let partial = "";
  const listener = (chunk: Buffer): void => {
    partial += chunk.toString(encoding);
    let nl: number;
    while ((nl = partial.indexOf("\n")) >= 0) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      onLine(line);
    }
  };
  stream.on("data", listener);
  return listener;
}
