import { errors } from "@elastic/elasticsearch";
import { expect } from "chai";
import { SelfStats, type InstanceStats } from "../../../core/metrics/self-stats";
import fs from "node:fs";
import path from "node:path";
import type { SpoolOptions } from "../../../core/spool/spool";
import type { LogQuery } from "../../../core/store/log-query";
import { EMPTY_STORED_STATE } from "../../../core/store/state-store";
import { RecordingLogger } from "../../../test/core/pipeline/support";
import { cleanupTempDirs, makeTempDir } from "../../../test/helpers/temp-dir";
import type { ClusterReaders } from "./cluster-readers";
import { stateDocId } from "./documents";
import { ElasticsearchStore } from "./elasticsearch-store";
import { expiredLogIndices } from "./log-retention";
import type { ElasticsearchConfig } from "./schema";
import { alert, changeSet, DEFAULT_CONFIG, ManualClock, MemorySpool, MockCluster, NOW_MS, state, TestPacing } from "./test-kit";

interface Kit {
  readonly store: ElasticsearchStore;
  readonly log: RecordingLogger;
  readonly stats: InstanceStats;
  readonly pacing: TestPacing;
}

const stores: ElasticsearchStore[] = [];

/** A store on the mock cluster; `spool` a MemorySpool, or a data dir for the real disk spool in it. */
function makeStore(cluster: MockCluster, spool: MemorySpool | string, config: Partial<ElasticsearchConfig> = {}, readers?: ClusterReaders): Kit {
  const log = new RecordingLogger();
  const stats = new SelfStats().of("elasticsearch");
  const pacing = new TestPacing();
  const dataDir = typeof spool === "string" ? spool : makeTempDir();
  const store = new ElasticsearchStore(
    { ...DEFAULT_CONFIG, ...config },
    dataDir,
    "elasticsearch",
    log,
    new ManualClock(),
    stats,
    { data_access: "private" },
    {
      client: cluster.connection(),
      ...(typeof spool === "string" ? {} : { openSpool: (o: SpoolOptions) => spool.open(o) }),
      pacing,
      ...(readers === undefined ? {} : { readers }),
    },
  );
  stores.push(store);
  return { store, log, stats, pacing };
}

async function until(probe: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 10_000; i++) {
    if (probe()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`never happened: ${what}`);
}

/** Change set n: check x at time 1_764_100_000 + n (state n % 3), and an alert of it. */
function numbered(n: number) {
  const t = 1_764_100_000 + n;
  return changeSet({ upserts: [state("web1", "x", { lastCheck: t, state: n % 3, output: `set ${n}` })], log: [alert("web1", "x", t, n % 3)] });
}

const warns = (log: RecordingLogger) => log.entries.filter((e) => e.level === "warn" || e.level === "error").map((e) => e.msg);

