import { expect } from "chai";
import type { CheckState } from "../../../core/state/check-state";
import type { Comment } from "../../../core/state/comment";
import type { Downtime } from "../../../core/state/downtime";
import { EMPTY_STORED_STATE } from "../../../core/store/state-store";
import { indexNames, recordDocId, toStateDocument, type RecordDocument } from "./documents";
import { ClusterReadError } from "./log-reader";
import { SearchMock } from "./search-mock.test-kit";
import { loadHostsFromCluster, loadStateFromCluster } from "./state-loader";

const NAMES = indexNames("tantale");
const OPTIONS = { pageSize: 2, requestTimeout: 5000 };

function state(hostname: string, check: string, overrides: Partial<CheckState> = {}): CheckState {
  return {
    hostname,
    check,
    state: 0,
    lastState: 0,
    output: "OK",
    longOutput: "",
    perfData: "",
    lastCheck: 1_764_100_000.5,
    lastStateChange: 1_764_000_000,
    lastHardStateChange: 1_764_000_000,
    interval: 60,
    contacts: ["alice"],
    hostgroups: ["web"],
    servicegroups: [],
    customVariables: { ROLE: "front" },
    outdated: false,
    acknowledgement: null,
    downtimeDepth: 0,
    ...overrides,
  };
}

function downtime(id: number, hostname: string): Downtime {
  return {
    id,
    hostname,
    check: "Host",
    author: "alice",
    comment: "maintenance",
    entryTime: 1_764_100_000,
    startTime: 1_764_100_000,
    endTime: 1_764_103_600,
    fixed: true,
    duration: 3600,
    triggeredBy: 0,
    activeSince: 0,
  };
}

function comment(id: number, hostname: string): Comment {
  return { id, hostname, check: "disk", author: "bob", comment: "looking", entryTime: 1_764_100_000, entryType: 1, persistent: false, expireTime: 0 };
}

/** A record document as the writer stores it (`_id` recordDocId). */
function record(node: string, r: Downtime | Comment, kind: "downtime" | "comment"): RecordDocument & { id: string } {
  return { id: recordDocId(node, kind, r.id), kind, node, hostname: r.hostname, check: r.check, record_id: r.id, record: r };
}

function counters(node: string, downtime: number, comment: number): RecordDocument & { id: string } {
  return { id: recordDocId(node, "counters"), kind: "counters", node, hostname: "", check: "", record_id: 0, record: { downtime, comment } };
}

