import { expect } from "chai";
import { LOG_CLASS } from "../../../core/state/log-entry";
import { applied, downtimeOf, fixed, flexible, harness, hst, noteOf, refusal, res, stateOf, svc, T0, type Harness } from "./command-kit";

const disk = svc("web1", "disk");
const load = svc("web1", "load");
const host = hst("web1");

/** Nagios' wording, written out here rather than taken from log-lines.ts. */
const line = {
  hostStarted: (at: number, h = "web1") => `[${T0 + at}] HOST DOWNTIME ALERT: ${h};STARTED; Host has entered a period of scheduled downtime`,
  hostStopped: (at: number, h = "web1") => `[${T0 + at}] HOST DOWNTIME ALERT: ${h};STOPPED; Host has exited from a period of scheduled downtime`,
  hostCancelled: (at: number, h = "web1") => `[${T0 + at}] HOST DOWNTIME ALERT: ${h};CANCELLED; Scheduled downtime for host has been cancelled.`,
  svcStarted: (at: number, s = "disk") => `[${T0 + at}] SERVICE DOWNTIME ALERT: web1;${s};STARTED; Service has entered a period of scheduled downtime`,
  svcStopped: (at: number, s = "disk") => `[${T0 + at}] SERVICE DOWNTIME ALERT: web1;${s};STOPPED; Service has exited from a period of scheduled downtime`,
  svcCancelled: (at: number, s = "disk") => `[${T0 + at}] SERVICE DOWNTIME ALERT: web1;${s};CANCELLED; Scheduled downtime for service has been cancelled.`,
};

