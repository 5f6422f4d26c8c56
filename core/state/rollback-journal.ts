import type { CheckState } from "./check-state";
import type { Comment } from "./comment";
import type { Downtime } from "./downtime";

/** Remembers the first value seen for each key: what memory held before a change set touched it. */
class FirstValues<K, V> {
  readonly values = new Map<K, V | undefined>();

  note(key: K, current: V | undefined): void {
    if (!this.values.has(key)) this.values.set(key, current);
  }
}

/**
 * What memory held before the changes of one uncommitted change set, item by item (only the
 * first change of an item is noted): a failed commit puts it back, so that queries never
 * show what the store does not hold. Log lines need no entry: they live only in the set.
 */
export class RollbackJournal {
  /** checkKey → the state before (undefined: the check did not exist). */
  readonly checks = new FirstValues<string, CheckState>();
  readonly downtimes = new FirstValues<number, Downtime>();
  readonly comments = new FirstValues<number, Comment>();
  /** checkKey and host → the removal time before (DEL_SVC, DEL_HOST). */
  readonly removedChecks = new FirstValues<string, number>();
  readonly removedHosts = new FirstValues<string, number>();
}
