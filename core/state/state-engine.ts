import type { Clock } from "../clock";
import { RetryableError, describeError } from "../errors";
import type { Logger } from "../log/logger";
import type { InstanceStats } from "../metrics/self-stats";
import { HOST_CHECK, type CheckResult } from "../model/check-result";
import type { LogQuery, StateStore } from "../store/state-store";
import type { ChangeSet } from "./change-set";
import { checkKey, type Acknowledgement, type CheckState } from "./check-state";
import { DeadlineHeap } from "./deadline-heap";
import { alertEntry } from "./log-lines";
import type { LogEntry } from "./log-entry";
import { PendingChanges } from "./pending-changes";

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
}

const OUTDATED_PREFIX = "OUTDATED - ";

/**
 * The current state of every host and service, kept in memory and indexed by host (one
 * host's services cost O(its services)), and the rules that move it: ordering, state
 * changes and their log entries, acknowledgements, freshness. Every change is committed to
 * the store before `write()` resolves, so a result leaves the bus queue only once durable.
 */
export class StateEngine {
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

  constructor(
    private readonly settings: EngineSettings,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly stats: InstanceStats,
  ) {
    stats.gauge("hosts", () => this.hosts.size);
    stats.gauge("checks", () => this.checkCount);
  }

  /** Starts the freshness checks. */
  start(): void {
    this.timer ??= setInterval(() => this.checkFreshness(), this.settings.freshness_check_interval);
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
      const { checks } = await store.load();
      for (const s of checks) {
        const current = this.get(s.hostname, s.check);
        if (current !== undefined && current.lastCheck >= s.lastCheck) continue;
        this.put(s);
        this.schedule(s);
      }
      this.loaded = true;
      this.log.info("state loaded from the store", { checks: checks.length, hosts: this.hosts.size, ms: Math.round(performance.now() - started) });
    }
    if (handOver) for (const s of this.allChecks()) this.pending.upsert(s);
    this.store = store;
    this.persistence = "store";
  }

  /**
   * Disconnects the store after the commit in progress. A store that restarts (`removed`
   * false) finds every change made meanwhile waiting for it; without a store the engine
   * keeps the state in memory only.
   */
  async detachStore(removed: boolean): Promise<void> {
    await this.commitChain;
    this.store = undefined;
    this.persistence = removed ? "memory" : "waiting";
  }

  /** Applies a batch of results and commits what changed (the bus runner's write). */
  write(batch: readonly CheckResult[]): Promise<void> {
    let applied = 0;
    for (const r of batch) if (this.apply(r)) applied++;
    this.stats.add("results_applied", applied);
    return this.flush();
  }

  // --- reads, for the query tables and the dump ---------------------------------------

  get hostCount(): number {
    return this.hosts.size;
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

  // --- acknowledgements (the Livestatus commands build on these) ------------------------

  /** Acknowledges a problem; false when there is no such check or it is OK/UP. */
  acknowledge(hostname: string, check: string, ack: Acknowledgement): boolean {
    const s = this.get(hostname, check);
    if (s === undefined || s.state === 0) return false;
    this.update({ ...s, acknowledgement: ack });
    return true;
  }

  removeAcknowledgement(hostname: string, check: string): boolean {
    const s = this.get(hostname, check);
    if (s === undefined || s.acknowledgement === null) return false;
    this.update({ ...s, acknowledgement: null });
    return true;
  }

  /** Commits what is pending (after commands or freshness changes). */
  flush(): Promise<void> {
    const run = this.commitChain.then(() => this.commitPending());
    this.commitChain = run.catch(() => undefined);
    return run;
  }

  // --- the rules --------------------------------------------------------------------------

  /** Applies one result; false when it was older than the stored state (ignored, counted). */
  private apply(r: CheckResult): boolean {
    const prev = this.get(r.hostname, r.check);
    if (prev !== undefined && r.timestamp < prev.lastCheck) {
      this.stats.add("results_out_of_order");
      return false;
    }
    // Before its first result a check counts as OK/UP, as Nagios assumes: a first problem is a change.
    const before = prev?.state ?? 0;
    const changed = prev !== undefined ? r.status !== prev.state : r.status !== 0;
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
      acknowledgement: keptAcknowledgement(prev?.acknowledgement ?? null, changed, r.status),
      downtimeDepth: prev?.downtimeDepth ?? 0,
    });
    if (changed) this.pending.log.push(alertEntry(next, r.timestamp));
    this.update(next);
    return true;
  }

  /** Marks checks outdated whose deadline passed: CRITICAL (DOWN) if they were OK (UP), state kept otherwise. */
  checkFreshness(): void {
    const now = this.clock.now() / 1000;
    let outdated = 0;
    for (let due = this.deadlines.peek(); due !== undefined && due.at <= now; due = this.deadlines.peek()) {
      this.deadlines.pop();
      const [hostname, check] = due.key.split("\u0000") as [string, string];
      const s = this.get(hostname, check);
      if (s === undefined || s.outdated || s.lastCheck !== due.version) continue; // a newer result moved the deadline
      const state = s.state === 0 ? (check === HOST_CHECK ? 1 : 2) : s.state;
      const changed = state !== s.state;
      const next: CheckState = Object.freeze({
        ...s,
        state,
        lastState: changed ? s.state : s.lastState,
        output: OUTDATED_PREFIX + s.output,
        lastStateChange: changed ? now : s.lastStateChange,
        lastHardStateChange: changed ? now : s.lastHardStateChange,
        outdated: true,
        acknowledgement: keptAcknowledgement(s.acknowledgement, changed, state),
      });
      this.pending.log.push(alertEntry(next, now));
      this.update(next, false);
      outdated++;
    }
    if (outdated === 0) return;
    this.stats.add("checks_outdated", outdated);
    this.log.info("checks outdated: no result for freshness_factor × interval", { checks: outdated });
    this.flush().catch((err: unknown) => this.log.warn("commit of outdated checks failed; retried with the next one", { error: describeError(err) }));
  }

  /** Puts a new state in memory and in the pending change set, and re-arms its freshness deadline. */
  private update(s: CheckState, schedule = true): void {
    this.put(s);
    this.pending.upsert(s);
    if (schedule) this.schedule(s);
  }

  private put(s: CheckState): void {
    let h = this.hosts.get(s.hostname);
    if (h === undefined) {
      h = { name: s.hostname, hostCheck: undefined, services: new Map() };
      this.hosts.set(s.hostname, h);
    }
    if (s.check === HOST_CHECK) {
      if (h.hostCheck === undefined) this.checkCount++;
      h.hostCheck = s;
    } else {
      if (!h.services.has(s.check)) this.checkCount++;
      h.services.set(s.check, s);
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

  private async commitPending(): Promise<void> {
    if (this.pending.isEmpty) return;
    const store = this.store;
    if (store === undefined) {
      if (this.persistence === "memory") this.pending = new PendingChanges(); // nothing to persist to
      else throw new RetryableError("the store is restarting: changes wait for it");
      return;
    }
    // Changes made while the commit runs go into a fresh set; a failed set is merged back under them.
    const taken = this.pending;
    this.pending = new PendingChanges();
    const changes: ChangeSet = taken.toChangeSet();
    const started = performance.now();
    try {
      await store.commit(changes);
    } catch (err) {
      this.pending = taken.mergedWith(this.pending);
      this.stats.add("commit_errors");
      throw err;
    }
    this.stats.add("commits");
    this.stats.add("commit_ms", performance.now() - started);
  }
}

/** Nagios' rules: a normal acknowledgement ends with any state change, a sticky one on recovery. */
function keptAcknowledgement(ack: Acknowledgement | null, changed: boolean, state: number): Acknowledgement | null {
  if (ack === null || state === 0) return null;
  if (changed && ack.type === 1) return null;
  return ack;
}
