/**
 * Cuts the byte stream of one Livestatus connection into requests (docs/livestatus.md §1.1,
 * §1.3). TCP delivers arbitrary slices: several pipelined requests in one chunk, or one
 * request spread over many (byte by byte in the worst case), so the framer keeps the bytes
 * of the request in progress and hands out each request as soon as its blank line arrives.
 *
 * Rules:
 * - A request is a block of LF-terminated lines ending at the first empty line, or at EOF
 *   (end()) when the client half-closes without the blank line.
 * - Each line is right-stripped of ASCII whitespace (a trailing `\r` from CRLF clients, and
 *   trailing blanks, as Checkmk right-strips every line). A line that is empty after that
 *   (`\r`, spaces) therefore counts as the empty line: a CRLF client's `\r\n\r\n` ends its
 *   request instead of hanging the connection.
 * - Empty lines before a request (the extra `\n` after a COMMAND, keep-alive gaps) are skipped.
 * - Lines are split on the LF byte before decoding (UTF-8 never uses 0x0A inside a
 *   multi-byte character), and each complete request is decoded once, strictly.
 *
 * Errors are results, not exceptions, so the server answers them in order after the
 * requests that came before them in the same chunk:
 * - `too-large` (413): the request in progress grew past maxRequestBytes. The stream cannot
 *   be resynchronised (we do not know where that request ends), so the framer stops: later
 *   feeds return nothing and nothing more is buffered. The server answers and closes.
 *   413 rather than 400 because Checkmk's table gives 413 to "limit exceeded"; no client
 *   distinguishes the two, both are "not 200".
 * - `invalid-utf8` (400): the request is delimited correctly but is not UTF-8. Framing is
 *   still in sync, so the framer carries on; the lossy `lines` let the server see
 *   ResponseHeader/KeepAlive and log the request. Since KeepAlive was not understood, the
 *   server should answer and close.
 */
import { TextDecoder } from "node:util";
import { LivestatusError } from "./livestatus-error";

export const DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024;

export interface RequestFramerOptions {
  /**
   * Most bytes one request may take, from its first byte to the LF of its blank line,
   * included. Leading blank lines do not count. Default 1 MiB.
   */
  readonly maxRequestBytes?: number;
}

export interface FramedRequest {
  readonly kind: "request";
  /** The request's lines, right-stripped, without the blank line; lines[0] is the request line. */
  readonly lines: readonly string[];
}

export interface RequestTooLarge {
  readonly kind: "too-large";
  /** Status 413, with the message for the client. */
  readonly error: LivestatusError;
  readonly maxRequestBytes: number;
}

export interface InvalidUtf8Request {
  readonly kind: "invalid-utf8";
  /** Status 400, with the message for the client. */
  readonly error: LivestatusError;
  /** The lines decoded with U+FFFD replacements: for logging and for seeing fixed16. */
  readonly lines: readonly string[];
}

export type FramerEvent = FramedRequest | RequestTooLarge | InvalidUtf8Request;

const LF = 0x0a;
const EMPTY = Buffer.alloc(0);
const MIN_CAPACITY = 256;
const KEEP_CAPACITY = 16 * 1024;

/** ASCII whitespace as C isspace() sees it, minus LF: space, \t, \v, \f, \r (undefined, past a buffer's end: not blank). */
function isBlankByte(b: number | undefined): boolean {
  return b !== undefined && (b === 0x20 || (b >= 0x09 && b <= 0x0d));
}

