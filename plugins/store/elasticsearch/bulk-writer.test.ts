import { expect } from "chai";
import { Throttle } from "../../../core/log/throttle";
import { RecordingLogger } from "../../../test/core/pipeline/support";
import { backoffDelay } from "./backoff";
import { bulkOps, type BulkOp } from "./bulk-ops";
import { ClusterUnavailableError, writeBulk, type WriteOptions } from "./bulk-writer";
import { indexNames, stateDocId } from "./documents";
import { alert, changeSet, ManualClock, MockCluster, state, TestPacing } from "./test-kit";

const names = indexNames("tantale");
const RETRY = { baseMs: 100, capMs: 5_000, attempts: 5 };

function options(pacing: TestPacing, log = new RecordingLogger(), extra: Partial<WriteOptions> = {}): WriteOptions {
  return { flushBytes: 5 * 1024 * 1024, requestTimeout: 1000, retry: RETRY, pacing, log, throttle: new Throttle(new ManualClock()), ...extra };
}

/** Four checks and four log entries: ops 0-3 states, 4-7 log creates. */
function eightOps(): BulkOp[] {
  const set = changeSet({
    upserts: ["a", "b", "c", "d"].map((h) => state(h, "disk", { lastCheck: 1_764_100_010 })),
    log: ["a", "b", "c", "d"].map((h) => alert(h, "disk", 1_764_100_010)),
  });
  return bulkOps(set, names, "node-a", { downtime: 0, comment: 0 });
}

