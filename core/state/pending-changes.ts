import type { CheckResult } from "../model/check-result";
import type { ChangeSet, LastIds, RecordChanges } from "./change-set";
import { checkKey, type CheckKey, type CheckState } from "./check-state";
import type { Comment } from "./comment";
import type { Downtime } from "./downtime";
import type { LogEntry } from "./log-entry";
import type { ObjectRecord } from "./object-records";
import { RollbackJournal } from "./rollback-journal";

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
 * check many times writes it once), removals, log lines in order, downtimes and comments;
 * with what memory held before them (the journal), for a rollback if the commit fails.
 */
export class PendingChanges {
  readonly checks = new KeyedChanges<string, CheckState, CheckKey>();
  readonly downtimes = new RecordPending<Downtime>();
  readonly comments = new RecordPending<Comment>();
  readonly log: LogEntry[] = [];
  readonly journal = new RollbackJournal();
  /** Results about Tantale itself applied before their commit: applied again after a rollback (StateEngine.applyNow). */
  readonly selfResults: CheckResult[] = [];
  /** The set carries the whole state to a store attached later: a rollback must not lose that. */
  handOver = false;
  /** Resolves once the set is committed, rejects with the store's error once it is rolled back. */
  readonly settled: Promise<void>;
  private settle!: { resolve: () => void; reject: (err: unknown) => void };

  constructor() {
    this.settled = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
    // Most sets are never awaited (timers, results of a batch that another flush committed).
    this.settled.catch(() => undefined);
  }

  get isEmpty(): boolean {
    return this.checks.isEmpty && this.downtimes.isEmpty && this.comments.isEmpty && this.log.length === 0;
  }

  upsert(s: CheckState): void {
    this.checks.upsert(checkKey(s.hostname, s.check), s);
  }

  /** upsert() with the state's checkKey already made. */
  upsertKeyed(key: string, s: CheckState): void {
    this.checks.upsert(key, s);
  }

  remove(k: CheckKey): void {
    this.checks.remove(checkKey(k.hostname, k.check), { hostname: k.hostname, check: k.check });
  }

  committed(): void {
    this.settle.resolve();
  }

  rolledBack(err: unknown): void {
    this.settle.reject(err);
  }

  /**
   * Upserts in the order the checks were first changed: a store that wants another order
   * (SQLite's writer thread sorts by key) sorts them itself, off the main thread.
   */
  toChangeSet(lastIds: LastIds): ChangeSet {
    return {
      upserts: [...this.checks.upserts.values()],
      deletes: [...this.checks.deletes.values()],
      log: this.log,
      downtimes: this.downtimes.toChanges(),
      comments: this.comments.toChanges(),
      lastIds,
    };
  }
}
