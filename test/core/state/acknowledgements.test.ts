import { expect } from "chai";
import { COMMENT_ENTRY } from "../../../core/state/comment";
import { ackRequest, applied, commentRequest, harness, hst, noteOf, refusal, res, stateOf, svc, T0, type Harness } from "./command-kit";

const disk = svc("web1", "disk");
const load = svc("web1", "load");
const host = hst("web1");

describe("StateEngine: acknowledgements", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });

  /** The acknowledgement comments (entry type 4) of a check. */
  const ackComments = (key: { hostname: string; check: string }) =>
    h.engine.commentsOf(key.hostname, key.check).filter((c) => c.entryType === COMMENT_ENTRY.acknowledgement);

  describe("what may be acknowledged", () => {
    it("refuses an OK service and an UP host, saying there is no problem; nothing is set, no comment added", async () => {
      await h.write(res("web1", "disk", 0, 0), res("web1", "Host", 0, 0));
      expect(refusal(h.engine.acknowledge(disk, ackRequest(), T0))).to.equal("service web1;disk is OK: there is no problem to acknowledge");
      expect(refusal(h.engine.acknowledge(host, ackRequest(), T0))).to.equal("host web1 is UP: there is no problem to acknowledge");
      expect(stateOf(h, disk).acknowledgement).to.equal(null);
      expect(stateOf(h, host).acknowledgement).to.equal(null);
      expect(h.engine.allComments()).to.deep.equal([]);
    });

    it("refuses an unknown host and an unknown service of a known host", async () => {
      await h.write(res("web1", "disk", 2, 0));
      expect(refusal(h.engine.acknowledge(svc("web1", "nope"), ackRequest(), T0))).to.equal("service web1;nope is not known");
      expect(refusal(h.engine.acknowledge(svc("ghost", "disk"), ackRequest(), T0))).to.equal("service ghost;disk is not known");
      expect(refusal(h.engine.acknowledge(hst("ghost"), ackRequest(), T0))).to.equal("host ghost is not known");
      expect(h.engine.allComments()).to.deep.equal([]);
    });

    it("acknowledges WARNING, CRITICAL and UNKNOWN services and DOWN and UNREACHABLE hosts", async () => {
      await h.write(res("a", "w", 1, 0), res("a", "c", 2, 0), res("a", "u", 3, 0), res("a", "Host", 1, 0), res("b", "Host", 2, 0));
      for (const key of [svc("a", "w"), svc("a", "c"), svc("a", "u"), hst("a"), hst("b")]) {
        expect(applied(h.engine.acknowledge(key, ackRequest(), T0)), `${key.hostname};${key.check}`).to.have.length(1);
        expect(stateOf(h, key).acknowledgement, `${key.hostname};${key.check}`).to.not.equal(null);
      }
    });
  });

  describe("acknowledged, its type and its comment", () => {
    it("sets the acknowledgement with type 1 (normal) or 2 (sticky), the author, the comment, the command's time and the expiry", async () => {
      await h.write(res("web1", "disk", 2, 0), res("web1", "load", 1, 0), res("web1", "Host", 1, 0));
      h.at(20);
      applied(h.engine.acknowledge(disk, ackRequest({ author: "alice", comment: "disk full" }), T0 + 10));
      applied(h.engine.acknowledge(load, ackRequest({ sticky: true, author: "bob", comment: "known", expireTime: T0 + 3600 }), T0 + 11));
      applied(h.engine.acknowledge(host, ackRequest({ sticky: true }), T0 + 12));
      expect(stateOf(h, disk).acknowledgement).to.deep.equal({ type: 1, author: "alice", comment: "disk full", time: T0 + 10, expireTime: 0 });
      expect(stateOf(h, load).acknowledgement).to.deep.equal({ type: 2, author: "bob", comment: "known", time: T0 + 11, expireTime: T0 + 3600 });
      expect(stateOf(h, host).acknowledgement).to.include({ type: 2 });
      // The state itself is untouched.
      expect(stateOf(h, disk)).to.include({ state: 2, lastCheck: T0, lastStateChange: T0 });
    });

    it("adds the acknowledgement's comment (entry type 4) under the id it returns; ids are shared with user comments", async () => {
      await h.write(res("web1", "disk", 2, 0));
      expect(applied(h.engine.addComment(disk, commentRequest(), T0 + 1))).to.deep.equal([1]);
      const ids = applied(h.engine.acknowledge(disk, ackRequest({ persistent: true, comment: "disk full", expireTime: T0 + 900 }), T0 + 5));
      expect(ids).to.deep.equal([2]);
      expect(h.engine.comment(2)).to.deep.equal({
        id: 2,
        hostname: "web1",
        check: "disk",
        author: "alice",
        comment: "disk full",
        entryTime: T0 + 5,
        entryType: COMMENT_ENTRY.acknowledgement,
        persistent: true,
        expireTime: T0 + 900,
      });
      expect(h.engine.commentsOf("web1", "disk").map((c) => c.id)).to.deep.equal([1, 2]);
    });

    it("a host acknowledgement's comment belongs to the host check", async () => {
      await h.write(res("web1", "Host", 1, 0));
      const [id] = applied(h.engine.acknowledge(host, ackRequest(), T0));
      expect(h.engine.comment(id!)).to.include({ hostname: "web1", check: "Host", entryType: 4 });
    });

    it("acknowledging again replaces the acknowledgement and its comment: one acknowledgement comment at a time", async () => {
      await h.write(res("web1", "disk", 2, 0));
      const [first] = applied(h.engine.acknowledge(disk, ackRequest({ comment: "first" }), T0 + 1));
      const [second] = applied(h.engine.acknowledge(disk, ackRequest({ comment: "second", sticky: true }), T0 + 2));
      expect(second).to.be.greaterThan(first!);
      expect(h.engine.comment(first!)).to.equal(undefined);
      expect(ackComments(disk).map((c) => [c.id, c.comment])).to.deep.equal([[second, "second"]]);
      expect(stateOf(h, disk).acknowledgement).to.include({ type: 2, comment: "second" });
    });
  });

  describe("how it ends", () => {
    it("a normal acknowledgement stays on the same state and ends, with its comment, on any state change (WARNING to CRITICAL)", async () => {
      await h.write(res("web1", "disk", 1, 0));
      const [id] = applied(h.engine.acknowledge(disk, ackRequest(), T0 + 1));
      await h.write(res("web1", "disk", 1, 60));
      expect(stateOf(h, disk).acknowledgement).to.include({ type: 1 });
      expect(h.engine.comment(id!)).to.not.equal(undefined);
      await h.write(res("web1", "disk", 2, 120));
      expect(stateOf(h, disk).acknowledgement).to.equal(null);
      expect(h.engine.comment(id!)).to.equal(undefined);
    });

    it("a normal host acknowledgement ends when DOWN becomes UNREACHABLE", async () => {
      await h.write(res("web1", "Host", 1, 0));
      applied(h.engine.acknowledge(host, ackRequest(), T0 + 1));
      await h.write(res("web1", "Host", 2, 60));
      expect(stateOf(h, host).acknowledgement).to.equal(null);
      expect(ackComments(host)).to.deep.equal([]);
    });

    it("a sticky acknowledgement stays from WARNING to CRITICAL and back, and ends, with its comment, on recovery", async () => {
      await h.write(res("web1", "disk", 1, 0));
      const [id] = applied(h.engine.acknowledge(disk, ackRequest({ sticky: true }), T0 + 1));
      await h.write(res("web1", "disk", 2, 60));
      expect(stateOf(h, disk).acknowledgement).to.include({ type: 2 });
      await h.write(res("web1", "disk", 1, 120));
      expect(stateOf(h, disk).acknowledgement).to.include({ type: 2 });
      expect(h.engine.comment(id!)).to.include({ entryType: 4 });
      await h.write(res("web1", "disk", 0, 180));
      expect(stateOf(h, disk).acknowledgement).to.equal(null);
      expect(h.engine.comment(id!)).to.equal(undefined);
      // Gone for good: a new problem is not acknowledged.
      await h.write(res("web1", "disk", 2, 240));
      expect(stateOf(h, disk).acknowledgement).to.equal(null);
    });

    it("a sticky host acknowledgement ends when the host is UP again", async () => {
      await h.write(res("web1", "Host", 1, 0));
      applied(h.engine.acknowledge(host, ackRequest({ sticky: true }), T0 + 1));
      await h.write(res("web1", "Host", 2, 60));
      expect(stateOf(h, host).acknowledgement).to.include({ type: 2 });
      await h.write(res("web1", "Host", 0, 120));
      expect(stateOf(h, host).acknowledgement).to.equal(null);
    });

    it("REMOVE_*_ACKNOWLEDGEMENT removes it and its comment, and leaves the user comments", async () => {
      await h.write(res("web1", "disk", 2, 0));
      const [user] = applied(h.engine.addComment(disk, commentRequest(), T0));
      const [ack] = applied(h.engine.acknowledge(disk, ackRequest(), T0 + 1));
      expect(noteOf(h.engine.removeAcknowledgement(disk, T0 + 2))).to.equal(undefined);
      expect(stateOf(h, disk).acknowledgement).to.equal(null);
      expect(h.engine.comment(ack!)).to.equal(undefined);
      expect(h.engine.comment(user!)).to.include({ entryType: COMMENT_ENTRY.user });
    });

    it("REMOVE_*_ACKNOWLEDGEMENT on a check without one is applied with a note; on an unknown one it is refused", async () => {
      await h.write(res("web1", "disk", 2, 0));
      expect(noteOf(h.engine.removeAcknowledgement(disk, T0 + 1))).to.equal("it was not acknowledged");
      expect(refusal(h.engine.removeAcknowledgement(svc("web1", "nope"), T0 + 1))).to.equal("service web1;nope is not known");
      expect(refusal(h.engine.removeAcknowledgement(hst("ghost"), T0 + 1))).to.equal("host ghost is not known");
    });

    it("expires: tick() before the expiry time keeps it, at the expiry time clears it and its comment", async () => {
      await h.write(res("web1", "disk", 2, 0), res("web1", "load", 2, 0));
      const [id] = applied(h.engine.acknowledge(disk, ackRequest({ expireTime: T0 + 100 }), T0));
      applied(h.engine.acknowledge(load, ackRequest({ sticky: true }), T0)); // never expires
      await h.tickAt(99);
      expect(stateOf(h, disk).acknowledgement).to.not.equal(null);
      await h.tickAt(100);
      expect(stateOf(h, disk).acknowledgement).to.equal(null);
      expect(h.engine.comment(id!)).to.equal(undefined);
      expect(stateOf(h, load).acknowledgement).to.include({ type: 2 });
      // Committed, as every timed change.
      expect(h.store.stored().checks.find((s) => s.check === "disk")!.acknowledgement).to.equal(null);
      expect(h.store.stored().comments.map((c) => c.id)).to.not.include(id);
    });

    it("refuses an acknowledgement whose expiry time has already passed", async () => {
      await h.write(res("web1", "disk", 2, 0));
      h.at(50);
      expect(refusal(h.engine.acknowledge(disk, ackRequest({ expireTime: T0 + 50 }), T0 + 50))).to.equal(
        `the acknowledgement's expiry time ${T0 + 50} has already passed`,
      );
      expect(stateOf(h, disk).acknowledgement).to.equal(null);
      expect(h.engine.allComments()).to.deep.equal([]);
      applied(h.engine.acknowledge(disk, ackRequest({ expireTime: T0 + 51 }), T0 + 50));
    });

    it("an expiring acknowledgement expires even when its comment was deleted", async () => {
      await h.write(res("web1", "disk", 2, 0));
      const [id] = applied(h.engine.acknowledge(disk, ackRequest({ expireTime: T0 + 100 }), T0));
      applied(h.engine.deleteComment(id!, true));
      expect(stateOf(h, disk).acknowledgement).to.not.equal(null); // deleting the comment leaves the acknowledgement
      await h.tickAt(100);
      expect(stateOf(h, disk).acknowledgement).to.equal(null);
    });
  });

  describe("timestamp order: commands and results race", () => {
    it("a normal acknowledgement stamped before a state change already applied is superseded: applied with a note, nothing set", async () => {
      await h.write(res("web1", "disk", 1, 0), res("web1", "disk", 2, 60));
      h.at(61);
      const a = h.engine.acknowledge(disk, ackRequest(), T0 + 30);
      expect(noteOf(a)).to.equal(`a state change stamped ${T0 + 60}, after the acknowledgement (${T0 + 30}), has already ended it`);
      expect(a.ok && a.ids).to.equal(undefined);
      expect(stateOf(h, disk).acknowledgement).to.equal(null);
      expect(h.engine.allComments()).to.deep.equal([]);
    });

    it("a sticky acknowledgement stamped before a problem-to-problem change already applied holds (the change would not have ended it)", async () => {
      await h.write(res("web1", "disk", 1, 0), res("web1", "disk", 2, 60));
      h.at(61);
      expect(applied(h.engine.acknowledge(disk, ackRequest({ sticky: true }), T0 + 30))).to.have.length(1);
      expect(stateOf(h, disk).acknowledgement).to.deep.equal({ type: 2, author: "alice", comment: "on it", time: T0 + 30, expireTime: 0 });
      // And it goes on as a sticky one: a later recovery ends it.
      await h.write(res("web1", "disk", 0, 120));
      expect(stateOf(h, disk).acknowledgement).to.equal(null);
    });

    it("an acknowledgement stamped while the check was OK is refused even though a problem has arrived since", async () => {
      await h.write(res("web1", "disk", 0, 0), res("web1", "disk", 2, 60));
      h.at(61);
      expect(h.engine.acknowledge(disk, ackRequest({ sticky: true }), T0 + 30).ok).to.equal(false);
      expect(h.engine.acknowledge(disk, ackRequest(), T0 + 30).ok).to.equal(false);
      expect(stateOf(h, disk).acknowledgement).to.equal(null);
      expect(h.engine.allComments()).to.deep.equal([]);
    });

    it("an acknowledgement stamped before a recovery already applied is refused", async () => {
      await h.write(res("web1", "disk", 2, 0), res("web1", "disk", 0, 60));
      h.at(61);
      expect(h.engine.acknowledge(disk, ackRequest({ sticky: true }), T0 + 30).ok).to.equal(false);
      expect(stateOf(h, disk).acknowledgement).to.equal(null);
    });

    it("refusing an acknowledgement stamped while the check was OK says so, not that the current problem is none", async () => {
      await h.write(res("web1", "disk", 0, 0), res("web1", "disk", 2, 60));
      h.at(61);
      const message = refusal(h.engine.acknowledge(disk, ackRequest(), T0 + 30));
      expect(message).to.not.contain("is CRITICAL");
      expect(message).to.contain("OK");
    });

    it("a problem result stamped before the acknowledgement and arriving after it keeps it (it was given on that state), even a normal one", async () => {
      await h.write(res("web1", "disk", 2, 0));
      h.at(60);
      const [id] = applied(h.engine.acknowledge(disk, ackRequest(), T0 + 60));
      await h.write(res("web1", "disk", 1, 30)); // a state change, but before the acknowledgement
      expect(stateOf(h, disk)).to.include({ state: 1, lastStateChange: T0 + 30 });
      expect(stateOf(h, disk).acknowledgement).to.include({ type: 1, time: T0 + 60 });
      expect(h.engine.comment(id!)).to.not.equal(undefined);
      // A change stamped after it still ends it.
      await h.write(res("web1", "disk", 2, 90));
      expect(stateOf(h, disk).acknowledgement).to.equal(null);
      expect(h.engine.comment(id!)).to.equal(undefined);
    });

    it("an OK result stamped before the acknowledgement and arriving after it clears it and its comment (there was nothing to acknowledge)", async () => {
      await h.write(res("web1", "disk", 2, 0), res("web1", "load", 2, 0));
      h.at(60);
      const [id] = applied(h.engine.acknowledge(disk, ackRequest(), T0 + 60));
      const [stickyId] = applied(h.engine.acknowledge(load, ackRequest({ sticky: true }), T0 + 60));
      await h.write(res("web1", "disk", 0, 30), res("web1", "load", 0, 30));
      expect(stateOf(h, disk).acknowledgement).to.equal(null);
      expect(stateOf(h, load).acknowledgement).to.equal(null);
      expect(h.engine.comment(id!)).to.equal(undefined);
      expect(h.engine.comment(stickyId!)).to.equal(undefined);
    });

    it("within the acknowledgement's own second (commands are whole seconds, results may not be), arrival order decides", async () => {
      // A change of that second that arrived after the acknowledgement ends a normal one...
      await h.write(res("web1", "disk", 2, 0));
      h.at(61);
      applied(h.engine.acknowledge(disk, ackRequest(), T0 + 60));
      await h.write(res("web1", "disk", 1, 60.4));
      expect(stateOf(h, disk).acknowledgement).to.equal(null);
      // ...and one that arrived before it does not supersede it.
      await h.write(res("web1", "load", 1, 0), res("web1", "load", 2, 60.3));
      expect(applied(h.engine.acknowledge(load, ackRequest(), T0 + 60))).to.have.length(1);
      expect(stateOf(h, load).acknowledgement).to.include({ type: 1 });
    });

    it("a removal stamped before the acknowledgement leaves it (with a note); one stamped at or after it removes it", async () => {
      await h.write(res("web1", "disk", 2, 0));
      h.at(60);
      const [id] = applied(h.engine.acknowledge(disk, ackRequest(), T0 + 60));
      expect(noteOf(h.engine.removeAcknowledgement(disk, T0 + 30))).to.equal(
        `the acknowledgement (stamped ${T0 + 60}) is newer than the removal (${T0 + 30}): kept`,
      );
      expect(stateOf(h, disk).acknowledgement).to.not.equal(null);
      expect(h.engine.comment(id!)).to.not.equal(undefined);
      expect(noteOf(h.engine.removeAcknowledgement(disk, T0 + 60))).to.equal(undefined);
      expect(stateOf(h, disk).acknowledgement).to.equal(null);
    });

    it("an acknowledgement stamped before the current one does not replace it", async () => {
      await h.write(res("web1", "disk", 2, 0));
      h.at(60);
      const [newer] = applied(h.engine.acknowledge(disk, ackRequest({ comment: "newer" }), T0 + 60));
      h.engine.acknowledge(disk, ackRequest({ comment: "older" }), T0 + 30);
      expect(stateOf(h, disk).acknowledgement).to.include({ comment: "newer", time: T0 + 60 });
      expect(ackComments(disk).map((c) => c.id)).to.deep.equal([newer]);
    });
  });
});
