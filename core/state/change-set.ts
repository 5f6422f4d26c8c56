import type { CheckKey, CheckState } from "./check-state";
import type { Comment } from "./comment";
import type { Downtime } from "./downtime";
import type { LogEntry } from "./log-entry";

/** Records (downtimes or comments) added or replaced, and ids removed. */
export interface RecordChanges<T> {
  readonly upserts: readonly T[];
  readonly deletes: readonly number[];
}

/** The highest downtime and comment ids handed out: persisted so that ids are never reused. */
export interface LastIds {
  readonly downtime: number;
  readonly comment: number;
}

/**
 * What one commit writes: the new current state of the checks that changed (one per
 * check, the last one wins), checks removed, log lines appended in order, the downtimes
 * and comments that changed, and the id counters.
 * A store applies a change set atomically: all of it or none.
 */
export interface ChangeSet {
  readonly upserts: readonly CheckState[];
  readonly deletes: readonly CheckKey[];
  readonly log: readonly LogEntry[];
  readonly downtimes: RecordChanges<Downtime>;
  readonly comments: RecordChanges<Comment>;
  readonly lastIds: LastIds;
}

export const NO_RECORD_CHANGES: RecordChanges<never> = Object.freeze({ upserts: [], deletes: [] });

export function isEmptyChangeSet(c: ChangeSet): boolean {
  return (
    c.upserts.length === 0 &&
    c.deletes.length === 0 &&
    c.log.length === 0 &&
    c.downtimes.upserts.length === 0 &&
    c.downtimes.deletes.length === 0 &&
    c.comments.upserts.length === 0 &&
    c.comments.deletes.length === 0
  );
}
