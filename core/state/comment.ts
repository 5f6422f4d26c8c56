import type { ObjectRecord } from "./object-records";

/** Nagios' comment entry types (the `entry_type` column). */
export const COMMENT_ENTRY = { user: 1, downtime: 2, flapping: 3, acknowledgement: 4 } as const;
export type CommentEntryType = (typeof COMMENT_ENTRY)[keyof typeof COMMENT_ENTRY];

/**
 * A comment on a host or service: one an operator added (ADD_*_COMMENT), or the one an
 * acknowledgement carries (entry type 4, gone with the acknowledgement). Immutable.
 * Times are seconds since the epoch.
 */
export interface Comment extends ObjectRecord {
  readonly entryType: CommentEntryType;
  /** An acknowledgement's comment that stays when the acknowledgement ends. (Every comment survives a restart in Tantale.) */
  readonly persistent: boolean;
  /** When the comment expires (an expiring acknowledgement's); 0 never. */
  readonly expireTime: number;
}
