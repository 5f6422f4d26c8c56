import os from "node:os";
import path from "node:path";
import { inject, injectable, type InjectionToken } from "tsyringe";
import type { Clock } from "../../../core/clock";
import { TantaleError, describeError } from "../../../core/errors";
import type { Logger } from "../../../core/log/logger";
import { Throttle } from "../../../core/log/throttle";
import type { InstanceStats } from "../../../core/metrics/self-stats";
import type { Endpoint, StorePlugin } from "../../../core/plugin/api";
import { DiskSpool } from "../../../core/spool/disk-spool";
import type { Spool, SpoolOptions } from "../../../core/spool/spool";
import type { DaemonSettings } from "../../../core/config/common-schema";
import { isEmptyChangeSet, type ChangeSet, type LastIds } from "../../../core/state/change-set";
import { COMPLETE_COMMIT, type CommitReport } from "../../../core/store/commit-report";
import type { LogPage, LogQuery } from "../../../core/store/log-query";
import { EMPTY_STORED_STATE, type BackupReport, type StoredState } from "../../../core/store/state-store";
import type { CheckKey } from "../../../core/state/check-state";
import { CLOCK, DAEMON_SETTINGS, DATA_DIR, INSTANCE_ID, INSTANCE_STATS, LOGGER } from "../../../core/tokens";
import { backoffDelay, realPacing, type BackoffPolicy, type Pacing } from "./backoff";
import { bulkOps, type BulkOp } from "./bulk-ops";
import { ClusterUnavailableError, writeBulk, type WriteOutcome } from "./bulk-writer";
import { createClient, describeEsError, isRetryableStatus, isUnreachable, responseStatus, type Client, type ClientOverrides } from "./client";
import { clusterReaders, type ClusterReaders, type ReadOptions } from "./cluster-readers";
import { indexNames, stateDocId, type IndexNames, type StateDocument } from "./documents";
import { expireLogIndices } from "./log-retention";
import { ELASTICSEARCH_CONFIG, type ElasticsearchConfig } from "./schema";
import { decodeChangeSet, encodeChangeSet } from "./spooled-change-set";
import { installTemplates } from "./templates";

const DAY_MS = 86_400_000;
/** Retries of one bulk on 429/5xx before the store counts the cluster as away and spools. */
const WRITE_RETRY = { baseMs: 100, capMs: 5_000, attempts: 5 } as const;
/** Probes of a cluster that is away: from about a second up to a minute apart. */
const PROBE_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 60_000 };
/** Spool records replayed in one bulk (also bounded by flush_bytes). */
const REPLAY_RECORDS = 1_000;
/** Documents per search page of the readers. */
const READ_PAGE_SIZE = 1_000;

/** A failed operation of the store, naming the cluster and what was being done. */
export class ElasticsearchStoreError extends TantaleError {
  constructor(
    readonly nodes: readonly string[],
    readonly operation: string,
    options: { cause: unknown },
  ) {
    super(`elasticsearch store (${nodes.join(", ")}): ${operation} failed: ${describeEsError(options.cause)}`, options);
  }
}

/** What tests (and the coordinator's wiring) replace: the client's connection, the spool, time and chance, the readers. */
export interface ElasticsearchRuntime {
  readonly client?: ClientOverrides;
  readonly openSpool?: (options: SpoolOptions, log: Logger) => Promise<Spool>;
  readonly pacing?: Pacing;
  readonly readers?: ClusterReaders;
}

/** Optional: absent in the daemon, where the defaults apply. */
export const ELASTICSEARCH_RUNTIME: InjectionToken<ElasticsearchRuntime> = Symbol.for("tantale.elasticsearch.runtime");

/**
 * The Elasticsearch store. Commits go to the cluster with raw bulk requests (see bulk-ops.ts
 * for the ordering, bulk-writer.ts for the items' answers). While the cluster is away, commits
 * go to a disk spool in the data dir and resolve once spooled; a background replayer probes the
 * cluster with backoff, writes the spool in order, then commits go to the cluster again.
 */
