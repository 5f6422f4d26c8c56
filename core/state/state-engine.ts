import type { Clock } from "../clock";
import { RetryableError, describeError } from "../errors";
import type { Logger } from "../log/logger";
import { Throttle } from "../log/throttle";
import type { InstanceStats } from "../metrics/self-stats";
import { HOST_CHECK, type CheckResult } from "../model/check-result";
import type { LogQuery, StateStore } from "../store/state-store";
import { acknowledgementVerdict, keptAcknowledgement } from "./acknowledgement-rules";
import type { ChangeSet } from "./change-set";
import { checkKey, type Acknowledgement, type CheckKey, type CheckState } from "./check-state";
import { ChangeNotifier, type ChangeFeed } from "./change-feed";
import { COMMENT_ENTRY, type Comment } from "./comment";
import { DeadlineHeap } from "./deadline-heap";
import { activeUntil, isActive, type Downtime } from "./downtime";
import { alertEntry, commandEntry, downtimeEntry, stateName, type DowntimeEvent } from "./log-lines";
import type { LogEntry } from "./log-entry";
import { ObjectRecords, type ObjectRecord } from "./object-records";
import { PendingChanges } from "./pending-changes";
import type { RollbackJournal } from "./rollback-journal";
import type { StateView } from "./state-view";

export interface EngineSettings {
  /** A check is outdated after this many intervals without a result. */
  readonly freshness_factor: number;
  /** Milliseconds between two looks at the freshness deadlines. */
  readonly freshness_check_interval: number;
}

/** A host: known from its first result of any kind, pending until its Host check arrives. */
export interface HostEntry {
  readonly name: string;
  hostCheck: CheckState | undefined;
  readonly services: Map<string, CheckState>;
  /** Bumped on every change to `services` (a state replaced, added or removed): readers keep what they derive from it until it moves. */
  version: number;
}

/** What a command did: applied (with a note for the log when it had no effect), or refused with the message for the client. */
export type Applied = { readonly ok: true; readonly note?: string; readonly ids?: readonly number[] } | { readonly ok: false; readonly message: string };

/** An acknowledgement as ACKNOWLEDGE_*_PROBLEM asks for it. */
export interface AcknowledgementRequest {
  readonly sticky: boolean;
  readonly persistent: boolean;
  readonly author: string;
  readonly comment: string;
  /** Seconds since the epoch; 0 never. */
  readonly expireTime: number;
}

/** A downtime as SCHEDULE_*_DOWNTIME asks for it (times in seconds since the epoch). */
export interface DowntimeRequest {
  readonly startTime: number;
  readonly endTime: number;
  readonly fixed: boolean;
  readonly triggeredBy: number;
  readonly duration: number;
  readonly author: string;
  readonly comment: string;
}

/** A comment as ADD_*_COMMENT asks for it. */
export interface CommentRequest {
  readonly persistent: boolean;
  readonly author: string;
  readonly comment: string;
}

/** How long a removed check (DEL_HOST, DEL_SVC) refuses results stamped before its removal: late ones must not bring it back. */
const REMOVAL_MEMORY_SECONDS = 3600;

const OUTDATED_PREFIX = "OUTDATED - ";

/**
 * The current state of every host and service, kept in memory and indexed by host (one
 * host's services cost O(its services)), with their downtimes and comments, and the rules
 * that move it: ordering, state changes and their log entries, acknowledgements,
 * downtimes, freshness, removal. Every change is committed to the store before `write()`
 * (or `flush()` after a command) resolves, so a result leaves the bus queue only once durable.
 * A commit that fails rolls memory back to what the store holds (rollback-journal.ts): queries
 * never show what a restart would not bring back, and the bus retries the batch.
 *
 * Results and commands are ordered by their timestamps, not by arrival: a result older
 * than the state is ignored, an acknowledgement is judged against the state at its time
 * (acknowledgement-rules.ts), a removal spares results stamped after it and refuses
 * those stamped before it.
 */
export class StateEngine implements StateView {
  private readonly hosts = new Map<string, HostEntry>();
  private readonly deadlines = new DeadlineHeap();
  private checkCount = 0;
  private pending = new PendingChanges();
  private commitChain: Promise<void> = Promise.resolve();
  private store: StateStore | undefined;
  /** memory: no store is configured; waiting: the store is away for a restart, changes wait. */
  private persistence: "memory" | "store" | "waiting" = "memory";
  private loaded = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly downtimes = new ObjectRecords<Downtime>();
  private readonly comments = new ObjectRecords<Comment>();
  /** checkKey → time of its removal; and host → time of DEL_HOST. */
  private readonly removedChecks = new Map<string, number>();
  private readonly removedHosts = new Map<string, number>();
  private hostsVersionCounter = 0;
  /** Tells Livestatus Wait queries what changed (core/state/change-feed.ts). */
  private readonly notifier = new ChangeNotifier();
  /** checkKey → expiry time of the acknowledgements that expire. */
  private readonly expiringAcks = new Map<string, number>();
  /** Downtimes with a trigger: while there are none, a start looks for none to start with it. */
  private triggeredDowntimes = 0;
  /** A store that cannot write fails every timer's commit: a few lines a minute say so. */
  private readonly commitErrorLog: Throttle;

