import { RetryableError, describeError } from "../errors";
import type { Logger } from "../log/logger";
import type { InstanceStats } from "../metrics/self-stats";
import type { CheckResult } from "../model/check-result";
import type { Clock } from "../clock";
import { Throttle } from "../log/throttle";
import type { CommitReport } from "../store/commit-report";
import { NO_LOG_ENTRIES, type LogPage, type LogQuery } from "../store/log-query";
import type { StateStore } from "../store/state-store";
import type { ChangeSet } from "./change-set";
import { checkKey, type CheckKey, type CheckState } from "./check-state";
import type { ChangeNotifier } from "./change-feed";
import type { Comment } from "./comment";
import type { DowntimeRecords } from "./downtime";
import type { LogEntry } from "./log-entry";
import type { ObjectRecords } from "./object-records";
import { PendingChanges } from "./pending-changes";
import type { ReadModel } from "./read-model";
import type { RemovalMemory } from "./removals";
import type { RollbackJournal } from "./rollback-journal";
import type { HostSource } from "./takeover";

/** What memory holds: what a load fills, a hand-over sends and a rollback puts back. */
export interface StateMemory {
  readonly model: ReadModel;
  readonly downtimes: DowntimeRecords;
  readonly comments: ObjectRecords<Comment>;
  readonly removals: RemovalMemory;
}

/** What persistence asks of the other parts after it put states back in memory (a load, a rollback). */
export interface PersistenceHooks {
  /** Arms the freshness deadline of a state loaded or put back. */
  readonly scheduleFreshness: (s: CheckState) => void;
  /** Applies again a result about Tantale itself that a rollback took back (StateEngine.applyNow). */
  readonly reapply: (r: CheckResult) => void;
  /** Forgets checks the store says another Tantale now writes (takeover.ts). */
  readonly forget: (keys: readonly CheckKey[]) => void;
}

/** How a load reports its progress: a line every `everyMs` (a large store takes seconds), reading `chunkChecks` checks at a time. */
export interface LoadProgress {
  readonly everyMs: number;
  readonly chunkChecks: number;
}

/** A line every 2 s; chunks small enough that a turn of the event loop (a signal, a log write) never waits long. */
export const LOAD_PROGRESS: LoadProgress = Object.freeze({ everyMs: 2_000, chunkChecks: 10_000 });

/**
 * The way from memory to the store: every change goes into the pending change set with what
 * memory held before it (the rollback journal), and the set is committed to the store in
 * order, one commit at a time. A commit that fails puts memory back to what the store holds,
 * so that what a restart would not bring back does not stay in queries, and rejects: the bus
 * retries the batch. Also the store's coming and going: the first store loads the state, a
 * later one is handed the whole of it.
 */
export class StatePersistence {
  private current = new PendingChanges();
  private commitChain: Promise<void> = Promise.resolve();
  private store: StateStore | undefined;
  /** memory: no store is configured; waiting: the store is away for a restart, changes wait. */
  private mode: "memory" | "store" | "waiting" = "memory";
  private loaded = false;
  private rollbackCount = 0;
  private readonly rejectThrottle: Throttle;

  constructor(
    private readonly memory: StateMemory,
    private readonly notifier: ChangeNotifier,
    private readonly hooks: PersistenceHooks,
    private readonly stats: InstanceStats,
    private readonly log: Logger,
    private readonly clock: Clock,
    private readonly loadProgress: LoadProgress = LOAD_PROGRESS,
  ) {
    this.rejectThrottle = new Throttle(clock);
  }

  /** The store, when it can hand over hosts written by another Tantale (takeover.ts). */
  get hostSource(): HostSource | undefined {
    const store = this.store;
    return store?.loadHosts === undefined ? undefined : (store as HostSource);
  }

  /** The changes not yet committed: every change to memory is noted here (journal first). */
  get pending(): PendingChanges {
    return this.current;
  }

  /** Puts a new state in memory and in the pending change set (its freshness deadline is the caller's). */
  update(s: CheckState): void {
    const { model } = this.memory;
    // One key for both maps: a string built per result is garbage to collect.
    const key = checkKey(s.hostname, s.check);
    this.current.journal.checks.note(key, model.get(s.hostname, s.check));
    model.put(s);
    this.current.upsertKeyed(key, s);
  }

  addLog(entry: LogEntry): void {
    // Only in the pending set: a rollback drops it with the set.
    this.current.log.push(entry);
    this.notifier.notify("log");
  }