@injectable()
export class ElasticsearchStore implements StorePlugin {
  readonly names: IndexNames;
  readonly node: string;
  private client: Client | undefined;
  private spool: Spool | undefined;
  private started = false;
  /** The cluster answered and the templates are installed (once per start). */
  private ready = false;
  /** Serializes catch-ups (the replayer's and load()'s). */
  private lock: Promise<void> = Promise.resolve();
  /** Spooled commits written by catch-ups that did not empty the spool yet (for the "back" line). */
  private replayedCommits = 0;
  private mode: "direct" | "spooling" = "direct";
  /** The replayer while spooling: resolves when it is done (the cluster back, or the store stopping). */
  private replayer: Promise<void> | undefined;
  private abort = new AbortController();
  /** The last spool append of a commit: the replayer waits for it before it goes back to direct writes. */
  private appending: Promise<void> | undefined;
  private outage: { since: number; reason: string; spooled: number } | undefined;
  private retentionTimer: NodeJS.Timeout | undefined;
  /** The id counters known to be in the cluster (most commits hand out no id). */
  private countersStored: LastIds | undefined;
  private readonly pacing: Pacing;
  private readonly readers: ClusterReaders;
  private readonly itemThrottle: Throttle;

  constructor(
    @inject(ELASTICSEARCH_CONFIG) private readonly config: ElasticsearchConfig,
    @inject(DATA_DIR) private readonly dataDir: string,
    @inject(INSTANCE_ID) private readonly instance: string,
    @inject(LOGGER) private readonly log: Logger,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(INSTANCE_STATS) private readonly stats: InstanceStats,
    @inject(DAEMON_SETTINGS) private readonly settings: Pick<DaemonSettings, "data_access">,
    @inject(ELASTICSEARCH_RUNTIME, { isOptional: true }) private readonly runtime: ElasticsearchRuntime = {},
  ) {
    this.names = indexNames(config.index_prefix);
    this.node = config.node_name === "" ? os.hostname() : config.node_name;
    this.pacing = runtime.pacing ?? realPacing;
    this.readers = runtime.readers ?? clusterReaders;
    this.itemThrottle = new Throttle(clock);
    stats.gauge("spool_records", () => this.spool?.pendingRecords ?? 0);
    stats.gauge("spool_bytes", () => this.spool?.pendingBytes ?? 0);
    stats.gauge("cluster_available", () => (this.mode === "direct" ? 1 : 0));
  }

  /** The spool's folder: `spool/<instance>` in the data dir. */
  get spoolDir(): string {
    return path.join(this.dataDir, "spool", this.instance);
  }

  /**
   * Opens the spool and connects (the product check: Elasticsearch 8.x or 9.x), installs the
   * index templates and writes what the spool holds before anything else, then deletes
   * expired log indices. A cluster that cannot be reached does not fail the start: commits
   * go to the spool and the replayer waits for it; load() then needs it (the state is in
   * it) and fails until it answers. Any other refusal (not Elasticsearch, templates refused)
   * fails the start.
   */
  endpoints(): Endpoint[] {
    return this.config.nodes.map((node) => ({ role: "send" as const, address: withoutCredentials(node), note: `indices ${this.config.index_prefix}-*` }));
  }