  constructor(
    private readonly settings: EngineSettings,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly stats: InstanceStats,
  ) {
    this.commitErrorLog = new Throttle(clock, 3, 60_000);
    stats.gauge("hosts", () => this.hosts.size);
    stats.gauge("checks", () => this.checkCount);
  }

  /** Starts the timers: freshness, downtimes starting and ending, acknowledgements expiring. */
  start(): void {
    this.timer ??= setInterval(() => this.tick(), this.settings.freshness_check_interval);
    this.timer.unref();
  }

  /** Stops the freshness checks and waits for the commit in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.commitChain;
  }

  /**
   * Connects a store. The first one is loaded (stored states newer than what memory holds win);
   * a store attached later (a restart, another file, one added to a daemon that ran without)
   * is handed the whole current state, so that it never holds only part of it.
   */
  async attachStore(store: StateStore): Promise<void> {
    const handOver = this.loaded || this.checkCount > 0;
    if (!this.loaded) {
      const started = performance.now();
      const { checks, downtimes, comments, lastIds } = await store.load();
      for (const s of checks) {
        const current = this.get(s.hostname, s.check);
        if (current !== undefined && current.lastCheck >= s.lastCheck) continue;
        this.put(s);
        this.schedule(s);
      }
      for (const d of downtimes) {
        if (this.downtimes.get(d.id) !== undefined) continue;
        if (d.triggeredBy !== 0) this.triggeredDowntimes++;
        this.downtimes.put(d);
      }
      for (const c of comments) if (this.comments.get(c.id) === undefined) this.comments.put(c);
      this.downtimes.reserve(lastIds.downtime);
      this.comments.reserve(lastIds.comment);
      this.loaded = true;
      this.log.info("state loaded from the store", { checks: checks.length, hosts: this.hosts.size, downtimes: downtimes.length, comments: comments.length, ms: Math.round(performance.now() - started) });
    }
    if (handOver) this.handOver();
    this.store = store;
    this.persistence = "store";
  }

  /**
   * Disconnects the store after the commit in progress. A store that restarts (`removed`
   * false) finds every change made meanwhile waiting for it; without a store the engine
   * keeps the state in memory only.
   */
  async detachStore(removed: boolean): Promise<void> {
    // What only commands and timers changed (no result left in the queue to carry it) goes to the store before it leaves.
    await this.flush().catch((err: unknown) => this.log.warn("last commit before the store detached failed: its changes were rolled back", { error: describeError(err) }));
    this.store = undefined;
    this.persistence = removed ? "memory" : "waiting";
  }

  /**
   * Applies a batch of results and commits what changed (the bus runner's write). If the
   * commit fails, memory is rolled back and this rejects: the runner retries the whole batch.
   */
  write(batch: readonly CheckResult[]): Promise<void> {
    let applied = 0;
    for (const r of batch) if (this.apply(r)) applied++;
    this.stats.add("results_applied", applied);
    return this.flush();
  }

  /**
   * Applies a result about Tantale itself (its health check) at once, ahead of its commit:
   * a store that cannot write must not keep the health check from saying so. The one
   * exception to "queries show only what is committed": a rollback applies it again, and
   * the next commit that works stores it.
   */
  applyNow(r: CheckResult): void {
    if (this.apply(r)) this.pending.selfResults.push(r);
  }

  // --- reads, for the query tables and the dump ---------------------------------------

  get hostCount(): number {
    return this.hosts.size;
  }

  /** What changed, as it happens: for waiters (Livestatus Wait headers) instead of polling. */
  get changes(): ChangeFeed {
    return this.notifier;
  }

  /** Bumped whenever a host appears or is removed: readers keep their sorted host lists until it moves. */
  get hostsVersion(): number {
    return this.hostsVersionCounter;
  }

  host(name: string): Readonly<HostEntry> | undefined {
    return this.hosts.get(name);
  }

  allHosts(): IterableIterator<Readonly<HostEntry>> {
    return this.hosts.values();
  }

  *allChecks(): IterableIterator<CheckState> {
    for (const h of this.hosts.values()) {
      if (h.hostCheck !== undefined) yield h.hostCheck;
      yield* h.services.values();
    }
  }

  get(hostname: string, check: string): CheckState | undefined {
    const h = this.hosts.get(hostname);
    return h === undefined ? undefined : check === HOST_CHECK ? h.hostCheck : h.services.get(check);
  }

  readLog(query: LogQuery): Promise<readonly LogEntry[]> {
    return this.store === undefined ? Promise.resolve([]) : this.store.readLog(query);
  }

  /** The downtimes of one host check or service, by id. */
  downtimesOf(hostname: string, check: string): readonly Downtime[] {
    return this.downtimes.size === 0 ? [] : this.downtimes.of(hostname, check);
  }

