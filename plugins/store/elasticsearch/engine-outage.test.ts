import { expect } from "chai";
import { systemClock } from "../../../core/clock";
import type { DaemonSettings } from "../../../core/config/common-schema";
import { connectStateEngine } from "../../../core/daemon/state-wiring";
import { silentLogger } from "../../../core/log/logger";
import { SelfStats } from "../../../core/metrics/self-stats";
import type { CheckResult } from "../../../core/model/check-result";
import { ResultBus } from "../../../core/pipeline/result-bus";
import { StateEngine } from "../../../core/state/state-engine";
import { EMPTY_STORED_STATE } from "../../../core/store/state-store";
import { RecordingLogger } from "../../../test/core/pipeline/support";
import { cleanupTempDirs, makeTempDir } from "../../../test/helpers/temp-dir";
import { stateDocId } from "./documents";
import { ElasticsearchStore } from "./elasticsearch-store";
import { DEFAULT_CONFIG, ManualClock, MemorySpool, MockCluster, TestPacing } from "./test-kit";

const T0 = 1_764_100_000;
const result = (status: number, timestamp: number): CheckResult =>
  Object.freeze({
    hostname: "web1",
    check: "disk",
    status,
    output: `s${status} at ${timestamp}`,
    longOutput: "",
    perfData: "",
    timestamp,
    interval: 60,
    contacts: [],
    hostgroups: [],
    servicegroups: [],
    customVariables: {},
  });

describe("the state engine on the elasticsearch store during an outage", () => {
  after(cleanupTempDirs);

  it("keeps serving from memory, answers SYNC once results are spooled, and the cluster gets every change in order when back", async () => {
    const settings = { state_batch_size: 100, state_flush_interval: 5, freshness_factor: 2, freshness_check_interval: 1000 } as DaemonSettings;
    const stats = new SelfStats();
    const bus = new ResultBus(1000, silentLogger(), stats, systemClock);
    const engine = new StateEngine(settings, systemClock, silentLogger(), stats.of("(state)"));
    const binding = connectStateEngine(engine, bus, settings, silentLogger());
    const cluster = new MockCluster();
    const spool = new MemorySpool();
    const pacing = new TestPacing();
    const store = new ElasticsearchStore(
      DEFAULT_CONFIG,
      makeTempDir(),
      "elasticsearch",
      new RecordingLogger(),
      new ManualClock(),
      stats.of("elasticsearch"),
      { data_access: "private" },
      {
        client: cluster.connection(),
        openSpool: (o) => spool.open(o),
        pacing,
        readers: { loadState: () => Promise.resolve(EMPTY_STORED_STATE), readLog: () => Promise.resolve({ entries: [] }) },
      },
    );
    await store.start();
    await binding.attach("elasticsearch", store);
    try {
      bus.accept(result(0, T0));
      await bus.sync();
      pacing.hold = true;
      cluster.down = true;
      for (const [status, t] of [
        [2, T0 + 60],
        [0, T0 + 120],
        [1, T0 + 180],
      ] as const) {
        bus.accept(result(status, t));
        await bus.sync();
        // Shown at once, and SYNCed: it is in the spool.
        expect(engine.get("web1", "disk")?.state).to.equal(status);
      }
      expect(store.spooling).to.equal(true);
      expect(spool.pendingRecords).to.equal(3);

      cluster.down = false;
      pacing.release();
      await store.replayed();
      const stored = cluster.doc("tantale-state", stateDocId("web1", "disk"))!;
      expect(stored.source).to.include({ state: 1, last_check: T0 + 180 });
      const alerts = [...cluster.docs.entries()]
        .filter(([i]) => i.startsWith("tantale-log-"))
        .flatMap(([, m]) => [...m.values()].map((d) => d.source))
        .sort((a, b) => Number(a.time) - Number(b.time))
        .map((d) => d.state);
      expect(alerts).to.deep.equal([2, 0, 1]);
    } finally {
      await binding.detach("elasticsearch", true);
      await store.stop();
    }
  });
});
