import { RetryableError } from "../errors";
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

/**
 * A commit that wrote part of its set and failed on the rest for a reason that may pass
 * (the store away, overloaded): the engine rolls back and retries the whole set, which
 * is safe (commits replay idempotently). `failed` names what was not written.
 */
export class PartialCommitError extends RetryableError {
  constructor(
    readonly store: string,
    readonly failed: readonly FailedChange[],
    options?: { cause?: unknown },
  ) {
    const shown = failed
      .slice(0, 3)
      .map((f) => `${f.part} ${f.key}: ${f.reason}`)
      .join("; ");
    super(`${store}: ${failed.length} changes not written (${shown}${failed.length > 3 ? "; ..." : ""})`, options);
  }
}