  async start(): Promise<void> {
    if (this.started) throw new ElasticsearchStoreError(this.config.nodes, "start", { cause: new Error("already started") });
    this.abort = new AbortController();
    this.mode = "direct";
    this.ready = false;
    this.outage = undefined;
    this.countersStored = undefined;
    this.client = createClient(this.config, this.dataDir, this.runtime.client);
    let spool: Spool;
    try {
      spool = await (this.runtime.openSpool ?? ((o, log) => DiskSpool.open(o, log)))(this.spoolOptions(), this.log);
      this.spool = spool;
    } catch (err) {
      await this.release();
      throw new ElasticsearchStoreError(this.config.nodes, "start (opening the spool)", { cause: err });
    }
    const pending = spool.pendingRecords;
    const t0 = this.clock.now();
    try {
      const replayed = await this.catchUp(() => undefined);
      if (pending > 0) this.log.info("spooled commits written to the cluster", { commits: replayed, ms: this.clock.now() - t0 });
    } catch (err) {
      const cause = err instanceof DrainError ? err.cause : err;
      if (!(cause instanceof ClusterUnavailableError)) {
        await this.release();
        throw new ElasticsearchStoreError(this.config.nodes, "start", { cause });
      }
      this.started = true;
      this.enterOutage(cause.reason, true);
      await this.startRetention(false);
      return;
    }
    this.started = true;
    await this.startRetention(true);
  }

  /** Deletes expired log indices now (when the cluster answered) and then daily. */
  private async startRetention(now: boolean): Promise<void> {
    if (this.config.log_retention === 0) return;
    if (now) await this.expireLogOrWarn();
    this.retentionTimer = setInterval(() => void this.expireLogOrWarn(), DAY_MS);
    this.retentionTimer.unref();
  }

  /**
   * Writes the change set to the cluster (the items refused for good are reported), or to
   * the spool while the cluster is away: resolved, the set is in the cluster or on disk.
   */
  async commit(changes: ChangeSet): Promise<CommitReport> {
    const client = this.client;
    if (!this.started || client === undefined) throw new ElasticsearchStoreError(this.config.nodes, "commit", { cause: new Error("the store is not started") });
    if (isEmptyChangeSet(changes)) return COMPLETE_COMMIT;
    const t0 = performance.now();
    if (this.mode === "spooling") {
      await this.toSpool(changes);
      return COMPLETE_COMMIT;
    }
    let outcome: WriteOutcome;
    try {
      outcome = await this.write(client, bulkOps(changes, this.names, this.node, this.countersStored));
    } catch (err) {
      if (!(err instanceof ClusterUnavailableError)) {
        this.stats.add("commit_errors");
        throw new ElasticsearchStoreError(this.config.nodes, `commit (${describeChanges(changes)})`, { cause: err });
      }
      // What was written before the cluster went is written again at replay: every write is idempotent.
      this.enterOutage(err.reason);
      await this.toSpool(changes);
      return COMPLETE_COMMIT;
    }
    this.noteCounters(changes.lastIds);
    const moved = outcome.supersededChecks.length === 0 ? [] : await this.movedAway(client, outcome.supersededChecks);
    this.stats.add("commits");
    this.stats.add("commit_ms", performance.now() - t0);
    if (outcome.rejected.length === 0 && moved.length === 0) return COMPLETE_COMMIT;
    return { rejected: outcome.rejected, ...(moved.length === 0 ? {} : { moved }) };
  }

  /**
   * The hosts another Tantale took over (docs: several Tantales on one cluster): of the
   * checks whose write was refused as older, those whose stored state another node wrote.
   * A read that fails says nothing moved (the next refused write asks again).
   */
  private async movedAway(client: Client, checks: readonly CheckKey[]): Promise<CheckKey[]> {
    try {
      const answer = await client.mget<Pick<StateDocument, "node">>(
        { index: this.names.state, ids: checks.map((k) => stateDocId(k.hostname, k.check)), _source_includes: ["node"] },
        { requestTimeout: this.config.request_timeout },
      );
      const moved: CheckKey[] = [];
      answer.docs.forEach((doc, i) => {
        const node = "found" in doc && doc.found ? doc._source?.node : undefined;
        if (node !== undefined && node !== this.node) moved.push(checks[i]!);
      });
      if (moved.length > 0) this.stats.add("checks_moved_away", moved.length);
      return moved;
    } catch (err) {
      this.log.debug("could not read who wrote the newer states", { error: describeEsError(err) });
      return [];
    }
  }

