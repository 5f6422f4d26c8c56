import { expect } from "chai";
import type { Clock } from "../../../core/clock";
import { silentLogger } from "../../../core/log/logger";
import { SelfStats } from "../../../core/metrics/self-stats";
import type { ChangeSet } from "../../../core/state/change-set";
import { checkKey, type CheckKey, type CheckState } from "../../../core/state/check-state";
import type { Comment } from "../../../core/state/comment";
import type { Downtime } from "../../../core/state/downtime";
import { StateEngine } from "../../../core/state/state-engine";
import { COMPLETE_COMMIT, type CommitReport } from "../../../core/store/commit-report";
import { NO_LOG_ENTRIES, type LogPage } from "../../../core/store/log-query";
import { EMPTY_STORED_STATE, type StateStore, type StoredState } from "../../../core/store/state-store";
import { ackRequest, applied, commentRequest, fixed, res, svc, T0 } from "./command-kit";

interface Owned<T> {
  readonly node: string;
  readonly value: T;
}

/**
 * A store shared by several Tantales, in memory, with the rules of the Elasticsearch store:
 * a state older than the stored one is refused (and reported moved when another node wrote
 * the stored one), records are kept per node, and loadHosts answers whoever wrote them.
 */
class SharedStore {
  readonly checks = new Map<string, Owned<CheckState>>();
  readonly downtimes = new Map<string, Owned<Downtime>>();
  readonly comments = new Map<string, Owned<Comment>>();

  of(node: string): StateStore {
    return {
      load: async () => this.pick((o) => o.node === node),
      loadHosts: async (hostnames) => {
        const names = new Set(hostnames);
        return this.pick((o) => names.has(o.value.hostname));
      },
      commit: async (c) => this.commit(node, c),
      readLog: async (): Promise<LogPage> => NO_LOG_ENTRIES,
    };
  }

  private commit(node: string, c: ChangeSet): CommitReport {
    const moved: CheckKey[] = [];
    for (const s of c.upserts) {
      const key = checkKey(s.hostname, s.check);
      const stored = this.checks.get(key);
      if (stored !== undefined && stored.value.lastCheck > s.lastCheck) {
        if (stored.node !== node) moved.push({ hostname: s.hostname, check: s.check });
        continue;
      }
      this.checks.set(key, { node, value: s });
    }
    for (const d of c.downtimes.upserts) this.downtimes.set(`${node}/${d.id}`, { node, value: d });
    for (const id of c.downtimes.deletes) this.downtimes.delete(`${node}/${id}`);
    for (const m of c.comments.upserts) this.comments.set(`${node}/${m.id}`, { node, value: m });
    for (const id of c.comments.deletes) this.comments.delete(`${node}/${id}`);
    return moved.length === 0 ? COMPLETE_COMMIT : { rejected: [], moved };
  }

  private pick(keep: (o: Owned<{ readonly hostname: string }>) => boolean): StoredState {
    const values = <T>(m: Map<string, Owned<T & { readonly hostname: string }>>): T[] => [...m.values()].filter(keep).map((o) => o.value);
    return { checks: values(this.checks), downtimes: values(this.downtimes), comments: values(this.comments), lastIds: EMPTY_STORED_STATE.lastIds };
  }
}

async function tantale(shared: SharedStore, node: string, time: { now: number }): Promise<StateEngine> {
  const clock: Clock = { now: () => time.now * 1000 };
  const engine = new StateEngine({ freshness_factor: 2, freshness_check_interval: 1000 }, clock, silentLogger(), new SelfStats().of("(state)"));
  await engine.attachStore(shared.of(node));
  return engine;
}

describe("StateEngine: hosts that move between Tantales sharing a store", () => {
  it("takes over a host's state, acknowledgement, downtimes and comments on its first result, and the old owner forgets it", async () => {
    const shared = new SharedStore();
    const time = { now: T0 };
    const a = await tantale(shared, "a", time);
    const b = await tantale(shared, "b", time);
    const disk = svc("web1", "disk");
    await a.write([res("web1", "disk", 2, 0)]);
    applied(a.acknowledge(disk, ackRequest(), T0 + 1));
    const [downtimeOnA] = applied(a.scheduleDowntime(disk, fixed(0, 3600), false, T0 + 2));
    applied(a.addComment(disk, commentRequest(), T0 + 3));
    await a.flush();
    // b hands out downtime ids of its own: a's id 1 is taken there.
    await b.write([res("db1", "load", 0, 0)]);
    const own = applied(b.scheduleDowntime(svc("db1", "load"), fixed(0, 60), false, T0 + 4))[0]!;
    await b.flush();
    expect(own).to.equal(downtimeOnA);

    // The agent of web1 now sends to b (a failover).
    time.now = T0 + 10;
    await b.write([res("web1", "disk", 2, 10)]);
    const moved = b.get("web1", "disk");
    expect(moved?.lastCheck).to.equal(T0 + 10);
    expect(moved?.lastStateChange, "the state change a logged, not a new one").to.equal(T0);
    expect(moved?.acknowledgement?.author).to.equal("alice");
    const downtimes = b.downtimesOf("web1", "disk");
    expect(downtimes).to.have.length(1);
    expect(downtimes[0]!.id, "renumbered: b's own downtime holds the id").to.not.equal(own);
    expect(b.downtime(own)?.hostname).to.equal("db1");
    expect(b.commentsOf("web1", "disk").map((c) => c.comment)).to.include("see ticket 42");
    expect(shared.checks.get(checkKey("web1", "disk"))?.node, "written again as b's").to.equal("b");

    // a's next write of web1 (an acknowledgement removal) is older than b's: a forgets the host.
    applied(a.removeAcknowledgement(disk, T0 + 11));
    await a.flush();
    // The deletions of a's copies go with the commit queued after the refusal.
    await a.flush();
    expect(a.get("web1", "disk")).to.equal(undefined);
    expect(a.host("web1")).to.equal(undefined);
    expect(a.downtimesOfHost("web1")).to.deep.equal([]);
    expect(
      [...shared.downtimes.values(), ...shared.comments.values()].filter((o) => o.node === "a"),
      "a's copies of the records are deleted",
    ).to.deep.equal([]);
    expect(b.get("web1", "disk")?.acknowledgement?.author, "b keeps the state it took").to.equal("alice");
  });

  it("asks the store once for a host it does not hold, not at every batch", async () => {
    const shared = new SharedStore();
    const time = { now: T0 };
    let asked = 0;
    const store = shared.of("a");
    const counting: StateStore = {
      ...store,
      loadHosts: async (names) => {
        asked++;
        return store.loadHosts!(names);
      },
    };
    const clock: Clock = { now: () => time.now * 1000 };
    const engine = new StateEngine({ freshness_factor: 2, freshness_check_interval: 1000 }, clock, silentLogger(), new SelfStats().of("(state)"));
    await engine.attachStore(counting);
    await engine.write([res("new1", "disk", 0, 0), res("new1", "load", 0, 0), res("new2", "disk", 0, 0)]);
    await engine.write([res("new1", "disk", 0, 1)]);
    expect(asked).to.equal(1);
    expect(engine.get("new2", "disk")?.state).to.equal(0);
  });
});
