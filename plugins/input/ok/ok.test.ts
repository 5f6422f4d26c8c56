import { expect } from "chai";
import os from "node:os";
import type { CheckResult } from "../../../core/model/check-result";
import { silentLogger } from "../../../core/log/logger";
import type { Sink } from "../../../core/plugin/api";
import { OkInput } from "./ok-input";

describe("ok input: the heartbeat", () => {
  it("sends the Host check UP at start and every interval, with the interval as freshness", async () => {
    const results: CheckResult[] = [];
    let wake: () => void = () => undefined;
    const sink: Sink = {
      accept: (r) => {
        results.push(r);
        wake();
      },
      paused: false,
      onFlowChange: () => () => undefined,
      sync: () => Promise.resolve(),
    };
    // A short interval (the schema's minimum is 1s; the class takes what it is given).
    const input = new OkInput({ hostname: "", interval: 30, output: "Ok check", contacts: ["ops"] }, sink, silentLogger(), { now: () => Date.now() });
    await input.start();
    while (results.length < 3) await new Promise<void>((resolve) => (wake = resolve));
    await input.stop();
    const count = results.length;
    for (const r of results)
      expect(r).to.deep.include({ hostname: os.hostname(), check: "Host", status: 0, output: "Ok check", interval: 0.03, contacts: ["ops"] });
    // Stopped: no more beats, even after more than an interval.
    await new Promise((r) => setTimeout(r, 100));
    expect(results).to.have.length(count);
  });
});
