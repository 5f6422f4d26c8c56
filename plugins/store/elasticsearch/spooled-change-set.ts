/**
 * A change set as a spool record: JSON, tagged with a format version so that a Tantale that
 * finds a spool written by another version refuses it plainly instead of writing garbage.
 * The record keeps the set whole (the bulk operations are derived again at replay), so a
 * replay writes exactly what the commit would have written.
 */
import type { ChangeSet } from "../../../core/state/change-set";

export const SPOOL_FORMAT = 1;

export function encodeChangeSet(changes: ChangeSet): Buffer {
  return Buffer.from(JSON.stringify({ v: SPOOL_FORMAT, set: changes }));
}

export function decodeChangeSet(data: Buffer, seq: number): ChangeSet {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.toString("utf8"));
  } catch (err) {
    throw new Error(`spool record ${seq}: not JSON`, { cause: err });
  }
  const { v, set } = (parsed ?? {}) as { v?: unknown; set?: unknown };
  if (v !== SPOOL_FORMAT) throw new Error(`spool record ${seq}: format ${JSON.stringify(v)}, this Tantale reads format ${SPOOL_FORMAT}`);
  const s = set as Partial<Record<keyof ChangeSet, unknown>> | undefined;
  const records = (r: unknown) =>
    typeof r === "object" && r !== null && Array.isArray((r as { upserts?: unknown }).upserts) && Array.isArray((r as { deletes?: unknown }).deletes);
  if (
    s === undefined ||
    !Array.isArray(s.upserts) ||
    !Array.isArray(s.deletes) ||
    !Array.isArray(s.log) ||
    !records(s.downtimes) ||
    !records(s.comments) ||
    typeof s.lastIds !== "object" ||
    s.lastIds === null
  )
    throw new Error(`spool record ${seq}: not a change set`);
  return s as ChangeSet;
}