  /** The downtimes of a host and of its services, by id. */
  downtimesOfHost(hostname: string): readonly Downtime[] {
    return this.downtimes.size === 0 ? [] : this.downtimes.ofHost(hostname);
  }

  allDowntimes(): readonly Downtime[] {
    return this.downtimes.all();
  }

  downtime(id: number): Downtime | undefined {
    return this.downtimes.get(id);
  }

  commentsOf(hostname: string, check: string): readonly Comment[] {
    return this.comments.size === 0 ? [] : this.comments.of(hostname, check);
  }

  commentsOfHost(hostname: string): readonly Comment[] {
    return this.comments.size === 0 ? [] : this.comments.ofHost(hostname);
  }

  allComments(): readonly Comment[] {
    return this.comments.all();
  }

  comment(id: number): Comment | undefined {
    return this.comments.get(id);
  }

  // --- commands (core/commands applies them; each returns what it did) --------------------

  /** Logs an accepted command (`EXTERNAL COMMAND: NAME;args`) at the current time. */
  logCommand(name: string, rawArgs: string | undefined, target: CheckKey | undefined): void {
    this.addLog(commandEntry(name, rawArgs, target?.hostname ?? "", target?.check ?? "", this.nowSeconds()));
    this.notifier.notify("command");
  }

  /** Whether the object is known: a host (pending or not) or one of its services. */
  knows(target: CheckKey): boolean {
    return this.entryOf(target) !== undefined;
  }

  /** ACKNOWLEDGE_*_PROBLEM at `time`: only on a problem; adds the acknowledgement's comment (entry type 4). */
  acknowledge(target: CheckKey, request: AcknowledgementRequest, time: number): Applied {
    const s = this.get(target.hostname, target.check);
    if (s === undefined) return unknownObject(target);
    if (request.expireTime > 0 && request.expireTime <= this.nowSeconds()) return { ok: false, message: `the acknowledgement's expiry time ${request.expireTime} has already passed` };
    const verdict = acknowledgementVerdict(s, request.sticky, time);
    if (verdict === "not-a-problem") return { ok: false, message: `${describeObject(target)} is ${stateName(s.check, s.state)}: there is no problem to acknowledge` };
    if (verdict === "no-problem-then") {
      return { ok: false, message: `${describeObject(target)} was ${stateName(s.check, s.lastState)} at ${time}, the acknowledgement's time (its problem began at ${s.lastStateChange}): there was no problem to acknowledge` };
    }
    const current = s.acknowledgement;
    if (current !== null && Math.floor(current.time) > Math.floor(time)) return { ok: true, note: `a newer acknowledgement (stamped ${current.time}) stands` };
    if (verdict === "superseded") return { ok: true, note: `a state change stamped ${s.lastStateChange}, after the acknowledgement (${time}), has already ended it` };
    const acknowledgement = { type: request.sticky ? 2 : 1, author: request.author, comment: request.comment, time, expireTime: request.expireTime } as const;
    this.setAcknowledgement(s, acknowledgement);
    const id = this.comments.nextId();
    this.putComment({ id, hostname: s.hostname, check: s.check, author: request.author, comment: request.comment, entryTime: time, entryType: COMMENT_ENTRY.acknowledgement, persistent: request.persistent, expireTime: request.expireTime });
    return { ok: true, ids: [id] };
  }

  /** REMOVE_*_ACKNOWLEDGEMENT at `time`: an acknowledgement stamped after the removal stays. */
  removeAcknowledgement(target: CheckKey, time: number): Applied {
    const s = this.get(target.hostname, target.check);
    if (s === undefined) return unknownObject(target);
    const ack = s.acknowledgement;
    if (ack === null) return { ok: true, note: "it was not acknowledged" };
    if (Math.floor(ack.time) > Math.floor(time)) return { ok: true, note: `the acknowledgement (stamped ${ack.time}) is newer than the removal (${time}): kept` };
    this.setAcknowledgement(s, null);
    return { ok: true };
  }

  /**
   * SCHEDULE_*_DOWNTIME at `time`, on the target and, with `withServices`, every service of
   * the host. A fixed downtime is active from start to end; a flexible one starts with the
   * first problem in its window and lasts `duration`; a triggered one starts with its trigger.
   */
  scheduleDowntime(target: CheckKey, request: DowntimeRequest, withServices: boolean, time: number): Applied {
    const entry = this.entryOf(target);
    if (entry === undefined) return unknownObject(target);
    const now = this.nowSeconds();
    if (request.endTime <= now) return { ok: false, message: `the downtime's window ends at ${request.endTime}, which has already passed (now ${Math.floor(now)})` };
    const trigger = request.triggeredBy === 0 ? undefined : this.downtimes.get(request.triggeredBy);
    if (request.triggeredBy !== 0 && trigger === undefined) return { ok: false, message: `there is no downtime ${request.triggeredBy} to trigger this one` };
    const checks = [target.check, ...(withServices && target.check === HOST_CHECK ? [...entry.services.keys()].sort() : [])];
    const ids: number[] = [];
    for (const check of checks) {
      const { startTime, endTime, fixed, duration, triggeredBy, author, comment } = request; // only these: a caller may pass a wider object
      const d: Downtime = { id: this.downtimes.nextId(), hostname: target.hostname, check, author, comment, entryTime: time, startTime, endTime, fixed, duration, triggeredBy, activeSince: 0 };
      this.putDowntime(d);
      ids.push(d.id);
      if (trigger !== undefined && isActive(trigger)) this.startDowntime(d, now);
    }
    this.checkDowntimes(now);
    return { ok: true, ids };
  }

