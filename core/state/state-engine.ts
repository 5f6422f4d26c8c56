import type { Clock } from "../clock";
import { setImmediate as nextTurn } from "node:timers/promises";
import { describeError, RetryableError } from "../errors";
import type { Logger } from "../log/logger";
import { Throttle } from "../log/throttle";
import type { InstanceStats } from "../metrics/self-stats";
import { HOST_CHECK, type CheckResult } from "../model/check-result";
import type { LogPage, LogQuery } from "../store/log-query";
import type { StateStore } from "../store/state-store";
import { Annotations } from "./annotations";
import type { CheckKey, CheckState } from "./check-state";
import { ChangeNotifier, type ChangeFeed } from "./change-feed";
import type { Comment } from "./comment";
import type { AcknowledgementRequest, Applied, CommentRequest, DowntimeRequest } from "./command-requests";
import { downtimeRecords, type Downtime } from "./downtime";
import { Freshness, OUTDATE_CHUNK, type FreshnessSettings } from "./freshness";
import { commandEntry } from "./log-lines";
import { HostTakeover } from "./takeover";
import { ObjectRecords } from "./object-records";
import { StatePersistence } from "./persistence";
import { ReadModel, type HostEntry } from "./read-model";
import { ObjectRemoval, RemovalMemory } from "./removals";
import { ResultRules } from "./result-rules";
import type { StateView } from "./state-view";

// Where the engine's types used to live: callers import them from here.
export type { HostEntry } from "./read-model";
export type { AcknowledgementRequest, Applied, CommentRequest, DowntimeRequest } from "./command-requests";
export { describeObject, unknownObject } from "./command-requests";

export type EngineSettings = FreshnessSettings;

/** Results applied per loop turn (StateEngine.write): a few ms of work, so that a Livestatus answer never waits behind a whole batch. */
export const APPLY_CHUNK = 1000;

/**
 * The current state of every host and service with their downtimes and comments, and the
 * rules that move it: a facade over the parts, each of one job:
 * - read-model.ts: the states, indexed by host, as queries read them;
 * - result-rules.ts: how a result moves a state (ordering, state changes and their alerts);
 * - annotations.ts: acknowledgements, downtimes and comments, their commands and timers;
 * - freshness.ts: checks outdated when their results stop;
 * - removals.ts: DEL_HOST / DEL_SVC, and results refused after them;
 * - persistence.ts: the pending change set, its commit to the store, the rollback of a
 *   failed commit, the store's coming and going.
 *
 * Every change is committed to the store before `write()` (or `flush()` after a command)
 * resolves, so a result leaves the bus queue only once durable. Queries see a change from
 * the moment it is applied (commits run in the store's own time: SQLite's writer thread,
 * Elasticsearch); a commit that fails rolls memory back to what the store holds, so what a
 * restart would not bring back does not stay, and the bus retries the batch. Results and
 * commands are ordered by their timestamps, not by arrival.
 */
export class StateEngine implements StateView {
  private readonly model = new ReadModel();
  /** Tells Livestatus Wait queries what changed (core/state/change-feed.ts). */
  private readonly notifier = new ChangeNotifier();
  private readonly removals = new RemovalMemory();
  private readonly persistence: StatePersistence;
  private readonly annotations: Annotations;
  private readonly freshness: Freshness;
  private readonly objectRemoval: ObjectRemoval;
  private readonly results: ResultRules;
  private readonly takeover: HostTakeover;
  private timer: NodeJS.Timeout | undefined;
  /** Settles once the last batch handed to write() is applied: the next one waits for it. */
  private applying: Promise<void> = Promise.resolve();
  /** Set by stop(): a tick's outdating left for the next loop turns stops there. */
  private stopped = false;
  /** A store that cannot write fails every timer's commit: a few lines a minute say so. */
  private readonly commitErrorLog: Throttle;

  constructor(
    private readonly settings: EngineSettings,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly stats: InstanceStats,
  ) {
    const { model, notifier, removals } = this;
    const downtimes = downtimeRecords();
    const comments = new ObjectRecords<Comment>();
    // Persistence puts states back in memory (a load, a rollback): freshness re-arms them, results about Tantale itself are applied again.
    this.persistence = new StatePersistence(
      { model, downtimes, comments, removals },
      notifier,
      { scheduleFreshness: (s) => this.freshness.schedule(s), reapply: (r) => this.applyNow(r), forget: (keys) => this.takeover.forget(keys) },
      stats,
      log,
      clock,
    );
    this.annotations = new Annotations(model, downtimes, comments, this.persistence, notifier, clock, log);
    this.freshness = new Freshness(settings, model, this.annotations, this.persistence, notifier, stats, log);
    this.objectRemoval = new ObjectRemoval(model, removals, this.annotations, this.persistence, notifier);
    this.results = new ResultRules(model, removals, this.annotations, this.freshness, this.persistence, notifier, stats);
    this.takeover = new HostTakeover(
      model,
      { downtimes, comments },
      this.annotations,
      this.persistence,
      notifier,
      (s) => this.freshness.schedule(s),
      clock,
      log,
    );
    this.commitErrorLog = new Throttle(clock, 3, 60_000);
    stats.gauge("hosts", () => model.hostCount);
    stats.gauge("checks", () => model.checkCount);
  }

