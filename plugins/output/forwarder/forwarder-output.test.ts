import net from "node:net";
import { expect } from "chai";
import { systemClock } from "../../../core/clock";
import { SelfStats } from "../../../core/metrics/self-stats";
import type { CheckResult } from "../../../core/model/check-result";
import { RecordingLogger } from "../../../test/core/pipeline/support";
import { cleanupTempDirs, makeTempDir } from "../../../test/helpers/temp-dir";
import { ForwarderOutput } from "./forwarder-output";
import type { ForwarderConfig } from "./schema";

const CONFIG: ForwarderConfig = {
  servers: ["127.0.0.1:1"],
  token: "",
  tls: false,
  ca_file: "",
  tls_verify: true,
  servername: "",
  spool_dir: "",
  spool_max_size: 1024 * 1024,
  spool_fsync: "never",
  sync_every: 1000,
  max_in_flight: 4,
  connect_timeout: 1000,
  ack_timeout: 60_000,
  reconnect_min_delay: 1000,
  reconnect_max_delay: 30_000,
  failover_after: 3,
  failback_interval: 0,
};

const result = (n: number): CheckResult => ({
  hostname: "web1",
  check: `c${n}`,
  status: 0,
  output: `OK ${n} ${"x".repeat(400)}`,
  longOutput: "",
  perfData: "",
  timestamp: 1_764_100_000 + n,
  interval: 60,
  contacts: [],
  hostgroups: [],
  servicegroups: [],
  customVariables: {},
});

describe("forwarder output (a real disk spool)", () => {
  after(cleanupTempDirs);

  it("past spool_max_size drops the oldest results, counts them and says so at error level", async () => {
    const port = await closedPort();
    const log = new RecordingLogger();
    const stats = new SelfStats().of("forwarder");
    const out = new ForwarderOutput({ ...CONFIG, servers: [`127.0.0.1:${port}`] }, makeTempDir(), log, stats, systemClock, "forwarder", {
      data_access: "private",
    });
    await out.start();
    try {
      // About 3 MiB of results into a 1 MiB spool, while nothing answers.
      for (let b = 0; b < 7; b++) await out.write(Array.from({ length: 1000 }, (_, i) => result(b * 1000 + i)));
      const lost = log.entries.filter((e) => e.level === "error" && e.msg.includes("results lost"));
      expect(lost.length).to.be.greaterThan(0);
      expect(lost[0]!.msg).to.contain("spool_max_size = 1048576");
      expect(stats.get("results_dropped")).to.be.greaterThan(0);
      expect(stats.get("results_dropped") + stats.get("spool_records")).to.equal(7000);
    } finally {
      await out.stop();
    }
  });

  it("refuses a write before start, so the core keeps the batch", async () => {
    const out = new ForwarderOutput(CONFIG, makeTempDir(), new RecordingLogger(), new SelfStats().of("f"), systemClock, "forwarder", {
      data_access: "private",
    });
    let error: unknown;
    await out.write([result(1)]).catch((e: unknown) => (error = e));
    expect(String(error)).to.contain("not started");
  });
});

async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}