  /** DEL_*_DOWNTIME: cancels it (logged CANCELLED when it was active) and the downtimes it triggers. */
  deleteDowntime(id: number, service: boolean): Applied {
    const d = this.downtimes.get(id);
    if (d === undefined) return { ok: false, message: `there is no downtime with id ${id}` };
    const mismatch = wrongKind("downtime", d, service);
    if (mismatch !== undefined) return mismatch;
    this.endDowntime(d, "CANCELLED", this.nowSeconds());
    return { ok: true };
  }

  /** ADD_*_COMMENT at `time`. */
  addComment(target: CheckKey, request: CommentRequest, time: number): Applied {
    if (!this.knows(target)) return unknownObject(target);
    const id = this.comments.nextId();
    this.putComment({ id, hostname: target.hostname, check: target.check, author: request.author, comment: request.comment, entryTime: time, entryType: COMMENT_ENTRY.user, persistent: request.persistent, expireTime: 0 });
    return { ok: true, ids: [id] };
  }

  /** DEL_*_COMMENT. Deleting an acknowledgement's comment leaves the acknowledgement (as Nagios). */
  deleteComment(id: number, service: boolean): Applied {
    const c = this.comments.get(id);
    if (c === undefined) return { ok: false, message: `there is no comment with id ${id}` };
    const mismatch = wrongKind("comment", c, service);
    if (mismatch !== undefined) return mismatch;
    this.dropComment(c);
    return { ok: true };
  }

  /**
   * DEL_HOST (the host and its services) and DEL_SVC at `time`: removes the states with
   * their downtimes and comments; the log keeps their history. A check whose last result is
   * stamped after the removal stays (in timestamp order it came back), and results stamped
   * before it are refused for REMOVAL_MEMORY_SECONDS.
   */
  removeObject(target: CheckKey, withServices: boolean, time: number): Applied {
    const entry = this.entryOf(target);
    if (entry === undefined) return unknownObject(target);
    const checks: CheckState[] = [];
    if (target.check === HOST_CHECK) {
      if (entry.hostCheck !== undefined) checks.push(entry.hostCheck);
      if (withServices) checks.push(...entry.services.values());
      this.pending.journal.removedHosts.note(target.hostname, this.removedHosts.get(target.hostname));
      this.removedHosts.set(target.hostname, time);
    } else checks.push(entry.services.get(target.check)!);
    let kept = 0;
    for (const s of checks) {
      // Whole seconds, as commands are stamped: a result of the same second that arrived first is removed.
      if (Math.floor(s.lastCheck) > Math.floor(time)) kept++;
      else this.removeCheck(s, time);
    }
    if (entry.hostCheck === undefined && entry.services.size === 0) {
      for (const d of this.downtimes.ofHost(entry.name)) this.dropDowntime(d);
      for (const c of this.comments.ofHost(entry.name)) this.dropComment(c);
      this.hosts.delete(entry.name);
      this.hostsVersionCounter++;
    }
    return kept === 0 ? { ok: true } : { ok: true, note: `${kept} check(s) with results stamped after the removal kept` };
  }

  /**
   * Commits what is pending (after commands or freshness changes). Resolves once the changes
   * made before the call are committed; rejects with the store's error once they are rolled
   * back (memory holds what the store holds again).
   */
  flush(): Promise<void> {
    const set = this.pending;
    this.commitChain = this.commitChain.then(() => this.commitPending());
    return set.settled;
  }

  // --- the rules --------------------------------------------------------------------------