  /**
   * The states, downtimes and comments of hosts this Tantale does not hold, whoever wrote
   * them (a failover: core/state/takeover.ts). While the cluster is away none are taken
   * over: the engine goes on with the results (and the newest state wins in the cluster).
   */
  async loadHosts(hostnames: readonly string[]): Promise<StoredState> {
    const client = this.client;
    const load = this.readers.loadHosts;
    if (!this.started || client === undefined || load === undefined || this.mode === "spooling") return EMPTY_STORED_STATE;
    try {
      const loaded = await load(client, this.names, hostnames, this.readOptions());
      if (loaded.checks.length > 0) this.stats.add("checks_taken_over", loaded.checks.length);
      return loaded;
    } catch (err) {
      const t = this.itemThrottle.take("loadHosts");
      if (t.log)
        this.log.warn("could not read hosts new to this Tantale from the cluster: they start afresh here", {
          hosts: hostnames.length,
          error: describeEsError(err),
        });
      return EMPTY_STORED_STATE;
    }
  }

  /** `tantale backup`: the state is in the cluster, which backs itself up. */
  backup(): Promise<BackupReport> {
    const { state, records, logPattern } = this.names;
    return Promise.reject(
      new TantaleError(
        `store "${this.instance}" keeps its data in the Elasticsearch cluster (${this.config.nodes.join(", ")}), not in the data dir: ` +
          `back it up with a cluster snapshot of the indices ${state}, ${records} and ${logPattern} ` +
          `(PUT _snapshot/<repository>/<snapshot>, a snapshot lifecycle policy, or Kibana's Snapshot and Restore); ` +
          `the data dir holds only the spool of commits not yet written to the cluster`,
      ),
    );
  }

  /**
   * The state in the cluster. A started store that is spooling first writes its spool (the
   * cluster must hold every accepted change before it is read back), and fails while the
   * cluster is away.
   */
  async load(): Promise<StoredState> {
    if (this.started && this.mode === "spooling") {
      try {
        await this.catchUp(this.backOnline);
      } catch (err) {
        const cause = err instanceof DrainError ? err.cause : err;
        const spooled = this.spool?.pendingRecords ?? 0;
        throw new ElasticsearchStoreError(this.config.nodes, `load (the state is in the cluster; ${spooled} spooled commits wait in ${this.spoolDir})`, {
          cause: cause instanceof ClusterUnavailableError ? (cause.cause ?? cause) : cause,
        });
      }
    }
    return this.withClient("load", (client) => this.readers.loadState(client, this.names, this.node, this.readOptions()));
  }

  async readLog(query: LogQuery): Promise<LogPage> {
    return this.withClient("readLog", (client) => this.readers.readLog(client, this.names, query, this.readOptions()));
  }

  /** Deletes the daily log indices older than log_retention days (the daily timer calls it); returns their names. */
  async expireLog(): Promise<string[]> {
    const client = this.client;
    if (client === undefined || this.config.log_retention === 0) return [];
    const expired = await expireLogIndices(client, this.names, this.config.log_retention, this.clock.now(), this.config.request_timeout);
    if (expired.length > 0) {
      this.stats.add("log_indices_expired", expired.length);
      this.log.info("old log indices deleted", { indices: expired.length, first: expired[0], last: expired.at(-1), retention_days: this.config.log_retention });
    }
    return expired;
  }

  /** Stops the replayer (a bulk in flight ends first), closes the spool (what it holds waits for the next start) and the client. */
  async stop(): Promise<void> {
    this.started = false;
    clearInterval(this.retentionTimer);
    this.retentionTimer = undefined;
    this.abort.abort();
    await this.replayer;
    await this.lock; // a catch-up of load() in flight
    await this.appending?.catch(() => undefined);
    const pending = this.spool?.pendingRecords ?? 0;
    if (pending > 0) this.log.warn("store stopped with commits in the spool: they are written at the next start", { commits: pending, dir: this.spoolDir });
    await this.release();
  }

