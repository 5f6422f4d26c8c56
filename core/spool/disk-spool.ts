import fs from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { dataModes, ensureDir, type DataModes } from "../daemon/data-access";
import { describeError, TantaleError } from "../errors";
import type { Logger } from "../log/logger";
import { readAckState, removeStaleTemp, writeAckState } from "./ack-state";
import { checkFrame, encodeFrames, frameBytes, MAX_RECORD_BYTES, scanFrames, type FrameFault } from "./record-frame";
import { appendAll, createSegmentFile, listSegments, readRange, Segment, segmentFile, syncDir, truncateFile } from "./segment-file";
import type { Spool, SpoolDrop, SpoolOptions, SpoolRecord } from "./spool";

/** A spool that cannot do what was asked; the message names its folder. */
export class SpoolError extends TantaleError {
  constructor(
    readonly dir: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`spool ${dir}: ${message}`, options);
  }
}

/** The segment being appended to. */
interface ActiveSegment {
  readonly segment: Segment;
  readonly handle: FileHandle;
  /** A write or fsync failed: the next append starts a new segment rather than trust this file. */
  broken: boolean;
}

/** Appends written together: the records of every call, in call order, and the promise they share. */
interface AppendGroup {
  readonly records: Buffer[];
  done: Promise<void>;
}

/** Drops of one append, reported once. */
class DropTally {
  records = 0;
  bytes = 0;
  firstSeq = Infinity;
  lastSeq = 0;
  add(records: number, bytes: number, firstSeq: number, lastSeq: number): void {
    if (records === 0) return;
    this.records += records;
    this.bytes += bytes;
    this.firstSeq = Math.min(this.firstSeq, firstSeq);
    this.lastSeq = Math.max(this.lastSeq, lastSeq);
  }
}

/**
 * The Spool on disk: segment files of framed records (segment-file.ts, record-frame.ts) and
 * the ack position (ack-state.ts) in one folder:
 *
 *   0000000000000001.seg  0000000000004097.seg  ...  acked.json
 *
 * (An operator who wants to discard what a stopped Tantale spooled removes the folder.) Every operation runs in turn on one queue
 * (one writer; a read never sees a segment being cut or deleted under it). The index of
 * every pending record (4 bytes each) is kept in memory, built by the scan at open.
 * One process per folder: nothing here locks it (the daemon's pid file does).
 */
export class DiskSpool implements Spool {
  private readonly modes: DataModes;
  /** Oldest first; the last one may be the active one. */
  private readonly segments: Segment[] = [];
  private active: ActiveSegment | undefined;
  /** Records up to this seq are gone (acknowledged or dropped). */
  private acked = 0;
  private nextSeq = 1;
  private records = 0;
  private bytes = 0;
  /** Written since the last fsync of the active segment. */
  private dirty = false;
  private queue: Promise<unknown> = Promise.resolve();
  private closing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** The appends queued behind the operation in progress, not started yet: a new append joins them. */
  private waitingAppend: AppendGroup | undefined;

  private constructor(
    private readonly options: SpoolOptions,
    private readonly log: Logger,
  ) {
    this.modes = dataModes(options.dataAccess ?? "private");
  }

  /** Opens the spool in `options.dir` (created if missing), checking every segment; see recover(). */
  static async open(options: SpoolOptions, log: Logger): Promise<DiskSpool> {
    validate(options);
    const spool = new DiskSpool(options, log);
    try {
      await spool.recover();
    } catch (err) {
      if (err instanceof SpoolError) throw err;
      throw new SpoolError(options.dir, `cannot open: ${describeError(err)}`, { cause: err });
    }
    if (options.fsync === "interval") {
      spool.timer = setInterval(() => spool.flushOnTimer(), options.fsyncIntervalMs);
      spool.timer.unref(); // a pending flush must not keep the process alive
    }
    return spool;
  }

  get pendingRecords(): number {
    return this.records;
  }

  get pendingBytes(): number {
    return this.bytes;
  }

