/**
 * What the engine's command tests share: an engine over a store that records its commits
 * (and can be told to fail), a clock moved by hand, results that never go outdated on their
 * own (interval one day), and short ways to write targets and requests.
 */
import { expect } from "chai";
import type { Clock } from "../../../core/clock";
import { silentLogger } from "../../../core/log/logger";
import { SelfStats, type InstanceStats } from "../../../core/metrics/self-stats";
import { HOST_CHECK, type CheckResult } from "../../../core/model/check-result";
import type { ChangeSet, LastIds } from "../../../core/state/change-set";
import type { CheckKey, CheckState } from "../../../core/state/check-state";
import type { Comment } from "../../../core/state/comment";
import type { Downtime } from "../../../core/state/downtime";
import type { LogEntry } from "../../../core/state/log-entry";
import { checkKey } from "../../../core/state/check-state";
import { StateEngine, type AcknowledgementRequest, type Applied, type CommentRequest, type DowntimeRequest } from "../../../core/state/state-engine";
import { COMPLETE_COMMIT, type CommitReport } from "../../../core/store/commit-report";
import { logPageOf, type LogPage, type LogQuery } from "../../../core/store/log-query";
import { EMPTY_STORED_STATE, type StateStore, type StoredState } from "../../../core/store/state-store";

export const T0 = 1_764_100_000;

/** Keeps every commit; fails the next `failNext` ones as a full disk would. `load()` returns what it was built with. */
export class RecordingStore implements StateStore {
  readonly commits: ChangeSet[] = [];
  failNext = 0;
  constructor(private readonly initial: StoredState = EMPTY_STORED_STATE) {}

  async load(): Promise<StoredState> {
    return this.initial;
  }

  async commit(changes: ChangeSet): Promise<CommitReport> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error("disk full");
    }
    this.commits.push(changes);
    return COMPLETE_COMMIT;
  }

  async readLog(q: LogQuery): Promise<LogPage> {
    return logPageOf(this.log, q);
  }

  get log(): LogEntry[] {
    return this.commits.flatMap((c) => [...c.log]);
  }

  get messages(): string[] {
    return this.log.map((e) => e.message);
  }

  /** The last committed state of a check. */
  latest(hostname: string, check: string): CheckState | undefined {
    let found: CheckState | undefined;
    for (const c of this.commits) for (const s of c.upserts) if (s.hostname === hostname && s.check === check) found = s;
    return found;
  }

  get lastCommit(): ChangeSet {
    const c = this.commits.at(-1);
    if (c === undefined) return expect.fail("nothing was committed");
    return c;
  }

  /** What a store that applied every commit in order would load: the committed state, the way a restart sees it. */
  stored(): StoredState {
    const checks = new Map<string, CheckState>();
    const downtimes = new Map<number, Downtime>();
    const comments = new Map<number, Comment>();
    let lastIds: LastIds = EMPTY_STORED_STATE.lastIds;
    for (const c of this.commits) {
      for (const s of c.upserts) checks.set(checkKey(s.hostname, s.check), s);
      for (const k of c.deletes) checks.delete(checkKey(k.hostname, k.check));
      for (const d of c.downtimes.upserts) downtimes.set(d.id, d);
      for (const id of c.downtimes.deletes) downtimes.delete(id);
      for (const m of c.comments.upserts) comments.set(m.id, m);
      for (const id of c.comments.deletes) comments.delete(id);
      lastIds = c.lastIds;
    }
    const byId = (a: { id: number }, b: { id: number }) => a.id - b.id;
    return { checks: [...checks.values()], downtimes: [...downtimes.values()].sort(byId), comments: [...comments.values()].sort(byId), lastIds };
  }
}

export interface Harness {
  readonly engine: StateEngine;
  readonly store: RecordingStore;
  readonly stats: InstanceStats;
  readonly clock: Clock;
  /** Moves the clock to T0 + seconds. */
  at(seconds: number): void;
  /** Writes results through the engine's rules and commits them. */
  write(...results: CheckResult[]): Promise<void>;
  /** tick() at T0 + seconds, then waits for its commit. */
  tickAt(seconds: number): Promise<void>;
  /** A second engine, on the same clock, over a store that loads what this one committed (a restart). */
  restart(): Promise<Harness>;
}

