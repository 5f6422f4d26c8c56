import { ObjectRecords, type ObjectRecord } from "./object-records";

/**
 * A scheduled downtime (SCHEDULE_*_DOWNTIME, docs/livestatus.md §5): a window in which problems of
 * a host or service are expected. Immutable: the engine replaces it when it starts.
 * Times are seconds since the epoch.
 */
export interface Downtime extends ObjectRecord {
  readonly startTime: number;
  readonly endTime: number;
  /** true: active from startTime to endTime; false (flexible): starts with the first problem in the window and lasts `duration`. */
  readonly fixed: boolean;
  /** Seconds: how long a flexible (or triggered flexible) downtime lasts once started; end - start for a fixed one. */
  readonly duration: number;
  /** The downtime whose start starts this one; 0 none. */
  readonly triggeredBy: number;
  /** When it became active; 0 while pending (before its start, or a flexible one waiting for a problem). */
  readonly activeSince: number;
}

export function isActive(d: Downtime): boolean {
  return d.activeSince > 0;
}

/** When an active downtime stops: a fixed one at its end time, a flexible one `duration` after it started. */
export function activeUntil(d: Downtime): number {
  return d.fixed ? d.endTime : d.activeSince + d.duration;
}

/** The downtimes, with a count of those that wait for a trigger (`tallied`): while there are none, a start looks for none to start with it. */
export type DowntimeRecords = ObjectRecords<Downtime>;

export function downtimeRecords(): DowntimeRecords {
  return new ObjectRecords<Downtime>((d) => d.triggeredBy !== 0);
}