  append(records: readonly Buffer[]): Promise<void> {
    for (const r of records) {
      const framed = frameBytes(r.length);
      if (framed > this.options.maxBytes || r.length > MAX_RECORD_BYTES)
        return Promise.reject(new SpoolError(this.dir, `a record of ${r.length} bytes (${framed} framed) is larger than the spool's cap of ${this.options.maxBytes} bytes; none of the ${records.length} records appended`));
    }
    if (this.closing !== undefined) return Promise.reject(this.closedError());
    // Group commit: appends called while the writer is busy go out together, in their order, in one write and one fsync.
    const waiting = this.waitingAppend;
    if (waiting !== undefined) {
      for (const r of records) waiting.records.push(r);
      return waiting.done;
    }
    const group: AppendGroup = { records: [...records], done: Promise.resolve() };
    group.done = this.serial(() => {
      if (this.waitingAppend === group) this.waitingAppend = undefined;
      return this.appendInTurn(group.records);
    });
    this.waitingAppend = group; // after serial(), which ends the previous group
    return group.done;
  }

  read(options: { readonly after?: number; readonly maxRecords: number; readonly maxBytes?: number }): Promise<readonly SpoolRecord[]> {
    return this.serial(() => this.readInTurn(options.after ?? 0, options.maxRecords, options.maxBytes ?? Infinity));
  }

  ack(seq: number): Promise<void> {
    if (!Number.isSafeInteger(seq)) return Promise.reject(new SpoolError(this.dir, `cannot acknowledge seq ${seq}: not an integer`));
    return this.serial(() => this.ackInTurn(seq));
  }

  close(): Promise<void> {
    this.closing ??= this.closeInTurn();
    return this.closing;
  }

  private closedError(): SpoolError {
    return new SpoolError(this.dir, "used after close()");
  }

  private get dir(): string {
    return this.options.dir;
  }

  /** Runs `op` after every operation asked before it; refused once close() was called. */
  private serial<T>(op: () => Promise<T>): Promise<T> {
    if (this.closing !== undefined) return Promise.reject(this.closedError());
    this.waitingAppend = undefined; // an append asked after this op must not join a group that runs before it
    const run = this.queue.then(op, op);
    this.queue = run.catch(() => undefined);
    return run;
  }

  // ---- open ----------------------------------------------------------------

  /**
   * Reads the ack position and scans every segment. A bad record at the end of the last
   * segment is a torn tail (the process was killed mid-write: nothing acknowledged to the
   * appender under fsync "always"); it is cut off with a warning. A bad record in an older
   * segment is damage: the rest of that segment is lost, logged and counted. Segments wholly
   * acknowledged (a crash between the ack and their deletion) and empty ones are deleted.
   */
  private async recover(): Promise<void> {
    const change = ensureDir(this.dir, this.modes.dir);
    if (change !== undefined) this.log.warn(`mode of ${change.path} changed from ${change.from} to ${change.to} (data_access = ${this.options.dataAccess ?? "private"})`, { ...change });
    await removeStaleTemp(this.dir);
    let state;
    try {
      state = await readAckState(this.dir);
    } catch (err) {
      // Written atomically, so this is outside damage: replaying everything is safe (consumers are idempotent), losing it is not.
      this.log.error(`spool ${this.dir}: unreadable ack position (${describeError(err)}): every record in the spool will be replayed`, { dir: this.dir });
    }
    this.acked = state?.acked ?? 0;

    const seqs = await listSegments(this.dir);
    for (let i = 0; i < seqs.length; i++) {
      const segment = new Segment(segmentFile(this.dir, seqs[i]!), seqs[i]!);
      const buf = await fs.readFile(segment.file);
      const scan = scanFrames(buf, segment.firstSeq);
      for (let k = 1; k < scan.offsets.length; k++) segment.offsets.push(scan.offsets.at(k));
      if (scan.fault !== undefined) {
        const nextFirst = seqs[i + 1];
        if (nextFirst === undefined) {
          this.log.warn(`spool ${this.dir}: torn tail of ${segment.file} cut at offset ${segment.size} (${buf.length - segment.size} bytes, ${scan.fault}): a write the process did not finish`, {
            file: segment.file,
            offset: segment.size,
            bytes: buf.length - segment.size,
            fault: scan.fault,
          });
        } else {
          this.reportCorrupt(segment, segment.size, scan.fault, buf.length - segment.size, nextFirst - 1);
        }
        await truncateFile(segment.file, segment.size); // counted once: the next open finds a sound file
      }
      if (segment.count === 0 || segment.lastSeq <= this.acked) {
        await fs.rm(segment.file, { force: true });
        continue;
      }
      this.segments.push(segment);
      const from = Math.max(segment.firstSeq, this.acked + 1);
      this.records += segment.lastSeq - from + 1;
      this.bytes += segment.bytes(segment.indexOf(from), segment.count);
    }
    const last = this.segments.at(-1);
    this.nextSeq = Math.max(this.acked + 1, last === undefined ? 1 : last.lastSeq + 1);
    // Appends go to a new segment (created with the first of them): the old ones stay as the scan found them.
  }

