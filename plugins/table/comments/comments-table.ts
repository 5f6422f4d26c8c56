import { int, string, time, type ColumnSpec, type Comment, type TableContext, type TableParts } from "../../../core";
import { objectColumns, type ObjectRow } from "../common/object-columns";
import { recordsTable } from "../common/record-rows";

/** Nagios' comment types (the reverse of the downtime types). */
const HOST_COMMENT = 1;
const SERVICE_COMMENT = 2;

/** One row of the comments table: a comment on a host or on one of its services. */
export interface CommentRow extends ObjectRow {
  readonly comment: Comment;
}

/**
 * The comments table's own columns (docs/livestatus.md §4.9, Checkmk's TableComments), then the
 * host's columns as `host_*` and the service's as `service_*`.
 */
export function commentColumns(): ColumnSpec<CommentRow>[] {
  return [
    int("id", "Comment id, unique among comments and never reused (also after a restart)", (r) => r.comment.id),
    string("author", "Who wrote the comment (or acknowledged the problem)", (r) => r.comment.author),
    string("comment", "The comment's text", (r) => r.comment.comment),
    int(
      "entry_type",
      "1 user (ADD_*_COMMENT), 4 acknowledgement (the comment of an acknowledgement, gone with it); Nagios' 2 downtime and 3 flapping do not occur",
      (r) => r.comment.entryType,
    ),
    time("entry_time", "Time the comment was added", (r) => r.comment.entryTime),
    int("expires", "1 when the comment expires at expire_time (an expiring acknowledgement's), 0 when it does not", (r) => (r.comment.expireTime > 0 ? 1 : 0)),
    time("expire_time", "When the comment expires; 0 never", (r) => r.comment.expireTime),
    int("persistent", "The persistent flag of the command that added it (Tantale keeps every comment across restarts)", (r) => (r.comment.persistent ? 1 : 0)),
    int("source", "0 internal, 1 external (a command): always 1", () => 1),
    int("type", "1 host comment, 2 service comment", (r) => (r.service === undefined ? HOST_COMMENT : SERVICE_COMMENT)),
    int("is_service", "0 for a host's comment, 1 for a service's", (r) => (r.service === undefined ? 0 : 1)),
    ...objectColumns<CommentRow>(),
  ];
}

export const COMMENT_COLUMNS: readonly ColumnSpec<CommentRow>[] = Object.freeze(commentColumns());

/**
 * The Livestatus `comments` table over the state: one row per comment (operators'
 * and acknowledgements'), by id. The hint names hosts (`host_name = X`): only their
 * comments are read.
 */
export function commentsTable(context: TableContext): TableParts<CommentRow> {
  return recordsTable(context, {
    prefix: "comment_",
    columns: COMMENT_COLUMNS,
    source: (state) => ({ all: () => state.allComments(), ofHost: (name) => state.commentsOfHost(name) }),
    row: (host, service, comment): CommentRow => ({ host, service, comment }),
  });
}
