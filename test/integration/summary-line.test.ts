import { expect } from "chai";
import { portZeroConf, startDaemon } from "../helpers/daemon-on-port-zero";
import { LineClient } from "../helpers/net";
import type { ForegroundTantale } from "../helpers/tantale-process";
import { cleanupTempDirs, makeConfDir, makeTempDir } from "../helpers/temp-dir";

describe("the periodic summary line (a real daemon)", function () {
  this.timeout(60_000);
  let t: ForegroundTantale | undefined;

  afterEach(async () => {
    await t?.kill();
    t = undefined;
    cleanupTempDirs();
  });

  it("logs one info line every summary_interval, with the results accepted over the interval", async () => {
    const conf = makeConfDir(portZeroConf({ tantale: "summary_interval = 200ms\n" }));
    const started = await startDaemon(conf, makeTempDir());
    t = started.t;
    const first = await t.waitForLog((l) => l.msg.startsWith("summary of the last "), 15_000);
    expect(first.level).to.equal(30); // info
    expect(first).to.include({ accepted_per_s: 0, rejected_per_s: 0, queued: 0 });
    const client = await LineClient.connect(started.ports.line);
    try {
      client.send(JSON.stringify({ hostname: "web1", check: "disk", status: 0, output: "OK", timestamp: Math.floor(Date.now() / 1000) }));
      client.send("SYNC");
      expect(await client.next(15_000)).to.match(/^SYNCED/);
    } finally {
      client.close();
    }
    const busy = await t.waitForLog((l) => l.msg.startsWith("summary of the last ") && typeof l.accepted_per_s === "number" && l.accepted_per_s > 0, 15_000);
    expect(busy.msg).to.match(
      /^summary of the last [\d.]+ s: results [\d.]+\/s accepted, 0\/s rejected, 0\/s ignored; queued 0 \(store 0\); commits \d+, p99 [\d.]+ ms; livestatus 0 req\/s, p99 0 ms; connections 0 livestatus, [01] inputs$/,
    );
    expect(busy.commits).to.be.at.least(1);
  });
});
