import { expect } from "chai";
import type { Comment } from "../../../core/state/comment";
import type { Downtime } from "../../../core/state/downtime";
import { bulkOps, chunkOps, countersVersion } from "./bulk-ops";
import { indexNames, recordDocId, stateDocId, stateVersion } from "./documents";
import { decodeChangeSet, encodeChangeSet } from "./spooled-change-set";
import { alert, changeSet, parseBulk, state } from "./test-kit";

const names = indexNames("tantale");

function lines(ops: ReturnType<typeof bulkOps>): Record<string, unknown>[] {
  return ops.flatMap((o) =>
    o.lines
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as Record<string, unknown>),
  );
}

const downtime: Downtime = {
  id: 7,
  hostname: "web1",
  check: "disk",
  author: "ops",
  comment: "maintenance",
  entryTime: 1_764_100_000,
  startTime: 1_764_100_000,
  endTime: 1_764_103_600,
  fixed: true,
  duration: 3600,
  triggeredBy: 0,
  activeSince: 0,
};
const comment: Comment = {
  id: 3,
  hostname: "web1",
  check: "disk",
  author: "ops",
  comment: "look",
  entryTime: 1_764_100_000,
  entryType: 1,
  persistent: true,
  expireTime: 0,
};

describe("elasticsearch bulk operations", () => {
  it("writes a check state as index with external_gte and its last check in microseconds as the version", () => {
    const s = state("web1", "disk", { lastCheck: 1_764_100_000.25, state: 2, customVariables: { OWNER: "ops" } });
    const [action, doc] = lines(bulkOps(changeSet({ upserts: [s] }), names, "node-a", { downtime: 0, comment: 0 }));
    expect(action).to.deep.equal({
      index: { _index: "tantale-state", _id: stateDocId("web1", "disk"), version: 1_764_100_000_250_000, version_type: "external_gte" },
    });
    expect(stateVersion(s)).to.equal(1_764_100_000_250_000);
    expect(doc).to.include({ hostname: "web1", check: "disk", state: 2, last_check: 1_764_100_000.25, node: "node-a", "@timestamp": 1_764_100_000_250 });
    expect(doc!.custom_variables).to.deep.equal({ OWNER: "ops" });
  });

  it("creates each log entry with its deterministic id in the daily index of its time (UTC)", () => {
    const e = alert("web1", "disk", 1_764_115_199); // 2025-11-25T23:59:59Z
    const ops = bulkOps(changeSet({ log: [e] }), names, "node-a", { downtime: 0, comment: 0 });
    const [action, doc] = lines(ops);
    expect(action).to.deep.equal({ create: { _index: "tantale-log-2025.11.25", _id: e.id } });
    expect(doc).to.include({ id: e.id, hostname: "web1", check: "disk", state: 2, type: "SERVICE ALERT", message: e.message, node: "node-a" });
    expect(ops[0]).to.include({ part: "log", key: e.id, conflict: "already-written" });
  });

  it("deletes checks and records by id, and keeps the set's order: states, deletes, log, downtimes, comments, counters", () => {
    const set = changeSet({
      upserts: [state("a", "x")],
      deletes: [{ hostname: "b", check: "y" }],
      log: [alert("a", "x", 1_764_100_000)],
      downtimes: { upserts: [downtime], deletes: [6] },
      comments: { upserts: [comment], deletes: [2] },
      lastIds: { downtime: 7, comment: 3 },
    });
    const ops = parseBulk(lines(bulkOps(set, names, "node-a")));
    expect(ops.map((o) => `${o.action} ${o.meta._index} ${o.meta._id}`)).to.deep.equal([
      `index tantale-state ${stateDocId("a", "x")}`,
      `delete tantale-state ${stateDocId("b", "y")}`,
      `create tantale-log-2025.11.25 ${set.log[0]!.id}`,
      "index tantale-records node-a/downtime/7",
      "delete tantale-records node-a/downtime/6",
      "index tantale-records node-a/comment/3",
      "delete tantale-records node-a/comment/2",
      "index tantale-records node-a/counters",
    ]);
    expect(ops[3]!.doc).to.deep.equal({ kind: "downtime", node: "node-a", hostname: "web1", check: "disk", record_id: 7, record: downtime });
    expect(ops[5]!.doc).to.deep.equal({ kind: "comment", node: "node-a", hostname: "web1", check: "disk", record_id: 3, record: comment });
    expect(ops[7]!.meta).to.deep.equal({ _index: "tantale-records", _id: recordDocId("node-a", "counters"), version: 10, version_type: "external_gte" });
    expect(ops[7]!.doc).to.deep.equal({ kind: "counters", node: "node-a", hostname: "", check: "", record_id: 0, record: { downtime: 7, comment: 3 } });
  });

  it("leaves the counters out when the cluster already holds them, and never lowers their version", () => {
    const set = changeSet({ upserts: [state("a", "x")], lastIds: { downtime: 4, comment: 1 } });
    expect(bulkOps(set, names, "n", { downtime: 4, comment: 1 }).map((o) => o.part)).to.deep.equal(["check"]);
    expect(bulkOps(set, names, "n", { downtime: 3, comment: 1 }).map((o) => o.part)).to.deep.equal(["check", "counter"]);
    expect(countersVersion({ downtime: 4, comment: 1 })).to.be.greaterThan(countersVersion({ downtime: 3, comment: 1 }));
  });

  it("uses no script anywhere", () => {
    const set = changeSet({
      upserts: [state("a", "x")],
      deletes: [{ hostname: "b", check: "y" }],
      log: [alert("a", "x", 1)],
      downtimes: { upserts: [downtime], deletes: [1] },
    });
    const text = bulkOps(set, names, "n")
      .map((o) => o.lines)
      .join("");
    expect(text).not.to.match(/script|painless|"update"/i);
  });

  it("chunks operations by bytes, in order, an oversized one alone", () => {
    const ops = bulkOps(changeSet({ log: Array.from({ length: 10 }, (_, i) => alert(`h${i}`, "c", 1_764_100_000 + i)) }), names, "n", {
      downtime: 0,
      comment: 0,
    });
    const size = ops[0]!.bytes;
    const chunks = chunkOps(ops, size * 3 + 1);
    expect(chunks.map((c) => c.length)).to.deep.equal([3, 3, 3, 1]);
    expect(chunks.flat()).to.deep.equal(ops);
    expect(chunkOps(ops, 1).map((c) => c.length)).to.deep.equal(Array(10).fill(1));
  });

  it("spools a change set as JSON that reads back to the same operations", () => {
    const set = changeSet({
      upserts: [state("a", "x")],
      log: [alert("a", "x", 1_764_100_000)],
      downtimes: { upserts: [downtime], deletes: [] },
      lastIds: { downtime: 7, comment: 0 },
    });
    const back = decodeChangeSet(encodeChangeSet(set), 1);
    expect(bulkOps(back, names, "n").map((o) => o.lines)).to.deep.equal(bulkOps(set, names, "n").map((o) => o.lines));
    expect(() => decodeChangeSet(Buffer.from('{"v":99,"set":{}}'), 4)).to.throw(/spool record 4: format 99/);
    expect(() => decodeChangeSet(Buffer.from("{"), 5)).to.throw(/spool record 5: not JSON/);
  });
});
