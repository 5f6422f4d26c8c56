import { expect } from "chai";
import { LOG_CLASS, logEntry } from "../../../core/state/log-entry";
import { CommandExecutor } from "../../../core/commands/command-executor";
import type { Sink } from "../../../core/plugin/api";
import { ackRequest, applied, commentRequest, fixed, harness, hst, res, svc, T0, type Harness } from "./command-kit";

const host = hst("web1");
const disk = svc("web1", "disk");

describe("StateEngine: commands committed", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
    await h.write(res("web1", "Host", 0, 0), res("web1", "disk", 2, 0));
  });

  describe("persistence", () => {
    it("flush() commits the downtime and comment upserts, the acknowledged state and the id counters", async () => {
      const before = h.store.commits.length;
      applied(h.engine.scheduleDowntime(disk, fixed(100, 200), false, T0)); // downtime 1
      applied(h.engine.addComment(host, commentRequest(), T0)); // comment 1
      applied(h.engine.acknowledge(disk, ackRequest(), T0)); // comment 2
      expect(h.store.commits).to.have.length(before); // nothing before flush()
      await h.engine.flush();
      const c = h.store.lastCommit;
      expect(c.downtimes.upserts).to.deep.equal([h.engine.downtime(1)]);
      expect(c.downtimes.deletes).to.deep.equal([]);
      expect(c.comments.upserts.map((m) => m.id).sort()).to.deep.equal([1, 2]);
      expect(c.comments.upserts.find((m) => m.id === 2)).to.deep.equal(h.engine.comment(2));
      expect(c.upserts.find((s) => s.check === "disk")!.acknowledgement).to.include({ type: 1, author: "alice" });
      expect(c.lastIds).to.deep.equal({ downtime: 1, comment: 2 });
    });

    it("commits what only a command changed when the store detaches (a stop with no result left in the queue)", async () => {
      await h.engine.flush();
      const before = h.store.commits.length;
      applied(h.engine.addComment(host, commentRequest(), T0));
      await h.engine.detachStore(true);
      expect(h.store.commits).to.have.length(before + 1);
      expect(h.store.lastCommit.comments.upserts.map((m) => m.id)).to.deep.equal([1]);
    });

    it("commits a downtime started by the clock with its start, and its end as a delete", async () => {
      applied(h.engine.scheduleDowntime(disk, fixed(100, 200), false, T0));
      await h.engine.flush();
      await h.tickAt(100);
      expect(h.store.lastCommit.downtimes.upserts.map((d) => [d.id, d.activeSince])).to.deep.equal([[1, T0 + 100]]);
      expect(h.store.lastCommit.upserts.map((s) => [s.check, s.downtimeDepth])).to.deep.equal([["disk", 1]]);
      await h.tickAt(200);
      expect(h.store.lastCommit.downtimes.deletes).to.deep.equal([1]);
      expect(h.store.lastCommit.upserts.map((s) => [s.check, s.downtimeDepth])).to.deep.equal([["disk", 0]]);
    });

    it("commits deletes of downtimes and comments, with the counters unchanged", async () => {
      applied(h.engine.scheduleDowntime(disk, fixed(100, 200), false, T0));
      applied(h.engine.addComment(host, commentRequest(), T0));
      await h.engine.flush();
      applied(h.engine.deleteDowntime(1, true));
      applied(h.engine.deleteComment(1, false));
      await h.engine.flush();
      const c = h.store.lastCommit;
      expect([c.downtimes.upserts, c.downtimes.deletes]).to.deep.equal([[], [1]]);
      expect([c.comments.upserts, c.comments.deletes]).to.deep.equal([[], [1]]);
      expect(c.lastIds).to.deep.equal({ downtime: 1, comment: 1 });
      expect(h.store.stored()).to.deep.include({ downtimes: [], comments: [] });
    });

    it("rolls them back when the commit fails: memory holds what the store holds, ids are not reused", async () => {
      applied(h.engine.addComment(host, commentRequest(), T0));
      await h.engine.flush();
      const before = h.store.commits.length;
      h.store.failNext = 1;
      applied(h.engine.scheduleDowntime(disk, fixed(100, 200), false, T0));
      applied(h.engine.addComment(disk, commentRequest(), T0));
      applied(h.engine.deleteComment(1, false));
      applied(h.engine.removeObject(disk, false, T0));
      let error: unknown;
      await h.engine.flush().catch((e: unknown) => (error = e));
      expect(String(error)).to.contain("disk full");
      expect(h.store.commits).to.have.length(before);
      expect(h.engine.allDowntimes()).to.deep.equal([]);
      expect(h.engine.allComments().map((c) => c.id)).to.deep.equal([1]);
      expect(h.engine.knows(disk), "the removal is undone").to.equal(true);
      // The same commands again: new ids (the rolled-back ones are never handed out twice).
      applied(h.engine.scheduleDowntime(disk, fixed(100, 200), false, T0));
      applied(h.engine.addComment(disk, commentRequest(), T0));
      await h.engine.flush();
      const c = h.store.lastCommit;
      expect(c.downtimes.upserts.map((d) => d.id)).to.deep.equal([2]);
      expect(c.comments.upserts.map((m) => m.id)).to.deep.equal([3]);
      expect(c.lastIds).to.deep.equal({ downtime: 2, comment: 3 });
      const stored = h.store.stored();
      expect(stored.downtimes.map((d) => d.id)).to.deep.equal([2]);
      expect(stored.comments.map((m) => m.id)).to.deep.equal([1, 3]);
    });

    it("a store attached later is handed the downtimes and comments too", async () => {
      applied(h.engine.scheduleDowntime(disk, fixed(100, 200), false, T0));
      applied(h.engine.addComment(host, commentRequest(), T0));
      await h.engine.flush();
      await h.engine.detachStore(false);
      const other = await harness(); // only for its store
      await h.engine.attachStore(other.store);
      await h.engine.flush();
      expect(other.store.stored().downtimes.map((d) => d.id)).to.deep.equal([1]);
      expect(other.store.stored().comments.map((m) => m.id)).to.deep.equal([1]);
    });
  });

  describe("through the CommandExecutor, with a store that cannot write", () => {
    it("refuses the command with 503 and leaves memory as the store holds it; the same command works once the store does", async () => {
      await h.write(res("web1", "disk", 2, 0));
      const sink: Sink = { paused: false, accept: () => undefined, onFlowChange: () => () => undefined, sync: () => Promise.resolve() };
      const executor = new CommandExecutor(h.engine, sink, h.clock);
      h.store.failNext = 1;
      const line = `[${T0 + 1}] ACKNOWLEDGE_SVC_PROBLEM;web1;disk;1;0;0;alice;on it`;
      const refused = await executor.execute(line, { authUser: undefined });
      expect(refused).to.deep.include({ status: 503, name: "ACKNOWLEDGE_SVC_PROBLEM", key: "store_failed" });
      expect(refused.status === 503 && refused.message).to.equal(
        "ACKNOWLEDGE_SVC_PROBLEM: not applied, the store cannot write it (disk full); send it again later",
      );
      expect(h.engine.get("web1", "disk")!.acknowledgement).to.equal(null);
      expect(h.engine.allComments()).to.deep.equal([]);
      expect((await executor.execute(line, { authUser: undefined })).status).to.equal(200);
      expect(h.store.latest("web1", "disk")!.acknowledgement).to.not.equal(null);
      expect(h.store.messages.filter((m) => m.includes("EXTERNAL COMMAND"))).to.have.length(1);
    });
  });

  describe("logCommand", () => {
    it("logs EXTERNAL COMMAND: NAME;args at the clock's time, class 5, with the target's host and service", async () => {
      h.at(7);
      h.engine.logCommand("ACKNOWLEDGE_SVC_PROBLEM", "web1;disk;2;1;1;alice;on it", disk);
      await h.engine.flush();
      // With its deterministic id: the id of these fields.
      expect(h.store.log.at(-1)).to.deep.equal(
        logEntry({
          time: T0 + 7,
          class: LOG_CLASS.command,
          type: "EXTERNAL COMMAND",
          hostname: "web1",
          check: "disk",
          state: 0,
          stateType: "",
          attempt: 0,
          output: "ACKNOWLEDGE_SVC_PROBLEM;web1;disk;2;1;1;alice;on it",
          message: `[${T0 + 7}] EXTERNAL COMMAND: ACKNOWLEDGE_SVC_PROBLEM;web1;disk;2;1;1;alice;on it`,
        }),
      );
      expect(LOG_CLASS.command).to.equal(5);
    });

    it("a host target gives the host and an empty service; no target and no arguments give empty names and the bare name", async () => {
      h.at(8);
      h.engine.logCommand("DEL_HOST", "web1", host);
      h.engine.logCommand("SAVE_STATE", undefined, undefined);
      await h.engine.flush();
      const [del, save] = h.store.log.slice(-2);
      expect(del).to.include({ hostname: "web1", check: "", class: 5, message: `[${T0 + 8}] EXTERNAL COMMAND: DEL_HOST;web1` });
      expect(save).to.include({ hostname: "", check: "", class: 5, output: "SAVE_STATE", message: `[${T0 + 8}] EXTERNAL COMMAND: SAVE_STATE` });
    });

    it("floors a fractional clock in the message and keeps it in the time", async () => {
      h.at(9.75);
      h.engine.logCommand("DEL_SVC", "web1;disk", disk);
      await h.engine.flush();
      expect(h.store.log.at(-1)).to.include({ time: T0 + 9.75, message: `[${T0 + 9}] EXTERNAL COMMAND: DEL_SVC;web1;disk` });
    });
  });
});
