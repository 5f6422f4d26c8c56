import { execFileSync } from "node:child_process";
import { expect } from "chai";

/**
 * The size of the young generation (MiB) of a fresh node process that starts a Worker, waits for
 * it to end, then allocates objects that survive a few scavenges (what an ingest burst does):
 * with `tune`, after the daemon's heap settings. A fresh process each: the flags are process-wide.
 */
function youngGenerationAfterBurst(tune: boolean): number {
  const script = `
    const v8 = require("node:v8");
    const { Worker } = require("node:worker_threads");
    if (${String(tune)}) require(${JSON.stringify(require.resolve("../../../core/daemon/heap-tuning"))}).tuneDaemonHeap();
    const w = new Worker("", { eval: true });
    w.once("exit", () => {
      let kept = [];
      for (let i = 0; i < 1e6; i++) {
        kept.push({ i, s: "x" + i });
        if (kept.length > 200000) kept = [];
      }
      const young = v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space");
      process.stdout.write(String(young.space_size / 2 ** 20));
    });`;
  return Number(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" }));
}

describe("the daemon's heap settings", () => {
  it("keep the young generation small after a Worker started (which resets V8's growth factor), where V8 grows it to 32 MiB", () => {
    expect(youngGenerationAfterBurst(false)).to.equal(32);
    expect(youngGenerationAfterBurst(true)).to.be.at.most(4);
  });
});
