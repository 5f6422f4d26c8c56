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
/** How many outdated checks the log line names; the rest are counted. */
export const OUTDATED_NAMED = 5;

/**
 * Due deadlines handled per loop turn (StateEngine.tick): a million checks come due together
 * after a restart that outlasted their freshness (or a sender that stamps them all alike),
 * and outdating them in one turn held Livestatus answers for seconds.
 */
export const OUTDATE_CHUNK = 2000;

/**
 * Passive checks that stop reporting: each state's deadline (lastCheck + freshness_factor ×
 * interval) waits in a heap, so a look costs O(due × log n); a check whose deadline passes
 * is outdated once: CRITICAL (DOWN) if it was OK (UP), its state kept otherwise, output
 * prefixed, logged as an alert. An outdated state has no deadline.
 *
 * A newer result does not push an entry: the check's entry, armed no later than the new
 * deadline, stays, and when it comes due the current state's deadline is pushed instead if
 * it lies ahead. So the heap holds about one entry per check whatever the result rate (an
 * entry per result meant a heap twice the checks, compacted in one loop turn: 60 ms at 100k
 * checks, 200 ms at 1M, with a Livestatus answer waiting behind it).
 */
export class Freshness {
  private readonly deadlines = new DeadlineHeap();
  /** The checks outdated by the calls of one wave (until a call finds nothing more due): one log line for them. */
  private wave = { outdated: 0, named: [] as string[] };

  constructor(
    private readonly settings: FreshnessSettings,
    private readonly model: ReadModel,
    private readonly annotations: Annotations,
    private readonly persistence: StatePersistence,
    private readonly notifier: ChangeNotifier,
    private readonly stats: InstanceStats,
    private readonly log: Logger,
  ) {
    // About the checks: more means entries left behind that compact() has not dropped yet.
    stats.gauge("freshness_deadlines", () => this.deadlines.size);
  }

  /**
   * Arms the deadline of a new state (a result, a load, a rollback that put it back).
   * `replaced`: the state it replaces in memory, whose deadline is armed (a fresh one is).
   */
  schedule(s: CheckState, replaced?: CheckState): void {
    if (s.outdated) return;
    const at = this.deadlineOf(s);
    // The entry armed for the replaced state comes due first: outdate() moves it to this deadline then.
    if (replaced !== undefined && !replaced.outdated && this.deadlineOf(replaced) <= at) return;
    this.deadlines.push({ at, hostname: s.hostname, check: s.check });
    // A check removed and back, a rollback, a deadline brought forward leave a second entry: dropped before they pile up.
    if (this.deadlines.size > 2 * this.model.checkCount + 1024) this.compact();
  }

  private deadlineOf(s: CheckState): number {
    return s.lastCheck + this.settings.freshness_factor * s.interval;
  }

  /** One entry per fresh check, at its deadline. */
  private compact(): void {
    const kept = new Set<CheckState>();
    this.deadlines.compact((hostname, check) => {
      const s = this.model.get(hostname, check);
      if (s === undefined || s.outdated || kept.has(s)) return undefined;
      kept.add(s);
      return this.deadlineOf(s);
    });
  }

  /**
   * Marks checks outdated whose deadline passed by `now` (seconds since the epoch), looking
   * at `limit` due entries at most; whether more are due (the caller calls again, in another
   * loop turn). The wave's log line comes with the call that finds no more.
   */
  outdate(now: number, limit = Number.POSITIVE_INFINITY): boolean {
    let outdated = 0;
    let looked = 0;
    const { named } = this.wave;
    for (let at = this.deadlines.peekAt(); at !== undefined && at <= now; at = this.deadlines.peekAt()) {
      if (looked++ >= limit) {
        this.countOutdated(outdated);
        return true;
      }
      const { hostname, check } = this.deadlines.pop()!;
      const s = this.model.get(hostname, check);
      if (s === undefined || s.outdated) continue;
      const deadline = this.deadlineOf(s);
      if (deadline > now) {
        // A newer result moved the deadline: armed again, at the current one.
        this.deadlines.push({ at: deadline, hostname, check });
        continue;
      }
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
      if (named.length < OUTDATED_NAMED) named.push(check === HOST_CHECK ? hostname : `${hostname};${check}`);
    }
    this.countOutdated(outdated);
    const wave = this.wave;
    if (wave.outdated > 0) {
      this.wave = { outdated: 0, named: [] };
      this.log.info(outdatedMessage(wave.outdated, wave.named), { checks: wave.outdated, first: wave.named });
    }
    return false;
  }

  private countOutdated(n: number): void {
    if (n === 0) return;
    this.wave.outdated += n;
    this.stats.add("checks_outdated", n);
  }
}

/**
 * `3 checks outdated (no result for freshness_factor × interval): web1;disk, web1;load, web2`,
 * with `and N more` past the named ones: an operator sees which checks stopped reporting
 * without a query. A host's own check is named by the host, as Nagios names host alerts.
 */
export function outdatedMessage(count: number, named: readonly string[]): string {
  const more = count > named.length ? ` and ${count - named.length} more` : "";
  return `${count} check${count === 1 ? "" : "s"} outdated (no result for freshness_factor × interval): ${named.join(", ")}${more}`;
}
