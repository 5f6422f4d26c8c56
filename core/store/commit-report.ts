import type { CheckKey } from "../state/check-state";

/** The part of a change set a store could not write. */
export type ChangePart = "check" | "delete" | "log" | "downtime" | "comment" | "counter";

/** One item of a change set that a store did not write, and why. */
export interface FailedChange {
  readonly part: ChangePart;
  /** Which item: `host;check` for checks, the log entry's id, the record's id. */
  readonly key: string;
  /** The store's reason, e.g. `strict_dynamic_mapping_exception: mapping set to strict ...`. */
  readonly reason: string;
}

/**
 * What a commit left out for good: items the store refused permanently (a mapping conflict,
 * a document too large). The rest of the set is written. Empty for a complete commit.
 */
export interface CommitReport {
  readonly rejected: readonly FailedChange[];
  /**
   * Checks whose write the store refused because it holds a newer state written by another
   * Tantale (a shared store): the host moved there, and this Tantale forgets it.
   */
  readonly moved?: readonly CheckKey[];
}

export const COMPLETE_COMMIT: CommitReport = Object.freeze({ rejected: Object.freeze([]) });