  readLog(query: LogQuery): Promise<LogPage> {
    return this.store === undefined ? Promise.resolve(NO_LOG_ENTRIES) : this.store.readLog(query);
  }

  /**
   * Connects a store. The first one is loaded (stored states newer than what memory holds win);
   * a store attached later (a restart, another file, one added to a daemon that ran without)
   * is handed the whole current state, so that it never holds only part of it.
   */
  async attachStore(store: StateStore): Promise<void> {
    // Commits wait until it is attached: what changes while it loads (the load lets the event loop run between chunks:
    // a timer, a command, when a store is added to a daemon that ran without) goes to this store, not to nowhere.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    this.commitChain = this.commitChain.then(() => gate);
    try {
      await this.attach(store);
    } finally {
      open();
    }
  }

  private async attach(store: StateStore): Promise<void> {
    const { model } = this.memory;
    const handOver = this.loaded || model.checkCount > 0;
    if (!this.loaded) await this.load(store);
    if (handOver) this.handOver();
    this.store = store;
    this.mode = "store";
  }

  /**
   * Puts what the store holds in memory (stored states newer than memory's win), the checks
   * chunk by chunk as the store reads them, with a progress line every few seconds: a
   * million checks take seconds, and an operator waiting for a restart sees it move.
   */
  private async load(store: StateStore): Promise<void> {
    const { model, downtimes, comments } = this.memory;
    const started = this.clock.now();
    let lastLine = started;
    let total: number | undefined;
    let read = 0;
    const put = (checks: readonly CheckState[]) => {
      for (const s of checks) {
        const current = model.get(s.hostname, s.check);
        if (current !== undefined && current.lastCheck >= s.lastCheck) continue;
        model.put(s);
        this.hooks.scheduleFreshness(s);
      }
      read += checks.length;
    };
    const loaded = await store.load({
      chunkChecks: this.loadProgress.chunkChecks,
      total: (n) => {
        total = n;
        this.log.info(`loading state: ${n} checks`, { checks: n });
      },
      checks: (chunk) => {
        put(chunk);
        const now = this.clock.now();
        if (now - lastLine < this.loadProgress.everyMs) return;
        lastLine = now;
        this.log.info(`loading state: ${read} of ${total ?? "?"} checks`, { read, checks: total, s: seconds(now - started) });
      },
    });
    // A store that does not read in chunks returns every check here.
    put(loaded.checks);
    for (const d of loaded.downtimes) if (downtimes.get(d.id) === undefined) downtimes.put(d);
    for (const c of loaded.comments) if (comments.get(c.id) === undefined) comments.put(c);
    downtimes.reserve(loaded.lastIds.downtime);
    comments.reserve(loaded.lastIds.comment);
    this.loaded = true;
    const ms = this.clock.now() - started;
    this.log.info("state loaded from the store", {
      checks: read,
      hosts: model.hostCount,
      downtimes: loaded.downtimes.length,
      comments: loaded.comments.length,
      ms,
      s: seconds(ms),
    });
  }

  /**
   * Disconnects the store after the commit in progress. A store that restarts (`removed`
   * false) finds every change made meanwhile waiting for it; without a store the engine
   * keeps the state in memory only.
   */
  async detachStore(removed: boolean): Promise<void> {
    // What only commands and timers changed (no result left in the queue to carry it) goes to the store before it leaves.
    await this.flush().catch((err: unknown) =>
      this.log.warn("last commit before the store detached failed: its changes were rolled back", { error: describeError(err) }),
    );
    this.store = undefined;
    this.mode = removed ? "memory" : "waiting";
  }

  /**
   * Commits what is pending. Resolves once the changes made before the call are committed;
   * rejects with the store's error once they are rolled back (memory holds what the store
   * holds again).
   */
  flush(): Promise<void> {
    const set = this.current;
    this.commitChain = this.commitChain.then(() => this.commitPending());
    return set.settled;
  }

  /** How many rollbacks there have been: a writer that sees it move knows its changes may have been undone. */
  get rollbacks(): number {
    return this.rollbackCount;
  }

  /** Waits for the commit in progress (and those queued behind it). */
  settled(): Promise<void> {
    return this.commitChain;
  }

