import { expect } from "chai";
import { systemClock } from "../../../core/clock";
import { silentLogger } from "../../../core/log/logger";
import { SelfStats } from "../../../core/metrics/self-stats";
import type { CheckResult } from "../../../core/model/check-result";
import { ResultBus } from "../../../core/pipeline/result-bus";
import { connectStateEngine } from "../../../core/daemon/state-wiring";
import type { StorePlugin } from "../../../core/plugin/api";
import type { ChangeSet } from "../../../core/state/change-set";
import type { LogEntry } from "../../../core/state/log-entry";
import { StateEngine } from "../../../core/state/state-engine";
import type { DaemonSettings } from "../../../core/config/common-schema";
import { COMPLETE_COMMIT, type CommitReport } from "../../../core/store/commit-report";
import { logPageOf, type LogPage, type LogQuery } from "../../../core/store/log-query";
import { EMPTY_STORED_STATE, type StoredState } from "../../../core/store/state-store";

const T0 = 1_764_100_000;
const result = (status: number, timestamp: number): CheckResult =>
  Object.freeze({
    hostname: "web1",
    check: "disk",
    status,
    output: `s${status}`,
    longOutput: "",
    perfData: "",
    timestamp,
    interval: 60,
    contacts: [],
    hostgroups: [],
    servicegroups: [],
    customVariables: {},
  });

/** Fails its first commit, as a busy SQLite file would. */
class FlakyStore implements StorePlugin {
  readonly log: LogEntry[] = [];
  failures = 1;
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async load(): Promise<StoredState> {
    return EMPTY_STORED_STATE;
  }
  async readLog(q: LogQuery): Promise<LogPage> {
    return logPageOf(this.log, q);
  }
  async commit(c: ChangeSet): Promise<CommitReport> {
    if (this.failures-- > 0) throw new Error("SQLITE_BUSY");
    this.log.push(...c.log);
    return COMPLETE_COMMIT;
  }
}

describe("the state engine on the bus", () => {
  it("retries a batch whose commit failed (a SYNC meanwhile is told so): same-second results log their alerts once", async () => {
    const settings = { state_batch_size: 100, state_flush_interval: 5, freshness_factor: 2, freshness_check_interval: 1000 } as DaemonSettings;
    const stats = new SelfStats();
    const bus = new ResultBus(1000, silentLogger(), stats, systemClock);
    const engine = new StateEngine(settings, systemClock, silentLogger(), stats.of("(state)"));
    const binding = connectStateEngine(engine, bus, settings, silentLogger());
    const store = new FlakyStore();
    await binding.attach("store", store);
    for (const r of [result(2, T0), result(0, T0)]) bus.accept(r);
    let error: unknown;
    await bus.sync().catch((e: unknown) => (error = e));
    expect(String(error)).to.equal("SyncError: the store cannot write (SQLITE_BUSY): the results are kept queued and retried");
    expect(engine.get("web1", "disk"), "rolled back: not shown before it is committed").to.equal(undefined);
    await bus.drain();
    await bus.sync();
    expect(store.log.map((e) => e.state)).to.deep.equal([2, 0]);
    await binding.detach("store", true);
  });
});