export async function harness(initial: StoredState = EMPTY_STORED_STATE, clockAt: { now: number } = { now: T0 }): Promise<Harness> {
  const time = clockAt;
  const clock: Clock = { now: () => time.now * 1000 };
  const stats = new SelfStats().of("(state)");
  const engine = new StateEngine({ freshness_factor: 2, freshness_check_interval: 1000 }, clock, silentLogger(), stats);
  const store = new RecordingStore(initial);
  await engine.attachStore(store);
  const h: Harness = {
    engine,
    store,
    stats,
    clock,
    at: (seconds) => void (time.now = T0 + seconds),
    write: (...results) => engine.write(results),
    async tickAt(seconds) {
      h.at(seconds);
      engine.tick();
      await engine.flush();
    },
    restart: () => harness(store.stored(), time),
  };
  return h;
}

/** A result stamped T0 + `at` seconds; interval one day, so that the freshness check never interferes. */
export function res(hostname: string, check: string, status: number, at: number, extra: Partial<CheckResult> = {}): CheckResult {
  return Object.freeze({
    hostname,
    check,
    status,
    output: `${check} is ${status}`,
    longOutput: "",
    perfData: "",
    timestamp: T0 + at,
    interval: 86_400,
    contacts: ["ops"],
    hostgroups: [],
    servicegroups: [],
    customVariables: {},
    ...extra,
  });
}

export function svc(hostname: string, check: string): CheckKey {
  return { hostname, check };
}

export function hst(hostname: string): CheckKey {
  return { hostname, check: HOST_CHECK };
}

export function ackRequest(extra: Partial<AcknowledgementRequest> = {}): AcknowledgementRequest {
  return { sticky: false, persistent: false, author: "alice", comment: "on it", expireTime: 0, ...extra };
}

/** A fixed downtime from T0 + start to T0 + end. */
export function fixed(start: number, end: number, extra: Partial<DowntimeRequest> = {}): DowntimeRequest {
  return { startTime: T0 + start, endTime: T0 + end, fixed: true, triggeredBy: 0, duration: end - start, author: "bob", comment: "maintenance", ...extra };
}

/** A flexible downtime whose window is T0 + start .. T0 + end, lasting `duration` once started. */
export function flexible(start: number, end: number, duration: number, extra: Partial<DowntimeRequest> = {}): DowntimeRequest {
  return { startTime: T0 + start, endTime: T0 + end, fixed: false, triggeredBy: 0, duration, author: "bob", comment: "patching", ...extra };
}

export function commentRequest(extra: Partial<CommentRequest> = {}): CommentRequest {
  return { persistent: true, author: "carol", comment: "see ticket 42", ...extra };
}

/** The applied command's ids (fails the test when it was refused). */
export function applied(a: Applied): readonly number[] {
  if (!a.ok) return expect.fail(`refused: ${a.message}`);
  return a.ids ?? [];
}

/** The applied command's note (fails the test when it was refused). */
export function noteOf(a: Applied): string | undefined {
  if (!a.ok) return expect.fail(`refused: ${a.message}`);
  return a.note;
}

/** The refusal's message (fails the test when it was applied). */
export function refusal(a: Applied): string {
  if (a.ok) return expect.fail(`applied: ${JSON.stringify(a)}`);
  return a.message;
}

/** The check's state (fails the test when it is not known). */
export function stateOf(h: Harness, key: CheckKey): CheckState {
  const s = h.engine.get(key.hostname, key.check);
  if (s === undefined) return expect.fail(`${key.hostname};${key.check} is not known`);
  return s;
}

/** The downtime, which must exist. */
export function downtimeOf(h: Harness, id: number): Downtime {
  const d = h.engine.downtime(id);
  if (d === undefined) return expect.fail(`no downtime ${id}`);
  return d;
}