describe("elasticsearch store", () => {
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.stop();
  });
  after(cleanupTempDirs);

  it("starts (info, templates) and commits a change set in one bulk request, reporting the items refused for good", async () => {
    const cluster = new MockCluster();
    const { store, stats } = makeStore(cluster, new MemorySpool());
    await store.start();
    expect(cluster.templates.size).to.equal(3);
    expect(cluster.bulks).to.have.length(0);
    const set = changeSet({ upserts: [state("a", "x"), state("b", "x")], log: [alert("a", "x", 1_764_100_000)], lastIds: { downtime: 2, comment: 0 } });
    cluster.override = (op) =>
      op.meta._id === stateDocId("b", "x") ? { status: 400, type: "strict_dynamic_mapping_exception", reason: "mapping set to strict" } : undefined;
    const report = await store.commit(set);
    expect(report.rejected).to.deep.equal([{ part: "check", key: "b;x", reason: "strict_dynamic_mapping_exception: mapping set to strict" }]);
    expect(cluster.bulks).to.have.length(1);
    expect(cluster.ops.map((o) => o.action)).to.deep.equal(["index", "index", "create", "index"]);
    expect(cluster.doc("tantale-state", stateDocId("a", "x"))?.source).to.include({ hostname: "a", node: "node-a" });
    expect(stats.get("items_rejected")).to.equal(1);
    // Counters already written are not sent again.
    cluster.override = undefined;
    await store.commit(changeSet({ upserts: [state("a", "x", { lastCheck: 1_764_100_001 })], lastIds: { downtime: 2, comment: 0 } }));
    expect(cluster.bulks[1]!.map((o) => o.meta._index)).to.deep.equal(["tantale-state"]);
  });

  it("refuses a commit before start, and an empty change set sends nothing", async () => {
    const cluster = new MockCluster();
    const { store } = makeStore(cluster, new MemorySpool());
    const err = await store.commit(numbered(1)).catch((e: unknown) => e);
    expect((err as Error).message).to.match(/commit failed: Error: the store is not started/);
    await store.start();
    expect((await store.commit(changeSet())).rejected).to.deep.equal([]);
    expect(cluster.bulks).to.have.length(0);
  });

  it("spools commits while the cluster is away, logs one line when it goes and one when it is back, and replays in order", async () => {
    const cluster = new MockCluster();
    const spool = new MemorySpool();
    const { store, log, stats, pacing } = makeStore(cluster, spool);
    await store.start();
    await store.commit(numbered(1));
    pacing.hold = true;
    cluster.down = true;
    for (const n of [2, 3, 4]) expect((await store.commit(numbered(n))).rejected).to.deep.equal([]);
    expect(store.spooling).to.equal(true);
    expect(spool.pendingRecords).to.equal(3);
    expect(warns(log)).to.deep.equal(["elasticsearch cluster unavailable: commits go to the disk spool until it is back"]);
    // Probes fail while it is away, without a line each.
    await until(() => pacing.held === 1, "the replayer waits");
    pacing.release();
    await until(() => pacing.held === 1 && pacing.delays.length === 2, "a failed probe and the next wait");
    expect(warns(log)).to.have.length(1);
    // Back: the spool goes in order, then commits go to the cluster again.
    const before = cluster.bulks.length;
    cluster.down = false;
    pacing.release();
    await store.replayed();
    expect(store.spooling).to.equal(false);
    expect(spool.pendingRecords).to.equal(0);
    await store.commit(numbered(5));
    const creates = cluster.bulks.slice(before).flatMap((b) => b.filter((o) => o.action === "create").map((o) => o.doc!.output));
    expect(creates).to.deep.equal(["CRITICAL", "CRITICAL", "CRITICAL", "CRITICAL"].map(() => "CRITICAL"));
    const states = cluster.bulks
      .slice(before)
      .flatMap((b) => b.filter((o) => o.action === "index" && o.meta._index === "tantale-state").map((o) => o.doc!.output));
    expect(states).to.deep.equal(["set 2", "set 3", "set 4", "set 5"]);
    expect(cluster.doc("tantale-state", stateDocId("web1", "x"))?.source.output).to.equal("set 5");
    const back = log.entries.find((e) => e.msg.startsWith("elasticsearch cluster back"))!;
    expect(back.fields).to.include({ replayed_commits: 3, spooled_commits: 3 });
    expect(stats.get("commits_spooled")).to.equal(3);
    expect(stats.get("commits_replayed")).to.equal(3);
    expect(stats.get("outages")).to.equal(1);
  });

  it("spools when the cluster keeps answering 429 past the retries", async () => {
    const cluster = new MockCluster();
    const spool = new MemorySpool();
    const { store, log, pacing } = makeStore(cluster, spool);
    await store.start();
    cluster.override = () => ({ status: 429, type: "es_rejected_execution_exception" });
    pacing.hold = false;
    const report = await store.commit(numbered(1));
    expect(report.rejected).to.deep.equal([]);
    expect(spool.pendingRecords).to.equal(1);
    expect(cluster.bulks).to.have.length(6);
    expect(warns(log)).to.deep.equal(["elasticsearch cluster unavailable: commits go to the disk spool until it is back"]);
    expect(log.entries.find((e) => e.level === "warn")!.fields.reason).to.match(/refused with HTTP 429/);
  });

  it("keeps a commit that is being spooled ahead of the first direct write after the replay", async () => {
    const cluster = new MockCluster();
    const spool = new MemorySpool();
    const { store, pacing } = makeStore(cluster, spool);
    await store.start();
    pacing.hold = true;
    cluster.down = true;
    await store.commit(numbered(1));
    // The append of commit 2 is in flight while the replayer empties the spool.
    let open!: () => void;
    spool.appendGate = new Promise((r) => (open = r));
    const second = store.commit(numbered(2));
    cluster.down = false;
    await until(() => pacing.held === 1, "the replayer waits");
    pacing.release();
    await until(() => spool.pendingRecords === 0 && cluster.bulks.length > 0, "commit 1 replayed");
    expect(store.spooling).to.equal(true);
    spool.appendGate = undefined;
    open();
    await second;
    await store.replayed();
    await store.commit(numbered(3));
    const outputs = cluster.ops.filter((o) => o.meta._index === "tantale-state").map((o) => o.doc!.output);
    expect(outputs).to.deep.equal(["set 1", "set 2", "set 3"]);
  });

  it("rejects a commit the spool cannot take (the engine retries it)", async () => {
    const cluster = new MockCluster();
    const spool = new MemorySpool();
    const { store, pacing } = makeStore(cluster, spool);
    await store.start();
    pacing.hold = true;
    cluster.down = true;
    spool.failNextAppend = new Error("ENOSPC: no space left on device");
    const err = await store.commit(numbered(1)).catch((e: unknown) => e);
    expect((err as Error).message).to.match(/spooling a commit while the cluster is away .* failed: Error: ENOSPC/);
    expect(store.spooling).to.equal(true);
    await store.commit(numbered(2));
    expect(spool.pendingRecords).to.equal(1);
  });

  it("writes a spool left by a stop during an outage at the next start, before anything else", async () => {
    const cluster = new MockCluster();
    const spool = new MemorySpool();
    const first = makeStore(cluster, spool);
    await first.store.start();
    first.pacing.hold = true;
    cluster.down = true;
    await first.store.commit(numbered(1));
    await first.store.commit(numbered(2));
    await first.store.stop();
    expect(warns(first.log)).to.include("store stopped with commits in the spool: they are written at the next start");
    expect(spool.pendingRecords).to.equal(2);

    // Still away at the next start: the start spools, the load (the state is in the cluster) fails, the spool stays.
    const second = makeStore(cluster, spool);
    await second.store.start();
    expect(second.store.spooling).to.equal(true);
    expect(second.log.entries.find((e) => e.level === "warn")?.fields).to.include({ at_start: true, spooled_commits: 2 });
    const err = await second.store.load().catch((e: unknown) => e);
    expect((err as Error).message).to.match(/load \(the state is in the cluster; 2 spooled commits wait in .*\) failed: ConnectionError/);
    await second.store.stop();
    expect(spool.pendingRecords).to.equal(2);

    cluster.down = false;
    const third = makeStore(cluster, spool);
    await third.store.start();
    expect(spool.pendingRecords).to.equal(0);
    expect(third.log.entries.map((e) => e.msg)).to.include("spooled commits written to the cluster");
    await third.store.commit(numbered(3));
    const outputs = cluster.ops.filter((o) => o.meta._index === "tantale-state").map((o) => o.doc!.output);
    expect(outputs).to.deep.equal(["set 1", "set 2", "set 3"]);
  });

  it("keeps spooled commits in the data dir across a restart with the disk spool, and writes them at the next start", async () => {
    const cluster = new MockCluster();
    const dataDir = makeTempDir();
    const first = makeStore(cluster, dataDir, { spool_fsync: "always" });
    await first.store.start();
    first.pacing.hold = true;
    cluster.down = true;
    for (const n of [1, 2, 3]) await first.store.commit(numbered(n));
    await first.store.stop();
    const dir = path.join(dataDir, "spool", "elasticsearch");
    expect(fs.readdirSync(dir).some((f) => f.endsWith(".seg"))).to.equal(true);
    expect((fs.statSync(dir).mode & 0o777).toString(8)).to.equal("700");

    cluster.down = false;
    const second = makeStore(cluster, dataDir);
    await second.store.start();
    await second.store.commit(numbered(4));
    const outputs = cluster.ops.filter((o) => o.meta._index === "tantale-state").map((o) => o.doc!.output);
    expect(outputs).to.deep.equal(["set 1", "set 2", "set 3", "set 4"]);
    // One counters document for the replayed sets (their ids did not change), then set 4 alone.
    expect(cluster.ops.filter((o) => o.meta._index === "tantale-records")).to.have.length(1);
    await second.store.stop();
    const sent = cluster.ops.length;
    const third = makeStore(cluster, dataDir);
    await third.store.start();
    expect(cluster.ops).to.have.length(sent);
  });

  it("replays idempotently: an older state never overwrites a newer one, a log entry is stored once", async () => {
    const cluster = new MockCluster();
    const spool = new MemorySpool();
    const { store, stats, pacing } = makeStore(cluster, spool);
    await store.start();
    await store.commit(numbered(5));
    pacing.hold = true;
    cluster.down = true;
    // A spooled set older than what the cluster holds, and the same set again (a replay after a lost ack).
    await store.commit(numbered(3));
    await store.commit(numbered(5));
    cluster.down = false;
    pacing.release();
    await store.replayed();
    expect(cluster.doc("tantale-state", stateDocId("web1", "x"))?.source.output).to.equal("set 5");
    expect(stats.get("items_superseded")).to.equal(1);
    expect(stats.get("items_already_written")).to.equal(1);
    const logDocs = [...cluster.docs.entries()].filter(([i]) => i.startsWith("tantale-log-")).reduce((n, [, m]) => n + m.size, 0);
    expect(logDocs).to.equal(2);
  });

  it("deletes daily log indices older than log_retention at start", async () => {
    const cluster = new MockCluster();
    for (const day of ["2025.11.20", "2025.11.22", "2025.11.23", "2025.11.25"]) cluster.index(`tantale-log-${day}`);
    cluster.index("tantale-state");
    const { store, log } = makeStore(cluster, new MemorySpool(), { log_retention: 3 });
    await store.start();
    // NOW is 2025-11-25: the last 3 days before today are kept (22, 23, 24) and today.
    expect(cluster.deletedIndices).to.deep.equal(["tantale-log-2025.11.20"]);
    expect(log.entries.find((e) => e.msg === "old log indices deleted")?.fields).to.include({ indices: 1 });
    const names = { logPattern: "tantale-log-*" } as Parameters<typeof expiredLogIndices>[0];
    expect(expiredLogIndices(names, ["tantale-log-2025.11.21", "tantale-log-x", "other-log-2020.01.01"], 3, NOW_MS)).to.deep.equal(["tantale-log-2025.11.21"]);
    expect(expiredLogIndices(names, ["tantale-log-2000.01.01"], 0, NOW_MS)).to.deep.equal([]);
  });

  it("starts while the cluster is away and, once it answers, load() writes the spool before it reads the state", async () => {
    const cluster = new MockCluster();
    const spool = new MemorySpool();
    await spool.append([Buffer.from(JSON.stringify({ v: 1, set: numbered(1) }))]);
    cluster.down = true;
    const loads: number[] = [];
    const readers: ClusterReaders = {
      loadState: () => {
        loads.push(cluster.ops.length);
        return Promise.resolve(EMPTY_STORED_STATE);
      },
      readLog: () => Promise.resolve({ entries: [] }),
    };
    const { store, pacing, log } = makeStore(cluster, spool, {}, readers);
    pacing.hold = true;
    await store.start();
    expect(store.spooling).to.equal(true);
    cluster.down = false;
    await store.load();
    // The spooled set (a state, its alert, the id counters) reached the cluster before the state was read.
    expect(loads).to.deep.equal([3]);
    expect(spool.pendingRecords).to.equal(0);
    expect(store.spooling).to.equal(false);
    expect(cluster.templates.size).to.equal(3);
    expect(log.entries.filter((e) => e.msg.startsWith("elasticsearch cluster back"))).to.have.length(1);
    await store.commit(numbered(2));
    expect(cluster.ops.filter((o) => o.meta._index === "tantale-state").map((o) => o.doc!.output)).to.deep.equal(["set 1", "set 2"]);
  });

  it("fails the start when the cluster refuses the templates for good", async () => {
    const cluster = new MockCluster();
    cluster.mock.clear({ method: "PUT", path: "/_index_template/:name" });
    cluster.mock.add(
      { method: "PUT", path: "/_index_template/:name" },
      () =>
        new errors.ResponseError({
          statusCode: 400,
          body: { error: { type: "illegal_argument_exception", reason: "bad template" }, status: 400 },
          warnings: null,
          meta: {} as never,
        }),
    );
    const { store } = makeStore(cluster, new MemorySpool());
    const err = await store.start().catch((e: unknown) => e);
    expect((err as Error).message).to.match(/start failed: .*could not be put: HTTP 400 illegal_argument_exception: bad template/);
  });

  it("loads and reads the log through the cluster readers, also without a start (tantale dump)", async () => {
    const cluster = new MockCluster();
    const calls: unknown[] = [];
    const readers: ClusterReaders = {
      loadState: (_client, names, node, options) => {
        calls.push(["load", names.state, node, options]);
        return Promise.resolve(EMPTY_STORED_STATE);
      },
      readLog: (_client, names, query, options) => {
        calls.push(["log", names.logPattern, query, options]);
        return Promise.resolve({ entries: [] });
      },
    };
    const { store } = makeStore(cluster, new MemorySpool(), { node_name: "tantale-2" }, readers);
    expect(await store.load()).to.equal(EMPTY_STORED_STATE);
    const q: LogQuery = { since: 1, limit: 10, order: "desc" };
    await store.readLog(q);
    expect(calls).to.deep.equal([
      ["load", "tantale-state", "tantale-2", { pageSize: 1000, requestTimeout: 30_000 }],
      ["log", "tantale-log-*", q, { pageSize: 1000, requestTimeout: 30_000 }],
    ]);
  });
});