describe("state loader (Elasticsearch store)", () => {
  const A_CHECKS = [
    state("web1", "Host"),
    state("web1", "disk", { state: 2, acknowledgement: { type: 1, author: "bob", comment: "on it", time: 1_764_100_001, expireTime: 0 } }),
    state("web1", "cpu"),
    state("web2", "Host", { outdated: true }),
    state("hôte-ü", "😀 disk"),
  ];
  const B_CHECKS = [state("db", "Host"), state("db", "disk", { state: 1 })];
  let mock: SearchMock;

  beforeEach(() => {
    mock = new SearchMock();
    mock.put(NAMES.state, [...A_CHECKS.map((s) => toStateDocument(s, "node-a")), ...B_CHECKS.map((s) => toStateDocument(s, "node-b"))]);
    mock.put(NAMES.records, [
      record("node-a", downtime(3, "web1"), "downtime"),
      record("node-a", downtime(1, "web2"), "downtime"),
      record("node-a", comment(2, "web1"), "comment"),
      // The counter write of downtime 3 was lost: the highest id present raises it.
      counters("node-a", 2, 7),
      record("node-b", downtime(1, "db"), "downtime"),
      record("node-b", comment(5, "db"), "comment"),
      counters("node-b", 9, 9),
    ]);
  });

  const sortChecks = (cs: readonly CheckState[]): CheckState[] => [...cs].sort((a, b) => (a.hostname + "\0" + a.check < b.hostname + "\0" + b.check ? -1 : 1));

  it("loads what this node wrote, paged by (hostname, check) and (node, kind, record_id), ids raised to the highest present", async () => {
    const loaded = await loadStateFromCluster(mock.client, NAMES, "node-a", OPTIONS);
    expect(sortChecks(loaded.checks)).to.deep.equal(sortChecks(A_CHECKS));
    expect(loaded.downtimes).to.deep.equal([downtime(1, "web2"), downtime(3, "web1")]);
    expect(loaded.comments).to.deep.equal([comment(2, "web1")]);
    expect(loaded.lastIds).to.deep.equal({ downtime: 3, comment: 7 });

    const stateSearches = mock.searches.filter((s) => s.index === NAMES.state);
    expect(stateSearches.map((s) => s.body.size)).to.deep.equal([2, 2, 2]);
    expect(stateSearches[0]!.body).to.deep.equal({
      query: { bool: { filter: [{ term: { node: "node-a" } }] } },
      sort: [{ hostname: { order: "asc" } }, { check: { order: "asc" } }],
      size: 2,
      track_total_hits: false,
    });
    expect(stateSearches[0]!.querystring).to.deep.include({ ignore_unavailable: "true", allow_no_indices: "true" });
    expect(stateSearches[1]!.body.search_after).to.have.length(2);
    const recordSearches = mock.searches.filter((s) => s.index === NAMES.records);
    expect(recordSearches[0]!.body.sort).to.deep.equal([{ node: { order: "asc" } }, { kind: { order: "asc" } }, { record_id: { order: "asc" } }]);
    // comment 2, counters, then downtimes 1 and 3.
    expect(recordSearches.map((s) => s.body.search_after)).to.deep.equal([undefined, ["node-a", "counters", 0], ["node-a", "downtime", 3]]);
  });

  it("a node with nothing in the cluster, a fresh cluster, a server answering 404 index_not_found: the empty state", async () => {
    expect(await loadStateFromCluster(mock.client, NAMES, "node-c", OPTIONS)).to.deep.equal(EMPTY_STORED_STATE);
    const fresh = new SearchMock();
    expect(await loadStateFromCluster(fresh.client, NAMES, "node-a", OPTIONS)).to.deep.equal(EMPTY_STORED_STATE);
    fresh.failure = { status: 404, type: "index_not_found_exception" };
    expect(await loadStateFromCluster(fresh.client, NAMES, "node-a", OPTIONS)).to.deep.equal(EMPTY_STORED_STATE);
  });

  it("loads the hosts taken over, whichever node wrote them (a failover)", async () => {
    const loaded = await loadHostsFromCluster(mock.client, NAMES, ["db", "web1", "db"], OPTIONS);
    expect(sortChecks(loaded.checks)).to.deep.equal(sortChecks([...B_CHECKS, ...A_CHECKS.filter((s) => s.hostname === "web1")]));
    expect(loaded.downtimes).to.deep.equal([downtime(1, "db"), downtime(3, "web1")]);
    expect(loaded.comments).to.deep.equal([comment(2, "web1"), comment(5, "db")]);
    // The other nodes' counters are theirs: only the ids present count.
    expect(loaded.lastIds).to.deep.equal({ downtime: 3, comment: 5 });
    const [stateSearch] = mock.searches.filter((s) => s.index === NAMES.state);
    expect(stateSearch!.body.query).to.deep.equal({ bool: { filter: [{ terms: { hostname: ["db", "web1"] } }] } });
    const [recordSearch] = mock.searches.filter((s) => s.index === NAMES.records);
    expect(recordSearch!.body.query).to.deep.equal({
      bool: { filter: [{ terms: { hostname: ["db", "web1"] } }, { terms: { kind: ["downtime", "comment"] } }] },
    });
  });

  it("no hosts: no request", async () => {
    expect(await loadHostsFromCluster(mock.client, NAMES, [], OPTIONS)).to.deep.equal(EMPTY_STORED_STATE);
    expect(mock.searches).to.have.length(0);
  });

  it("a failed search: ClusterReadError naming the read and the index", async () => {
    mock.failure = { status: 400, type: "search_phase_execution_exception" };
    const err = await loadStateFromCluster(mock.client, NAMES, "node-a", OPTIONS).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(ClusterReadError);
    expect((err as Error).message).to.match(/state load \(tantale-state\)/);
  });
});
