/**
 * Frames a Livestatus answer for the wire (docs/livestatus.md §1.2). The result is one Buffer
 * because the server writes each answer that fits the socket buffer with a single write()
 * (a split answer costs clients a round trip); a larger one goes out in pieces
 * (answer-output.ts), after fixed16Header.
 */

/** `ResponseHeader: fixed16` is exactly this many bytes: `%3d %11d\n`. */
export const FIXED16_HEADER_BYTES = 16;

/** The widest body length `%11d` can show; Buffers that large cannot exist anyway. */
const MAX_BODY_BYTES = 99_999_999_999;

/**
 * @param status the 3-digit status code (200, 400, 404, ...).
 * @param body the rendered body, or errorBody(message) for an error.
 * @param fixed16 whether the request asked for `ResponseHeader: fixed16`; without it the
 *   answer is the bare body (the client reads to EOF), errors included.
 */
export function frameResponse(status: number, body: string, fixed16: boolean): Buffer {
  if (!fixed16) return Buffer.from(body, "utf8");
  // The length field counts UTF-8 bytes, not UTF-16 code units: "café" is 5, not 4.
  const bodyBytes = Buffer.byteLength(body, "utf8");
  const header = fixed16Header(status, bodyBytes);
  // One allocation, header and body encoded straight into it (no concat copy).
  const out = Buffer.allocUnsafe(FIXED16_HEADER_BYTES + bodyBytes);
  out.write(header, 0, "latin1");
  out.write(body, FIXED16_HEADER_BYTES, "utf8");
  return out;
}

/**
 * The `%3d %11d\n` line before a body of `bodyBytes` UTF-8 bytes; for an answer written in
 * pieces, whose length is summed over the pieces.
 */
export function fixed16Header(status: number, bodyBytes: number): string {
  if (!Number.isInteger(status) || status < 100 || status > 999) {
    throw new RangeError(`frameResponse: status must be a 3-digit code, got ${status}`);
  }
  if (bodyBytes > MAX_BODY_BYTES) throw new RangeError(`frameResponse: body of ${bodyBytes} bytes does not fit %11d`);
  return String(status) + " " + String(bodyBytes).padStart(11, " ") + "\n";
}

/**
 * The body of an error answer: the one-line message plus `\n`, as Checkmk sends it (Icinga 2
 * omits the newline). Tantale sends it with or without fixed16 so plain clients see why.
 */
export function errorBody(message: string): string {
  return message + "\n";
}