describe("StateEngine: downtimes", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });

  /** The downtime lines of the committed log. */
  const downtimeLog = () => h.store.messages.filter((m) => m.includes("DOWNTIME ALERT"));
  const depth = (key: { hostname: string; check: string }) => stateOf(h, key).downtimeDepth;

  describe("fixed", () => {
    it("starts and stops with the clock (tick), moving scheduled_downtime_depth, logged in Nagios' words", async () => {
      await h.write(res("web1", "disk", 0, 0));
      expect(applied(h.engine.scheduleDowntime(disk, fixed(100, 200), false, T0))).to.deep.equal([1]);
      await h.engine.flush();
      expect(downtimeOf(h, 1).activeSince).to.equal(0);
      expect(depth(disk)).to.equal(0);
      await h.tickAt(99);
      expect([downtimeOf(h, 1).activeSince, depth(disk)]).to.deep.equal([0, 0]);
      await h.tickAt(100);
      expect(downtimeOf(h, 1).activeSince).to.be.greaterThan(0);
      expect(depth(disk)).to.equal(1);
      expect(downtimeLog()).to.deep.equal([line.svcStarted(100)]);
      await h.tickAt(199);
      expect(depth(disk)).to.equal(1);
      await h.tickAt(200);
      expect(h.engine.downtime(1)).to.equal(undefined);
      expect(depth(disk)).to.equal(0);
      expect(downtimeLog()).to.deep.equal([line.svcStarted(100), line.svcStopped(200)]);
      // The depth is committed with the check.
      expect(h.store.stored().checks.find((s) => s.check === "disk")!.downtimeDepth).to.equal(0);
    });

    it("logs service entries as class 1 alerts with the service and the event as state type", async () => {
      await h.write(res("web1", "disk", 0, 0));
      applied(h.engine.scheduleDowntime(disk, fixed(0, 100), false, T0));
      await h.engine.flush();
      const entry = h.store.log.find((e) => e.type === "SERVICE DOWNTIME ALERT");
      expect(entry).to.include({ time: T0, class: LOG_CLASS.alert, hostname: "web1", check: "disk", stateType: "STARTED" });
    });

    it("a host downtime logs HOST DOWNTIME ALERT entries for the host (check empty) and moves the host's depth only", async () => {
      await h.write(res("web1", "Host", 0, 0), res("web1", "disk", 0, 0));
      applied(h.engine.scheduleDowntime(host, fixed(10, 20), false, T0));
      await h.tickAt(10);
      expect([depth(host), depth(disk)]).to.deep.equal([1, 0]);
      await h.tickAt(20);
      expect(depth(host)).to.equal(0);
      expect(downtimeLog()).to.deep.equal([line.hostStarted(10), line.hostStopped(20)]);
      const entry = h.store.log.find((e) => e.type === "HOST DOWNTIME ALERT");
      expect(entry).to.include({ class: LOG_CLASS.alert, hostname: "web1", check: "", stateType: "STARTED" });
    });

    it("one whose start has come starts when scheduled", async () => {
      await h.write(res("web1", "disk", 0, 0));
      h.at(50);
      applied(h.engine.scheduleDowntime(disk, fixed(0, 100), false, T0 + 50));
      expect(depth(disk)).to.equal(1);
      await h.engine.flush();
      expect(downtimeLog()).to.have.length(1);
    });

    it("counts overlapping downtimes in the depth, up to 2 and back down", async () => {
      await h.write(res("web1", "disk", 0, 0));
      applied(h.engine.scheduleDowntime(disk, fixed(0, 300), false, T0));
      applied(h.engine.scheduleDowntime(disk, fixed(100, 200), false, T0));
      expect(depth(disk)).to.equal(1);
      await h.tickAt(100);
      expect(depth(disk)).to.equal(2);
      await h.tickAt(200);
      expect(depth(disk)).to.equal(1);
      await h.tickAt(300);
      expect(depth(disk)).to.equal(0);
      expect(h.engine.allDowntimes()).to.deep.equal([]);
    });

    it("keeps the request in the downtime record, with the command's time as entry time", async () => {
      await h.write(res("web1", "disk", 0, 0));
      h.at(5);
      applied(h.engine.scheduleDowntime(disk, fixed(100, 200, { author: "bob", comment: "kernel" }), false, T0 + 4));
      expect(h.engine.downtime(1)).to.deep.equal({
        id: 1,
        hostname: "web1",
        check: "disk",
        author: "bob",
        comment: "kernel",
        entryTime: T0 + 4,
        startTime: T0 + 100,
        endTime: T0 + 200,
        fixed: true,
        duration: 100,
        triggeredBy: 0,
        activeSince: 0,
      });
      expect(h.engine.downtimesOf("web1", "disk").map((d) => d.id)).to.deep.equal([1]);
      expect(h.engine.downtimesOfHost("web1").map((d) => d.id)).to.deep.equal([1]);
    });

    // CommandExecutor passes the whole parsed command as the request: nothing but the record's own fields may land in it.
    it("a downtime or comment record holds its own fields only, whatever else the request object carries", async () => {
      await h.write(res("web1", "disk", 0, 0));
      const command = { kind: "schedule-downtime", withServices: false, target: disk, ...fixed(100, 200) };
      applied(h.engine.scheduleDowntime(disk, command, false, T0));
      expect(Object.keys(h.engine.downtime(1)!).sort()).to.deep.equal(
        ["id", "hostname", "check", "author", "comment", "entryTime", "startTime", "endTime", "fixed", "duration", "triggeredBy", "activeSince"].sort(),
      );
      const comment = { kind: "add-comment", target: disk, persistent: true, author: "a", comment: "c" };
      const [id] = applied(h.engine.addComment(disk, comment, T0));
      expect(Object.keys(h.engine.comment(id!)!).sort()).to.deep.equal(
        ["id", "hostname", "check", "author", "comment", "entryTime", "entryType", "persistent", "expireTime"].sort(),
      );
    });
  });

  describe("cancelling and refusals", () => {
    it("DEL_*_DOWNTIME cancels an active downtime, logged CANCELLED at the clock's time, and lowers the depth", async () => {
      await h.write(res("web1", "Host", 0, 0), res("web1", "disk", 0, 0));
      const [hd] = applied(h.engine.scheduleDowntime(host, fixed(0, 1000), false, T0));
      const [sd] = applied(h.engine.scheduleDowntime(disk, fixed(0, 1000), false, T0));
      expect([depth(host), depth(disk)]).to.deep.equal([1, 1]);
      h.at(30);
      expect(noteOf(h.engine.deleteDowntime(hd!, false))).to.equal(undefined);
      expect(noteOf(h.engine.deleteDowntime(sd!, true))).to.equal(undefined);
      await h.engine.flush();
      expect([depth(host), depth(disk)]).to.deep.equal([0, 0]);
      expect(h.engine.allDowntimes()).to.deep.equal([]);
      expect(downtimeLog()).to.deep.equal([line.hostStarted(0), line.svcStarted(0), line.hostCancelled(30), line.svcCancelled(30)]);
    });

    it("DEL_*_DOWNTIME of a downtime not yet started removes it without a log entry", async () => {
      await h.write(res("web1", "disk", 0, 0));
      const [id] = applied(h.engine.scheduleDowntime(disk, fixed(100, 200), false, T0));
      applied(h.engine.deleteDowntime(id!, true));
      await h.tickAt(150);
      expect(h.engine.downtime(id!)).to.equal(undefined);
      expect(depth(disk)).to.equal(0);
      expect(downtimeLog()).to.deep.equal([]);
    });

    it("DEL by an unknown id is refused; by the wrong kind (host vs service) too, and the downtime stays", async () => {
      await h.write(res("web1", "Host", 0, 0), res("web1", "disk", 0, 0));
      const [hd] = applied(h.engine.scheduleDowntime(host, fixed(0, 100), false, T0));
      const [sd] = applied(h.engine.scheduleDowntime(disk, fixed(0, 100), false, T0));
      expect(refusal(h.engine.deleteDowntime(99, false))).to.equal("there is no downtime with id 99");
      expect(refusal(h.engine.deleteDowntime(hd!, true))).to.equal(`downtime ${hd!} is a host downtime: use DEL_HOST_DOWNTIME`);
      expect(refusal(h.engine.deleteDowntime(sd!, false))).to.equal(`downtime ${sd!} is a service downtime: use DEL_SVC_DOWNTIME`);
      expect(h.engine.allDowntimes().map((d) => d.id)).to.deep.equal([hd, sd]);
      expect([depth(host), depth(disk)]).to.deep.equal([1, 1]);
      // A deleted id is unknown afterwards.
      applied(h.engine.deleteDowntime(sd!, true));
      expect(refusal(h.engine.deleteDowntime(sd!, true))).to.equal(`there is no downtime with id ${sd!}`);
    });

    it("refuses an unknown host or service, a window already over, an unknown trigger; refusals take no id", async () => {
      await h.write(res("web1", "disk", 0, 0));
      h.at(500);
      expect(refusal(h.engine.scheduleDowntime(svc("web1", "nope"), fixed(600, 700), false, T0 + 500))).to.equal("service web1;nope is not known");
      expect(refusal(h.engine.scheduleDowntime(hst("ghost"), fixed(600, 700), false, T0 + 500))).to.equal("host ghost is not known");
      expect(refusal(h.engine.scheduleDowntime(disk, fixed(0, 500), false, T0 + 500))).to.equal(
        `the downtime's window ends at ${T0 + 500}, which has already passed (now ${T0 + 500})`,
      );
      expect(refusal(h.engine.scheduleDowntime(disk, fixed(600, 700, { triggeredBy: 42 }), false, T0 + 500))).to.equal(
        "there is no downtime 42 to trigger this one",
      );
      expect(h.engine.allDowntimes()).to.deep.equal([]);
      expect(applied(h.engine.scheduleDowntime(disk, fixed(0, 501), false, T0 + 500))).to.deep.equal([1]);
    });
  });

  describe("flexible", () => {
    it("starts at the first problem result inside its window, stamped with that result's time, and lasts its duration", async () => {
      await h.write(res("web1", "disk", 0, 0));
      applied(h.engine.scheduleDowntime(disk, flexible(100, 300, 50), false, T0));
      h.at(50);
      await h.write(res("web1", "disk", 2, 50)); // before the window
      expect([downtimeOf(h, 1).activeSince, depth(disk)]).to.deep.equal([0, 0]);
      await h.write(res("web1", "disk", 0, 60));
      await h.tickAt(100); // the window opens on an OK check: nothing starts
      expect(downtimeOf(h, 1).activeSince).to.equal(0);
      h.at(150);
      await h.write(res("web1", "disk", 1, 140));
      expect(downtimeOf(h, 1).activeSince).to.equal(T0 + 140);
      expect(depth(disk)).to.equal(1);
      await h.write(res("web1", "disk", 0, 160)); // a recovery does not end it
      expect(depth(disk)).to.equal(1);
      await h.tickAt(189);
      expect(depth(disk)).to.equal(1);
      await h.tickAt(190);
      expect(h.engine.downtime(1)).to.equal(undefined);
      expect(depth(disk)).to.equal(0);
      expect(downtimeLog()).to.deep.equal([line.svcStarted(140), line.svcStopped(190)]);
    });

    it("the problem result that starts it carries the depth it started", async () => {
      await h.write(res("web1", "disk", 0, 0));
      applied(h.engine.scheduleDowntime(disk, flexible(0, 300, 50), false, T0));
      await h.write(res("web1", "disk", 2, 10));
      expect(stateOf(h, disk)).to.include({ state: 2, downtimeDepth: 1 });
      expect(h.store.stored().checks.find((s) => s.check === "disk")).to.include({ state: 2, downtimeDepth: 1 });
    });

    it("may outlast its window once started: it lasts its duration", async () => {
      await h.write(res("web1", "disk", 0, 0));
      applied(h.engine.scheduleDowntime(disk, flexible(0, 100, 80), false, T0));
      h.at(90);
      await h.write(res("web1", "disk", 2, 90));
      await h.tickAt(100);
      expect(depth(disk)).to.equal(1);
      await h.tickAt(170);
      expect(depth(disk)).to.equal(0);
    });

    it("does not start for a problem after its window; the window closing ends it without starting and without a log entry", async () => {
      await h.write(res("web1", "disk", 0, 0), res("web1", "load", 0, 0));
      applied(h.engine.scheduleDowntime(disk, flexible(100, 200, 50), false, T0));
      applied(h.engine.scheduleDowntime(load, flexible(100, 200, 50), false, T0));
      await h.tickAt(150);
      await h.tickAt(200);
      expect(h.engine.allDowntimes()).to.deep.equal([]);
      h.at(250);
      await h.write(res("web1", "disk", 2, 250));
      expect(depth(disk)).to.equal(0);
      expect(downtimeLog()).to.deep.equal([]);
    });

    it("a problem stamped after the window does not start it, even before the clock has closed the window", async () => {
      await h.write(res("web1", "disk", 0, 0));
      applied(h.engine.scheduleDowntime(disk, flexible(100, 200, 50), false, T0));
      h.at(199);
      await h.write(res("web1", "disk", 2, 200));
      expect([downtimeOf(h, 1).activeSince, depth(disk)]).to.deep.equal([0, 0]);
    });

    it("a problem that began before the window and lasts into it starts it when the window opens (tick), at the clock's time", async () => {
      await h.write(res("web1", "disk", 0, 0));
      applied(h.engine.scheduleDowntime(disk, flexible(100, 300, 50), false, T0));
      h.at(50);
      await h.write(res("web1", "disk", 2, 50));
      await h.tickAt(99);
      expect(depth(disk)).to.equal(0);
      await h.tickAt(100);
      expect(downtimeOf(h, 1).activeSince).to.equal(T0 + 100);
      expect(depth(disk)).to.equal(1);
    });

    it("a late problem result stamped before the downtime was scheduled starts it no earlier than its scheduling", async () => {
      await h.write(res("web1", "disk", 0, 10));
      h.at(100);
      applied(h.engine.scheduleDowntime(disk, flexible(0, 1000, 60), false, T0 + 100));
      h.at(110);
      await h.write(res("web1", "disk", 2, 50));
      expect(downtimeOf(h, 1).activeSince).to.be.at.least(T0 + 100);
      await h.tickAt(159);
      expect(depth(disk)).to.equal(1);
    });

    it("scheduled on a check already in a problem, starts at once at the clock's time", async () => {
      await h.write(res("web1", "disk", 2, 0));
      h.at(10);
      applied(h.engine.scheduleDowntime(disk, flexible(0, 300, 30), false, T0 + 10));
      expect(downtimeOf(h, 1).activeSince).to.equal(T0 + 10);
      expect(depth(disk)).to.equal(1);
      await h.tickAt(40);
      expect(depth(disk)).to.equal(0);
      expect(downtimeLog()).to.deep.equal([line.svcStarted(10), line.svcStopped(40)]);
    });
  });

  describe("triggered", () => {
    it("starts with its trigger, not at its own start time, and ends on its own", async () => {
      await h.write(res("web1", "Host", 0, 0), res("web1", "disk", 0, 0));
      const [a] = applied(h.engine.scheduleDowntime(host, fixed(100, 200), false, T0));
      const [b] = applied(h.engine.scheduleDowntime(disk, fixed(50, 300, { triggeredBy: a! }), false, T0));
      await h.tickAt(60);
      expect([downtimeOf(h, b!).activeSince, depth(disk)]).to.deep.equal([0, 0]);
      await h.tickAt(100);
      expect([depth(host), depth(disk)]).to.deep.equal([1, 1]);
      expect(downtimeOf(h, b!).activeSince).to.equal(T0 + 100);
      await h.tickAt(200);
      expect([depth(host), depth(disk)]).to.deep.equal([0, 1]);
      await h.tickAt(300);
      expect(depth(disk)).to.equal(0);
      expect(downtimeLog()).to.deep.equal([line.hostStarted(100), line.svcStarted(100), line.hostStopped(200), line.svcStopped(300)]);
    });

    it("a flexible trigger starts them with the problem that starts it", async () => {
      await h.write(res("web1", "Host", 0, 0), res("web1", "disk", 0, 0));
      const [a] = applied(h.engine.scheduleDowntime(host, flexible(0, 300, 100), false, T0));
      const [b] = applied(h.engine.scheduleDowntime(disk, flexible(0, 300, 60, { triggeredBy: a! }), false, T0));
      h.at(20);
      await h.write(res("web1", "Host", 1, 20));
      expect(downtimeOf(h, b!).activeSince).to.equal(T0 + 20);
      expect(depth(disk)).to.equal(1);
      await h.tickAt(80);
      expect([depth(host), depth(disk)]).to.deep.equal([1, 0]);
    });

    it("one scheduled while its trigger is active starts at once", async () => {
      await h.write(res("web1", "Host", 0, 0), res("web1", "disk", 0, 0));
      const [a] = applied(h.engine.scheduleDowntime(host, fixed(0, 200), false, T0));
      h.at(50);
      const [b] = applied(h.engine.scheduleDowntime(disk, fixed(100, 300, { triggeredBy: a! }), false, T0 + 50));
      expect(downtimeOf(h, b!).activeSince).to.equal(T0 + 50);
      expect(depth(disk)).to.equal(1);
    });

    it("is cancelled with its trigger, both logged CANCELLED", async () => {
      await h.write(res("web1", "Host", 0, 0), res("web1", "disk", 0, 0), res("web1", "load", 0, 0));
      const [a] = applied(h.engine.scheduleDowntime(host, fixed(0, 200), false, T0));
      const [b] = applied(h.engine.scheduleDowntime(disk, fixed(0, 200, { triggeredBy: a! }), false, T0));
      const [c] = applied(h.engine.scheduleDowntime(load, fixed(0, 200, { triggeredBy: b! }), false, T0)); // a chain
      expect([depth(host), depth(disk), depth(load)]).to.deep.equal([1, 1, 1]);
      h.at(30);
      applied(h.engine.deleteDowntime(a!, false));
      await h.engine.flush();
      expect([b, c].map((id) => h.engine.downtime(id!))).to.deep.equal([undefined, undefined]);
      expect([depth(host), depth(disk), depth(load)]).to.deep.equal([0, 0, 0]);
      expect(downtimeLog().slice(3)).to.deep.equal([line.hostCancelled(30), line.svcCancelled(30), line.svcCancelled(30, "load")]);
    });

    it("cancelling a trigger that has not started removes the downtimes it triggers, silently", async () => {
      await h.write(res("web1", "Host", 0, 0), res("web1", "disk", 0, 0));
      const [a] = applied(h.engine.scheduleDowntime(host, fixed(100, 200), false, T0));
      const [b] = applied(h.engine.scheduleDowntime(disk, fixed(100, 200, { triggeredBy: a! }), false, T0));
      applied(h.engine.deleteDowntime(a!, false));
      expect(h.engine.downtime(b!)).to.equal(undefined);
      await h.tickAt(150);
      expect(downtimeLog()).to.deep.equal([]);
    });

    it("cancelling a triggered downtime leaves its trigger", async () => {
      await h.write(res("web1", "Host", 0, 0), res("web1", "disk", 0, 0));
      const [a] = applied(h.engine.scheduleDowntime(host, fixed(0, 200), false, T0));
      const [b] = applied(h.engine.scheduleDowntime(disk, fixed(0, 200, { triggeredBy: a! }), false, T0));
      applied(h.engine.deleteDowntime(b!, true));
      expect([depth(host), depth(disk)]).to.deep.equal([1, 0]);
    });

    it("one whose trigger never starts ends with its window, silently", async () => {
      await h.write(res("web1", "disk", 0, 0), res("web1", "load", 0, 0));
      const [a] = applied(h.engine.scheduleDowntime(disk, flexible(0, 100, 10), false, T0));
      applied(h.engine.scheduleDowntime(load, fixed(0, 150, { triggeredBy: a! }), false, T0));
      await h.tickAt(100);
      expect(h.engine.allDowntimes().map((d) => d.check)).to.deep.equal(["load"]);
      await h.tickAt(150);
      expect(h.engine.allDowntimes()).to.deep.equal([]);
      expect(downtimeLog()).to.deep.equal([]);
    });

    it("a triggered downtime whose cancellation was rolled back still starts with its trigger", async () => {
      await h.write(res("web1", "Host", 0, 0), res("web1", "disk", 0, 0));
      const [a] = applied(h.engine.scheduleDowntime(host, fixed(100, 300), false, T0));
      await h.engine.flush();
      h.store.failNext = 1;
      // The only triggered downtime goes, then comes back with the rollback: its trigger must still find it.
      const [b] = applied(h.engine.scheduleDowntime(disk, fixed(100, 300, { triggeredBy: a! }), false, T0));
      await h.engine.flush().catch(() => undefined);
      expect(h.engine.downtime(b!)).to.equal(undefined);
      const [c] = applied(h.engine.scheduleDowntime(disk, fixed(100, 300, { triggeredBy: a! }), false, T0));
      await h.engine.flush();
      h.store.failNext = 1;
      applied(h.engine.deleteDowntime(c!, true));
      await h.engine.flush().catch(() => undefined);
      expect(h.engine.downtime(c!), "the cancellation is undone").to.not.equal(undefined);
      await h.tickAt(100);
      expect([downtimeOf(h, c!).activeSince, depth(disk)]).to.deep.equal([T0 + 100, 1]);
    });
  });

  describe("a host and its services", () => {
    it("SCHEDULE_HOST_SVC_DOWNTIME (withServices) covers the host and each service, one id each", async () => {
      await h.write(res("web1", "Host", 0, 0), res("web1", "load", 0, 0), res("web1", "disk", 0, 0), res("web2", "disk", 0, 0));
      const ids = applied(h.engine.scheduleDowntime(host, fixed(0, 100), true, T0));
      expect(ids).to.deep.equal([1, 2, 3]);
      expect(ids.map((id) => downtimeOf(h, id).check)).to.deep.equal(["Host", "disk", "load"]);
      expect([depth(host), depth(disk), depth(load), stateOf(h, svc("web2", "disk")).downtimeDepth]).to.deep.equal([1, 1, 1, 0]);
      await h.tickAt(100);
      expect([depth(host), depth(disk), depth(load)]).to.deep.equal([0, 0, 0]);
      expect(downtimeLog()).to.deep.equal([
        line.hostStarted(0),
        line.svcStarted(0),
        line.svcStarted(0, "load"),
        line.hostStopped(100),
        line.svcStopped(100),
        line.svcStopped(100, "load"),
      ]);
    });

    it("without withServices a host downtime covers the host only", async () => {
      await h.write(res("web1", "Host", 0, 0), res("web1", "disk", 0, 0));
      expect(applied(h.engine.scheduleDowntime(host, fixed(0, 100), false, T0))).to.have.length(1);
      expect([depth(host), depth(disk)]).to.deep.equal([1, 0]);
    });

    it("a pending host (no Host result yet) takes a host downtime: its Host result arrives with the depth", async () => {
      await h.write(res("db1", "mysql", 0, 0));
      expect(h.engine.host("db1")!.hostCheck).to.equal(undefined);
      applied(h.engine.scheduleDowntime(hst("db1"), fixed(0, 100), false, T0));
      expect(h.engine.host("db1")!.hostCheck).to.equal(undefined);
      h.at(10);
      await h.write(res("db1", "Host", 0, 10));
      expect(stateOf(h, hst("db1")).downtimeDepth).to.equal(1);
      expect(stateOf(h, svc("db1", "mysql")).downtimeDepth).to.equal(0);
      await h.tickAt(100);
      expect(stateOf(h, hst("db1")).downtimeDepth).to.equal(0);
      expect(downtimeLog()).to.deep.equal([line.hostStarted(0, "db1"), line.hostStopped(100, "db1")]);
    });

    it("a pending host's flexible downtime starts with its first Host problem", async () => {
      await h.write(res("db1", "mysql", 0, 0));
      applied(h.engine.scheduleDowntime(hst("db1"), flexible(0, 100, 50), false, T0));
      h.at(10);
      await h.write(res("db1", "Host", 1, 10));
      expect(stateOf(h, hst("db1"))).to.include({ state: 1, downtimeDepth: 1 });
      expect(downtimeOf(h, 1).activeSince).to.equal(T0 + 10);
    });

    it("SCHEDULE_HOST_SVC_DOWNTIME on a pending host covers its services", async () => {
      await h.write(res("db1", "mysql", 0, 0));
      const ids = applied(h.engine.scheduleDowntime(hst("db1"), fixed(0, 100), true, T0));
      expect(ids.map((id) => downtimeOf(h, id).check)).to.deep.equal(["Host", "mysql"]);
      expect(stateOf(h, svc("db1", "mysql")).downtimeDepth).to.equal(1);
    });
  });

  describe("after a restart", () => {
    it("a loaded triggered downtime starts with its loaded trigger and is cancelled with it", async () => {
      await h.write(res("web1", "Host", 0, 0), res("web1", "disk", 0, 0), res("web1", "load", 0, 0));
      const [a] = applied(h.engine.scheduleDowntime(host, fixed(100, 300), false, T0));
      const [b] = applied(h.engine.scheduleDowntime(disk, fixed(100, 300, { triggeredBy: a! }), false, T0));
      const [c] = applied(h.engine.scheduleDowntime(hst("web1"), fixed(500, 600), false, T0));
      const [d] = applied(h.engine.scheduleDowntime(load, fixed(500, 600, { triggeredBy: c! }), false, T0));
      await h.engine.flush();
      const again = await h.restart();
      await again.tickAt(100);
      expect(again.engine.downtime(b!)!.activeSince).to.equal(T0 + 100);
      expect(stateOf(again, disk).downtimeDepth).to.equal(1);
      applied(again.engine.deleteDowntime(c!, false));
      expect(again.engine.downtime(d!)).to.equal(undefined);
    });
  });
});
