import { expect } from "chai";
import { RecordingStore } from "./command-kit";
import type { Clock } from "../../../core/clock";
import { silentLogger } from "../../../core/log/logger";
import { SelfStats } from "../../../core/metrics/self-stats";
import type { CheckResult } from "../../../core/model/check-result";
import type { CheckState } from "../../../core/state/check-state";
import { OUTDATE_CHUNK } from "../../../core/state/freshness";
import { APPLY_CHUNK, StateEngine } from "../../../core/state/state-engine";
import { EMPTY_STORED_STATE } from "../../../core/store/state-store";

/** The engine's rules are under test here, SQLite elsewhere: the command tests' recording store, loading these checks. */
class MemoryStore extends RecordingStore {
  constructor(checks: readonly CheckState[] = []) {
    super({ ...EMPTY_STORED_STATE, checks });
  }
}

const T0 = 1_764_100_000;

function result(hostname: string, check: string, status: number, timestamp: number, extra: Partial<CheckResult> = {}): CheckResult {
  return Object.freeze({
    hostname,
    check,
    status,
    output: `${check} is ${status}`,
    longOutput: "",
    perfData: "",
    timestamp,
    interval: 60,
    contacts: ["ops"],
    hostgroups: [],
    servicegroups: [],
    customVariables: {},
    ...extra,
  });
}

