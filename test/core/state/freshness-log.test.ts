import { expect } from "chai";
import { RecordingStore } from "./command-kit";
import type { Clock } from "../../../core/clock";
import { SelfStats } from "../../../core/metrics/self-stats";
import type { CheckResult } from "../../../core/model/check-result";
import { OUTDATE_CHUNK, OUTDATED_NAMED } from "../../../core/state/freshness";
import { StateEngine } from "../../../core/state/state-engine";
import { EMPTY_STORED_STATE } from "../../../core/store/state-store";
import { RecordingLogger } from "../../helpers/recording-logger";

const T0 = 1_764_100_000;

function result(hostname: string, check: string, timestamp: number, interval = 60): CheckResult {
  return Object.freeze({
    hostname,
    check,
    status: 0,
    output: "fine",
    longOutput: "",
    perfData: "",
    timestamp,
    interval,
    contacts: [],
    hostgroups: [],
    servicegroups: [],
    customVariables: {},
  });
}

describe("Freshness: the log line of checks outdated", () => {
  let now: number;
  const clock: Clock = { now: () => now * 1000 };
  let log: RecordingLogger;
  let engine: StateEngine;

  beforeEach(async () => {
    now = T0;
    log = new RecordingLogger();
    engine = new StateEngine({ freshness_factor: 2, freshness_check_interval: 1000 }, clock, log, new SelfStats().of("(state)"));
    await engine.attachStore(new RecordingStore({ ...EMPTY_STORED_STATE }));
  });

  const outdatedLines = () => log.lines.filter((l) => l.msg.includes("outdated"));

  it("names the first checks as host;service (a host's own check by the host), then counts the rest", async () => {
    const names = ["web1;disk", "web1;load", "web2;disk", "web2;load", "web3;disk", "web3;load", "db1;disk"];
    await engine.write([...names.map((n) => result(n.split(";")[0]!, n.split(";")[1]!, T0)), result("db1", "Host", T0)]);
    now = T0 + 120;
    engine.tick();
    await engine.flush();
    const [line, ...others] = outdatedLines();
    expect(others).to.have.length(0);
    expect(line!.fields.checks).to.equal(8);
    const first = line!.fields.first as string[];
    expect(first).to.have.length(OUTDATED_NAMED);
    expect([...names, "db1"]).to.include.members(first);
    expect(line!.msg).to.equal(`8 checks outdated (no result for freshness_factor × interval): ${first.join(", ")} and 3 more`);
  });

  it("names them all, without a count of more, when there are few", async () => {
    await engine.write([result("web1", "disk", T0), result("web1", "load", T0, 600)]);
    now = T0 + 120;
    engine.tick();
    await engine.flush();
    expect(outdatedLines().map((l) => l.msg)).to.deep.equal(["1 check outdated (no result for freshness_factor × interval): web1;disk"]);
    expect(outdatedLines()[0]!.fields).to.deep.include({ checks: 1, first: ["web1;disk"] });
  });

  it("writes one line for checks outdated over several loop turns, naming the first ones due", async () => {
    const count = OUTDATE_CHUNK + 100;
    await engine.write(Array.from({ length: count }, (_, i) => result(`h${i}`, "c", T0 + i / count)));
    now = T0 + 121;
    engine.tick();
    expect(outdatedLines(), "none before the wave ends").to.have.length(0);
    for (let turn = 0; turn < 3; turn++) await new Promise((r) => setImmediate(r));
    await engine.flush();
    expect(outdatedLines().map((l) => l.fields)).to.deep.equal([{ checks: count, first: ["h0;c", "h1;c", "h2;c", "h3;c", "h4;c"] }]);
  });
});