function isBlankCode(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** trimEnd() would also strip Unicode spaces (NBSP, U+2028); Livestatus only strips ASCII. */
function rightStrip(line: string): string {
  let end = line.length;
  while (end > 0 && isBlankCode(line.charCodeAt(end - 1))) end--;
  return end === line.length ? line : line.slice(0, end);
}

function splitLines(text: string): string[] {
  const lines: string[] = [];
  for (const raw of text.split("\n")) {
    const line = rightStrip(raw);
    // Only the blank terminator (and a whitespace tail at EOF) can be empty here.
    if (line !== "") lines.push(line);
  }
  return lines;
}

// Stateless between calls (no {stream: true}), so one instance serves every framer.
// fatal: invalid UTF-8 throws instead of silently becoming U+FFFD.
const strictDecoder = new TextDecoder("utf-8", { fatal: true });
const lossyDecoder = new TextDecoder("utf-8");

export class RequestFramer {
  private readonly maxRequestBytes: number;
  /**
   * Bytes of the request in progress, copied out of the chunks they came in, in one growable
   * buffer: a list of chunks would cost an object per chunk, and a client dribbling a request
   * byte by byte would make that a million objects for 1 MiB. Capacity never exceeds the cap.
   */
  private pending: Buffer = EMPTY;
  private pendingBytes = 0;
  /** The current line has a non-blank byte (so its LF does not end the request). */
  private lineHasContent = false;
  /** The request in progress has at least one complete non-blank line. */
  private requestHasContent = false;
  /** Set by a too-large request: the stream is out of sync, ignore the rest. */
  private stopped = false;

  constructor(options: RequestFramerOptions = {}) {
    const max = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new RangeError(`maxRequestBytes must be a positive integer, got ${max}`);
    }
    this.maxRequestBytes = max;
  }

  /** Bytes held for the request in progress (never more than maxRequestBytes). */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  /** True while part of a request (a non-blank byte) has come and its end not yet: blank lines between requests do not count. */
  get inRequest(): boolean {
    return !this.stopped && (this.requestHasContent || this.lineHasContent);
  }

  /** True once a too-large request stopped the framer. */
  get isStopped(): boolean {
    return this.stopped;
  }

  /** Takes the next slice of the stream; returns the requests (and errors) it completed, in order. */
  feed(chunk: Buffer): FramerEvent[] {
    const events: FramerEvent[] = [];
    if (this.stopped) return events;
    const n = chunk.length;
    let start = 0; // first byte of `chunk` that belongs to the request in progress
    let i = 0;
    while (i < n) {
      if (!this.lineHasContent) {
        // Walk the blanks at the start of a line byte by byte: they decide whether its LF ends the request.
        const b = chunk[i];
        if (b === LF) {
          if (this.requestHasContent) {
            const event = this.complete(chunk.subarray(start, i + 1));
            events.push(event);
            if (event.kind === "too-large") return events;
          } else {
            this.discardPending(); // blank line before any request line
          }
          i++;
          start = i;
          continue;
        }
        if (isBlankByte(b)) {
          i++;
          continue;
        }
        this.lineHasContent = true;
      }
      // A line with content: jump to its LF (indexOf is native, no per-byte JS loop).
      const nl = chunk.indexOf(LF, i);
      if (nl === -1) break;
      this.lineHasContent = false;
      this.requestHasContent = true;
      i = nl + 1;
      // Stop early on a huge chunk instead of scanning megabytes of one oversized request.
      if (this.pendingBytes + (i - start) > this.maxRequestBytes) {
        events.push(this.tooLarge());
        return events;
      }
    }
    if (start < n) {
      if (this.pendingBytes + (n - start) > this.maxRequestBytes) {
        events.push(this.tooLarge());
        return events;
      }
      // Copied: keeping a subarray would pin the whole (possibly large, possibly reused) chunk.
      this.append(chunk.subarray(start));
    }
    return events;
  }

  /**
   * The client closed its side: a pending request with at least a first line is complete
   * (docs/livestatus.md §1.1: EOF ends a request). Returns undefined when nothing but blanks was
   * pending, or after a too-large error. The framer is empty afterwards.
   */
  end(): FramerEvent | undefined {
    if (this.stopped) return undefined;
    if (!this.requestHasContent && !this.lineHasContent) {
      this.discardPending();
      return undefined;
    }
    return this.takePending();
  }

  private complete(last: Buffer): FramerEvent {
    if (this.pendingBytes + last.length > this.maxRequestBytes) return this.tooLarge();
    // A request that arrived in one chunk is decoded straight from it, without a copy.
    if (this.pendingBytes === 0) {
      this.discardPending();
      return decode(last);
    }
    this.append(last);
    return this.takePending();
  }

  /** Decodes the pending bytes (decoding copies them into strings) and resets for the next request. */
  private takePending(): FramerEvent {
    const event = decode(this.pending.subarray(0, this.pendingBytes));
    this.discardPending();
    return event;
  }

  /** Callers have checked the cap, so the buffer never grows past maxRequestBytes. */
  private append(bytes: Buffer): void {
    const needed = this.pendingBytes + bytes.length;
    if (needed > this.pending.length) {
      const capacity = Math.min(this.maxRequestBytes, Math.max(needed, this.pending.length * 2, MIN_CAPACITY));
      const grown = Buffer.allocUnsafe(capacity);
      this.pending.copy(grown, 0, 0, this.pendingBytes);
      this.pending = grown;
    }
    bytes.copy(this.pending, this.pendingBytes);
    this.pendingBytes = needed;
  }

  private discardPending(): void {
    // Keep a small buffer for the next request of a keep-alive session, free a big one.
    if (this.pending.length > KEEP_CAPACITY) this.pending = EMPTY;
    this.pendingBytes = 0;
    this.lineHasContent = false;
    this.requestHasContent = false;
  }

  private tooLarge(): RequestTooLarge {
    this.discardPending();
    this.pending = EMPTY; // nothing more will be buffered
    this.stopped = true;
    return {
      kind: "too-large",
      error: new LivestatusError(413, `Request too large: more than ${this.maxRequestBytes} bytes`),
      maxRequestBytes: this.maxRequestBytes,
    };
  }
}

function decode(bytes: Buffer): FramerEvent {
  let text: string;
  try {
    text = strictDecoder.decode(bytes);
  } catch {
    return {
      kind: "invalid-utf8",
      error: new LivestatusError(400, "Invalid request: not valid UTF-8"),
      lines: splitLines(lossyDecoder.decode(bytes)),
    };
  }
  return { kind: "request", lines: splitLines(text) };
}