  /** Waits until the replayer is done (the cluster back and the spool written, or the store stopped): for tests and tools. */
  async replayed(): Promise<void> {
    await this.replayer;
  }

  /** Whether commits go to the spool (the cluster is away or the spool is being written). */
  get spooling(): boolean {
    return this.mode === "spooling";
  }

  private async release(): Promise<void> {
    const spool = this.spool;
    const client = this.client;
    this.spool = undefined;
    this.client = undefined;
    this.replayer = undefined;
    await spool?.close().catch((err: unknown) => this.log.warn("spool close failed", { error: describeError(err) }));
    await client?.close().catch(() => undefined);
  }

  private spoolOptions(): SpoolOptions {
    return {
      dir: this.spoolDir,
      dataAccess: this.settings.data_access,
      segmentBytes: this.config.spool_segment_bytes,
      maxBytes: this.config.spool_max_bytes,
      fsync: this.config.spool_fsync,
      fsyncIntervalMs: 1000,
      onDrop: (d) => {
        this.stats.add("spool_dropped_records", d.records);
        const what = d.reason === "cap" ? "spool full: the oldest spooled commits were dropped" : "spool damaged: unreadable spooled commits were dropped";
        this.log.error(`${what}, they will not reach the cluster`, {
          records: d.records,
          bytes: d.bytes,
          first_seq: d.firstSeq,
          last_seq: d.lastSeq,
          spool_max_bytes: this.config.spool_max_bytes,
        });
      },
    };
  }

  private readOptions(): ReadOptions {
    return { pageSize: READ_PAGE_SIZE, requestTimeout: this.config.request_timeout };
  }

  private write(client: Client, ops: readonly BulkOp[]): Promise<WriteOutcome> {
    return writeBulk(client, ops, {
      flushBytes: this.config.flush_bytes,
      requestTimeout: this.config.request_timeout,
      retry: WRITE_RETRY,
      pacing: this.pacing,
      log: this.log,
      throttle: this.itemThrottle,
      signal: this.abort.signal,
    }).then((outcome) => {
      this.stats.add("items_written", outcome.written);
      this.stats.add("items_superseded", outcome.superseded);
      this.stats.add("items_already_written", outcome.alreadyWritten);
      this.stats.add("items_retried", outcome.retried);
      this.stats.add("items_rejected", outcome.rejected.length);
      this.stats.add("bulk_requests", outcome.requests);
      this.stats.add("bulk_bytes", outcome.bytes);
      return outcome;
    });
  }

  private noteCounters(ids: LastIds): void {
    this.countersStored = maxIds(this.countersStored, ids);
  }

  /** Appends a set to the spool; rejects (the engine retries the set) when the spool cannot take it. */
  private async toSpool(changes: ChangeSet): Promise<void> {
    const spool = this.spool!;
    const appended = spool.append([encodeChangeSet(changes)]);
    this.appending = appended;
    try {
      await appended;
    } catch (err) {
      this.stats.add("commit_errors");
      throw new ElasticsearchStoreError(this.config.nodes, `spooling a commit while the cluster is away (${describeChanges(changes)})`, { cause: err });
    }
    this.stats.add("commits_spooled");
    if (this.outage !== undefined) this.outage.spooled++;
  }

  /** One line when the cluster goes away; from then on commits are spooled and the replayer runs. */
  private enterOutage(reason: string, atStart = false): void {
    this.mode = "spooling";
    this.outage = { since: this.clock.now(), reason, spooled: 0 };
    this.stats.add("outages");
    this.log.warn("elasticsearch cluster unavailable: commits go to the disk spool until it is back", {
      reason,
      spool: this.spoolDir,
      ...(atStart ? { at_start: true, spooled_commits: this.spool?.pendingRecords ?? 0 } : {}),
    });
    this.replayer = this.replayUntilBack().catch((err: unknown) => this.log.error("spool replayer stopped", { error: describeError(err) }));
  }