describe("StateEngine", () => {
  let now: number;
  const clock: Clock = { now: () => now * 1000 };
  let stats: SelfStats;
  let store: MemoryStore;
  let engine: StateEngine;

  beforeEach(async () => {
    now = T0;
    stats = new SelfStats();
    store = new MemoryStore();
    engine = new StateEngine({ freshness_factor: 2, freshness_check_interval: 1000 }, clock, silentLogger(), stats.of("(state)"));
    await engine.attachStore(store);
  });

  it("applies batches handed at once one after the other, in order (each yields between its chunks)", async () => {
    // The last result of the first batch and the first of the second are of the same check at
    // the same second: the one handed later must win, which interleaved chunks would reverse.
    const first = Array.from({ length: 2 * APPLY_CHUNK + 10 }, (_, i) => result(`host${i}`, "load", 0, T0));
    first.push(result("web1", "disk", 2, T0));
    const second = [result("web1", "disk", 0, T0), result("web1", "cpu", 1, T0)];
    await Promise.all([engine.write(first), engine.write(second)]);
    expect(engine.get("web1", "disk")!.state).to.equal(0);
    expect(store.latest("web1", "disk")!.state).to.equal(0);
  });

  it("keeps the state of each check and commits it before write() resolves", async () => {
    await engine.write([result("web1", "disk", 1, T0, { customVariables: { SITE: "paris" } })]);
    const s = engine.get("web1", "disk")!;
    expect([s.state, s.output, s.lastCheck, s.interval, s.contacts]).to.deep.equal([1, "disk is 1", T0, 60, ["ops"]]);
    expect(s.customVariables).to.deep.equal({ SITE: "paris" });
    expect(store.latest("web1", "disk")).to.equal(s);
  });

  it("never lets an older result overwrite a newer one, and counts it", async () => {
    await engine.write([result("web1", "disk", 2, T0 + 10)]);
    await engine.write([result("web1", "disk", 0, T0 + 5)]);
    expect(engine.get("web1", "disk")!.state).to.equal(2);
    expect(stats.of("(state)").get("results_out_of_order")).to.equal(1);
    await engine.write([result("web1", "disk", 0, T0 + 10)]); // same second: applied in arrival order
    expect(engine.get("web1", "disk")!.state).to.equal(0);
  });

  it("ignores the very same result sent again (a re-send after a lost SYNCED): no write, no alert, counted", async () => {
    await engine.write([result("web1", "disk", 2, T0 + 10)]);
    await engine.write([result("web1", "disk", 0, T0 + 20)]);
    const commits = store.commits.length;
    await engine.write([result("web1", "disk", 0, T0 + 20)]);
    expect(store.commits.length, "nothing to commit").to.equal(commits);
    expect(store.log.map((e) => e.state)).to.deep.equal([2, 0]);
    expect(stats.of("(state)").get("results_duplicate")).to.equal(1);
    // The same second with another output is a new result (arrival order).
    await engine.write([result("web1", "disk", 0, T0 + 20, { output: "fine again" })]);
    expect(engine.get("web1", "disk")!.output).to.equal("fine again");
  });

  it("writes a SERVICE ALERT on each state change and moves last_state_change; not on a repeated state", async () => {
    await engine.write([result("web1", "disk", 0, T0)]);
    await engine.write([result("web1", "disk", 0, T0 + 60)]);
    expect(store.log).to.deep.equal([]);
    await engine.write([result("web1", "disk", 2, T0 + 120)]);
    await engine.write([result("web1", "disk", 2, T0 + 180)]);
    const s = engine.get("web1", "disk")!;
    expect([s.state, s.lastState, s.lastStateChange, s.lastHardStateChange, s.lastCheck]).to.deep.equal([2, 0, T0 + 120, T0 + 120, T0 + 180]);
    expect(store.log.map((e) => e.message)).to.deep.equal([`[${T0 + 120}] SERVICE ALERT: web1;disk;CRITICAL;HARD;1;disk is 2`]);
    expect(store.log[0]).to.include({ class: 1, type: "SERVICE ALERT", hostname: "web1", check: "disk", state: 2, stateType: "HARD", attempt: 1 });
  });

  it("logs a first result that is a problem (a check is assumed OK before), and HOST ALERTs with host state names", async () => {
    await engine.write([result("web1", "Host", 1, T0), result("web2", "Host", 0, T0)]);
    expect(store.log.map((e) => e.message)).to.deep.equal([`[${T0}] HOST ALERT: web1;DOWN;HARD;1;Host is 1`]);
    expect(store.log[0]!.check).to.equal("");
  });

  it("knows a host from its first result of any kind; pending until its Host check", async () => {
    await engine.write([result("db1", "mysql", 0, T0)]);
    const h = engine.host("db1")!;
    expect(h.hostCheck).to.equal(undefined);
    expect([...h.services.keys()]).to.deep.equal(["mysql"]);
    await engine.write([result("db1", "Host", 0, T0 + 1)]);
    expect(engine.host("db1")!.hostCheck!.state).to.equal(0);
    expect(engine.hostCount).to.equal(1);
  });

  it("removes a normal acknowledgement on any state change, a sticky one only on recovery", async () => {
    const ack = (type: 1 | 2) => ({ type, author: "alice", comment: "on it", time: T0, expireTime: 0 });
    const request = (sticky: boolean) => ({ sticky, persistent: false, author: "alice", comment: "on it", expireTime: 0 });
    await engine.write([result("web1", "disk", 1, T0), result("web1", "load", 1, T0)]);
    expect(engine.acknowledge({ hostname: "web1", check: "disk" }, request(false), T0).ok).to.equal(true);
    expect(engine.acknowledge({ hostname: "web1", check: "load" }, request(true), T0).ok).to.equal(true);
    await engine.write([result("web1", "disk", 1, T0 + 60), result("web1", "load", 1, T0 + 60)]);
    expect(engine.get("web1", "disk")!.acknowledgement).to.deep.equal(ack(1)); // same state: kept
    await engine.write([result("web1", "disk", 2, T0 + 120), result("web1", "load", 2, T0 + 120)]);
    expect(engine.get("web1", "disk")!.acknowledgement).to.equal(null);
    expect(engine.get("web1", "load")!.acknowledgement).to.deep.equal(ack(2));
    await engine.write([result("web1", "load", 0, T0 + 180)]);
    expect(engine.get("web1", "load")!.acknowledgement).to.equal(null);
    expect(store.latest("web1", "load")!.acknowledgement).to.equal(null);
  });

  it("refuses to acknowledge an OK check or an unknown one", async () => {
    await engine.write([result("web1", "disk", 0, T0)]);
    const request = { sticky: false, persistent: false, author: "a", comment: "c", expireTime: 0 };
    expect(engine.acknowledge({ hostname: "web1", check: "disk" }, request, T0).ok).to.equal(false);
    expect(engine.acknowledge({ hostname: "web1", check: "nope" }, request, T0).ok).to.equal(false);
  });

  it("outdates a check after freshness_factor × interval: OK becomes CRITICAL, output prefixed, logged; a fresh result clears it", async () => {
    await engine.write([result("web1", "disk", 0, T0), result("web1", "load", 1, T0), result("web1", "Host", 0, T0)]);
    now = T0 + 119;
    engine.tick();
    await engine.flush();
    expect(engine.get("web1", "disk")!.outdated).to.equal(false);
    now = T0 + 120;
    engine.tick();
    await engine.flush();
    const disk = engine.get("web1", "disk")!;
    expect([disk.state, disk.outdated, disk.output, disk.lastStateChange]).to.deep.equal([2, true, "OUTDATED - disk is 0", T0 + 120]);
    const load = engine.get("web1", "load")!;
    expect([load.state, load.outdated, load.output, load.lastStateChange]).to.deep.equal([1, true, "OUTDATED - load is 1", T0]);
    expect(engine.get("web1", "Host")!.state).to.equal(1); // UP becomes DOWN
    expect(store.log.map((e) => e.message)).to.include.members([
      `[${T0 + 120}] SERVICE ALERT: web1;disk;CRITICAL;HARD;1;OUTDATED - disk is 0`,
      `[${T0 + 120}] SERVICE ALERT: web1;load;WARNING;HARD;1;OUTDATED - load is 1`,
      `[${T0 + 120}] HOST ALERT: web1;DOWN;HARD;1;OUTDATED - Host is 0`,
    ]);
    expect(store.latest("web1", "disk")!.outdated).to.equal(true);
    // Outdated once, not again at every look.
    const logged = store.log.length;
    now = T0 + 500;
    engine.tick();
    await engine.flush();
    expect(store.log.length).to.equal(logged);

    await engine.write([result("web1", "disk", 0, T0 + 501)]);
    const fresh = engine.get("web1", "disk")!;
    expect([fresh.state, fresh.outdated, fresh.output]).to.deep.equal([0, false, "disk is 0"]);
    expect(store.log[store.log.length - 1]!.message).to.equal(`[${T0 + 501}] SERVICE ALERT: web1;disk;OK;HARD;1;disk is 0`);
  });

  it("a newer result moves the freshness deadline", async () => {
    await engine.write([result("web1", "disk", 0, T0)]);
    await engine.write([result("web1", "disk", 0, T0 + 100)]);
    now = T0 + 150;
    engine.tick();
    expect(engine.get("web1", "disk")!.outdated).to.equal(false);
    now = T0 + 220;
    engine.tick();
    expect(engine.get("web1", "disk")!.outdated).to.equal(true);
  });

  it("arms one deadline per check however many results come: a newer result moves it without a heap entry of its own", async () => {
    for (let round = 0; round < 30; round++) {
      await engine.write(Array.from({ length: 100 }, (_, i) => result(`h${i}`, "c", 0, T0 + round)));
    }
    expect(stats.of("(state)").get("freshness_deadlines")).to.equal(100);
    // Each first deadline comes due while its check reports: armed again at the current one, still one each.
    now = T0 + 125;
    engine.tick();
    expect([...engine.allChecks()].filter((s) => s.outdated)).to.have.length(0);
    expect(stats.of("(state)").get("freshness_deadlines")).to.equal(100);
  });

  it("a check that keeps reporting is never outdated; once it stops, it is outdated at its last deadline", async () => {
    for (let t = 0; t <= 600; t += 10) {
      now = T0 + t;
      if (t % 50 === 0) await engine.write([result("web1", "disk", 0, T0 + t)]);
      engine.tick();
      expect(engine.get("web1", "disk")!.outdated, `at T0 + ${t}`).to.equal(false);
    }
    now = T0 + 600 + 119;
    engine.tick();
    expect(engine.get("web1", "disk")!.outdated).to.equal(false);
    now = T0 + 600 + 120;
    engine.tick();
    await engine.flush();
    expect(engine.get("web1", "disk")!.outdated).to.equal(true);
    expect(store.log.map((e) => e.check)).to.deep.equal(["disk"]);
  });

  it("a deadline brought forward (a shorter interval) outdates the check at the earlier one", async () => {
    await engine.write([result("web1", "disk", 0, T0, { interval: 600 })]);
    await engine.write([result("web1", "disk", 0, T0 + 10, { interval: 60 })]);
    now = T0 + 10 + 120;
    engine.tick();
    expect(engine.get("web1", "disk")!.outdated).to.equal(true);
  });

  it("a check removed and back is outdated once, with one alert (its first entry is left behind)", async () => {
    await engine.write([result("web1", "disk", 0, T0)]);
    engine.removeObject({ hostname: "web1", check: "disk" }, false, T0 + 1);
    await engine.flush();
    await engine.write([result("web1", "disk", 0, T0 + 2)]);
    now = T0 + 200;
    engine.tick();
    await engine.flush();
    expect(engine.get("web1", "disk")!.outdated).to.equal(true);
    expect(store.log.filter((e) => e.message.includes("OUTDATED"))).to.have.length(1);
    expect(stats.of("(state)").get("freshness_deadlines")).to.equal(0);
  });

  it("drops the entries left behind before they pile up: one per fresh check, at its deadline", async () => {
    await engine.write([result("web2", "disk", 0, T0)]);
    for (let i = 0; i < 1100; i++) {
      await engine.write([result("web1", "disk", 0, T0 + 2 * i)]);
      engine.removeObject({ hostname: "web1", check: "disk" }, false, T0 + 2 * i + 1);
    }
    await engine.write([result("web1", "disk", 0, T0 + 2200)]);
    // 1101 arms of web1;disk and one of web2;disk: compacted once past 2 × checks + 1024.
    expect(stats.of("(state)").get("freshness_deadlines")).to.be.below(1101 + 1 - 1000);
    now = T0 + 2200 + 119;
    engine.tick();
    expect(engine.get("web1", "disk")!.outdated).to.equal(false);
    expect(engine.get("web2", "disk")!.outdated).to.equal(true);
    now = T0 + 2200 + 120;
    engine.tick();
    await engine.flush();
    expect(engine.get("web1", "disk")!.outdated).to.equal(true);
    expect(store.log.filter((e) => e.message.includes("OUTDATED")).map((e) => e.hostname)).to.deep.equal(["web2", "web1"]);
  });

  it("outdates more checks than a loop turn takes over several turns, earliest deadlines first, with one log line", async () => {
    const count = OUTDATE_CHUNK * 2 + 500;
    await engine.write(Array.from({ length: count }, (_, i) => result(`h${i}`, "c", 0, T0 + i / count)));
    now = T0 + 121;
    engine.tick();
    const outdatedNow = () => [...engine.allChecks()].filter((s) => s.outdated).map((s) => Number(s.hostname.slice(1)));
    expect(outdatedNow(), "in the tick's own turn").to.have.members(Array.from({ length: OUTDATE_CHUNK }, (_, i) => i));
    for (let turn = 0; turn < 5; turn++) await new Promise((r) => setImmediate(r));
    expect(outdatedNow()).to.have.length(count);
    await engine.flush();
    expect(store.log.filter((e) => e.message.includes("OUTDATED"))).to.have.length(count);
    expect([...engine.allChecks()].every((s) => store.latest(s.hostname, s.check) === s)).to.equal(true);
    expect(stats.of("(state)").get("checks_outdated")).to.equal(count);
  });

  it("stops outdating in later turns once stopped", async () => {
    await engine.write(Array.from({ length: OUTDATE_CHUNK + 10 }, (_, i) => result(`h${i}`, "c", 0, T0)));
    now = T0 + 121;
    engine.tick();
    await engine.stop();
    for (let turn = 0; turn < 3; turn++) await new Promise((r) => setImmediate(r));
    expect([...engine.allChecks()].filter((s) => s.outdated)).to.have.length(OUTDATE_CHUNK);
  });

  it("keeps freshness right while superseded deadlines are compacted away", async () => {
    for (let round = 0; round < 30; round++) {
      await engine.write(Array.from({ length: 100 }, (_, i) => result(`h${i}`, "c", 0, T0 + round)));
    }
    await engine.write([result("h0", "c", 0, T0 + 1000)]);
    now = T0 + 29 + 120;
    engine.tick();
    expect(engine.get("h0", "c")!.outdated).to.equal(false);
    expect(engine.get("h1", "c")!.outdated).to.equal(true);
    expect([...engine.allHosts()].filter((h) => h.services.get("c")!.outdated)).to.have.length(99);
  });

  it("rolls memory back to the committed state when a commit fails: queries never show it, the retried batch commits it once", async () => {
    await engine.write([result("web1", "disk", 0, T0), result("web1", "Host", 0, T0)]);
    const committed = engine.get("web1", "disk");
    store.failNext = 1;
    let error: unknown;
    await engine
      .write([result("web1", "disk", 2, T0 + 1), result("web2", "load", 1, T0 + 1), result("web1", "Host", 1, T0 + 1)])
      .catch((e: unknown) => (error = e));
    expect(String(error)).to.contain("disk full");
    expect(store.commits).to.have.length(1);
    expect(engine.get("web1", "disk")).to.equal(committed);
    expect(engine.get("web1", "Host")!.state).to.equal(0);
    expect(engine.host("web2"), "a host known only from the rolled-back batch").to.equal(undefined);
    expect([...engine.allChecks()]).to.have.length(2);
    // The bus retries the failed batch: applied again whole, each alert logged once.
    await engine.write([result("web1", "disk", 2, T0 + 1), result("web2", "load", 1, T0 + 1), result("web1", "Host", 1, T0 + 1)]);
    expect(store.latest("web1", "disk")!.state).to.equal(2);
    expect(store.latest("web2", "load")!.state).to.equal(1);
    expect(store.log.map((e) => `${e.hostname};${e.check}`)).to.deep.equal(["web1;disk", "web2;load", "web1;"]);
    // Freshness taken back with a failed commit is done again at the next tick.
    now = T0 + 1 + 121;
    store.failNext = 1;
    engine.tick();
    await engine.flush().catch(() => undefined);
    expect(engine.get("web1", "disk")!.outdated).to.equal(false);
    engine.tick();
    await engine.flush();
    expect(store.latest("web1", "disk")!.outdated).to.equal(true);
  });

  it("keeps a result about Tantale itself (applyNow) through a failed commit, and stores it with the next that works", async () => {
    store.failNext = 2;
    engine.applyNow(result("mon1", "tantale", 2, T0));
    await engine.write([result("web1", "disk", 1, T0)]).catch(() => undefined);
    expect(engine.get("mon1", "tantale")!.state, "shown although not committed").to.equal(2);
    expect(engine.get("web1", "disk")).to.equal(undefined);
    await engine.flush().catch(() => undefined);
    expect(engine.get("mon1", "tantale")!.state).to.equal(2);
    await engine.flush();
    expect(store.latest("mon1", "tantale")!.state).to.equal(2);
    expect(store.log.map((e) => e.check)).to.deep.equal(["tantale"]);
  });

  it("writes each check once per commit however often a batch updates it", async () => {
    await engine.write([result("web1", "disk", 0, T0), result("web1", "disk", 1, T0 + 1), result("web1", "disk", 2, T0 + 2)]);
    expect(store.commits).to.have.length(1);
    expect(store.commits[0]!.upserts.map((s) => s.state)).to.deep.equal([2]);
    expect(store.commits[0]!.log.map((e) => e.state)).to.deep.equal([1, 2]);
  });

  it("loads the stored state on the first attach and re-arms freshness from it", async () => {
    await engine.write([result("web1", "disk", 1, T0), result("web2", "Host", 0, T0)]);
    const stored = [store.latest("web1", "disk")!, store.latest("web2", "Host")!];
    const again = new StateEngine({ freshness_factor: 2, freshness_check_interval: 1000 }, clock, silentLogger(), new SelfStats().of("(state)"));
    const reloaded = new MemoryStore(stored);
    await again.attachStore(reloaded);
    expect(again.get("web1", "disk")).to.deep.equal(stored[0]);
    expect(again.host("web2")!.hostCheck).to.deep.equal(stored[1]);
    now = T0 + 121;
    again.tick();
    await again.flush();
    expect(again.get("web1", "disk")!.outdated).to.equal(true);
    expect(reloaded.latest("web1", "disk")!.outdated).to.equal(true);
  });
});

