import type { Logger } from "../log/logger";
import type { InstanceStats } from "../metrics/self-stats";
import { HOST_CHECK } from "../model/check-result";
import type { Annotations } from "./annotations";
import type { ChangeNotifier } from "./change-feed";
import type { CheckState } from "./check-state";
import { DeadlineHeap } from "./deadline-heap";
import { alertEntry } from "./log-lines";
import type { StatePersistence } from "./persistence";
import type { ReadModel } from "./read-model";

export interface FreshnessSettings {
  /** A check is outdated after this many intervals without a result. */
  readonly freshness_factor: number;
  /** Milliseconds between two looks at the freshness deadlines. */
  readonly freshness_check_interval: number;
}

const OUTDATED_PREFIX = "OUTDATED - ";

/**
 * Passive checks that stop reporting: each state's deadline (lastCheck + freshness_factor ×
 * interval) waits in a heap, so a look costs O(due × log n); a check whose deadline passes
 * is outdated once: CRITICAL (DOWN) if it was OK (UP), its state kept otherwise, output
 * prefixed, logged as an alert. A newer result re-arms the deadline; an outdated state has none.
 */
export class Freshness {
  private readonly deadlines = new DeadlineHeap();

  constructor(
    private readonly settings: FreshnessSettings,
    private readonly model: ReadModel,
    private readonly annotations: Annotations,
    private readonly persistence: StatePersistence,
    private readonly notifier: ChangeNotifier,
    private readonly stats: InstanceStats,
    private readonly log: Logger,
  ) {}

  /** Arms the deadline of a new state (a result, a load, a rollback that put it back). */
  schedule(s: CheckState): void {
    if (s.outdated) return;
    this.deadlines.push({ at: s.lastCheck + this.settings.freshness_factor * s.interval, hostname: s.hostname, check: s.check, version: s.lastCheck });
    // Every result pushes an entry; drop the superseded ones before they outnumber the live ones.
    if (this.deadlines.size > 2 * this.model.checkCount + 1024) {
      this.deadlines.compact((e) => {
        const cur = this.model.get(e.hostname, e.check);
        return cur !== undefined && !cur.outdated && cur.lastCheck === e.version;
      });
    }
  }

  /** Marks checks outdated whose deadline passed by `now` (seconds since the epoch). */
  outdate(now: number): void {
    let outdated = 0;
    for (let due = this.deadlines.peek(); due !== undefined && due.at <= now; due = this.deadlines.peek()) {
      this.deadlines.pop();
      const { hostname, check } = due;
      const s = this.model.get(hostname, check);
      if (s === undefined || s.outdated || s.lastCheck !== due.version) continue; // a newer result moved the deadline
      const state = s.state === 0 ? (check === HOST_CHECK ? 1 : 2) : s.state;
      const changed = state !== s.state;
      const acknowledgement = this.annotations.settle(s, s, state, changed, now);
      const next: CheckState = Object.freeze({
        ...s,
        state,
        lastState: changed ? s.state : s.lastState,
        output: OUTDATED_PREFIX + s.output,
        lastStateChange: changed ? now : s.lastStateChange,
        lastHardStateChange: changed ? now : s.lastHardStateChange,
        outdated: true,
        acknowledgement,
        downtimeDepth: this.annotations.depthOf(hostname, check),
      });
      this.persistence.addLog(alertEntry(next, now));
      this.notifier.notify(changed ? "state" : "check");
      this.persistence.update(next);
      outdated++;
    }
    if (outdated === 0) return;
    this.stats.add("checks_outdated", outdated);
    this.log.info("checks outdated: no result for freshness_factor × interval", { checks: outdated });
  }
}
