/** What `LineFramer.next()` returns for a line over the limit (it has been discarded). */
export const TOO_LONG: unique symbol = Symbol("line too long");

/**
 * Splits a byte stream into lines on 0x0A, before any decoding, so that a multi-byte
 * character split across TCP packets is whole again (docs/inputs.md §0). One trailing `\r` is
 * stripped, and a UTF-8 BOM at the very start of the stream. A line longer than
 * `maxLineBytes` is reported once as TOO_LONG and skipped up to its `\n`: the bytes kept
 * for an unfinished line never exceed `maxLineBytes`, whatever the peer sends.
 *
 * Chunks are queued and lines pulled one at a time with `next()`, so the reader can stop
 * between two lines (the sink paused) and pick up later without losing or copying data.
 */
export class LineFramer {
  private readonly chunks: Buffer[] = [];
  /** Read position in chunks[0]. */
  private pos = 0;
  /** Pieces of a line whose `\n` has not arrived yet (copies, so no chunk stays pinned). */
  private partial: Buffer[] = [];
  private partialBytes = 0;
  /** Inside an over-long line: skipping to its `\n`. */
  private discarding = false;
  private atStart = true;
  /** The bytes of the line seen when it was found too long (for the reason). */
  discardedBytes = 0;

  constructor(readonly maxLineBytes: number) {}

  push(chunk: Buffer): void {
    if (chunk.length > 0) this.chunks.push(chunk);
  }

  /**
   * The next complete line (without `\n` and one `\r`; a view into the received bytes,
   * valid until the next push), TOO_LONG, or undefined when no complete line is buffered.
   */
  next(): Buffer | typeof TOO_LONG | undefined {
    for (;;) {
      const chunk = this.chunks[0];
      if (chunk === undefined) return undefined;
      const nl = chunk.indexOf(0x0a, this.pos);
      if (this.discarding) {
        if (nl < 0) this.shift();
        else {
          this.discarding = false;
          this.advance(chunk, nl + 1);
        }
        continue;
      }
      if (nl < 0) {
        const rest = chunk.length - this.pos;
        if (this.partialBytes + rest > this.maxLineBytes) return this.tooLong(this.partialBytes + rest, true);
        this.partial.push(Buffer.from(chunk.subarray(this.pos)));
        this.partialBytes += rest;
        this.shift();
        continue;
      }
      const length = this.partialBytes + nl - this.pos;
      if (length > this.maxLineBytes) {
        this.advance(chunk, nl + 1);
        return this.tooLong(length, false);
      }
      let line: Buffer;
      if (this.partialBytes === 0) line = chunk.subarray(this.pos, nl);
      else {
        this.partial.push(chunk.subarray(this.pos, nl));
        line = Buffer.concat(this.partial, length);
        this.partial = [];
        this.partialBytes = 0;
      }
      this.advance(chunk, nl + 1);
      return this.finish(line);
    }
  }

  /**
   * At the end of the stream: the unterminated last line (with `\r` and BOM handling), or
   * undefined. Call it once `next()` returned undefined.
   */
  takeTail(): Buffer | undefined {
    if (this.partialBytes === 0 || this.discarding) return undefined;
    const tail = Buffer.concat(this.partial, this.partialBytes);
    this.partial = [];
    this.partialBytes = 0;
    return this.finish(tail);
  }

  /**
   * Forgets the unfinished line received so far (and an over-long one being skipped): what
   * comes next starts a new line. For a FIFO, whose writers cannot be told apart, when a
   * writer stopped mid-line (fifo-reader.ts). Returns the bytes dropped.
   */
  dropPartial(): number {
    const dropped = this.partialBytes;
    this.partial = [];
    this.partialBytes = 0;
    this.discarding = false;
    return dropped;
  }

  /** Bytes held that are not yet returned as lines (queued chunks and the unfinished line). */
  get bufferedBytes(): number {
    let n = this.partialBytes - this.pos;
    for (const c of this.chunks) n += c.length;
    return n;
  }

  /** Bytes of the unfinished line, when nothing else is queued. */
  get partialLength(): number {
    return this.partialBytes;
  }

  private finish(line: Buffer): Buffer {
    let end = line.length;
    if (end > 0 && line[end - 1] === 0x0d) end--;
    let start = 0;
    if (this.atStart) {
      this.atStart = false;
      if (end >= 3 && line[0] === 0xef && line[1] === 0xbb && line[2] === 0xbf) start = 3;
    }
    return start === 0 && end === line.length ? line : line.subarray(start, end);
  }

  private tooLong(seen: number, skipToNewline: boolean): typeof TOO_LONG {
    this.partial = [];
    this.partialBytes = 0;
    this.atStart = false;
    this.discardedBytes = seen;
    if (skipToNewline) {
      this.discarding = true;
      this.shift();
    }
    return TOO_LONG;
  }

  private advance(chunk: Buffer, pos: number): void {
    if (pos >= chunk.length) this.shift();
    else this.pos = pos;
  }

  private shift(): void {
    this.chunks.shift();
    this.pos = 0;
  }
}
