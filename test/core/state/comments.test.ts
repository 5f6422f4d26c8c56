import { expect } from "chai";
import { COMMENT_ENTRY } from "../../../core/state/comment";
import { ackRequest, applied, commentRequest, downtimeOf, fixed, harness, hst, refusal, res, stateOf, svc, T0, type Harness } from "./command-kit";

const disk = svc("web1", "disk");
const host = hst("web1");

describe("StateEngine: comments", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
    await h.write(res("web1", "Host", 0, 0), res("web1", "disk", 2, 0), res("web2", "Host", 0, 0));
  });

  it("adds host and service comments (entry type 1) with the request's fields, the command's time and increasing ids", () => {
    expect(applied(h.engine.addComment(host, commentRequest({ author: "carol", comment: "rack 4", persistent: true }), T0 + 5))).to.deep.equal([1]);
    expect(applied(h.engine.addComment(disk, commentRequest({ author: "dave", comment: "slow disk", persistent: false }), T0 + 6))).to.deep.equal([2]);
    expect(applied(h.engine.addComment(disk, commentRequest(), T0 + 7))).to.deep.equal([3]);
    expect(h.engine.comment(1)).to.deep.equal({
      id: 1,
      hostname: "web1",
      check: "Host",
      author: "carol",
      comment: "rack 4",
      entryTime: T0 + 5,
      entryType: COMMENT_ENTRY.user,
      persistent: true,
      expireTime: 0,
    });
    expect(h.engine.comment(2)).to.deep.equal({
      id: 2,
      hostname: "web1",
      check: "disk",
      author: "dave",
      comment: "slow disk",
      entryTime: T0 + 6,
      entryType: COMMENT_ENTRY.user,
      persistent: false,
      expireTime: 0,
    });
    expect(h.engine.commentsOf("web1", "disk").map((c) => c.id)).to.deep.equal([2, 3]);
    expect(h.engine.commentsOf("web1", "Host").map((c) => c.id)).to.deep.equal([1]);
    expect(h.engine.commentsOfHost("web1").map((c) => c.id)).to.deep.equal([1, 2, 3]);
    expect(h.engine.allComments().map((c) => c.id)).to.deep.equal([1, 2, 3]);
  });

  it("deletes by id; a deleted id is never handed out again", () => {
    applied(h.engine.addComment(host, commentRequest(), T0));
    applied(h.engine.addComment(disk, commentRequest(), T0));
    applied(h.engine.deleteComment(2, true));
    applied(h.engine.deleteComment(1, false));
    expect(h.engine.comment(1)).to.equal(undefined);
    expect(h.engine.allComments()).to.deep.equal([]);
    expect(applied(h.engine.addComment(disk, commentRequest(), T0))).to.deep.equal([3]);
  });

  it("refuses a comment on an unknown host or service; a pending host takes one", async () => {
    expect(refusal(h.engine.addComment(svc("web1", "nope"), commentRequest(), T0))).to.equal("service web1;nope is not known");
    expect(refusal(h.engine.addComment(hst("ghost"), commentRequest(), T0))).to.equal("host ghost is not known");
    expect(h.engine.allComments()).to.deep.equal([]);
    await h.write(res("db1", "mysql", 0, 0));
    expect(applied(h.engine.addComment(hst("db1"), commentRequest(), T0))).to.deep.equal([1]);
  });

  it("refuses to delete an unknown id, or a comment of the other kind (host vs service), which stays", () => {
    applied(h.engine.addComment(host, commentRequest(), T0));
    applied(h.engine.addComment(disk, commentRequest(), T0));
    expect(refusal(h.engine.deleteComment(9, false))).to.equal("there is no comment with id 9");
    expect(refusal(h.engine.deleteComment(1, true))).to.equal("comment 1 is a host comment: use DEL_HOST_COMMENT");
    expect(refusal(h.engine.deleteComment(2, false))).to.equal("comment 2 is a service comment: use DEL_SVC_COMMENT");
    expect(h.engine.allComments().map((c) => c.id)).to.deep.equal([1, 2]);
  });

  it("deleting an acknowledgement's comment leaves the acknowledgement", () => {
    const [id] = applied(h.engine.acknowledge(disk, ackRequest(), T0));
    applied(h.engine.deleteComment(id!, true));
    expect(stateOf(h, disk).acknowledgement).to.include({ type: 1 });
  });

  describe("ids across a restart", () => {
    it("a new engine loading the committed state goes on after the highest id handed out, even when that one was deleted", async () => {
      applied(h.engine.addComment(host, commentRequest({ comment: "kept" }), T0));
      applied(h.engine.addComment(disk, commentRequest(), T0));
      applied(h.engine.acknowledge(disk, ackRequest(), T0)); // comment 3
      applied(h.engine.deleteComment(2, true));
      applied(h.engine.removeAcknowledgement(disk, T0)); // comment 3 goes with it
      applied(h.engine.scheduleDowntime(host, fixed(0, 1000), false, T0));
      applied(h.engine.scheduleDowntime(disk, fixed(500, 1000), false, T0));
      applied(h.engine.deleteDowntime(2, true));
      await h.engine.flush();
      expect(h.store.lastCommit.lastIds).to.deep.equal({ downtime: 2, comment: 3 });

      const again = await h.restart();
      expect(again.engine.allComments().map((c) => [c.id, c.comment])).to.deep.equal([[1, "kept"]]);
      expect(again.engine.allDowntimes().map((d) => d.id)).to.deep.equal([1]);
      expect(again.engine.comment(1)).to.deep.equal(h.engine.comment(1));
      expect(again.engine.downtime(1)).to.deep.equal(h.engine.downtime(1));
      expect(applied(again.engine.addComment(disk, commentRequest(), T0 + 1))).to.deep.equal([4]);
      expect(applied(again.engine.acknowledge(disk, ackRequest(), T0 + 1))).to.deep.equal([5]);
      expect(applied(again.engine.scheduleDowntime(disk, fixed(0, 1000), false, T0 + 1))).to.deep.equal([3]);
    });

    it("the loaded downtimes and acknowledgements go on: an active downtime stops on time, an expiring acknowledgement expires", async () => {
      applied(h.engine.scheduleDowntime(disk, fixed(0, 100), false, T0));
      const [ack] = applied(h.engine.acknowledge(disk, ackRequest({ expireTime: T0 + 50 }), T0));
      await h.engine.flush();
      const again = await h.restart();
      expect(stateOf(again, disk)).to.include({ downtimeDepth: 1 });
      expect(downtimeOf(again, 1).activeSince).to.be.greaterThan(0);
      await again.tickAt(50);
      expect(stateOf(again, disk).acknowledgement).to.equal(null);
      expect(again.engine.comment(ack!)).to.equal(undefined);
      await again.tickAt(100);
      expect(stateOf(again, disk).downtimeDepth).to.equal(0);
      expect(again.store.messages).to.deep.equal([
        `[${T0 + 100}] SERVICE DOWNTIME ALERT: web1;disk;STOPPED; Service has exited from a period of scheduled downtime`,
      ]);
    });
  });
});
