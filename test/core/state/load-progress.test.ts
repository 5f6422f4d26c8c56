import { expect } from "chai";
import type { Clock } from "../../../core/clock";
import { silentLogger } from "../../../core/log/logger";
import { SelfStats } from "../../../core/metrics/self-stats";
import { ChangeNotifier } from "../../../core/state/change-feed";
import { NO_RECORD_CHANGES } from "../../../core/state/change-set";
import type { CheckState } from "../../../core/state/check-state";
import type { Comment } from "../../../core/state/comment";
import { downtimeRecords } from "../../../core/state/downtime";
import { logEntry } from "../../../core/state/log-entry";
import { ObjectRecords } from "../../../core/state/object-records";
import { StatePersistence, type LoadProgress } from "../../../core/state/persistence";
import { ReadModel } from "../../../core/state/read-model";
import { RemovalMemory } from "../../../core/state/removals";
import type { LoadSink, StoredState } from "../../../core/store/state-store";
import { SqliteStore } from "../../../plugins/store/sqlite/sqlite-store";
import { RecordingLogger } from "../../helpers/recording-logger";
import { cleanupTempDirs, makeTempDir } from "../../helpers/temp-dir";

/** A clock that moves `step` ms each time it is read: every chunk of the load is "seconds" after the last. */
class SteppingClock implements Clock {
  private ms = 1_764_100_000_000;
  constructor(private readonly step: number) {}
  now(): number {
    this.ms += this.step;
    return this.ms;
  }
}

function state(hostname: string, check: string, n: number): CheckState {
  return {
    hostname,
    check,
    state: n % 4,
    lastState: 0,
    output: `output ${n}`,
    longOutput: n % 3 === 0 ? "" : `long ${n}`,
    perfData: n % 2 === 0 ? "" : `v=${n}`,
    lastCheck: 1_764_100_000 + n,
    lastStateChange: 1_764_000_000,
    lastHardStateChange: 1_764_000_000,
    // Long intervals: nothing is outdated by the stepping clock.
    interval: 86_400,
    contacts: n % 2 === 0 ? ["ops"] : [],
    hostgroups: [],
    servicegroups: ["web"],
    customVariables: n % 5 === 0 ? { SITE: "paris" } : {},
    outdated: false,
    acknowledgement: n === 7 ? { type: 2, author: "alice", comment: "on it", time: 1_764_100_100, expireTime: 0 } : null,
    downtimeDepth: 0,
  };
}

/** A store of 5 hosts × (Host + 4 services) = 25 checks, committed then stopped, as a restart finds it. */
async function storedStates(dir: string): Promise<CheckState[]> {
  const states: CheckState[] = [];
  for (let h = 0; h < 5; h++) for (const [i, check] of ["Host", "cpu", "disk", "load", "mem"].entries()) states.push(state(`host${h}`, check, h * 5 + i));
  const store = new SqliteStore(
    { path: "tantale.db", log_retention_days: 0, synchronous: "normal", busy_timeout: 5000 },
    dir,
    silentLogger(),
    new SteppingClock(0),
    new SelfStats().of("sqlite"),
  );
  await store.start();
  await store.commit({
    upserts: states,
    deletes: [],
    log: [],
    downtimes: NO_RECORD_CHANGES,
    comments: NO_RECORD_CHANGES,
    lastIds: { downtime: 0, comment: 0 },
  });
  await store.stop();
  return states;
}

function persistence(log: RecordingLogger, clock: Clock, progress: LoadProgress): { persistence: StatePersistence; model: ReadModel; scheduled: CheckState[] } {
  const model = new ReadModel();
  const scheduled: CheckState[] = [];
  const p = new StatePersistence(
    { model, downtimes: downtimeRecords(), comments: new ObjectRecords<Comment>(), removals: new RemovalMemory() },
    new ChangeNotifier(),
    { scheduleFreshness: (s) => scheduled.push(s), reapply: () => undefined, forget: () => undefined },
    new SelfStats().of("(state)"),
    log,
    clock,
    progress,
  );
  return { persistence: p, model, scheduled };
}

const byKey = (a: CheckState, b: CheckState) => (a.hostname + "\0" + a.check < b.hostname + "\0" + b.check ? -1 : 1);

