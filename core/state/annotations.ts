import type { Clock } from "../clock";
import type { Logger } from "../log/logger";
import { HOST_CHECK } from "../model/check-result";
import { acknowledgementVerdict, keptAcknowledgement } from "./acknowledgement-rules";
import type { ChangeNotifier } from "./change-feed";
import type { Acknowledgement, CheckKey, CheckState } from "./check-state";
import { COMMENT_ENTRY, type Comment } from "./comment";
import {
  describeObject,
  unknownObject,
  wrongKind,
  type AcknowledgementRequest,
  type Applied,
  type CommentRequest,
  type DowntimeRequest,
} from "./command-requests";
import { activeUntil, isActive, type Downtime, type DowntimeRecords } from "./downtime";
import { downtimeEntry, stateName, type DowntimeEvent } from "./log-lines";
import type { ObjectRecords } from "./object-records";
import type { StatePersistence } from "./persistence";
import type { ReadModel } from "./read-model";

/**
 * What operators put on hosts and services: acknowledgements, scheduled downtimes and
 * comments. Their commands (judged by their timestamps, acknowledgement-rules.ts), what a
 * new state sets off in them (`settle`), and their timers: downtimes starting and ending,
 * acknowledgements and comments expiring. Every change goes through the pending change set
 * (persistence.ts), so a failed commit takes it back.
 */