  /**
   * Logs records found unreadable at `offset` of `segment` (whose index now ends there) and
   * tells onDrop of those not acknowledged yet, up to `lastLostSeq`.
   */
  private reportCorrupt(segment: Segment, offset: number, fault: FrameFault, unreadableBytes: number, lastLostSeq: number): void {
    const firstSeq = Math.max(segment.lastSeq + 1, this.acked + 1);
    const records = Math.max(0, lastLostSeq - firstSeq + 1);
    this.log.error(
      `spool ${this.dir}: unreadable record at offset ${offset} of ${segment.file} (${fault}): the rest of the segment is skipped, ${records} records (${unreadableBytes} bytes) lost`,
      { file: segment.file, offset, fault, records, bytes: unreadableBytes },
    );
    if (records > 0) this.tellDrop({ reason: "corrupt", records, bytes: unreadableBytes, firstSeq, lastSeq: lastLostSeq });
  }

  private tellDrop(drop: SpoolDrop): void {
    try {
      this.options.onDrop?.(drop);
    } catch (err) {
      this.log.error(`spool ${this.dir}: onDrop failed: ${describeError(err)}`);
    }
  }

  // ---- append --------------------------------------------------------------

  private async appendInTurn(records: readonly Buffer[]): Promise<void> {
    const { segmentBytes } = this.options;
    const drops = new DropTally();
    try {
      // One write per segment touched: as many records as fit in the active one (at least one), then roll.
      for (let i = 0; i < records.length; ) {
        if (this.active !== undefined && (this.active.broken || (this.active.segment.size > 0 && this.active.segment.size + frameBytes(records[i]!.length) > segmentBytes))) await this.roll();
        const base = this.active?.segment.size ?? 0;
        let bytes = frameBytes(records[i]!.length);
        let j = i + 1;
        while (j < records.length && base + bytes + frameBytes(records[j]!.length) <= segmentBytes) bytes += frameBytes(records[j++]!.length);
        await this.makeRoom(bytes, drops);
        this.active ??= await this.startSegment();
        await this.write(this.active, records.slice(i, j), bytes);
        i = j;
      }
    } finally {
      if (drops.records > 0) {
        const { records: n, bytes, firstSeq, lastSeq } = drops;
        this.log.warn(`spool ${this.dir} full (cap ${this.options.maxBytes} bytes): dropped the oldest ${n} records (${bytes} bytes, seq ${firstSeq} to ${lastSeq})`, {
          dir: this.dir,
          records: n,
          bytes,
          firstSeq,
          lastSeq,
        });
        this.tellDrop({ reason: "cap", records: n, bytes, firstSeq, lastSeq });
      }
    }
  }

  /** Deletes the oldest segments until `bytes` more fit under the cap (rolling the active one first if it must go too). */
  private async makeRoom(bytes: number, drops: DropTally): Promise<void> {
    const doomed: Segment[] = [];
    let pending = this.bytes;
    for (const segment of this.segments) {
      if (pending + bytes <= this.options.maxBytes) break;
      doomed.push(segment);
      pending -= this.pendingIn(segment).bytes;
    }
    if (doomed.length === 0) return;
    if (this.active !== undefined && doomed.includes(this.active.segment)) await this.roll();
    for (const segment of doomed) {
      const { records, bytes: dropped, firstSeq } = this.pendingIn(segment);
      drops.add(records, dropped, firstSeq, segment.lastSeq);
      this.records -= records;
      this.bytes -= dropped;
    }
    // Dropped records count as gone: the position moves past them before their files go, so a restart neither replays nor renumbers them.
    this.acked = Math.max(this.acked, doomed.at(-1)!.lastSeq);
    await this.saveAcked();
    await this.deleteSegments(doomed);
  }