  /** Applies one result; false when it was older than the stored state (ignored, counted). */
  private apply(r: CheckResult): boolean {
    const prev = this.get(r.hostname, r.check);
    if (prev !== undefined && r.timestamp < prev.lastCheck) {
      this.stats.add("results_out_of_order");
      return false;
    }
    if (prev === undefined && this.removedBefore(r.hostname, r.check, r.timestamp)) {
      this.stats.add("results_before_removal");
      return false;
    }
    // Before its first result a check counts as OK/UP, as Nagios assumes: a first problem is a change.
    const before = prev?.state ?? 0;
    const changed = prev !== undefined ? r.status !== prev.state : r.status !== 0;
    const acknowledgement = this.settle(r, prev, r.status, changed, r.timestamp);
    const next: CheckState = Object.freeze({
      hostname: r.hostname,
      check: r.check,
      state: r.status,
      lastState: changed ? before : (prev?.lastState ?? 0),
      output: r.output,
      longOutput: r.longOutput,
      perfData: r.perfData,
      lastCheck: r.timestamp,
      lastStateChange: changed || prev === undefined ? r.timestamp : prev.lastStateChange,
      lastHardStateChange: changed || prev === undefined ? r.timestamp : prev.lastHardStateChange,
      interval: r.interval,
      contacts: r.contacts,
      hostgroups: r.hostgroups,
      servicegroups: r.servicegroups,
      customVariables: r.customVariables,
      outdated: false,
      acknowledgement,
      downtimeDepth: this.depthOf(r.hostname, r.check),
    });
    this.notifier.notify("check");
    if (changed) {
      this.addLog(alertEntry(next, r.timestamp));
      this.notifier.notify("state");
    }
    this.update(next);
    return true;
  }

  /**
   * The timers' work, at the clock's time: checks outdated, downtimes started and ended,
   * acknowledgements expired, old removals forgotten; then one commit of what changed.
   */
  tick(): void {
    const now = this.nowSeconds();
    this.checkFreshness(now);
    if (this.downtimes.size > 0) this.checkDowntimes(now);
    if (this.expiringAcks.size > 0 || this.comments.size > 0) this.expireAcknowledgements(now);
    this.forgetRemovals(now);
    if (this.pending.isEmpty) return;
    this.flush().catch((err: unknown) => {
      const t = this.commitErrorLog.take();
      if (t.log) this.log.warn("commit of timed changes (freshness, downtimes, expiries) failed: rolled back, done again at the next tick", { error: describeError(err), suppressed: t.suppressed });
    });
  }

  /** Marks checks outdated whose deadline passed: CRITICAL (DOWN) if they were OK (UP), state kept otherwise. */
  private checkFreshness(now: number): void {
    let outdated = 0;
    for (let due = this.deadlines.peek(); due !== undefined && due.at <= now; due = this.deadlines.peek()) {
      this.deadlines.pop();
      const [hostname, check] = due.key.split("\u0000") as [string, string];
      const s = this.get(hostname, check);
      if (s === undefined || s.outdated || s.lastCheck !== due.version) continue; // a newer result moved the deadline
      const state = s.state === 0 ? (check === HOST_CHECK ? 1 : 2) : s.state;
      const changed = state !== s.state;
      const acknowledgement = this.settle(s, s, state, changed, now);
      const next: CheckState = Object.freeze({
        ...s,
        state,
        lastState: changed ? s.state : s.lastState,
        output: OUTDATED_PREFIX + s.output,
        lastStateChange: changed ? now : s.lastStateChange,
        lastHardStateChange: changed ? now : s.lastHardStateChange,
        outdated: true,
        acknowledgement,
        downtimeDepth: this.depthOf(hostname, check),
      });
      this.addLog(alertEntry(next, now));
      this.notifier.notify(changed ? "state" : "check");
      this.update(next, false);
      outdated++;
    }
    if (outdated === 0) return;
    this.stats.add("checks_outdated", outdated);
    this.log.info("checks outdated: no result for freshness_factor × interval", { checks: outdated });
  }

  // --- downtimes, comments, acknowledgements: the bookkeeping ---------------------------

  /**
   * What a check's new `state` at `time` sets off before it is stored (a result, or the
   * freshness check): a problem starts its pending flexible downtimes, and the previous
   * acknowledgement is kept or ends, its comments with it. Returns the acknowledgement the
   * new state carries.
   */
  private settle(key: CheckKey, prev: CheckState | undefined, state: number, changed: boolean, time: number): Acknowledgement | null {
    if (state !== 0 && this.downtimes.size > 0) this.triggerFlexibleDowntimes(key.hostname, key.check, time);
    const acknowledgement = keptAcknowledgement(prev?.acknowledgement ?? null, changed, state, time);
    if (prev !== undefined && prev.acknowledgement !== null && acknowledgement === null) this.dropAcknowledgementComments(key.hostname, key.check);
    return acknowledgement;
  }

  /** Starts the downtimes whose time has come and ends those whose time is over. */
  private checkDowntimes(now: number): void {
    for (const d of this.downtimes.all()) {
      if (this.downtimes.get(d.id) !== d) continue; // started or ended earlier in this pass
      if (isActive(d)) {
        const until = activeUntil(d);
        if (now >= until) this.endDowntime(d, "STOPPED", until);
      } else if (now >= d.endTime) {
        // The window closed before it started (a flexible one without a problem, a trigger that never came).
        this.dropDowntime(d);
        this.log.info(`downtime ${d.id} of ${describeObject(d)} ended without starting`, { id: d.id });
      } else if (d.triggeredBy === 0 && now >= d.startTime) {
        // A window that opened before the downtime was scheduled starts at its scheduling.
        if (d.fixed) this.startDowntime(d, Math.max(d.startTime, Math.min(d.entryTime, now)));
        else if (this.inProblem(d.hostname, d.check)) this.startDowntime(d, now);
      }
    }
  }