  /**
   * Probes the cluster with backoff; once it answers, writes the spool in order and, when it
   * is empty (and no commit is being spooled), goes back to direct writes, in one step: no
   * commit can slip between the last spooled one and the first direct one.
   */
  private async replayUntilBack(): Promise<void> {
    const signal = this.abort.signal;
    // A function, not the property: the sleep may abort it (the compiler would narrow the property).
    const stopping = () => signal.aborted;
    for (let attempt = 0; !stopping(); attempt++) {
      await this.pacing.sleep(
        backoffDelay(PROBE_BACKOFF, attempt, () => this.pacing.random()),
        signal,
      );
      if (stopping() || this.client === undefined) return;
      try {
        await this.catchUp(this.backOnline);
      } catch (err) {
        const cause = err instanceof DrainError ? err.cause : err;
        if (!(cause instanceof ClusterUnavailableError)) this.log.error("spool replay failed: retried", { error: describeError(cause) });
        else this.log.debug("elasticsearch cluster still unavailable", { error: cause.reason });
        continue;
      }
      if (this.mode === "direct") return;
    }
  }

  /** Back to direct writes, in the turn the spool was found empty: one line, with how much was replayed. */
  private readonly backOnline = (count: number): void => {
    const outage = this.outage;
    this.mode = "direct";
    this.outage = undefined;
    const replayed = this.replayedCommits + count;
    this.replayedCommits = 0;
    this.log.info("elasticsearch cluster back: the spool is written, commits go to the cluster again", {
      replayed_commits: replayed,
      spooled_commits: outage?.spooled ?? 0,
      outage_ms: outage === undefined ? 0 : this.clock.now() - outage.since,
    });
  };

  /**
   * Reaches the cluster (and installs the templates once), then writes the spool; one at a
   * time (the replayer and load() may both ask). Nothing to do once direct writes resumed.
   * Unreachable, or 429/5xx past the retries: ClusterUnavailableError (in a DrainError when
   * the spool was being written, with how many commits it wrote).
   */
  private catchUp(onEmpty: (count: number) => void): Promise<number> {
    const run = this.lock.then(async () => {
      if (this.mode === "direct" && this.ready) return 0;
      await this.reach();
      return this.drainSpool((count) => {
        if (this.mode === "spooling") onEmpty(count);
      });
    });
    this.lock = run.then(
      () => undefined,
      (err: unknown) => {
        if (err instanceof DrainError) this.replayedCommits += err.count;
      },
    );
    return run;
  }

  private async reach(): Promise<void> {
    const client = this.client!;
    let info: Awaited<ReturnType<Client["info"]>>;
    try {
      info = await client.info({}, { requestTimeout: this.config.request_timeout });
    } catch (err) {
      throw asUnavailable(err);
    }
    if (this.ready) return;
    this.log.info("elasticsearch cluster reached", {
      cluster: info.cluster_name,
      version: info.version.number,
      nodes: this.config.nodes.join(", "),
      node: this.node,
    });
    try {
      await installTemplates(client, this.names, this.log, this.config.request_timeout);
    } catch (err) {
      throw asUnavailable(err);
    }
    this.ready = true;
  }

  /**
   * Writes the spool to the cluster, oldest first, several records per bulk, acknowledging
   * each bulk once written; returns how many records. Once the spool is empty and no append is
   * in flight, calls `onEmpty` in that same turn (before any other code runs). Records that
   * cannot be read back (another format) are logged and skipped. A failure is a DrainError
   * carrying how many records were written before it.
   */
  private async drainSpool(onEmpty: (count: number) => void): Promise<number> {
    let count = 0;
    try {
      return await this.drainLoop(onEmpty, (n) => (count += n));
    } catch (err) {
      throw new DrainError(count, err);
    }
  }

