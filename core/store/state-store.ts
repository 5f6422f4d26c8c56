import type { ChangeSet, LastIds } from "../state/change-set";
import type { CheckState } from "../state/check-state";
import type { Comment } from "../state/comment";
import type { Downtime } from "../state/downtime";
import type { LogEntry } from "../state/log-entry";

/** What a store holds at start: the state the daemon serves again after a restart. */
export interface StoredState {
  readonly checks: readonly CheckState[];
  readonly downtimes: readonly Downtime[];
  readonly comments: readonly Comment[];
  readonly lastIds: LastIds;
}

/** What an empty store holds. */
export const EMPTY_STORED_STATE: StoredState = Object.freeze({ checks: [], downtimes: [], comments: [], lastIds: Object.freeze({ downtime: 0, comment: 0 }) });

/** A time-range read of the log, with the filters a store can push down. */
export interface LogQuery {
  /** Seconds since the epoch, inclusive. */
  readonly since?: number;
  /** Seconds since the epoch, inclusive. */
  readonly until?: number;
  readonly hostname?: string;
  readonly check?: string;
  /** At most this many entries, oldest first. */
  readonly limit?: number;
}

/**
 * The persistence of the state engine. The embedded SQLite store implements it, the
 * Elasticsearch store will. The query tables never see it: they read the engine's memory
 * for the current state and `readLog()` for history.
 *
 * - `commit()` is the durability point: once it resolves, the change set survives a crash
 *   (kill -9) and a restart; if it rejects, none of it was written and the engine retries.
 * - `load()` returns everything committed. It may be called on an instance that was not
 *   started (the `tantale dump` command reads a running daemon's store that way).
 */
export interface StateStore {
  load(): Promise<StoredState>;
  commit(changes: ChangeSet): Promise<void>;
  readLog(query: LogQuery): Promise<readonly LogEntry[]>;
}
