/**
 * Deleting old daily log indices: `<prefix>-log-YYYY.MM.DD` whose day is more than
 * `log_retention` days before today (UTC) goes, by name (never by a wildcard: clusters refuse
 * destructive wildcards by default, and a name cannot hit another index by mistake).
 */
import type { Client } from "./client";
import type { IndexNames } from "./documents";

const DAY_MS = 86_400_000;
/** Names per delete request: the URL stays short. */
const DELETE_BATCH = 50;

/** The day (UTC midnight, ms) of a daily log index, or undefined for another name. */
export function logIndexDay(names: IndexNames, index: string): number | undefined {
  const prefix = names.logPattern.slice(0, -1); // "<prefix>-log-"
  if (!index.startsWith(prefix)) return undefined;
  const m = /^(\d{4})\.(\d{2})\.(\d{2})$/.exec(index.slice(prefix.length));
  if (m === null) return undefined;
  const day = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isNaN(day) ? undefined : day;
}

/** The log indices among `indices` that retention drops at `nowMs`: days before today - retentionDays. */
export function expiredLogIndices(names: IndexNames, indices: Iterable<string>, retentionDays: number, nowMs: number): string[] {
  if (retentionDays <= 0) return [];
  const today = Math.floor(nowMs / DAY_MS) * DAY_MS;
  const oldestKept = today - retentionDays * DAY_MS;
  const out: string[] = [];
  for (const index of indices) {
    const day = logIndexDay(names, index);
    if (day !== undefined && day < oldestKept) out.push(index);
  }
  return out.sort();
}

/** Lists the daily log indices and deletes the expired ones; returns their names. */
export async function expireLogIndices(client: Client, names: IndexNames, retentionDays: number, nowMs: number, requestTimeout: number): Promise<string[]> {
  if (retentionDays <= 0) return [];
  const listed = await client.indices.get({ index: names.logPattern, allow_no_indices: true, expand_wildcards: ["open", "closed"] }, { requestTimeout });
  const expired = expiredLogIndices(names, Object.keys(listed), retentionDays, nowMs);
  for (let i = 0; i < expired.length; i += DELETE_BATCH)
    await client.indices.delete({ index: expired.slice(i, i + DELETE_BATCH), ignore_unavailable: true }, { requestTimeout });
  return expired;
}