describe("elasticsearch bulk writer", () => {
  it("reads every item: 2xx written, 409 superseded or already written, 400 refused and logged with the item, the rest written", async () => {
    const cluster = new MockCluster();
    const ops = eightOps();
    // An older state of b is stored: the write of the newer one wins; a newer state of c is stored: this one is superseded.
    cluster.index("tantale-state").set(stateDocId("c", "disk"), { version: 1_764_100_020_000_000, source: {} });
    cluster.index(ops[5]!.index).set(ops[5]!.id, { version: 1, source: {} });
    cluster.override = (_op, i) => (i === 3 ? { status: 400, type: "document_parsing_exception", reason: "[1:20] failed to parse field [state]" } : undefined);
    const log = new RecordingLogger();
    const outcome = await writeBulk(cluster.client(), ops, options(new TestPacing(), log));
    expect(outcome).to.deep.include({ written: 6 - 1, superseded: 1, alreadyWritten: 1, retried: 0, requests: 1 });
    expect(outcome.rejected).to.deep.equal([{ part: "check", key: "d;disk", reason: "document_parsing_exception: [1:20] failed to parse field [state]" }]);
    const warn = log.entries.find((e) => e.level === "warn")!;
    expect(warn.msg).to.equal("elasticsearch refused an item for good: it is not stored");
    expect(warn.fields).to.include({ part: "check", key: "d;disk", index: "tantale-state", id: stateDocId("d", "disk") });
    expect(String(warn.fields.error)).to.match(/^document_parsing_exception: /);
    // The neighbours of the refused item are stored.
    expect(cluster.doc("tantale-state", stateDocId("a", "disk"))?.version).to.equal(1_764_100_010_000_000);
    expect(cluster.doc("tantale-state", stateDocId("c", "disk"))?.version).to.equal(1_764_100_020_000_000);
  });

  it("retries only the items answered 429/5xx, with exponential backoff and full jitter, until they are written", async () => {
    const cluster = new MockCluster();
    const ops = eightOps();
    // Request 0: items 1 (429) and 6 (503) fail; request 1: the first of them (429 again); request 2: all written.
    cluster.override = (_op, i, request) => {
      if (request === 0 && i === 1) return { status: 429, type: "es_rejected_execution_exception" };
      if (request === 0 && i === 6) return { status: 503, type: "unavailable_shards_exception" };
      if (request === 1 && i === 0) return { status: 429, type: "es_rejected_execution_exception" };
      return undefined;
    };
    const pacing = new TestPacing(0.5);
    const outcome = await writeBulk(cluster.client(), ops, options(pacing));
    expect(outcome).to.deep.include({ written: 8, retried: 3, requests: 3, rejected: [] });
    expect(cluster.bulks.map((b) => b.map((o) => o.meta._id))).to.deep.equal([ops.map((o) => o.id), [ops[1]!.id, ops[6]!.id], [ops[1]!.id]]);
    // random() = 0.5: half of min(cap, base * 2^attempt).
    expect(pacing.delays).to.deep.equal([50, 100]);
    expect(backoffDelay(RETRY, 10, () => 0.999)).to.be.lessThan(RETRY.capMs);
    expect(backoffDelay(RETRY, 0, () => 0)).to.equal(0);
  });

  it("retries with a failed item the later operations on the same document, keeping their order", async () => {
    const cluster = new MockCluster();
    const first = state("a", "disk", { lastCheck: 1_764_100_010, state: 2 });
    const ops = [
      ...bulkOps(changeSet({ upserts: [first] }), names, "n", { downtime: 0, comment: 0 }),
      ...bulkOps(changeSet({ upserts: [state("b", "disk")] }), names, "n", { downtime: 0, comment: 0 }),
      ...bulkOps(changeSet({ deletes: [{ hostname: "a", check: "disk" }] }), names, "n", { downtime: 0, comment: 0 }),
    ];
    cluster.override = (_op, i, request) => (request === 0 && i === 0 ? { status: 429 } : undefined);
    await writeBulk(cluster.client(), ops, options(new TestPacing()));
    // The delete went again after the retried upsert: a is deleted in the end, not brought back.
    expect(cluster.bulks[1]!.map((o) => `${o.action} ${o.meta._id}`)).to.deep.equal([`index ${stateDocId("a", "disk")}`, `delete ${stateDocId("a", "disk")}`]);
    expect(cluster.doc("tantale-state", stateDocId("a", "disk"))).to.equal(undefined);
  });

  it("gives up with ClusterUnavailableError once the retries are spent, and at once when the cluster cannot be reached", async () => {
    const cluster = new MockCluster();
    cluster.override = () => ({ status: 429, type: "es_rejected_execution_exception" });
    const pacing = new TestPacing();
    const err = await writeBulk(cluster.client(), eightOps(), options(pacing)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(ClusterUnavailableError);
    expect((err as Error).message).to.match(/8 items refused with HTTP 429 es_rejected_execution_exception, still after 5 retries/);
    expect(cluster.bulks).to.have.length(6);
    expect(pacing.delays).to.deep.equal([50, 100, 200, 400, 800]);

    const away = new MockCluster();
    away.down = true;
    const err2 = await writeBulk(away.client(), eightOps(), options(new TestPacing())).catch((e: unknown) => e);
    expect(err2).to.be.instanceOf(ClusterUnavailableError);
    expect((err2 as Error).message).to.match(/ConnectionError: connect ECONNREFUSED/);
  });

  it("retries a whole request answered 429 or 503, and refuses every item of one answered 400", async () => {
    const cluster = new MockCluster();
    cluster.bulkStatus = 503;
    const pacing = new TestPacing();
    pacing.hold = true;
    const ops = eightOps();
    const done = writeBulk(cluster.client(), ops, options(pacing));
    // The first attempt fails and the writer waits; the cluster recovers meanwhile.
    while (pacing.held === 0) await new Promise((r) => setImmediate(r));
    cluster.bulkStatus = undefined;
    pacing.release();
    const outcome = await done;
    expect(outcome.written).to.equal(8);
    expect(cluster.bulks).to.have.length(2);
    expect(cluster.bulks[1]).to.deep.equal(cluster.bulks[0]);

    const bad = new MockCluster();
    bad.bulkStatus = 400;
    const refused = await writeBulk(bad.client(), ops, options(new TestPacing()));
    expect(refused.rejected).to.have.length(8);
    expect(refused.rejected[0]!.reason).to.match(/HTTP 400 es_rejected_execution_exception: busy/);
    expect(bad.bulks).to.have.length(1);
  });

  it("sends one bulk request per flush_bytes of operations, in order", async () => {
    const cluster = new MockCluster();
    const ops = eightOps();
    const outcome = await writeBulk(cluster.client(), ops, options(new TestPacing(), new RecordingLogger(), { flushBytes: ops[0]!.bytes + ops[1]!.bytes }));
    expect(outcome.requests).to.be.greaterThan(2);
    expect(cluster.ops.map((o) => o.meta._id)).to.deep.equal(ops.map((o) => o.id));
    expect(outcome.bytes).to.equal(ops.reduce((n, o) => n + o.bytes, 0));
  });
});