  /**
   * Commits the pending set (and settles it); never rejects, so the chain goes on. Changes
   * made while an asynchronous commit runs go into a fresh set, built on top of it: if the
   * commit fails, both are rolled back.
   */
  private async commitPending(): Promise<void> {
    const taken = this.current;
    this.current = new PendingChanges();
    if (taken.isEmpty) {
      // Nothing to write, but results about Tantale itself still wait for a commit (applyNow).
      if (taken.selfResults.length > 0) this.current.selfResults.push(...taken.selfResults);
      taken.committed();
      return;
    }
    const store = this.store;
    if (store === undefined) {
      if (this.mode === "memory")
        taken.committed(); // nothing to persist to
      else this.rollBack(taken, new RetryableError("the store is restarting: the changes were not stored"));
      return;
    }
    const changes: ChangeSet = taken.toChangeSet({ downtime: this.memory.downtimes.lastId, comment: this.memory.comments.lastId });
    const started = performance.now();
    let report: CommitReport;
    try {
      report = await store.commit(changes);
    } catch (err) {
      this.stats.add("commit_errors");
      this.rollBack(taken, err);
      return;
    }
    this.stats.add("commits");
    const ms = performance.now() - started;
    this.stats.add("commit_ms", ms);
    this.stats.histogram("commit_seconds").observe(ms / 1000);
    if (report.rejected.length > 0) this.rejected(report);
    taken.committed();
    if (report.moved !== undefined && report.moved.length > 0) {
      this.hooks.forget(report.moved);
      // This Tantale's copies of their downtimes and comments leave the store with the next commit, queued now.
      this.flush().catch(() => undefined);
    }
  }

  /**
   * Parts a store refused for good (a mapping conflict): memory keeps them (the next change
   * of the check writes it again), the log says which, throttled, and the count grows.
   */
  private rejected(report: CommitReport): void {
    this.stats.add("changes_rejected", report.rejected.length);
    const t = this.rejectThrottle.take();
    if (!t.log) return;
    const first = report.rejected[0]!;
    this.log.warn("the store refused part of a commit for good: those changes are not stored", {
      rejected: report.rejected.length,
      first: `${first.part} ${first.key}: ${first.reason}`,
      ...(t.suppressed > 0 ? { suppressed: t.suppressed } : {}),
    });
  }

  /**
   * Puts memory back to what the store holds: undoes `failed` and the set made on top of it
   * while it was being committed, newest first, and rejects both. Then applies again what
   * must not be lost: the hand-over of the whole state to a new store, results about Tantale itself.
   */
  private rollBack(failed: PendingChanges, err: unknown): void {
    this.rollbackCount++;
    const sets = [failed, this.current];
    this.current = new PendingChanges();
    for (const set of [...sets].reverse()) this.undo(set.journal);
    for (const kind of ["state", "check", "log", "downtime", "comment"] as const) this.notifier.notify(kind);
    for (const set of sets) set.rolledBack(err);
    if (sets.some((set) => set.handOver)) this.handOver();
    for (const r of sets.flatMap((set) => set.selfResults)) this.hooks.reapply(r);
  }

  private undo(journal: RollbackJournal): void {
    const { model, downtimes, comments, removals } = this.memory;
    const hosts = new Set<string>();
    for (const [key, before] of journal.checks.values) {
      const [hostname, check] = key.split("\u0000") as [string, string];
      hosts.add(hostname);
      if (before === undefined) model.unput(hostname, check);
      else {
        model.put(before);
        // Its deadline may have been taken by the freshness check that is being undone.
        this.hooks.scheduleFreshness(before);
      }
    }
    // A host exists while it has a check: one that came with the undone changes goes, one they removed is back (put above).
    for (const name of hosts) model.deleteHostIfEmpty(name);
    for (const [id, before] of journal.downtimes.values) {
      if (before === undefined) downtimes.delete(id);
      else downtimes.put(before);
    }
    for (const [id, before] of journal.comments.values) {
      if (before === undefined) comments.delete(id);
      else comments.put(before);
    }
    removals.restore(journal);
  }

  /** Puts the whole state in the pending set: a store attached later must hold all of it, not only what changes next. */
  private handOver(): void {
    const { model, downtimes, comments } = this.memory;
    for (const s of model.allChecks()) this.current.upsert(s);
    for (const d of downtimes.all()) this.current.downtimes.put(d);
    for (const c of comments.all()) this.current.comments.put(c);
    this.current.handOver = true;
  }
}

/** Milliseconds as seconds with two decimals, for log lines people read. */
function seconds(ms: number): number {
  return Math.round(ms / 10) / 100;
}