  private async startSegment(): Promise<ActiveSegment> {
    const segment = new Segment(segmentFile(this.dir, this.nextSeq), this.nextSeq);
    const handle = await createSegmentFile(segment.file, this.modes.file);
    this.segments.push(segment);
    if (this.options.fsync !== "never") await syncDir(this.dir); // the file's name must survive a power loss with its records
    return { segment, handle, broken: false };
  }

  private async write(active: ActiveSegment, records: readonly Buffer[], bytes: number): Promise<void> {
    const { segment, handle } = active;
    const before = segment.size;
    const frames = encodeFrames(records, this.nextSeq);
    try {
      await appendAll(handle, frames);
      if (this.options.fsync === "always") await handle.datasync();
    } catch (err) {
      // Half a batch on disk would read as damage after a restart: take it back, and write on in a new file.
      active.broken = true;
      await handle.truncate(before).catch(() => undefined);
      throw new SpoolError(this.dir, `cannot append ${records.length} records to ${segment.file}: ${describeError(err)}`, { cause: err });
    }
    let at = before;
    for (const r of records) segment.offsets.push((at += frameBytes(r.length)));
    this.nextSeq += records.length;
    this.records += records.length;
    this.bytes += bytes;
    this.dirty = this.options.fsync !== "always";
  }

  /** Closes the active segment (fsynced unless the policy is "never"); the next append starts a new one. */
  private async roll(): Promise<void> {
    const active = this.active;
    if (active === undefined) return;
    this.active = undefined;
    try {
      if (this.dirty && !active.broken && this.options.fsync !== "never") await active.handle.datasync();
      this.dirty = false;
    } finally {
      await active.handle.close().catch(() => undefined);
    }
    if (active.segment.count === 0) {
      this.segments.splice(this.segments.indexOf(active.segment), 1);
      await fs.rm(active.segment.file, { force: true });
    }
  }

  private flushOnTimer(): void {
    if (!this.dirty || this.closing !== undefined) return;
    this.serial(async () => {
      if (!this.dirty || this.active === undefined) return;
      this.dirty = false;
      await this.active.handle.datasync();
    }).catch((err: unknown) => {
      this.dirty = true;
      this.log.error(`spool ${this.dir}: fsync failed: ${describeError(err)}`);
    });
  }

  // ---- read and ack --------------------------------------------------------

  private async readInTurn(after: number, maxRecords: number, maxBytes: number): Promise<SpoolRecord[]> {
    const out: SpoolRecord[] = [];
    let seq = Math.max(after, this.acked) + 1;
    let dataBytes = 0;
    for (const segment of [...this.segments]) {
      if (out.length >= maxRecords) break;
      if (segment.lastSeq < seq) continue;
      const from = segment.indexOf(Math.max(seq, segment.firstSeq));
      let to = from;
      let full = false;
      while (to < segment.count && out.length + (to - from) < maxRecords) {
        const size = segment.bytes(to, to + 1) - frameBytes(0);
        if (out.length + (to - from) > 0 && dataBytes + size > maxBytes) {
          full = true;
          break;
        }
        dataBytes += size;
        to++;
      }
      if (to > from) {
        const start = segment.offsets.at(from);
        const buf = await readRange(segment.file, start, segment.offsets.at(to), this.active?.segment === segment ? this.active.handle : undefined);
        for (let k = from; k < to; k++) {
          const offset = segment.offsets.at(k);
          const { data, fault } = checkFrame(buf.subarray(0, segment.offsets.at(k + 1) - start), offset - start, segment.firstSeq + k);
          if (data === undefined) {
            await this.cutSegment(segment, k, fault ?? "short record");
            return out;
          }
          out.push({ seq: segment.firstSeq + k, data });
        }
      }
      seq = segment.firstSeq + to;
      if (full) break;
    }
    return out;
  }