  /** Starts the timers: freshness, downtimes starting and ending, acknowledgements expiring. */
  start(): void {
    this.stopped = false;
    this.timer ??= setInterval(() => this.tick(), this.settings.freshness_check_interval);
    this.timer.unref();
  }

  /** Stops the freshness checks and waits for the commit in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.persistence.settled();
  }

  /**
   * Connects a store. The first one is loaded (stored states newer than what memory holds win);
   * a store attached later (a restart, another file, one added to a daemon that ran without)
   * is handed the whole current state, so that it never holds only part of it.
   */
  attachStore(store: StateStore): Promise<void> {
    return this.persistence.attachStore(store);
  }

  /**
   * Disconnects the store after the commit in progress. A store that restarts (`removed`
   * false) finds every change made meanwhile waiting for it; without a store the engine
   * keeps the state in memory only.
   */
  detachStore(removed: boolean): Promise<void> {
    return this.persistence.detachStore(removed);
  }

  /**
   * Applies a batch of results and commits what changed (the bus runner's write). If the
   * commit fails, memory is rolled back and this rejects: the runner retries the whole batch.
   * Applied APPLY_CHUNK results per loop turn, so that queries are answered meanwhile; a
   * rollback during the batch (of a commit before it, which takes the changes made on top of
   * it along) rejects it too, once its own commit is done.
   */
  async write(batch: readonly CheckResult[]): Promise<void> {
    const rollbacks = this.persistence.rollbacks;
    const turn = this.applying.then(() => this.apply(batch));
    // Batches in flight at once are applied one after the other, in the order handed: each
    // yields between chunks, and two interleaved would apply a check's results out of order.
    this.applying = turn.then(
      () => undefined,
      () => undefined,
    );
    await (
      await turn
    ).committed;
    if (this.persistence.rollbacks !== rollbacks)
      throw new RetryableError("a commit failed while this batch was applied: the batch was rolled back with it and is applied again");
  }

  /** Applies a batch, APPLY_CHUNK results per loop turn, and hands its changes to the commit (wrapped: a promise returned would be awaited here). */
  private async apply(batch: readonly CheckResult[]): Promise<{ committed: Promise<void> }> {
    // A store shared by several Tantales may hold hosts another one wrote: taken over first.
    await this.takeover.adoptFor(batch);
    let applied = 0;
    let hostResults = 0;
    for (let i = 0; i < batch.length; i += APPLY_CHUNK) {
      if (i > 0) await nextTurn();
      const end = Math.min(batch.length, i + APPLY_CHUNK);
      for (let j = i; j < end; j++) {
        const r = batch[j]!;
        if (!this.results.apply(r)) continue;
        applied++;
        if (r.check === HOST_CHECK) hostResults++;
      }
    }
    this.stats.add("results_applied", applied);
    // Checkmk's status columns host_checks and service_checks count them apart.
    this.stats.add("host_results_applied", hostResults);
    return { committed: this.persistence.flush() };
  }

  /**
   * Applies a result about Tantale itself (its health check) at once, ahead of its commit:
   * a store that cannot write must not keep the health check from saying so. The one
   * exception to "queries show only what is committed": a rollback applies it again, and
   * the next commit that works stores it.
   */
  applyNow(r: CheckResult): void {
    if (this.results.apply(r)) this.persistence.pending.selfResults.push(r);
  }

  // --- reads, for the query tables and the dump ---------------------------------------

  get hostCount(): number {
    return this.model.hostCount;
  }

  /** What changed, as it happens: for waiters (Livestatus Wait headers) instead of polling. */
  get changes(): ChangeFeed {
    return this.notifier;
  }

  /** Bumped whenever a host appears or is removed: readers keep their sorted host lists until it moves. */
  get hostsVersion(): number {
    return this.model.hostsVersion;
  }

  host(name: string): Readonly<HostEntry> | undefined {
    return this.model.host(name);
  }

  allHosts(): IterableIterator<Readonly<HostEntry>> {
    return this.model.allHosts();
  }

  allChecks(): IterableIterator<CheckState> {
    return this.model.allChecks();
  }

  get(hostname: string, check: string): CheckState | undefined {
    return this.model.get(hostname, check);
  }

  readLog(query: LogQuery): Promise<LogPage> {
    return this.persistence.readLog(query);
  }