describe("StateEngine and its store coming and going", () => {
  let now = T0;
  const clock: Clock = { now: () => now * 1000 };
  const settings = { freshness_factor: 2, freshness_check_interval: 1000 };
  const make = () => new StateEngine(settings, clock, silentLogger(), new SelfStats().of("(state)"));
  beforeEach(() => (now = T0));

  it("rolls back what timers change while its store restarts, and does it again once the store is back", async () => {
    const engine = make();
    const store = new MemoryStore();
    await engine.attachStore(store);
    await engine.write([result("web1", "disk", 0, T0)]);
    await engine.detachStore(false);
    now = T0 + 200;
    engine.tick();
    expect(engine.get("web1", "disk")!.outdated).to.equal(true);
    let error: unknown;
    await engine.flush().catch((e: unknown) => (error = e)); // nothing to commit to: rolled back, its deadline re-armed
    expect(String(error)).to.contain("the store is restarting");
    expect(engine.get("web1", "disk")!.outdated).to.equal(false);
    await engine.attachStore(store);
    engine.tick();
    await engine.flush();
    expect(store.latest("web1", "disk")!.outdated).to.equal(true);
    expect(store.log.map((e) => e.output)).to.deep.equal(["OUTDATED - disk is 0"]);
  });

  it("runs in memory only once its store is removed", async () => {
    const engine = make();
    await engine.attachStore(new MemoryStore());
    await engine.detachStore(true);
    await engine.write([result("web1", "disk", 2, T0)]); // resolves: nothing to persist to
    expect(engine.get("web1", "disk")!.state).to.equal(2);
  });

  it("hands a store attached later the whole state, and keeps memory's newer states over a store's older ones", async () => {
    const engine = make();
    await engine.write([result("web1", "disk", 2, T0 + 50), result("web1", "load", 0, T0)]); // memory only so far
    // The file holds an older state of disk, written by an earlier run.
    const earlier = make();
    const file = new MemoryStore();
    await earlier.attachStore(file);
    await earlier.write([result("web1", "disk", 0, T0)]);
    const first = new MemoryStore([file.latest("web1", "disk")!]);
    await engine.attachStore(first);
    await engine.flush();
    expect(engine.get("web1", "disk")!.state).to.equal(2);
    expect(first.latest("web1", "disk")!.state).to.equal(2);
    expect(first.latest("web1", "load")!.state).to.equal(0);
    const second = new MemoryStore();
    await engine.detachStore(false);
    await engine.attachStore(second);
    await engine.flush();
    expect(second.latest("web1", "disk")!.state).to.equal(2);
    expect(second.latest("web1", "load")!.state).to.equal(0);
  });

  it("applies a large batch over several loop turns, and fails it when a commit before it is rolled back meanwhile (nothing acknowledged is lost)", async () => {
    // The first commit waits until the test lets it fail; the batch behind it is applied meanwhile, chunk by chunk.
    let failFirst!: () => void;
    const gated = new (class extends MemoryStore {
      private gate: Promise<void> | undefined = new Promise<void>((resolve) => (failFirst = resolve));
      override async commit(changes: Parameters<MemoryStore["commit"]>[0]) {
        const gate = this.gate;
        this.gate = undefined;
        if (gate !== undefined) {
          await gate;
          throw new Error("disk full");
        }
        return super.commit(changes);
      }
    })();
    const e = new StateEngine({ freshness_factor: 2, freshness_check_interval: 1000 }, clock, silentLogger(), new SelfStats().of("(state)"));
    await e.attachStore(gated);
    const first = e.write([result("web1", "disk", 1, T0)]).then(
      () => "committed",
      (err: unknown) => String(err),
    );
    const big = Array.from({ length: 2 * APPLY_CHUNK + 10 }, (_, i) => result(`host${i}`, "load", 0, T0));
    const second = e.write(big).then(
      () => "committed",
      (err: unknown) => String(err),
    );
    // The first chunk is applied in this turn, the rest waits for later turns.
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(e.get("host0", "load")).to.not.equal(undefined);
    expect(e.get(`host${big.length - 1}`, "load")).to.equal(undefined);
    failFirst();
    expect(await first).to.contain("disk full");
    // Its commit (of the chunks applied after the rollback) works, but the chunks before were undone: the batch must be handed again.
    expect(await second).to.contain("applied again");
    expect(e.get("web1", "disk")).to.equal(undefined);
    await e.write([result("web1", "disk", 1, T0)]);
    await e.write(big);
    for (let i = 0; i < big.length; i++) expect(gated.latest(`host${i}`, "load"), `host${i}`).to.not.equal(undefined);
    expect(e.hostCount).to.equal(big.length + 1);
  });
});
