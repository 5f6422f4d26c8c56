import type { ChangeSet, LastIds, RecordChanges } from "./change-set";
import { checkKey, type CheckKey, type CheckState } from "./check-state";
import type { Comment } from "./comment";
import type { Downtime } from "./downtime";
import type { LogEntry } from "./log-entry";
import type { ObjectRecord } from "./object-records";

/** Upserts and removals of one kind of keyed item: a removal cancels an upsert of the same key and the reverse; the last upsert wins. */
class KeyedChanges<K, V, D> {
  readonly upserts = new Map<K, V>();
  readonly deletes = new Map<K, D>();

  get isEmpty(): boolean {
    return this.upserts.size === 0 && this.deletes.size === 0;
  }

  upsert(key: K, v: V): void {
    this.deletes.delete(key);
    this.upserts.set(key, v);
  }

  remove(key: K, d: D): void {
    this.upserts.delete(key);
    this.deletes.set(key, d);
  }

  /** Applies `other`'s changes on top of these. */
  addAll(other: KeyedChanges<K, V, D>): void {
    for (const [k, v] of other.upserts) this.upsert(k, v);
    for (const [k, d] of other.deletes) this.remove(k, d);
  }
}

/** Downtimes or comments changed, by id. */
export class RecordPending<T extends ObjectRecord> extends KeyedChanges<number, T, number> {
  put(r: T): void {
    this.upsert(r.id, r);
  }

  drop(id: number): void {
    this.remove(id, id);
  }

  toChanges(): RecordChanges<T> {
    return { upserts: [...this.upserts.values()], deletes: [...this.deletes.values()] };
  }
}

/**
 * Changes not yet committed: one state per check (the last wins, so a batch that updates a
 * check many times writes it once), removals, log lines in order, downtimes and comments.
 */
export class PendingChanges {
  readonly checks = new KeyedChanges<string, CheckState, CheckKey>();
  readonly downtimes = new RecordPending<Downtime>();
  readonly comments = new RecordPending<Comment>();
  readonly log: LogEntry[] = [];

  get isEmpty(): boolean {
    return this.checks.isEmpty && this.downtimes.isEmpty && this.comments.isEmpty && this.log.length === 0;
  }

  upsert(s: CheckState): void {
    this.checks.upsert(checkKey(s.hostname, s.check), s);
  }

  remove(k: CheckKey): void {
    this.checks.remove(checkKey(k.hostname, k.check), { hostname: k.hostname, check: k.check });
  }

  /**
   * Upserts in (hostname, check) order: a store keyed that way (SQLite's B-tree) then
   * writes neighbouring rows together instead of one page per row (measured 3× faster).
   */
  toChangeSet(lastIds: LastIds): ChangeSet {
    const upserts = this.checks.upserts;
    const keys = [...upserts.keys()].sort();
    return {
      upserts: keys.map((k) => upserts.get(k)!),
      deletes: [...this.checks.deletes.values()],
      log: this.log,
      downtimes: this.downtimes.toChanges(),
      comments: this.comments.toChanges(),
      lastIds,
    };
  }

  /** These (older) changes with `newer` applied on top: for a set whose commit failed. */
  mergedWith(newer: PendingChanges): PendingChanges {
    const out = new PendingChanges();
    for (const p of [this, newer]) {
      out.checks.addAll(p.checks);
      out.downtimes.addAll(p.downtimes);
      out.comments.addAll(p.comments);
    }
    out.log.push(...this.log, ...newer.log);
    return out;
  }
}
