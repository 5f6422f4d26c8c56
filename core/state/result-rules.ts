import type { InstanceStats } from "../metrics/self-stats";
import type { CheckResult } from "../model/check-result";
import type { Annotations } from "./annotations";
import type { ChangeNotifier } from "./change-feed";
import type { CheckState } from "./check-state";
import type { Freshness } from "./freshness";
import { alertEntry } from "./log-lines";
import type { StatePersistence } from "./persistence";
import type { ReadModel } from "./read-model";
import type { RemovalMemory } from "./removals";

/**
 * How a passive result moves its check's state, in timestamp order: a result older than the
 * state is ignored, one stamped before its check's removal is refused; a state change is
 * logged as an alert; the acknowledgement is kept or ends (Annotations.settle); the
 * freshness deadline is re-armed.
 */
export class ResultRules {
  constructor(
    private readonly model: ReadModel,
    private readonly removals: RemovalMemory,
    private readonly annotations: Annotations,
    private readonly freshness: Freshness,
    private readonly persistence: StatePersistence,
    private readonly notifier: ChangeNotifier,
    private readonly stats: InstanceStats,
  ) {}

  /** Applies one result; false when it was older than the stored state, or the stored one again (ignored, counted). */
  apply(r: CheckResult): boolean {
    const prev = this.model.get(r.hostname, r.check);
    if (prev !== undefined && r.timestamp <= prev.lastCheck) {
      if (r.timestamp < prev.lastCheck) {
        this.stats.add("results_out_of_order");
        return false;
      }
      // The same result again (a forwarder or client re-sending what it could not see acknowledged): nothing to apply.
      if (r.status === prev.state && r.output === prev.output && r.longOutput === prev.longOutput && r.perfData === prev.perfData) {
        this.stats.add("results_duplicate");
        return false;
      }
    }
    if (prev === undefined && this.removals.removedBefore(r.hostname, r.check, r.timestamp)) {
      this.stats.add("results_before_removal");
      return false;
    }
    // Before its first result a check counts as OK/UP, as Nagios assumes: a first problem is a change.
    const before = prev?.state ?? 0;
    const changed = prev !== undefined ? r.status !== prev.state : r.status !== 0;
    const acknowledgement = this.annotations.settle(r, prev, r.status, changed, r.timestamp);
    // The previous state's names and lists when they are the same: memory keeps one copy per check, not one per result.
    const next: CheckState = Object.freeze({
      hostname: prev?.hostname ?? this.model.host(r.hostname)?.name ?? r.hostname,
      check: prev?.check ?? r.check,
      state: r.status,
      lastState: changed ? before : (prev?.lastState ?? 0),
      output: r.output,
      longOutput: r.longOutput,
      perfData: r.perfData,
      lastCheck: r.timestamp,
      lastStateChange: changed || prev === undefined ? r.timestamp : prev.lastStateChange,
      lastHardStateChange: changed || prev === undefined ? r.timestamp : prev.lastHardStateChange,
      interval: r.interval,
      contacts: sameList(prev?.contacts, r.contacts),
      hostgroups: sameList(prev?.hostgroups, r.hostgroups),
      servicegroups: sameList(prev?.servicegroups, r.servicegroups),
      customVariables: r.customVariables,
      outdated: false,
      acknowledgement,
      downtimeDepth: this.annotations.depthOf(r.hostname, r.check),
    });
    this.notifier.notify("check");
    if (changed) {
      this.persistence.addLog(alertEntry(next, r.timestamp));
      this.notifier.notify("state");
    }
    this.persistence.update(next);
    this.freshness.schedule(next, prev);
    return true;
  }
}

/** `before` when it holds the same names as `now` (a check sends the same contacts every time), `now` otherwise. */
function sameList(before: readonly string[] | undefined, now: readonly string[]): readonly string[] {
  if (before === undefined || before === now || before.length !== now.length) return now;
  for (let i = 0; i < now.length; i++) if (before[i] !== now[i]) return now;
  return before;
}
