import type { DataAccess } from "../daemon/data-access";

/**
 * A bounded, durable, append-only queue of records on disk: what a store (Elasticsearch while
 * the cluster is away) or the forwarder (while the central Tantale is away) keeps of what it
 * accepted and could not deliver yet. Records are opaque bytes, replayed in the order they
 * were appended, and deleted once the consumer acknowledged them.
 *
 * Delivery is at least once: a record read and delivered but not acknowledged before a crash
 * (or a power loss undoing the last ack) is read again after the restart, so consumers must
 * be idempotent (the stores and the forwarder's central side are).
 */

/**
 * One record read back: its sequence number and its bytes. Seqs start at 1 and go on across
 * restarts; only the seqs of records a crash lost before they reached the disk (a torn tail,
 * never acknowledged to the appender under fsync "always") are handed out again.
 */
export interface SpoolRecord {
  readonly seq: number;
  readonly data: Buffer;
}

/** Records lost: dropped to stay under the cap, or unreadable on disk (a corrupted segment). */
export interface SpoolDrop {
  readonly reason: "cap" | "corrupt";
  readonly records: number;
  readonly bytes: number;
  /** The seq range lost (for "corrupt", seqs of the range may have been lost already). */
  readonly firstSeq: number;
  readonly lastSeq: number;
}

/** When appended records reach the disk. */
export type FsyncPolicy = "always" | "interval" | "never";

export interface SpoolOptions {
  /** The spool's own folder (created with the data dir's modes). */
  readonly dir: string;
  /** `tantale.conf`'s data_access: the modes of the folder and its files (default private). */
  readonly dataAccess?: DataAccess;
  /** A segment file is closed and a new one started past this size. */
  readonly segmentBytes: number;
  /**
   * The spool's cap on pending bytes (framing included): past it, the oldest segments are
   * deleted (their records dropped, counted, logged). The folder may hold up to one segment
   * more: the acknowledged records of a segment not wholly acknowledged yet.
   */
  readonly maxBytes: number;
  /** always: append() resolves after fsync; interval: fsync every fsyncIntervalMs; never: left to the OS. */
  readonly fsync: FsyncPolicy;
  readonly fsyncIntervalMs: number;
  /**
   * Told of every loss: a drop to stay under maxBytes (once per append that dropped), or
   * records found unreadable (on open, or on a read): how many records and bytes, the seq range.
   */
  readonly onDrop?: (dropped: SpoolDrop) => void;
}

export interface Spool {
  /**
   * Appends records in order; resolves once they are as durable as the fsync policy says.
   * Rejects, writing none of them, when one record alone is larger than maxBytes.
   */
  append(records: readonly Buffer[]): Promise<void>;
  /**
   * Records not acknowledged yet, oldest first, after `after` (a seq) when given: at most
   * `maxRecords`, and at most `maxBytes` of data (framing not counted) except that one
   * record is always returned if any.
   * Reading does not consume: what is not acknowledged is read again.
   */
  read(options: { readonly after?: number; readonly maxRecords: number; readonly maxBytes?: number }): Promise<readonly SpoolRecord[]>;
  /**
   * Every record up to and including `seq` is delivered: segments wholly delivered are
   * deleted, and the position is kept across a restart. An older seq than the position is a
   * no-op; a seq never appended is an error.
   */
  ack(seq: number): Promise<void>;
  /** Records appended and not yet acknowledged (nor dropped). */
  readonly pendingRecords: number;
  /** Their bytes on disk (framing included). */
  readonly pendingBytes: number;
  /** Flushes (fsync, whatever the policy) and closes the open segment; later calls are refused. */
  close(): Promise<void>;
}