export class Annotations {
  constructor(
    private readonly model: ReadModel,
    private readonly downtimes: DowntimeRecords,
    private readonly comments: ObjectRecords<Comment>,
    private readonly persistence: StatePersistence,
    private readonly notifier: ChangeNotifier,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  // --- reads ------------------------------------------------------------------------------

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

  // --- commands ---------------------------------------------------------------------------

  /** ACKNOWLEDGE_*_PROBLEM at `time`: only on a problem; adds the acknowledgement's comment (entry type 4). */
  acknowledge(target: CheckKey, request: AcknowledgementRequest, time: number): Applied {
    const s = this.model.get(target.hostname, target.check);
    if (s === undefined) return unknownObject(target);
    if (request.expireTime > 0 && request.expireTime <= this.nowSeconds())
      return { ok: false, message: `the acknowledgement's expiry time ${request.expireTime} has already passed` };
    const verdict = acknowledgementVerdict(s, request.sticky, time);
    if (verdict === "not-a-problem")
      return { ok: false, message: `${describeObject(target)} is ${stateName(s.check, s.state)}: there is no problem to acknowledge` };
    if (verdict === "no-problem-then") {
      return {
        ok: false,
        message: `${describeObject(target)} was ${stateName(s.check, s.lastState)} at ${time}, the acknowledgement's time (its problem began at ${s.lastStateChange}): there was no problem to acknowledge`,
      };
    }
    const current = s.acknowledgement;
    if (current !== null && Math.floor(current.time) > Math.floor(time)) return { ok: true, note: `a newer acknowledgement (stamped ${current.time}) stands` };
    if (verdict === "superseded")
      return { ok: true, note: `a state change stamped ${s.lastStateChange}, after the acknowledgement (${time}), has already ended it` };
    const acknowledgement = { type: request.sticky ? 2 : 1, author: request.author, comment: request.comment, time, expireTime: request.expireTime } as const;
    this.setAcknowledgement(s, acknowledgement);
    const id = this.comments.nextId();
    this.putComment({
      id,
      hostname: s.hostname,
      check: s.check,
      author: request.author,
      comment: request.comment,
      entryTime: time,
      entryType: COMMENT_ENTRY.acknowledgement,
      persistent: request.persistent,
      expireTime: request.expireTime,
    });
    return { ok: true, ids: [id] };
  }

  /** REMOVE_*_ACKNOWLEDGEMENT at `time`: an acknowledgement stamped after the removal stays. */
  removeAcknowledgement(target: CheckKey, time: number): Applied {
    const s = this.model.get(target.hostname, target.check);
    if (s === undefined) return unknownObject(target);
    const ack = s.acknowledgement;
    if (ack === null) return { ok: true, note: "it was not acknowledged" };
    if (Math.floor(ack.time) > Math.floor(time))
      return { ok: true, note: `the acknowledgement (stamped ${ack.time}) is newer than the removal (${time}): kept` };
    this.setAcknowledgement(s, null);
    return { ok: true };
  }

  /**
   * SCHEDULE_*_DOWNTIME at `time`, on the target and, with `withServices`, every service of
   * the host. A fixed downtime is active from start to end; a flexible one starts with the
   * first problem in its window and lasts `duration`; a triggered one starts with its trigger.
   */
  scheduleDowntime(target: CheckKey, request: DowntimeRequest, withServices: boolean, time: number): Applied {
    const entry = this.model.entryOf(target);
    if (entry === undefined) return unknownObject(target);
    const now = this.nowSeconds();
    if (request.endTime <= now)
      return { ok: false, message: `the downtime's window ends at ${request.endTime}, which has already passed (now ${Math.floor(now)})` };
    const trigger = request.triggeredBy === 0 ? undefined : this.downtimes.get(request.triggeredBy);
    if (request.triggeredBy !== 0 && trigger === undefined) return { ok: false, message: `there is no downtime ${request.triggeredBy} to trigger this one` };
    const checks = [target.check, ...(withServices && target.check === HOST_CHECK ? [...entry.services.keys()].sort() : [])];
    const ids: number[] = [];
    for (const check of checks) {
      const { startTime, endTime, fixed, duration, triggeredBy, author, comment } = request; // only these: a caller may pass a wider object
      const d: Downtime = {
        id: this.downtimes.nextId(),
        hostname: target.hostname,
        check,
        author,
        comment,
        entryTime: time,
        startTime,
        endTime,
        fixed,
        duration,
        triggeredBy,
        activeSince: 0,
      };
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
    if (this.model.entryOf(target) === undefined) return unknownObject(target);
    const id = this.comments.nextId();
    this.putComment({
      id,
      hostname: target.hostname,
      check: target.check,
      author: request.author,
      comment: request.comment,
      entryTime: time,
      entryType: COMMENT_ENTRY.user,
      persistent: request.persistent,
      expireTime: 0,
    });
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

  // --- what states and timers set off -----------------------------------------------------

  /**
   * What a check's new `state` at `time` sets off before it is stored (a result, or the
   * freshness check): a problem starts its pending flexible downtimes, and the previous
   * acknowledgement is kept or ends, its comments with it. Returns the acknowledgement the
   * new state carries.
   */
  settle(key: CheckKey, prev: CheckState | undefined, state: number, changed: boolean, time: number): Acknowledgement | null {
    if (state !== 0 && this.downtimes.size > 0) this.triggerFlexibleDowntimes(key.hostname, key.check, time);
    const acknowledgement = keptAcknowledgement(prev?.acknowledgement ?? null, changed, state, time);
    if (prev !== undefined && prev.acknowledgement !== null && acknowledgement === null) this.dropAcknowledgementComments(key.hostname, key.check);
    return acknowledgement;
  }

  /** Active downtimes of the check. */
  depthOf(hostname: string, check: string): number {
    if (this.downtimes.size === 0) return 0;
    let depth = 0;
    for (const d of this.downtimes.of(hostname, check)) if (isActive(d)) depth++;
    return depth;
  }

  /** The timers' part at `now`: downtimes started and ended, acknowledgements and comments expired. */
  tick(now: number): void {
    if (this.downtimes.size > 0) this.checkDowntimes(now);
    if (this.model.expiringAcks.size > 0 || this.comments.size > 0) this.expireAcknowledgements(now);
  }

  /** A check removed (DEL_SVC, DEL_HOST): its downtimes and comments go with it. */
  dropAllOf(hostname: string, check: string): void {
    for (const d of this.downtimes.of(hostname, check)) this.dropDowntime(d);
    for (const c of this.comments.of(hostname, check)) this.dropComment(c);
  }

  /** Records taken over from another Tantale (takeover.ts), with the ids the caller chose. */
  adopt(downtimes: readonly Downtime[], comments: readonly Comment[]): void {
    for (const d of downtimes) this.putDowntime(d);
    for (const c of comments) this.putComment(c);
  }

  /** A host removed: the downtimes and comments of its checks that stayed (a pending host's) go with it. */
  dropAllOfHost(hostname: string): void {
    for (const d of this.downtimes.ofHost(hostname)) this.dropDowntime(d);
    for (const c of this.comments.ofHost(hostname)) this.dropComment(c);
  }

  // --- the bookkeeping --------------------------------------------------------------------

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
    this.persistence.addLog(downtimeEntry(d.hostname, d.check, "STARTED", at));
    this.refreshDepth(d.hostname, d.check);
    if (this.downtimes.tallied > 0) for (const t of this.downtimes.all()) if (t.triggeredBy === d.id && !isActive(t)) this.startDowntime(t, at);
  }

  /** Ends a downtime: STOPPED on time, or CANCELLED by a command (with the downtimes it triggers). Only an active one is logged. */
  private endDowntime(d: Downtime, event: DowntimeEvent, at: number): void {
    this.dropDowntime(d);
    if (isActive(d)) {
      this.persistence.addLog(downtimeEntry(d.hostname, d.check, event, at));
      this.refreshDepth(d.hostname, d.check);
    }
    if (event === "CANCELLED" && this.downtimes.tallied > 0) for (const t of this.downtimes.all()) if (t.triggeredBy === d.id) this.endDowntime(t, event, at);
  }

  private putDowntime(d: Downtime): void {
    this.notifier.notify("downtime");
    const pending = this.persistence.pending;
    pending.journal.downtimes.note(d.id, this.downtimes.get(d.id));
    const frozen = Object.freeze(d);
    this.downtimes.put(frozen);
    pending.downtimes.put(frozen);
  }

  private dropDowntime(d: Downtime): void {
    this.notifier.notify("downtime");
    const pending = this.persistence.pending;
    pending.journal.downtimes.note(d.id, this.downtimes.get(d.id));
    this.downtimes.delete(d.id);
    pending.downtimes.drop(d.id);
  }

  private putComment(c: Comment): void {
    this.notifier.notify("comment");
    const pending = this.persistence.pending;
    pending.journal.comments.note(c.id, this.comments.get(c.id));
    const frozen = Object.freeze(c);
    this.comments.put(frozen);
    pending.comments.put(frozen);
  }

  private dropComment(c: Comment): void {
    this.notifier.notify("comment");
    const pending = this.persistence.pending;
    pending.journal.comments.note(c.id, this.comments.get(c.id));
    this.comments.delete(c.id);
    pending.comments.drop(c.id);
  }

  /** Puts the check's downtime depth in its state after a downtime started or ended (a pending host has no state to hold it). */
  private refreshDepth(hostname: string, check: string): void {
    const s = this.model.get(hostname, check);
    if (s === undefined) return;
    const depth = this.depthOf(hostname, check);
    if (s.downtimeDepth !== depth) this.persistence.update(Object.freeze({ ...s, downtimeDepth: depth }));
  }

  private inProblem(hostname: string, check: string): boolean {
    const s = this.model.get(hostname, check);
    return s !== undefined && s.state !== 0;
  }

  /** Sets or clears a check's acknowledgement; clearing removes the acknowledgement's (non-persistent) comments. */
  private setAcknowledgement(s: CheckState, ack: CheckState["acknowledgement"]): void {
    if (s.acknowledgement !== null) this.dropAcknowledgementComments(s.hostname, s.check);
    this.persistence.update(Object.freeze({ ...s, acknowledgement: ack }));
  }

  /** The comments of an ending acknowledgement go with it, except persistent ones (Nagios: "the comment will remain once the acknowledgement is removed"). */
  private dropAcknowledgementComments(hostname: string, check: string): void {
    if (this.comments.size === 0) return;
    for (const c of this.comments.of(hostname, check)) if (c.entryType === COMMENT_ENTRY.acknowledgement && !c.persistent) this.dropComment(c);
  }

  /** Acknowledgements whose expiry time has passed end; so do comments whose expiry time has passed. */
  private expireAcknowledgements(now: number): void {
    for (const [key, expireTime] of this.model.expiringAcks) {
      if (expireTime > now) continue;
      const [hostname, check] = key.split("\u0000") as [string, string];
      const s = this.model.get(hostname, check);
      if (s !== undefined && s.acknowledgement !== null) {
        this.setAcknowledgement(s, null);
        this.log.info(`acknowledgement of ${describeObject(s)} expired`, { expireTime });
      } else this.model.expiringAcks.delete(key);
    }
    for (const c of this.comments.all()) if (c.expireTime > 0 && c.expireTime <= now) this.dropComment(c);
  }

  private nowSeconds(): number {
    return this.clock.now() / 1000;
  }
}
