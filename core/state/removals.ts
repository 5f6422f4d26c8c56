import { HOST_CHECK } from "../model/check-result";
import type { Annotations } from "./annotations";
import type { ChangeNotifier } from "./change-feed";
import { checkKey, type CheckKey, type CheckState } from "./check-state";
import { unknownObject, type Applied } from "./command-requests";
import type { StatePersistence } from "./persistence";
import type { ReadModel } from "./read-model";
import type { RollbackJournal } from "./rollback-journal";

/** How long a removed check (DEL_HOST, DEL_SVC) refuses results stamped before its removal: late ones must not bring it back. */
const REMOVAL_MEMORY_SECONDS = 3600;

/** When checks and hosts were removed, for REMOVAL_MEMORY_SECONDS: results stamped before a removal are refused. */
export class RemovalMemory {
  /** checkKey → time of its removal (DEL_SVC, or DEL_HOST for each check). */
  readonly checks = new Map<string, number>();
  /** host → time of DEL_HOST. */
  readonly hosts = new Map<string, number>();

  /** Whether a result stamped `time` comes before the removal of its check or host. */
  removedBefore(hostname: string, check: string, time: number): boolean {
    if (this.hosts.size === 0 && this.checks.size === 0) return false;
    const host = this.hosts.get(hostname);
    const own = this.checks.get(checkKey(hostname, check));
    // A result of the removal's own second that arrives after it brings the check back (arrival order within a second).
    const t = Math.floor(time);
    return (host !== undefined && t < Math.floor(host)) || (own !== undefined && t < Math.floor(own));
  }

  forget(now: number): void {
    for (const map of [this.hosts, this.checks]) {
      for (const [key, time] of map) if (time < now - REMOVAL_MEMORY_SECONDS) map.delete(key);
    }
  }

  /** Puts back what a rolled-back change set found (persistence.ts). */
  restore(journal: RollbackJournal): void {
    for (const [map, values] of [
      [this.checks, journal.removedChecks.values],
      [this.hosts, journal.removedHosts.values],
    ] as const) {
      for (const [key, before] of values) {
        if (before === undefined) map.delete(key);
        else map.set(key, before);
      }
    }
  }
}

/**
 * DEL_HOST (the host and its services) and DEL_SVC: the states go with their downtimes and
 * comments, the log keeps their history, and the removal is remembered (RemovalMemory).
 */
export class ObjectRemoval {
  constructor(
    private readonly model: ReadModel,
    private readonly memory: RemovalMemory,
    private readonly annotations: Annotations,
    private readonly persistence: StatePersistence,
    private readonly notifier: ChangeNotifier,
  ) {}

  /**
   * Removes the target at `time`. A check whose last result is stamped after the removal
   * stays (in timestamp order it came back), and results stamped before it are refused for
   * REMOVAL_MEMORY_SECONDS.
   */
  removeObject(target: CheckKey, withServices: boolean, time: number): Applied {
    const entry = this.model.entryOf(target);
    if (entry === undefined) return unknownObject(target);
    const checks: CheckState[] = [];
    if (target.check === HOST_CHECK) {
      if (entry.hostCheck !== undefined) checks.push(entry.hostCheck);
      if (withServices) checks.push(...entry.services.values());
      this.persistence.pending.journal.removedHosts.note(target.hostname, this.memory.hosts.get(target.hostname));
      this.memory.hosts.set(target.hostname, time);
    } else checks.push(entry.services.get(target.check)!);
    let kept = 0;
    for (const s of checks) {
      // Whole seconds, as commands are stamped: a result of the same second that arrived first is removed.
      if (Math.floor(s.lastCheck) > Math.floor(time)) kept++;
      else this.removeCheck(s, time);
    }
    if (this.model.deleteHostIfEmpty(entry.name)) this.annotations.dropAllOfHost(entry.name);
    return kept === 0 ? { ok: true } : { ok: true, note: `${kept} check(s) with results stamped after the removal kept` };
  }

  /** Removes one check with its downtimes and comments, remembering when (results stamped before are refused). */
  private removeCheck(s: CheckState, time: number): void {
    const key = checkKey(s.hostname, s.check);
    const pending = this.persistence.pending;
    pending.journal.checks.note(key, s);
    pending.journal.removedChecks.note(key, this.memory.checks.get(key));
    this.annotations.dropAllOf(s.hostname, s.check);
    this.model.unput(s.hostname, s.check);
    this.notifier.notify("state");
    pending.remove(s);
    this.memory.checks.set(key, time);
  }
}
