/**
 * A change set as bulk operations: the lines of one `_bulk` body per change, with what the
 * store needs to read the item's answer (which part of the set, its key for the report, what
 * a 409 means). Ordering is decided inside Elasticsearch, by mechanisms a test can check
 * (no scripts):
 *
 * - a check's state: `index` with `version_type: external_gte` and its last check as the
 *   version (`stateVersion`): an older state is refused (409, "superseded"), also from a spool
 *   replay or another Tantale; an equal one (a command on the same result) is taken.
 * - a log entry: `create` with the entry's deterministic id in the daily index of its time:
 *   a second write is refused (409, "already written"), so each entry is stored once.
 * - the id counters: `index` with `external_gte` and the sum of the two ids as the version:
 *   they never go back (ids only grow).
 * - downtimes and comments: `index` and `delete` by `<node>/<kind>/<id>`, in the set's order.
 */
import type { ChangeSet, LastIds } from "../../../core/state/change-set";
import type { CheckKey } from "../../../core/state/check-state";
import type { ChangePart } from "../../../core/store/commit-report";
import { recordDocId, stateDocId, stateVersion, toLogDocument, toStateDocument, type IndexNames, type RecordDocument } from "./documents";

/** What a 409 answer to the operation means: a newer document is stored, or this one already is. */
export type ConflictMeaning = "superseded" | "already-written";

export interface BulkOp {
  readonly part: ChangePart;
  /** `host;check`, the log entry's id, the record's id: how the report and the log name it. */
  readonly key: string;
  readonly action: "index" | "create" | "delete";
  readonly index: string;
  readonly id: string;
  /** The NDJSON lines (action, and the document unless a delete), each ending with a newline. */
  readonly lines: string;
  readonly bytes: number;
  /** Set when a 409 is a success; a 409 on any other operation is a failure. */
  readonly conflict?: ConflictMeaning;
  /** The check of a state write: a 409 on it may mean the host moved to another Tantale. */
  readonly check?: CheckKey;
}

function op(
  part: ChangePart,
  key: string,
  action: BulkOp["action"],
  meta: Readonly<Record<string, unknown>>,
  doc?: unknown,
  conflict?: ConflictMeaning,
): BulkOp {
  const { _index, _id } = meta as { _index: string; _id: string };
  const lines = doc === undefined ? `${JSON.stringify({ [action]: meta })}\n` : `${JSON.stringify({ [action]: meta })}\n${JSON.stringify(doc)}\n`;
  return { part, key, action, index: _index, id: _id, lines, bytes: Buffer.byteLength(lines), ...(conflict === undefined ? {} : { conflict }) };
}

/** The key of a check in reports and logs (as the engine names it). */
export function checkKeyText(hostname: string, check: string): string {
  return `${hostname};${check}`;
}

/**
 * The operations of a change set, in the store's order: check states, check deletes, log
 * entries, downtimes, comments, counters. The counters are left out when `countersStored`
 * already holds them (most commits hand out no id).
 */
export function bulkOps(changes: ChangeSet, names: IndexNames, node: string, countersStored?: LastIds): BulkOp[] {
  const ops: BulkOp[] = [];
  for (const s of changes.upserts) {
    const meta = { _index: names.state, _id: stateDocId(s.hostname, s.check), version: stateVersion(s), version_type: "external_gte" };
    ops.push({
      ...op("check", checkKeyText(s.hostname, s.check), "index", meta, toStateDocument(s, node), "superseded"),
      check: { hostname: s.hostname, check: s.check },
    });
  }
  for (const k of changes.deletes)
    ops.push(op("delete", checkKeyText(k.hostname, k.check), "delete", { _index: names.state, _id: stateDocId(k.hostname, k.check) }));
  for (const e of changes.log) ops.push(op("log", e.id, "create", { _index: names.logIndex(e.time), _id: e.id }, toLogDocument(e, node), "already-written"));
  for (const d of changes.downtimes.upserts) {
    const doc: RecordDocument = { kind: "downtime", node, hostname: d.hostname, check: d.check, record_id: d.id, record: d };
    ops.push(op("downtime", String(d.id), "index", { _index: names.records, _id: recordDocId(node, "downtime", d.id) }, doc));
  }
  for (const id of changes.downtimes.deletes) ops.push(op("downtime", String(id), "delete", { _index: names.records, _id: recordDocId(node, "downtime", id) }));
  for (const c of changes.comments.upserts) {
    const doc: RecordDocument = { kind: "comment", node, hostname: c.hostname, check: c.check, record_id: c.id, record: c };
    ops.push(op("comment", String(c.id), "index", { _index: names.records, _id: recordDocId(node, "comment", c.id) }, doc));
  }
  for (const id of changes.comments.deletes) ops.push(op("comment", String(id), "delete", { _index: names.records, _id: recordDocId(node, "comment", id) }));
  const ids = changes.lastIds;
  if (countersStored === undefined || ids.downtime > countersStored.downtime || ids.comment > countersStored.comment) {
    const doc: RecordDocument = { kind: "counters", node, hostname: "", check: "", record_id: 0, record: { downtime: ids.downtime, comment: ids.comment } };
    const meta = { _index: names.records, _id: recordDocId(node, "counters"), version: countersVersion(ids), version_type: "external_gte" };
    ops.push(op("counter", recordDocId(node, "counters"), "index", meta, doc, "superseded"));
  }
  return ops;
}

/** Both ids only grow, so their sum does: a counters document never goes back. */
export function countersVersion(ids: LastIds): number {
  return Math.max(0, ids.downtime) + Math.max(0, ids.comment);
}

/** Splits operations into consecutive chunks of at most `maxBytes` (an operation larger than that goes alone). */
export function chunkOps(ops: readonly BulkOp[], maxBytes: number): BulkOp[][] {
  const chunks: BulkOp[][] = [];
  let current: BulkOp[] = [];
  let size = 0;
  for (const o of ops) {
    if (current.length > 0 && size + o.bytes > maxBytes) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(o);
    size += o.bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
