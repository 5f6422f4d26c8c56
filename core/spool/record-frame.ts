import { crc32 } from "./crc32";

/**
 * How a record is laid out in a segment file:
 *
 *   0  u32 LE  length of the data
 *   4  u32 LE  CRC-32 of bytes 8 .. 16+length (the seq and the data)
 *   8  u64 LE  seq
 *   16 data
 *
 * The seq inside the CRC tells a record from stale bytes that happen to look like one (a
 * tail of zeros after a crash has a length of 0 and a CRC of 0, which no seq from 1 on
 * matches), and a record that is not where its segment says it should be.
 */
export const FRAME_HEADER_BYTES = 16;

/** The largest data a frame holds (its length is a u32; a segment's offsets are u32 too). */
export const MAX_RECORD_BYTES = 0xffff_ffff - FRAME_HEADER_BYTES;

const TWO_32 = 2 ** 32;

export function frameBytes(dataBytes: number): number {
  return FRAME_HEADER_BYTES + dataBytes;
}

/** The frames of `records`, numbered from `firstSeq`, in one buffer (one write). */
export function encodeFrames(records: readonly Buffer[], firstSeq: number): Buffer {
  let total = 0;
  for (const r of records) total += FRAME_HEADER_BYTES + r.length;
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  let seq = firstSeq;
  for (const r of records) {
    out.writeUInt32LE(r.length, at);
    out.writeUInt32LE(seq % TWO_32, at + 8);
    out.writeUInt32LE(Math.floor(seq / TWO_32), at + 12);
    r.copy(out, at + FRAME_HEADER_BYTES);
    out.writeUInt32LE(crc32(out.subarray(at + 8, at + FRAME_HEADER_BYTES + r.length)), at + 4);
    at += FRAME_HEADER_BYTES + r.length;
    seq++;
  }
  return out;
}

/** Why a frame was not accepted. */
export type FrameFault = "short header" | "short record" | "bad CRC" | "wrong seq";

export interface FrameCheck {
  /** The frame's data (a view into `buf`) when the frame is whole and sound. */
  readonly data?: Buffer;
  readonly fault?: FrameFault;
}

/** Checks the frame at `offset` of `buf`, which should carry `seq`. */
export function checkFrame(buf: Buffer, offset: number, seq: number): FrameCheck {
  if (buf.length - offset < FRAME_HEADER_BYTES) return { fault: "short header" };
  const length = buf.readUInt32LE(offset);
  const end = offset + FRAME_HEADER_BYTES + length;
  if (end > buf.length) return { fault: "short record" };
  if (crc32(buf.subarray(offset + 8, end)) !== buf.readUInt32LE(offset + 4)) return { fault: "bad CRC" };
  const framed = buf.readUInt32LE(offset + 8) + buf.readUInt32LE(offset + 12) * TWO_32;
  if (framed !== seq) return { fault: "wrong seq" };
  return { data: buf.subarray(offset + FRAME_HEADER_BYTES, end) };
}

/** The sound frames at the start of `buf` (a whole segment), numbered from `firstSeq`, and where and why they stop. */
export interface FrameScan {
  /** The start of each sound frame, then the end of the last one. */
  readonly offsets: OffsetList;
  /** Set when the bytes after the last sound frame are not a frame. */
  readonly fault?: FrameFault;
}

export function scanFrames(buf: Buffer, firstSeq: number): FrameScan {
  const offsets = new OffsetList();
  let at = 0;
  for (let seq = firstSeq; at < buf.length; seq++) {
    const { data, fault } = checkFrame(buf, at, seq);
    if (data === undefined) return { offsets, fault };
    at += FRAME_HEADER_BYTES + data.length;
    offsets.push(at);
  }
  return { offsets };
}

/**
 * The byte offsets of a segment's frames: entry i is where record i starts, and the last
 * entry is where the last record ends (so a segment of n records has n + 1 entries, the first 0).
 * 4 bytes per record, so that a read or an ack finds any seq's place without scanning the file.
 */
export class OffsetList {
  private values = new Uint32Array(64);
  private size = 1; // values[0] = 0

  get length(): number {
    return this.size;
  }
  get last(): number {
    return this.values[this.size - 1]!;
  }
  at(i: number): number {
    if (i < 0 || i >= this.size) throw new RangeError(`offset ${i} of ${this.size}`);
    return this.values[i]!;
  }
  push(offset: number): void {
    if (this.size === this.values.length) {
      const grown = new Uint32Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.size++] = offset;
  }
  /** Keeps the first `length` entries. */
  truncate(length: number): void {
    this.size = Math.max(1, Math.min(this.size, length));
  }
}
