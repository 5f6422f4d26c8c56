/**
 * A bounded, durable, append-only queue of records on disk: what a store (Elasticsearch while
 * the cluster is away) or the forwarder (while the central Tantale is away) keeps of what it
 * accepted and could not deliver yet. Records are opaque bytes, replayed in the order they
 * were appended, and deleted once the consumer acknowledged them.
 */

/** One record read back: its sequence number (from 1, never reused within a spool) and its bytes. */
export interface SpoolRecord {
  readonly seq: number;
  readonly data: Buffer;
}

/** When appended records reach the disk. */
export type FsyncPolicy = "always" | "interval" | "never";

export interface SpoolOptions {
  /** The spool's own folder (created with the data dir's modes). */
  readonly dir: string;
  /** A segment file is closed and a new one started past this size. */
  readonly segmentBytes: number;
  /** The spool's cap: past it, the oldest segments are deleted (their records dropped, counted, logged). */
  readonly maxBytes: number;
  /** always: append() resolves after fsync; interval: fsync every fsyncIntervalMs; never: left to the OS. */
  readonly fsync: FsyncPolicy;
  readonly fsyncIntervalMs: number;
  /** Told of every drop to stay under maxBytes: how many records and bytes, and the seq range lost. */
  readonly onDrop?: (dropped: { readonly records: number; readonly bytes: number; readonly firstSeq: number; readonly lastSeq: number }) => void;
}

export interface Spool {
  /** Appends records in order; resolves once they are as durable as the fsync policy says. */
  append(records: readonly Buffer[]): Promise<void>;
  /**
   * Records not acknowledged yet, oldest first, after `after` (a seq) when given: at most
   * `maxRecords`, and at most `maxBytes` except that one record is always returned if any.
   * Reading does not consume: what is not acknowledged is read again.
   */
  read(options: { readonly after?: number; readonly maxRecords: number; readonly maxBytes?: number }): Promise<readonly SpoolRecord[]>;
  /** Every record up to and including `seq` is delivered: segments wholly delivered are deleted. */
  ack(seq: number): Promise<void>;
  /** Records appended and not yet acknowledged (nor dropped). */
  readonly pendingRecords: number;
  /** Their bytes on disk (framing included). */
  readonly pendingBytes: number;
  /** Flushes (fsync) and closes the open segment. */
  close(): Promise<void>;
}
