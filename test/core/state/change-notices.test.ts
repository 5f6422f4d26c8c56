import { expect } from "chai";
import type { ChangeKind } from "../../../core/state/change-feed";
import { ChangeNotifier } from "../../../core/state/change-feed";
import { applied, commentRequest, fixed, harness, hst, res, svc, T0, type Harness } from "./command-kit";

/** The kinds of change the engine announced, one set per dispatch. */
function listen(h: Harness): ReadonlySet<ChangeKind>[] {
  const heard: ReadonlySet<ChangeKind>[] = [];
  h.engine.changes.onChange((kinds) => heard.push(new Set(kinds)));
  return heard;
}

const sorted = (kinds: ReadonlySet<ChangeKind> | undefined): ChangeKind[] => [...(kinds ?? [])].sort();

describe("StateEngine: change notices (what wakes Livestatus Wait queries)", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
    await h.write(res("web1", "Host", 0, 0), res("web1", "disk", 0, 0));
  });

  it("a result is a check; a state change also a state and a log line; one notice per batch", async () => {
    const heard = listen(h);
    await h.write(res("web1", "disk", 0, 10));
    await h.write(res("web1", "disk", 2, 20), res("web1", "Host", 0, 20));
    expect(heard.map(sorted)).to.deep.equal([["check"], ["check", "log", "state"]]);
  });

  it("commands: a comment, a downtime (and its start in the log), the command itself", async () => {
    const heard = listen(h);
    applied(h.engine.addComment(hst("web1"), commentRequest(), T0));
    await Promise.resolve();
    applied(h.engine.scheduleDowntime(svc("web1", "disk"), fixed(0, 100), false, T0));
    await Promise.resolve();
    h.engine.logCommand("DEL_HOST_COMMENT", "1", hst("web1"));
    await Promise.resolve();
    expect(heard.map(sorted)).to.deep.equal([["comment"], ["downtime", "log"], ["command", "log"]]);
  });

  it("the clock: a downtime ending, a check going outdated", async () => {
    applied(h.engine.scheduleDowntime(svc("web1", "disk"), fixed(0, 100), false, T0));
    await h.engine.flush();
    const heard = listen(h);
    await h.tickAt(100);
    expect(sorted(heard.at(-1))).to.deep.equal(["downtime", "log"]);
    await h.tickAt(3 * 86_400); // results here have an interval of one day: outdated after two, OK → CRITICAL
    expect(sorted(heard.at(-1))).to.deep.equal(["log", "state"]);
  });

  it("stops telling a listener that unsubscribed", async () => {
    const notifier = new ChangeNotifier();
    const heard: ChangeKind[][] = [];
    const off = notifier.onChange((kinds) => heard.push([...kinds]));
    notifier.notify("state");
    notifier.notify("state");
    notifier.notify("log");
    await Promise.resolve();
    off();
    notifier.notify("check");
    await Promise.resolve();
    expect(heard).to.deep.equal([["state", "log"]]);
  });
});
