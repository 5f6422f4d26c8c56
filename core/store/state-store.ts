import type { ChangeSet, LastIds } from "../state/change-set";
import type { CheckState } from "../state/check-state";
import type { Comment } from "../state/comment";
import type { Downtime } from "../state/downtime";
import type { CommitReport } from "./commit-report";
import type { LogPage, LogQuery } from "./log-query";

export type { LogCondition, LogPage, LogQuery } from "./log-query";

/** What a store holds at start: the state the daemon serves again after a restart. */
export interface StoredState {
  readonly checks: readonly CheckState[];
  readonly downtimes: readonly Downtime[];
  readonly comments: readonly Comment[];
  readonly lastIds: LastIds;
}

/** What an empty store holds. */
export const EMPTY_STORED_STATE: StoredState = Object.freeze({ checks: [], downtimes: [], comments: [], lastIds: Object.freeze({ downtime: 0, comment: 0 }) });

/**
 * The committed state read as it is consumed (StateStore.scanState): a dump of a large store
 * holds one host's checks at a time, not all of them.
 */
export interface StateScan {
  readonly downtimes: readonly Downtime[];
  readonly comments: readonly Comment[];
  /** Every check, one host's after another's: hosts in ascending code point order, each host's checks together. */
  readonly checks: Iterable<CheckState>;
  /** Ends the read (a read transaction may be held until then); also when `checks` was not read to its end. */
  close(): void;
}

/**
 * Where a store may hand the checks it reads at start, chunk by chunk, rather than in the
 * state it resolves with: the engine fills memory as they come and logs the progress of a
 * long load. A store that ignores it returns every check in `StoredState.checks`.
 */
export interface LoadSink {
  /** About how many checks per chunk the sink wants (between two chunks the store lets the event loop run). */
  readonly chunkChecks: number;
  /** How many checks the store holds, said once before the first chunk. */
  total(checks: number): void;
  /** Checks read; the state load() resolves with does not hold them again. */
  checks(chunk: readonly CheckState[]): void;
}

/**
 * The persistence of the state engine. The embedded SQLite store and the Elasticsearch store
 * implement it. The query tables never see it: they read the engine's memory for the current
 * state and `readLog()` for history.
 *
 * - `commit()` is the durability point: once it resolves, the change set survives a crash
 *   (kill -9) and a restart (in the store, or in a store's own spool while it is away). It
 *   resolves with what the store refused for good (a mapping conflict): those parts are
 *   dropped, counted and logged, never retried. If it rejects, the engine rolls the set back
 *   and retries it later.
 * - Commits are safe to replay: state writes are idempotent (the newest result wins, by
 *   `lastCheck`), log entries carry a deterministic `id` and are written at most once. A
 *   store that wrote part of a set before failing may therefore be handed the whole set again.
 * - `load()` returns everything committed (the checks possibly through the sink, see
 *   LoadSink). It may be called on an instance that was not started (the `tantale dump`
 *   command reads a running daemon's store that way).
 * - `readLog()` applies the query's condition exactly, in (time, id) order.
 */
export interface StateStore {
  load(sink?: LoadSink): Promise<StoredState>;
  commit(changes: ChangeSet): Promise<CommitReport>;
  readLog(query: LogQuery): Promise<LogPage>;
  /**
   * Only a store that several Tantales share: the states, downtimes and comments of these
   * hosts, whichever Tantale wrote them (a host that moved here: core/state/takeover.ts).
   */
  loadHosts?(hostnames: readonly string[]): Promise<StoredState>;
  /**
   * Optional: what load() returns, read as it is consumed, one snapshot (`tantale dump`
   * streams through it; without it, dump holds the whole load() in memory). `host`: that
   * host's checks, downtimes and comments only. Works on an instance that was not started.
   */
  scanState?(host?: string): StateScan;
  /**
   * `tantale backup`: writes a consistent copy of everything committed to `destination` (a
   * file), on an instance that was not started, while a daemon may be committing to the
   * store. A store that cannot do it (its data is in a cluster) rejects saying how it is
   * backed up; a store without this method has no backup command.
   */
  backup?(destination: string): Promise<BackupReport>;
}

/** What `StateStore.backup()` wrote. */
export interface BackupReport {
  /** The copy, an absolute path. */
  readonly file: string;
  readonly bytes: number;
  /** What the copy holds, by kind (`checks`, `log lines`, ...): the operator's summary line. */
  readonly contents: Readonly<Record<string, number>>;
  /** What the store checked on the copy, when it did (`PRAGMA integrity_check: ok`). */
  readonly checked?: string;
}
