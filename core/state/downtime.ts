import { ObjectRecords, type ObjectRecord } from "./object-records";

/**
 * A scheduled downtime (SCHEDULE_*_DOWNTIME, livestatus.md §5): a window in which problems of
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

/**
 * The downtimes, counting those with a trigger as they come and go (a load, a command, a
 * rollback alike): while there are none, a start looks for none to start with it.
 */
export class DowntimeRecords extends ObjectRecords<Downtime> {
  private triggered = 0;

  /** Whether some downtime waits for another one's start. */
  get anyTriggered(): boolean {
    return this.triggered > 0;
  }

  override put(d: Downtime): void {
    if ((this.get(d.id)?.triggeredBy ?? 0) !== 0) this.triggered--;
    if (d.triggeredBy !== 0) this.triggered++;
    super.put(d);
  }

  override delete(id: number): Downtime | undefined {
    const d = super.delete(id);
    if (d !== undefined && d.triggeredBy !== 0) this.triggered--;
    return d;
  }
}
