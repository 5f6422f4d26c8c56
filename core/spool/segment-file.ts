import fs from "node:fs/promises";
import path from "node:path";
import { OffsetList } from "./record-frame";

/**
 * A segment: one append-only file of frames (record-frame.ts), named by the seq of its
 * first record, zero-padded so that names sort as seqs do. Its records are numbered
 * firstSeq, firstSeq + 1, ... in file order.
 */
export class Segment {
  constructor(
    readonly file: string,
    readonly firstSeq: number,
    /** Where each record starts, then where the last one ends (see OffsetList). */
    readonly offsets: OffsetList = new OffsetList(),
  ) {}

  get count(): number {
    return this.offsets.length - 1;
  }
  /** firstSeq - 1 when the segment holds no record. */
  get lastSeq(): number {
    return this.firstSeq + this.count - 1;
  }
  /** Bytes of its sound records (a file being cut may hold more). */
  get size(): number {
    return this.offsets.last;
  }
  /** The index of record `seq` (which must be in this segment). */
  indexOf(seq: number): number {
    return seq - this.firstSeq;
  }
  /** Bytes (framing included) of the records from index `from` to `to`, `to` excluded. */
  bytes(from: number, to: number): number {
    return this.offsets.at(to) - this.offsets.at(from);
  }
}

const SUFFIX = ".seg";
const DIGITS = 16; // Number.MAX_SAFE_INTEGER has 16 digits

export function segmentFile(dir: string, firstSeq: number): string {
  return path.join(dir, `${String(firstSeq).padStart(DIGITS, "0")}${SUFFIX}`);
}

/** The first seqs of the segment files in `dir`, in order (other files are left alone). */
export async function listSegments(dir: string): Promise<number[]> {
  const seqs: number[] = [];
  for (const name of await fs.readdir(dir)) {
    const m = /^(\d{16})\.seg$/.exec(name);
    if (m !== null && Number(m[1]) > 0) seqs.push(Number(m[1]));
  }
  return seqs.sort((a, b) => a - b);
}

/**
 * Creates a segment's file for appending (and reading back what was appended), with the
 * data dir's file mode whatever the umask. Fails if the file exists: a seq is never
 * written twice.
 */
export async function createSegmentFile(file: string, mode: number): Promise<fs.FileHandle> {
  const handle = await fs.open(file, "ax+", mode);
  try {
    await handle.chmod(mode); // open's mode is filtered by the umask
  } catch (err) {
    await handle.close();
    throw err;
  }
  return handle;
}

/** Bytes `from` to `to` of `file`, through `handle` when the file is open already. */
export async function readRange(file: string, from: number, to: number, handle?: fs.FileHandle): Promise<Buffer> {
  const own = handle ?? (await fs.open(file, "r"));
  try {
    const buf = Buffer.allocUnsafe(to - from);
    let got = 0;
    while (got < buf.length) {
      const { bytesRead } = await own.read(buf, got, buf.length - got, from + got);
      if (bytesRead === 0) throw new Error(`${file} ends at ${from + got}, before ${to}`);
      got += bytesRead;
    }
    return buf;
  } finally {
    if (handle === undefined) await own.close();
  }
}

/** Writes all of `buf` at the end of the file (a short write is continued, not lost). */
export async function appendAll(handle: fs.FileHandle, buf: Buffer): Promise<void> {
  for (let at = 0; at < buf.length; ) {
    const { bytesWritten } = await handle.write(buf, at, buf.length - at, null);
    at += bytesWritten;
  }
}

/** Cuts `file` to `size` bytes and makes the cut durable. */
export async function truncateFile(file: string, size: number): Promise<void> {
  const handle = await fs.open(file, "r+");
  try {
    await handle.truncate(size);
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/** Makes the folder's entries (a file created, renamed) durable. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
