import { expect } from "chai";
import type { CheckResult } from "../../../core/model/check-result";
import { normalizeResult } from "../../../core/model/normalize-result";
import { parseServer } from "./central-server";
import { resultLine, TimestampSequencer } from "./result-line";

const T = 1_764_100_000;

function result(over: Partial<CheckResult> = {}): CheckResult {
  return {
    hostname: "web1",
    check: "disk /",
    status: 1,
    output: "DISK WARNING - 9% free",
    longOutput: "per mount:\n/ 91%",
    perfData: "/=91%;80;90 /var=10%",
    timestamp: T + 0.25,
    interval: 300,
    contacts: ["ops"],
    hostgroups: ["web"],
    servicegroups: ["disks"],
    customVariables: { SITE: "paris", RACK: "12" },
    ...over,
  };
}

/** What the central line input makes of the line. */
function parsedBack(line: string): CheckResult {
  expect(line.endsWith("\n")).to.equal(true);
  expect(line.slice(0, -1)).not.to.contain("\n");
  const n = normalizeResult(JSON.parse(line), T * 1000);
  if (!n.ok) throw new Error(n.reason);
  return n.result;
}

describe("forwarder: a result as the line input's JSON line", () => {
  it("is parsed back by the line input as the same result (output, long output, perfdata, lists, custom variables)", () => {
    for (const r of [
      result(),
      result({ longOutput: "", perfData: "" }),
      result({ longOutput: "only long", perfData: "" }),
      result({ longOutput: "", perfData: "t=1s", contacts: [], hostgroups: [], servicegroups: [], customVariables: {} }),
      result({ check: "Host", status: 2, output: "" }),
    ])
      expect(parsedBack(resultLine(r))).to.deep.equal(r);
  });

  it("carries the timestamp it is given", () => {
    expect(parsedBack(resultLine(result(), T + 0.000001)).timestamp).to.equal(T + 0.000001);
  });
});

describe("forwarder: timestamps strictly increasing per check", () => {
  it("moves a result of the same timestamp as its check's previous one just past it, and the next ones past that", () => {
    const s = new TimestampSequencer();
    const stamps = [T, T, T, T + 1, T + 1].map((t) => s.next(result({ timestamp: t })));
    for (let i = 1; i < stamps.length; i++) expect(stamps[i]!, `stamp ${i}`).to.be.greaterThan(stamps[i - 1]!);
    expect(stamps[0]).to.equal(T);
    expect(stamps[3]).to.equal(T + 1);
    expect(stamps[4]! - (T + 1)).to.be.closeTo(1e-6, 1e-7);
  });

  it("leaves other checks and truly older results alone", () => {
    const s = new TimestampSequencer();
    expect(s.next(result({ timestamp: T + 5 }))).to.equal(T + 5);
    expect(s.next(result({ check: "other", timestamp: T + 5 }))).to.equal(T + 5);
    expect(s.next(result({ timestamp: T + 2 }))).to.equal(T + 2); // older: the central side ignores it either way
    expect(s.next(result({ timestamp: T + 5 }))).to.be.greaterThan(T + 5);
  });

  it("forgets the least recently seen check beyond its bound", () => {
    const s = new TimestampSequencer(2);
    s.next(result({ check: "a", timestamp: T }));
    s.next(result({ check: "b", timestamp: T }));
    s.next(result({ check: "c", timestamp: T }));
    expect(s.next(result({ check: "a", timestamp: T }))).to.equal(T); // forgotten
    expect(s.next(result({ check: "c", timestamp: T }))).to.be.greaterThan(T);
  });
});

describe("forwarder: servers option", () => {
  it("reads host:port and [v6]:port, and says what is wrong otherwise", () => {
    expect(parseServer("central.example:2003")).to.deep.equal({ host: "central.example", port: 2003, label: "central.example:2003" });
    expect(parseServer("[::1]:2003")).to.deep.equal({ host: "::1", port: 2003, label: "[::1]:2003" });
    expect(parseServer("central")).to.contain("is not host:port");
    expect(parseServer("a:0")).to.contain("from 1 to 65535");
    expect(parseServer("[zz]:1")).to.contain("is not host:port");
  });
});