  /**
   * A record found damaged after open (the disk changed under us): the segment ends before
   * it, as the scan at open would have cut it, and the loss is counted once.
   */
  private async cutSegment(segment: Segment, index: number, fault: FrameFault): Promise<void> {
    const offset = segment.offsets.at(index);
    const unreadable = segment.size - offset;
    const lostFirst = segment.firstSeq + index;
    const lost = Math.max(0, segment.lastSeq - Math.max(lostFirst, this.acked + 1) + 1);
    const lostBytes = lost === 0 ? 0 : segment.bytes(segment.indexOf(Math.max(lostFirst, this.acked + 1)), segment.count);
    const lastLostSeq = segment.lastSeq;
    segment.offsets.truncate(index + 1);
    this.records -= lost;
    this.bytes -= lostBytes;
    if (this.active?.segment === segment) this.active.broken = true;
    this.reportCorrupt(segment, offset, fault, unreadable, lastLostSeq);
    await truncateFile(segment.file, offset).catch((err: unknown) => this.log.error(`spool ${this.dir}: cannot cut ${segment.file}: ${describeError(err)}`));
  }

  private async ackInTurn(seq: number): Promise<void> {
    if (seq <= this.acked) return;
    if (seq >= this.nextSeq) throw new SpoolError(this.dir, `cannot acknowledge seq ${seq}: the last appended is ${this.nextSeq - 1}`);
    const done: Segment[] = [];
    for (const segment of this.segments) {
      if (segment.firstSeq > seq) break;
      const { records, bytes } = this.pendingIn(segment, seq);
      this.records -= records;
      this.bytes -= bytes;
      if (segment.lastSeq <= seq) done.push(segment);
    }
    this.acked = seq;
    await this.saveAcked(); // before the files go: a restart must not take the next segment's first seq for the position
    await this.deleteSegments(done);
  }

  /** The records of `segment` after the ack position, up to `upTo`: how many, their bytes, the first seq. */
  private pendingIn(segment: Segment, upTo = segment.lastSeq): { records: number; bytes: number; firstSeq: number } {
    const from = Math.max(segment.firstSeq, this.acked + 1);
    const to = Math.min(segment.lastSeq, upTo);
    if (to < from) return { records: 0, bytes: 0, firstSeq: from };
    return { records: to - from + 1, bytes: segment.bytes(segment.indexOf(from), segment.indexOf(to) + 1), firstSeq: from };
  }

  private async saveAcked(): Promise<void> {
    await writeAckState(this.dir, { acked: this.acked }, this.modes.file, this.options.fsync !== "never");
  }

  /** Deletes these segments (the active one among them is closed first; nothing of it is pending). */
  private async deleteSegments(gone: readonly Segment[]): Promise<void> {
    for (const segment of gone) {
      const at = this.segments.indexOf(segment);
      if (at < 0) continue; // an empty one a roll removed already
      this.segments.splice(at, 1);
      if (this.active?.segment === segment) {
        const { handle } = this.active;
        this.active = undefined;
        this.dirty = false;
        await handle.close().catch(() => undefined);
      }
      // Not fsynced: a deleted file that comes back after a power loss is deleted again by the next open (its seqs are acknowledged).
      await fs.rm(segment.file, { force: true });
    }
  }

  // ---- close ---------------------------------------------------------------

  private async closeInTurn(): Promise<void> {
    clearInterval(this.timer);
    await this.queue;
    const active = this.active;
    this.active = undefined;
    if (active === undefined) return;
    try {
      if (!active.broken) await active.handle.datasync();
    } catch (err) {
      throw new SpoolError(this.dir, `cannot fsync ${active.segment.file} on close: ${describeError(err)}`, { cause: err });
    } finally {
      await active.handle.close().catch(() => undefined);
    }
  }
}

function validate(options: SpoolOptions): void {
  const problems: string[] = [];
  if (!Number.isSafeInteger(options.segmentBytes) || options.segmentBytes < frameBytes(1)) problems.push(`segmentBytes must be an integer of at least ${frameBytes(1)} (is ${options.segmentBytes})`);
  if (!Number.isSafeInteger(options.maxBytes) || options.maxBytes < options.segmentBytes) problems.push(`maxBytes must be an integer of at least segmentBytes (is ${options.maxBytes})`);
  if (options.fsync === "interval" && !(options.fsyncIntervalMs > 0)) problems.push(`fsyncIntervalMs must be positive with fsync "interval" (is ${options.fsyncIntervalMs})`);
  if (problems.length > 0) throw new SpoolError(options.dir, `bad options: ${problems.join("; ")}`);
}