  /** A problem at `time` starts the pending flexible downtimes of the check whose window holds `time`. */
  private triggerFlexibleDowntimes(hostname: string, check: string, time: number): void {
    for (const d of this.downtimes.of(hostname, check)) {
      // A late result stamped before the downtime was scheduled starts it when it was scheduled, not earlier.
      if (!d.fixed && d.triggeredBy === 0 && !isActive(d) && d.startTime <= time && time < d.endTime) this.startDowntime(d, Math.max(time, d.entryTime));
    }
  }

  private startDowntime(d: Downtime, at: number): void {
    this.putDowntime({ ...d, activeSince: Math.max(at, 1) });
    this.addLog(downtimeEntry(d.hostname, d.check, "STARTED", at));
    this.refreshDepth(d.hostname, d.check);
    if (this.triggeredDowntimes > 0) for (const t of this.downtimes.all()) if (t.triggeredBy === d.id && !isActive(t)) this.startDowntime(t, at);
  }

  /** Ends a downtime: STOPPED on time, or CANCELLED by a command (with the downtimes it triggers). Only an active one is logged. */
  private endDowntime(d: Downtime, event: DowntimeEvent, at: number): void {
    this.dropDowntime(d);
    if (isActive(d)) {
      this.addLog(downtimeEntry(d.hostname, d.check, event, at));
      this.refreshDepth(d.hostname, d.check);
    }
    if (event === "CANCELLED" && this.triggeredDowntimes > 0) for (const t of this.downtimes.all()) if (t.triggeredBy === d.id) this.endDowntime(t, event, at);
  }

  private addLog(entry: LogEntry): void {
    // Only in the pending set: a rollback drops it with the set.
    this.pending.log.push(entry);
    this.notifier.notify("log");
  }

  private putDowntime(d: Downtime): void {
    this.notifier.notify("downtime");
    this.pending.journal.downtimes.note(d.id, this.downtimes.get(d.id));
    const frozen = Object.freeze(d);
    if (d.triggeredBy !== 0 && this.downtimes.get(d.id) === undefined) this.triggeredDowntimes++;
    this.downtimes.put(frozen);
    this.pending.downtimes.put(frozen);
  }

  private dropDowntime(d: Downtime): void {
    this.notifier.notify("downtime");
    this.pending.journal.downtimes.note(d.id, this.downtimes.get(d.id));
    if (this.downtimes.delete(d.id)?.triggeredBy) this.triggeredDowntimes--;
    this.pending.downtimes.drop(d.id);
  }

  private putComment(c: Comment): void {
    this.notifier.notify("comment");
    this.pending.journal.comments.note(c.id, this.comments.get(c.id));
    const frozen = Object.freeze(c);
    this.comments.put(frozen);
    this.pending.comments.put(frozen);
  }

  private dropComment(c: Comment): void {
    this.notifier.notify("comment");
    this.pending.journal.comments.note(c.id, this.comments.get(c.id));
    this.comments.delete(c.id);
    this.pending.comments.drop(c.id);
  }

  /** Active downtimes of the check. */
  private depthOf(hostname: string, check: string): number {
    if (this.downtimes.size === 0) return 0;
    let depth = 0;
    for (const d of this.downtimes.of(hostname, check)) if (isActive(d)) depth++;
    return depth;
  }

  /** Puts the check's downtime depth in its state after a downtime started or ended (a pending host has no state to hold it). */
  private refreshDepth(hostname: string, check: string): void {
    const s = this.get(hostname, check);
    if (s === undefined) return;
    const depth = this.depthOf(hostname, check);
    if (s.downtimeDepth !== depth) this.update(Object.freeze({ ...s, downtimeDepth: depth }), false);
  }

  private inProblem(hostname: string, check: string): boolean {
    const s = this.get(hostname, check);
    return s !== undefined && s.state !== 0;
  }

  /** Sets or clears a check's acknowledgement; clearing removes the acknowledgement's (non-persistent) comments. */
  private setAcknowledgement(s: CheckState, ack: CheckState["acknowledgement"]): void {
    if (s.acknowledgement !== null) this.dropAcknowledgementComments(s.hostname, s.check);
    this.update(Object.freeze({ ...s, acknowledgement: ack }), false);
  }

  /** Keeps expiringAcks in step with a check's acknowledgement (every state change goes through put()). */
  private trackExpiry(s: CheckState): void {
    const expireTime = s.acknowledgement?.expireTime ?? 0;
    if (expireTime > 0) this.expiringAcks.set(checkKey(s.hostname, s.check), expireTime);
    else if (this.expiringAcks.size > 0) this.expiringAcks.delete(checkKey(s.hostname, s.check));
  }

