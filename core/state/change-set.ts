import type { CheckKey, CheckState } from "./check-state";
import type { LogEntry } from "./log-entry";

/**
 * What one commit writes: the new current state of the checks that changed (one per
 * check, the last one wins), checks removed, and log lines appended in order.
 * A store applies a change set atomically: all of it or none.
 */
export interface ChangeSet {
  readonly upserts: readonly CheckState[];
  readonly deletes: readonly CheckKey[];
  readonly log: readonly LogEntry[];
}

export function isEmptyChangeSet(c: ChangeSet): boolean {
  return c.upserts.length === 0 && c.deletes.length === 0 && c.log.length === 0;
}