describe("state load at start (a real SQLite file)", () => {
  after(cleanupTempDirs);

  it("logs its progress between chunks and the time it took, and holds every stored state afterwards", async () => {
    const dir = makeTempDir();
    const states = await storedStates(dir);
    const log = new RecordingLogger();
    // 10 checks a chunk, a line as soon as 2 s passed: the clock moves 1 s per read, so every other chunk logs one.
    const { persistence: p, model, scheduled } = persistence(log, new SteppingClock(1_000), { everyMs: 2_000, chunkChecks: 10 });
    const store = new SqliteStore(
      { path: "tantale.db", log_retention_days: 0, synchronous: "normal", busy_timeout: 5000 },
      dir,
      silentLogger(),
      new SteppingClock(0),
      new SelfStats().of("sqlite"),
    );
    await store.start();
    try {
      await p.attachStore(store);
    } finally {
      await store.stop();
    }
    expect(log.messages("info")).to.deep.equal(["loading state: 25 checks", "loading state: 20 of 25 checks", "state loaded from the store"]);
    const done = log.lines.find((l) => l.msg === "state loaded from the store")!.fields;
    expect(done).to.deep.include({ checks: 25, hosts: 5, downtimes: 0, comments: 0 });
    expect(done.ms).to.be.a("number").greaterThan(0);
    expect(log.lines.find((l) => l.msg === "loading state: 20 of 25 checks")!.fields).to.deep.include({ read: 20, checks: 25 });

    // What a restart serves is what was stored, every field; each state's freshness deadline is armed.
    expect([...model.allChecks()].sort(byKey)).to.deep.equal([...states].sort(byKey));
    expect(model.checkCount).to.equal(25);
    expect(scheduled.length).to.equal(25);
  });

  it("logs no progress line for a load shorter than the interval", async () => {
    const dir = makeTempDir();
    await storedStates(dir);
    const log = new RecordingLogger();
    const { persistence: p, model } = persistence(log, new SteppingClock(1), { everyMs: 2_000, chunkChecks: 10 });
    const store = new SqliteStore(
      { path: "tantale.db", log_retention_days: 0, synchronous: "normal", busy_timeout: 5000 },
      dir,
      silentLogger(),
      new SteppingClock(0),
      new SelfStats().of("sqlite"),
    );
    await store.start();
    try {
      await p.attachStore(store);
    } finally {
      await store.stop();
    }
    expect(log.messages("info")).to.deep.equal(["loading state: 25 checks", "state loaded from the store"]);
    expect(model.checkCount).to.equal(25);
  });

  it("commits what changed while the store loaded (a store added to a running daemon) to that store once it is attached", async () => {
    const dir = makeTempDir();
    await storedStates(dir);
    const { persistence: p } = persistence(new RecordingLogger(), new SteppingClock(1), { everyMs: 2_000, chunkChecks: 10 });
    const store = new SqliteStore(
      { path: "tantale.db", log_retention_days: 0, synchronous: "normal", busy_timeout: 5000 },
      dir,
      silentLogger(),
      new SteppingClock(0),
      new SelfStats().of("sqlite"),
    );
    await store.start();
    const line = logEntry({
      time: 1_764_100_500,
      class: 3,
      type: "EXTERNAL COMMAND",
      hostname: "",
      check: "",
      state: 0,
      stateType: "",
      attempt: 0,
      output: "",
      message: "a command while loading",
    });
    let flushed: Promise<void> | undefined;
    // The store's own load, with a change made (and flushed, as the timer does) between two of its chunks.
    const loading = {
      load: (sink?: LoadSink): Promise<StoredState> =>
        store.load(
          sink && {
            ...sink,
            total: (n) => sink.total(n),
            checks: (chunk) => {
              sink.checks(chunk);
              if (flushed !== undefined) return;
              p.addLog(line);
              flushed = p.flush();
            },
          },
        ),
      commit: store.commit.bind(store),
      readLog: store.readLog.bind(store),
    };
    try {
      await p.attachStore(loading);
      expect(flushed, "a change was made during the load").to.not.equal(undefined);
      await flushed;
      const page = await store.readLog({});
      expect(page.entries.map((e) => e.message)).to.deep.equal(["a command while loading"]);
    } finally {
      await store.stop();
    }
  });
});