  /** The downtimes of one host check or service, by id. */
  downtimesOf(hostname: string, check: string): readonly Downtime[] {
    return this.annotations.downtimesOf(hostname, check);
  }

  /** The downtimes of a host and of its services, by id. */
  downtimesOfHost(hostname: string): readonly Downtime[] {
    return this.annotations.downtimesOfHost(hostname);
  }

  allDowntimes(): readonly Downtime[] {
    return this.annotations.allDowntimes();
  }

  downtime(id: number): Downtime | undefined {
    return this.annotations.downtime(id);
  }

  commentsOf(hostname: string, check: string): readonly Comment[] {
    return this.annotations.commentsOf(hostname, check);
  }

  commentsOfHost(hostname: string): readonly Comment[] {
    return this.annotations.commentsOfHost(hostname);
  }

  allComments(): readonly Comment[] {
    return this.annotations.allComments();
  }

  comment(id: number): Comment | undefined {
    return this.annotations.comment(id);
  }

  // --- commands (core/commands applies them; each returns what it did) --------------------

  /** Logs an accepted command (`EXTERNAL COMMAND: NAME;args`) at the current time. */
  logCommand(name: string, rawArgs: string | undefined, target: CheckKey | undefined): void {
    this.persistence.addLog(commandEntry(name, rawArgs, target?.hostname ?? "", target?.check ?? "", this.clock.now() / 1000));
    this.notifier.notify("command");
  }

  /** Whether the object is known: a host (pending or not) or one of its services. */
  knows(target: CheckKey): boolean {
    return this.model.entryOf(target) !== undefined;
  }

  /** ACKNOWLEDGE_*_PROBLEM at `time`: only on a problem; adds the acknowledgement's comment (entry type 4). */
  acknowledge(target: CheckKey, request: AcknowledgementRequest, time: number): Applied {
    return this.annotations.acknowledge(target, request, time);
  }

  /** REMOVE_*_ACKNOWLEDGEMENT at `time`: an acknowledgement stamped after the removal stays. */
  removeAcknowledgement(target: CheckKey, time: number): Applied {
    return this.annotations.removeAcknowledgement(target, time);
  }

  /** SCHEDULE_*_DOWNTIME at `time`, on the target and, with `withServices`, every service of the host. */
  scheduleDowntime(target: CheckKey, request: DowntimeRequest, withServices: boolean, time: number): Applied {
    return this.annotations.scheduleDowntime(target, request, withServices, time);
  }

  /** DEL_*_DOWNTIME: cancels it (logged CANCELLED when it was active) and the downtimes it triggers. */
  deleteDowntime(id: number, service: boolean): Applied {
    return this.annotations.deleteDowntime(id, service);
  }

  /** ADD_*_COMMENT at `time`. */
  addComment(target: CheckKey, request: CommentRequest, time: number): Applied {
    return this.annotations.addComment(target, request, time);
  }

  /** DEL_*_COMMENT. Deleting an acknowledgement's comment leaves the acknowledgement (as Nagios). */
  deleteComment(id: number, service: boolean): Applied {
    return this.annotations.deleteComment(id, service);
  }

  /** DEL_HOST (the host and its services) and DEL_SVC at `time`: see removals.ts. */
  removeObject(target: CheckKey, withServices: boolean, time: number): Applied {
    return this.objectRemoval.removeObject(target, withServices, time);
  }

  /**
   * Commits what is pending (after commands or freshness changes). Resolves once the changes
   * made before the call are committed; rejects with the store's error once they are rolled
   * back (memory holds what the store holds again).
   */
  flush(): Promise<void> {
    return this.persistence.flush();
  }

  /**
   * The timers' work, at the clock's time: checks outdated, downtimes started and ended,
   * acknowledgements expired, old removals forgotten; then one commit of what changed.
   * Checks due beyond OUTDATE_CHUNK are outdated in the next loop turns, each committed.
   */
  tick(): void {
    const now = this.clock.now() / 1000;
    const more = this.freshness.outdate(now, OUTDATE_CHUNK);
    this.annotations.tick(now);
    this.removals.forget(now);
    if (more) this.outdateRest(now);
    this.commitTimed();
  }

  private outdateRest(now: number): void {
    setImmediate(() => {
      if (this.stopped) return;
      if (this.freshness.outdate(now, OUTDATE_CHUNK)) this.outdateRest(now);
      this.commitTimed();
    });
  }

  private commitTimed(): void {
    if (this.persistence.pending.isEmpty) return;
    this.flush().catch((err: unknown) => {
      const t = this.commitErrorLog.take();
      if (t.log)
        this.log.warn("commit of timed changes (freshness, downtimes, expiries) failed: rolled back, done again at the next tick", {
          error: describeError(err),
          suppressed: t.suppressed,
        });
    });
  }
}
