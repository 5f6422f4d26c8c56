import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { container } from "tsyringe";
import { SelfStats } from "../../../core/metrics/self-stats";
import { CLOCK, DAEMON_SETTINGS, DATA_DIR, INSTANCE_ID, INSTANCE_STATS, LOGGER, PLUGIN_CONFIG } from "../../../core/tokens";
import { RecordingLogger } from "../../../test/core/pipeline/support";
import { testDaemonSettings } from "../../../test/helpers/daemon-settings";
import { cleanupTempDirs, makeTempDir } from "../../../test/helpers/temp-dir";
import { stateDocId } from "./documents";
import { ElasticsearchStore } from "./elasticsearch-store";
import type { ElasticsearchConfig } from "./schema";
import { alert, changeSet, DEFAULT_CONFIG, ManualClock, MockCluster, serveOverHttp, state } from "./test-kit";

/** The store as the daemon builds it: a child container with the instance's tokens, no test runtime (real client connection, disk spool). */
function fromContainer(config: ElasticsearchConfig, dataDir: string, log: RecordingLogger): ElasticsearchStore {
  const child = container.createChildContainer();
  child.register(PLUGIN_CONFIG, { useValue: config });
  child.register(INSTANCE_ID, { useValue: "elasticsearch" });
  child.register(LOGGER, { useValue: log });
  child.register(INSTANCE_STATS, { useValue: new SelfStats().of("elasticsearch") });
  child.register(CLOCK, { useValue: new ManualClock() });
  child.register(DATA_DIR, { useValue: dataDir });
  child.register(DAEMON_SETTINGS, { useValue: testDaemonSettings() });
  return child.resolve(ElasticsearchStore);
}

describe("elasticsearch store as the daemon wires it (real HTTP, disk spool)", () => {
  after(cleanupTempDirs);

  it("writes over HTTP, spools to the data dir when the cluster resets connections, and writes the spool at the next start", async () => {
    const cluster = new MockCluster();
    const server = await serveOverHttp(cluster);
    const dataDir = makeTempDir();
    const config = { ...DEFAULT_CONFIG, nodes: [server.url], request_timeout: 10_000 };
    try {
      const log = new RecordingLogger();
      const first = fromContainer(config, dataDir, log);
      await first.start();
      await first.commit(changeSet({ upserts: [state("web1", "disk", { lastCheck: 1_764_100_001 })], log: [alert("web1", "disk", 1_764_100_001)] }));
      expect(cluster.doc("tantale-state", stateDocId("web1", "disk"))?.version).to.equal(1_764_100_001_000_000);

      cluster.down = true;
      await first.commit(changeSet({ upserts: [state("web1", "disk", { lastCheck: 1_764_100_002, output: "spooled" })] }));
      expect(first.spooling).to.equal(true);
      expect(log.entries.find((e) => e.level === "warn")?.fields.reason).to.match(/ConnectionError/);
      await first.stop();
      expect(fs.readdirSync(path.join(dataDir, "spool", "elasticsearch")).length).to.be.greaterThan(0);

      cluster.down = false;
      const second = fromContainer(config, dataDir, new RecordingLogger());
      await second.start();
      expect(cluster.doc("tantale-state", stateDocId("web1", "disk"))?.source.output).to.equal("spooled");
      await second.stop();
    } finally {
      await server.close();
    }
  });
});