  private async drainLoop(onEmpty: (count: number) => void, written: (n: number) => number): Promise<number> {
    const spool = this.spool!;
    const client = this.client!;
    let count = 0;
    for (;;) {
      const records = await spool.read({ maxRecords: REPLAY_RECORDS, maxBytes: this.config.flush_bytes });
      if (records.length === 0) {
        const appending = this.appending;
        if (appending === undefined) {
          onEmpty(count);
          return count;
        }
        this.appending = undefined;
        // A commit is being spooled: its record is read on the next turn (a failed append left nothing).
        await appending.catch(() => undefined);
        continue;
      }
      const ops: BulkOp[] = [];
      // The counters of the batch: each set's are sent only if higher than the ones before it.
      let counters = this.countersStored;
      for (const r of records) {
        try {
          const set = decodeChangeSet(r.data, r.seq);
          ops.push(...bulkOps(set, this.names, this.node, counters));
          counters = maxIds(counters, set.lastIds);
        } catch (err) {
          this.stats.add("spool_unreadable_records");
          this.log.error("spool record unreadable: skipped", { seq: r.seq, error: describeError(err) });
        }
      }
      await this.write(client, ops);
      this.countersStored = counters;
      await spool.ack(records.at(-1)!.seq);
      count += records.length;
      written(records.length);
      this.stats.add("commits_replayed", records.length);
      if (this.config.replay_interval > 0) await this.pacing.sleep(this.config.replay_interval, this.abort.signal);
      if (this.abort.signal.aborted) throw new ClusterUnavailableError("the store stops");
    }
  }

  /** Runs a read with the started store's client, or (tools such as `tantale dump`) a client of its own, closed after. */
  private async withClient<T>(operation: string, read: (client: Client) => Promise<T>): Promise<T> {
    const own = this.client === undefined ? createClient(this.config, this.dataDir, this.runtime.client) : undefined;
    try {
      return await read(this.client ?? own!);
    } catch (err) {
      throw new ElasticsearchStoreError(this.config.nodes, operation, { cause: err });
    } finally {
      await own?.close().catch(() => undefined);
    }
  }

  /** A failed daily deletion is tried again the next day (the cluster may be away). */
  private async expireLogOrWarn(): Promise<void> {
    try {
      await this.expireLog();
    } catch (err) {
      this.log.warn("could not delete old log indices", { error: describeEsError(err), unreachable: isUnreachable(err) });
    }
  }
}

/** A failure that means the cluster is away (unreachable, or a retryable answer), as ClusterUnavailableError; others as they are. */
function asUnavailable(err: unknown): unknown {
  const inner = err instanceof Error && !isUnreachable(err) && responseStatus(err) === undefined && err.cause !== undefined ? err.cause : err;
  const status = responseStatus(inner);
  if (isUnreachable(inner) || (status !== undefined && isRetryableStatus(status))) return new ClusterUnavailableError(describeEsError(inner), { cause: inner });
  return err;
}

function maxIds(a: LastIds | undefined, b: LastIds): LastIds {
  return a === undefined ? b : { downtime: Math.max(a.downtime, b.downtime), comment: Math.max(a.comment, b.comment) };
}

/** A replay that stopped, and how many records it wrote before. */
class DrainError extends Error {
  constructor(
    readonly count: number,
    cause: unknown,
  ) {
    super(`spool replay stopped after ${count} records: ${describeError(cause)}`, { cause });
  }
}

function describeChanges(c: ChangeSet): string {
  return `${c.upserts.length} checks, ${c.deletes.length} deletes, ${c.log.length} log entries, ${c.downtimes.upserts.length + c.downtimes.deletes.length} downtime and ${c.comments.upserts.length + c.comments.deletes.length} comment changes`;
}

/** A node URL for the log: a user and password written into it stay out. */
function withoutCredentials(node: string): string {
  try {
    const url = new URL(node);
    if (url.username === "" && url.password === "") return node;
    url.username = "";
    url.password = "";
    return url.toString();
  } catch {
    return node;
  }
}
