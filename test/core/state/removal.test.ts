import { expect } from "chai";
import { ackRequest, applied, commentRequest, fixed, harness, hst, noteOf, refusal, res, stateOf, svc, T0, type Harness } from "./command-kit";

const host = hst("web1");
const disk = svc("web1", "disk");
const load = svc("web1", "load");

describe("StateEngine: removing hosts and services (DEL_HOST, DEL_SVC)", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });

  /** web1 (DOWN, disk CRITICAL acknowledged, load OK) with downtimes and comments; web2 with its own. */
  async function populate(): Promise<void> {
    await h.write(res("web1", "Host", 1, 0), res("web1", "disk", 2, 0), res("web1", "load", 0, 0), res("web2", "Host", 0, 0), res("web2", "disk", 0, 0));
    applied(h.engine.scheduleDowntime(host, fixed(0, 1000), true, T0)); // 1 Host, 2 disk, 3 load
    applied(h.engine.scheduleDowntime(hst("web2"), fixed(0, 1000), false, T0)); // 4
    applied(h.engine.addComment(host, commentRequest(), T0)); // 1
    applied(h.engine.addComment(load, commentRequest(), T0)); // 2
    applied(h.engine.acknowledge(disk, ackRequest(), T0)); // 3
    applied(h.engine.addComment(svc("web2", "disk"), commentRequest(), T0)); // 4
    await h.engine.flush();
  }

  it("DEL_HOST removes the host, its services, their downtimes and comments; other hosts keep theirs; the log keeps the history", async () => {
    await populate();
    const logged = h.store.messages;
    expect(logged.some((m) => m.includes("HOST ALERT: web1;DOWN"))).to.equal(true);
    const versionBefore = h.engine.hostsVersion;
    h.at(10);
    expect(noteOf(h.engine.removeObject(host, true, T0 + 10))).to.equal(undefined);
    expect(h.engine.host("web1")).to.equal(undefined);
    expect([h.engine.get("web1", "Host"), h.engine.get("web1", "disk"), h.engine.get("web1", "load")]).to.deep.equal([undefined, undefined, undefined]);
    expect(h.engine.hostCount).to.equal(1);
    expect(h.engine.hostsVersion).to.not.equal(versionBefore);
    expect(h.engine.allDowntimes().map((d) => d.id)).to.deep.equal([4]);
    expect(h.engine.allComments().map((c) => c.id)).to.deep.equal([4]);
    expect(h.engine.downtimesOfHost("web1")).to.deep.equal([]);
    expect(h.engine.commentsOfHost("web1")).to.deep.equal([]);

    await h.engine.flush();
    const commit = h.store.lastCommit;
    expect(commit.deletes.map((k) => k.check).sort()).to.deep.equal(["Host", "disk", "load"]);
    expect([...commit.downtimes.deletes].sort()).to.deep.equal([1, 2, 3]);
    expect([...commit.comments.deletes].sort()).to.deep.equal([1, 2, 3]);
    // The log keeps every entry written before (nothing is taken back), and the history is still read.
    expect(h.store.messages.slice(0, logged.length)).to.deep.equal(logged);
    expect(
      (await h.engine.readLog({ where: { kind: "in", field: "hostname", values: ["web1"] } })).entries.some((e) => e.message.includes("HOST ALERT: web1;DOWN")),
    ).to.equal(true);
    // The committed state a restart loads has no trace of web1.
    const stored = h.store.stored();
    expect(stored.checks.map((s) => s.hostname)).to.not.include("web1");
    expect(stored.downtimes.map((d) => d.hostname)).to.deep.equal(["web2"]);
    expect(stored.comments.map((c) => c.hostname)).to.deep.equal(["web2"]);
  });

  it("DEL_HOST of a pending host (services only) removes it too", async () => {
    await h.write(res("db1", "mysql", 0, 0), res("db1", "redis", 0, 0));
    applied(h.engine.scheduleDowntime(hst("db1"), fixed(0, 100), false, T0));
    applied(h.engine.addComment(hst("db1"), commentRequest(), T0));
    applied(h.engine.removeObject(hst("db1"), true, T0 + 1));
    expect(h.engine.host("db1")).to.equal(undefined);
    expect(h.engine.allDowntimes()).to.deep.equal([]);
    expect(h.engine.allComments()).to.deep.equal([]);
  });

  it("keeps a check whose last result is stamped after the removal (in timestamp order it came back), with a note; its host stays", async () => {
    await h.write(res("web1", "Host", 0, 0), res("web1", "disk", 0, 0), res("web1", "load", 0, 20));
    h.at(20);
    expect(noteOf(h.engine.removeObject(host, true, T0 + 10))).to.equal("1 check(s) with results stamped after the removal kept");
    expect(h.engine.get("web1", "Host")).to.equal(undefined);
    expect(h.engine.get("web1", "disk")).to.equal(undefined);
    expect(stateOf(h, load).lastCheck).to.equal(T0 + 20);
    expect([...h.engine.host("web1")!.services.keys()]).to.deep.equal(["load"]);
  });

  it("after the removal, a late result stamped before it is refused and counted; a newer one brings the check back", async () => {
    await h.write(res("web1", "Host", 0, 0), res("web1", "disk", 0, 0));
    h.at(10);
    applied(h.engine.removeObject(host, true, T0 + 10));
    const appliedBefore = h.stats.get("results_applied");
    await h.write(res("web1", "disk", 2, 5), res("web1", "Host", 1, 9.5), res("web1", "new", 1, 9));
    expect(h.engine.host("web1")).to.equal(undefined);
    expect(h.stats.get("results_before_removal")).to.equal(3);
    expect(h.stats.get("results_applied")).to.equal(appliedBefore);
    await h.write(res("web1", "disk", 2, 11));
    expect(stateOf(h, disk)).to.include({ state: 2, lastCheck: T0 + 11, acknowledgement: null, downtimeDepth: 0 });
    expect(h.engine.host("web1")!.hostCheck).to.equal(undefined); // pending again until its Host result
    expect(h.stats.get("results_applied")).to.equal(appliedBefore + 1);
  });

  it("within the removal's own second, arrival order decides: a result that arrived before is removed, one arriving after brings the check back", async () => {
    await h.write(res("web1", "Host", 0, 0), res("web1", "disk", 0, 10.4));
    h.at(10);
    expect(noteOf(h.engine.removeObject(host, true, T0 + 10))).to.equal(undefined);
    expect(h.engine.get("web1", "disk")).to.equal(undefined);
    await h.write(res("web1", "disk", 2, 10.2));
    expect(stateOf(h, disk).state).to.equal(2);
  });

  it("forgets a removal after an hour: an old result may then bring the check back", async () => {
    await h.write(res("web1", "disk", 0, 0));
    applied(h.engine.removeObject(host, true, T0 + 10));
    await h.tickAt(10 + 3601);
    await h.write(res("web1", "disk", 0, 5));
    expect(h.engine.get("web1", "disk")).to.not.equal(undefined);
  });

  it("DEL_SVC removes only the service with its downtimes and comments; the host and the other services stay", async () => {
    await populate();
    h.at(10);
    expect(noteOf(h.engine.removeObject(disk, false, T0 + 10))).to.equal(undefined);
    expect(h.engine.get("web1", "disk")).to.equal(undefined);
    expect(stateOf(h, host).state).to.equal(1);
    expect(stateOf(h, load).state).to.equal(0);
    expect(h.engine.allDowntimes().map((d) => d.id)).to.deep.equal([1, 3, 4]);
    expect(h.engine.allComments().map((c) => c.id)).to.deep.equal([1, 2, 4]);
    await h.engine.flush();
    expect(h.store.lastCommit.deletes).to.deep.equal([{ hostname: "web1", check: "disk" }]);
    expect(h.store.lastCommit.downtimes.deletes).to.deep.equal([2]);
    expect(h.store.lastCommit.comments.deletes).to.deep.equal([3]);
    // Late results of that service are refused; the others' results are not.
    await h.write(res("web1", "disk", 2, 8), res("web1", "load", 1, 8));
    expect(h.engine.get("web1", "disk")).to.equal(undefined);
    expect(stateOf(h, load).state).to.equal(1);
  });

  it("DEL_SVC of a pending host's last service removes the host with its downtimes and comments", async () => {
    await h.write(res("db1", "mysql", 0, 0));
    applied(h.engine.scheduleDowntime(hst("db1"), fixed(0, 100), false, T0));
    applied(h.engine.addComment(hst("db1"), commentRequest(), T0));
    applied(h.engine.removeObject(svc("db1", "mysql"), false, T0 + 1));
    expect(h.engine.host("db1")).to.equal(undefined);
    expect(h.engine.allDowntimes()).to.deep.equal([]);
    expect(h.engine.allComments()).to.deep.equal([]);
  });

  it("refuses an unknown host or service", async () => {
    await h.write(res("web1", "disk", 0, 0));
    expect(refusal(h.engine.removeObject(hst("ghost"), true, T0))).to.equal("host ghost is not known");
    expect(refusal(h.engine.removeObject(svc("web1", "nope"), false, T0))).to.equal("service web1;nope is not known");
    expect(stateOf(h, disk).state).to.equal(0);
  });
});
