import type { Clock } from "../clock";
import type { Logger } from "../log/logger";
import type { CheckResult } from "../model/check-result";
import type { StoredState } from "../store/state-store";
import type { Annotations } from "./annotations";
import type { ChangeNotifier } from "./change-feed";
import { checkKey, type CheckKey, type CheckState } from "./check-state";
import type { Comment } from "./comment";
import type { Downtime, DowntimeRecords } from "./downtime";
import type { ObjectRecords } from "./object-records";
import type { StatePersistence } from "./persistence";
import type { ReadModel } from "./read-model";

/** A store shared by several Tantales (Elasticsearch): it can hand over the hosts another one wrote. */
export interface HostSource {
  /** The states, downtimes and comments of these hosts, whichever Tantale wrote them. */
  loadHosts(hostnames: readonly string[]): Promise<StoredState>;
}

/** A host the store did not hold is not asked for again before this long (results of a brand-new host). */
const ABSENT_MS = 60_000;
const ABSENT_MAX = 100_000;

/**
 * Hosts moving between Tantales that share one store (docs: "Several Tantales on one
 * cluster"). Each Tantale owns the hosts whose results it receives. A result for a host this
 * one does not hold makes it ask the store first: the state another Tantale wrote (last
 * state change, acknowledgement, downtimes, comments) joins memory and is written again as
 * this one's, so a failover goes on where the other left. The other Tantale learns the host
 * moved when the store refuses its next write as older (`CommitReport.moved`) and forgets it.
 */
export class HostTakeover {
  private readonly absent = new Map<string, number>();

  constructor(
    private readonly model: ReadModel,
    private readonly records: { readonly downtimes: DowntimeRecords; readonly comments: ObjectRecords<Comment> },
    private readonly annotations: Annotations,
    private readonly persistence: StatePersistence,
    private readonly notifier: ChangeNotifier,
    private readonly scheduleFreshness: (s: CheckState) => void,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Takes over, before a batch is applied, the hosts it names that memory does not hold and the store may. */
  async adoptFor(batch: readonly CheckResult[]): Promise<void> {
    const source = this.persistence.hostSource;
    if (source === undefined) return;
    const now = this.clock.now();
    let names: Set<string> | undefined;
    for (const r of batch) {
      if (this.model.host(r.hostname) !== undefined || names?.has(r.hostname)) continue;
      const asked = this.absent.get(r.hostname);
      if (asked !== undefined && now - asked < ABSENT_MS) continue;
      (names ??= new Set()).add(r.hostname);
    }
    if (names === undefined) return;
    const loaded = await source.loadHosts([...names]);
    // Results may have been applied while the store answered: memory is asked again.
    this.merge(loaded);
    if (this.absent.size > ABSENT_MAX) this.absent.clear();
    for (const name of names) if (this.model.host(name) === undefined) this.absent.set(name, now);
  }

  /**
   * Forgets checks another Tantale now writes (the store holds newer states of them from it):
   * memory only, with their downtimes and comments (this Tantale's copies of those are
   * deleted from the store; the other one wrote its own). Their states stay in the store.
   */
  forget(keys: readonly CheckKey[]): void {
    const hosts = new Set<string>();
    for (const k of keys) {
      const s = this.model.get(k.hostname, k.check);
      if (s === undefined) continue;
      this.persistence.pending.journal.checks.note(checkKey(k.hostname, k.check), s);
      this.annotations.dropAllOf(k.hostname, k.check);
      this.model.unput(k.hostname, k.check);
      hosts.add(k.hostname);
    }
    if (hosts.size === 0) return;
    for (const name of hosts) if (this.model.deleteHostIfEmpty(name)) this.annotations.dropAllOfHost(name);
    this.notifier.notify("state");
    this.log.info("hosts moved to another Tantale (the store holds newer states written by it): forgotten here", {
      hosts: hosts.size,
      first: [...hosts].slice(0, 5),
    });
  }

  private merge(loaded: StoredState): void {
    let checks = 0;
    for (const s of loaded.checks) {
      const current = this.model.get(s.hostname, s.check);
      if (current !== undefined && current.lastCheck >= s.lastCheck) continue;
      this.persistence.update(s);
      this.scheduleFreshness(s);
      checks++;
    }
    // Ids are handed out by each Tantale: one already taken here gets a new one (and so do the triggers naming it).
    const downtimeIds = renumber(loaded.downtimes, this.records.downtimes);
    const downtimes: Downtime[] = loaded.downtimes.map((d) => ({
      ...d,
      id: downtimeIds.get(d.id)!,
      triggeredBy: d.triggeredBy === 0 ? 0 : (downtimeIds.get(d.triggeredBy) ?? d.triggeredBy),
    }));
    const commentIds = renumber(loaded.comments, this.records.comments);
    const comments: Comment[] = loaded.comments.map((c) => ({ ...c, id: commentIds.get(c.id)! }));
    this.annotations.adopt(downtimes, comments);
    if (checks > 0 || downtimes.length > 0 || comments.length > 0) {
      this.notifier.notify("state");
      this.log.info("hosts taken over from the store (written before by another Tantale)", {
        checks,
        downtimes: downtimes.length,
        comments: comments.length,
      });
    }
  }
}

function renumber(incoming: readonly { readonly id: number }[], held: ObjectRecords<Downtime> | ObjectRecords<Comment>): Map<number, number> {
  const ids = new Map<number, number>();
  const taken = new Set<number>();
  for (const r of incoming) {
    const free = held.get(r.id) === undefined && !taken.has(r.id);
    const id = free ? r.id : held.nextId();
    held.reserve(id);
    taken.add(id);
    ids.set(r.id, id);
  }
  return ids;
}