  /** The comments of an ending acknowledgement go with it, except persistent ones (Nagios: "the comment will remain once the acknowledgement is removed"). */
  private dropAcknowledgementComments(hostname: string, check: string): void {
    if (this.comments.size === 0) return;
    for (const c of this.comments.of(hostname, check)) if (c.entryType === COMMENT_ENTRY.acknowledgement && !c.persistent) this.dropComment(c);
  }

  /** Acknowledgements whose expiry time has passed end; so do comments whose expiry time has passed. */
  private expireAcknowledgements(now: number): void {
    for (const [key, expireTime] of this.expiringAcks) {
      if (expireTime > now) continue;
      const [hostname, check] = key.split("\u0000") as [string, string];
      const s = this.get(hostname, check);
      if (s !== undefined && s.acknowledgement !== null) {
        this.setAcknowledgement(s, null);
        this.log.info(`acknowledgement of ${describeObject(s)} expired`, { expireTime });
      } else this.expiringAcks.delete(key);
    }
    for (const c of this.comments.all()) if (c.expireTime > 0 && c.expireTime <= now) this.dropComment(c);
  }

  /** Removes one check with its downtimes and comments, remembering when (results stamped before are refused). */
  private removeCheck(s: CheckState, time: number): void {
    const key = checkKey(s.hostname, s.check);
    this.pending.journal.checks.note(key, s);
    this.pending.journal.removedChecks.note(key, this.removedChecks.get(key));
    for (const d of this.downtimes.of(s.hostname, s.check)) this.dropDowntime(d);
    for (const c of this.comments.of(s.hostname, s.check)) this.dropComment(c);
    const entry = this.hosts.get(s.hostname)!;
    if (s.check === HOST_CHECK) entry.hostCheck = undefined;
    else {
      entry.services.delete(s.check);
      entry.version++;
    }
    this.checkCount--;
    this.notifier.notify("state");
    this.expiringAcks.delete(checkKey(s.hostname, s.check));
    this.pending.remove(s);
    this.removedChecks.set(checkKey(s.hostname, s.check), time);
  }

  private removedBefore(hostname: string, check: string, time: number): boolean {
    if (this.removedHosts.size === 0 && this.removedChecks.size === 0) return false;
    const host = this.removedHosts.get(hostname);
    const own = this.removedChecks.get(checkKey(hostname, check));
    // A result of the removal's own second that arrives after it brings the check back (arrival order within a second).
    const t = Math.floor(time);
    return (host !== undefined && t < Math.floor(host)) || (own !== undefined && t < Math.floor(own));
  }

  private forgetRemovals(now: number): void {
    for (const map of [this.removedHosts, this.removedChecks]) {
      for (const [key, time] of map) if (time < now - REMOVAL_MEMORY_SECONDS) map.delete(key);
    }
  }

  /** The host entry of a known object (a host, pending or not, or one of its services); undefined otherwise. */
  private entryOf(target: CheckKey): HostEntry | undefined {
    const entry = this.hosts.get(target.hostname);
    return entry !== undefined && (target.check === HOST_CHECK || entry.services.has(target.check)) ? entry : undefined;
  }

  private nowSeconds(): number {
    return this.clock.now() / 1000;
  }

  /** Puts a new state in memory and in the pending change set, and re-arms its freshness deadline. */
  private update(s: CheckState, schedule = true): void {
    this.pending.journal.checks.note(checkKey(s.hostname, s.check), this.get(s.hostname, s.check));
    this.put(s);
    this.pending.upsert(s);
    if (schedule) this.schedule(s);
  }

  private put(s: CheckState): void {
    if (s.acknowledgement !== null || this.expiringAcks.size > 0) this.trackExpiry(s);
    let h = this.hosts.get(s.hostname);
    if (h === undefined) {
      h = { name: s.hostname, hostCheck: undefined, services: new Map(), version: 0 };
      this.hosts.set(s.hostname, h);
      this.hostsVersionCounter++;
    }
    if (s.check === HOST_CHECK) {
      if (h.hostCheck === undefined) this.checkCount++;
      h.hostCheck = s;
    } else {
      if (!h.services.has(s.check)) this.checkCount++;
      h.services.set(s.check, s);
      h.version++;
    }
  }

  private schedule(s: CheckState): void {
    if (s.outdated) return;
    this.deadlines.push({ at: s.lastCheck + this.settings.freshness_factor * s.interval, key: checkKey(s.hostname, s.check), version: s.lastCheck });
    // Every result pushes an entry; drop the superseded ones before they outnumber the live ones.
    if (this.deadlines.size > 2 * this.checkCount + 1024) {
      this.deadlines.compact((e) => {
        const [hostname, check] = e.key.split("\u0000") as [string, string];
        const cur = this.get(hostname, check);
        return cur !== undefined && !cur.outdated && cur.lastCheck === e.version;
      });
    }
  }

  /**
   * Commits the pending set (and settles it); never rejects, so the chain goes on. Changes
   * made while an asynchronous commit runs go into a fresh set, built on top of it: if the
   * commit fails, both are rolled back.
   */
  private async commitPending(): Promise<void> {
    const taken = this.pending;
    this.pending = new PendingChanges();
    if (taken.isEmpty) {
      // Nothing to write, but results about Tantale itself still wait for a commit (applyNow).
      if (taken.selfResults.length > 0) this.pending.selfResults.push(...taken.selfResults);
      taken.committed();
      return;
    }
    const store = this.store;
    if (store === undefined) {
      if (this.persistence === "memory") taken.committed(); // nothing to persist to
      else this.rollBack(taken, new RetryableError("the store is restarting: the changes were not stored"));
      return;
    }
    const changes: ChangeSet = taken.toChangeSet({ downtime: this.downtimes.lastId, comment: this.comments.lastId });
    const started = performance.now();
    try {
      await store.commit(changes);
    } catch (err) {
      this.stats.add("commit_errors");
      this.rollBack(taken, err);
      return;
    }
    this.stats.add("commits");
    this.stats.add("commit_ms", performance.now() - started);
    taken.committed();
  }

  /**
   * Puts memory back to what the store holds: undoes `failed` and the set made on top of it
   * while it was being committed, newest first, and rejects both. Then applies again what
   * must not be lost: the hand-over of the whole state to a new store, results about Tantale itself.
   */
  private rollBack(failed: PendingChanges, err: unknown): void {
    const sets = [failed, this.pending];
    this.pending = new PendingChanges();
    for (const set of [...sets].reverse()) this.undo(set.journal);
    this.triggeredDowntimes = this.downtimes.all().filter((d) => d.triggeredBy !== 0).length;
    for (const kind of ["state", "check", "log", "downtime", "comment"] as const) this.notifier.notify(kind);
    for (const set of sets) set.rolledBack(err);
    if (sets.some((set) => set.handOver)) this.handOver();
    for (const r of sets.flatMap((set) => set.selfResults)) this.applyNow(r);
  }

  private undo(journal: RollbackJournal): void {
    const hosts = new Set<string>();
    for (const [key, before] of journal.checks.values) {
      const [hostname, check] = key.split("\u0000") as [string, string];
      hosts.add(hostname);
      if (before === undefined) this.unput(hostname, check);
      else {
        this.put(before);
        // Its deadline may have been taken by the freshness check that is being undone.
        this.schedule(before);
      }
    }
    // A host exists while it has a check: one that came with the undone changes goes, one they removed is back (put above).
    for (const name of hosts) {
      const entry = this.hosts.get(name);
      if (entry !== undefined && entry.hostCheck === undefined && entry.services.size === 0) {
        this.hosts.delete(name);
        this.hostsVersionCounter++;
      }
    }
    for (const [id, before] of journal.downtimes.values) {
      if (before === undefined) this.downtimes.delete(id);
      else this.downtimes.put(before);
    }
    for (const [id, before] of journal.comments.values) {
      if (before === undefined) this.comments.delete(id);
      else this.comments.put(before);
    }
    for (const [map, values] of [[this.removedChecks, journal.removedChecks.values], [this.removedHosts, journal.removedHosts.values]] as const) {
      for (const [key, before] of values) {
        if (before === undefined) map.delete(key);
        else map.set(key, before);
      }
    }
  }

  /** Takes a check out of memory (a rollback of its first result). */
  private unput(hostname: string, check: string): void {
    const entry = this.hosts.get(hostname);
    if (entry === undefined) return;
    if (check === HOST_CHECK) {
      if (entry.hostCheck === undefined) return;
      entry.hostCheck = undefined;
    } else {
      if (!entry.services.delete(check)) return;
      entry.version++;
    }
    this.checkCount--;
    this.expiringAcks.delete(checkKey(hostname, check));
  }

  /** Puts the whole state in the pending set: a store attached later must hold all of it, not only what changes next. */
  private handOver(): void {
    for (const s of this.allChecks()) this.pending.upsert(s);
    for (const d of this.downtimes.all()) this.pending.downtimes.put(d);
    for (const c of this.comments.all()) this.pending.comments.put(c);
    this.pending.handOver = true;
  }
}

/** The refusal of a command on an object Tantale does not know. */
export function unknownObject(target: CheckKey): Applied {
  return { ok: false, message: `${describeObject(target)} is not known` };
}

/** DEL_HOST_* naming a service's record, or DEL_SVC_* a host's: refused, naming the right command. */
function wrongKind(what: "downtime" | "comment", record: ObjectRecord, service: boolean): Applied | undefined {
  const isService = record.check !== HOST_CHECK;
  if (isService === service) return undefined;
  return { ok: false, message: `${what} ${record.id} is a ${isService ? "service" : "host"} ${what}: use DEL_${isService ? "SVC" : "HOST"}_${what.toUpperCase()}` };
}

/** "host web1" or "service web1;disk", for messages. */
export function describeObject(k: CheckKey): string {
  return k.check === HOST_CHECK ? `host ${k.hostname}` : `service ${k.hostname};${k.check}`;
}
