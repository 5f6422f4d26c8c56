import { expect } from "chai";
import { parseGraphiteLine } from "./graphite-line";

const NOW = 1_700_000_100;
const parse = (line: string | Buffer) => parseGraphiteLine(typeof line === "string" ? Buffer.from(line) : line, NOW);

describe("graphite lines", () => {
  it("accepts what Diamond, collectd and Telegraf write", () => {
    expect(parse("servers.web1.loadavg.01 0.52 1700000000")).to.deep.equal({
      ok: true,
      metric: { path: "servers.web1.loadavg.01", value: 0.52, timestamp: 1_700_000_000 },
    });
    // tabs and runs of blanks, leading and trailing blanks
    expect(parse(" a.b\t12  1700000000 ")).to.deep.include({ ok: true });
    expect(parse("a.b 1e3 1700000000")).to.deep.equal({ ok: true, metric: { path: "a.b", value: 1000, timestamp: 1_700_000_000 } });
    expect(parse("a.b -4.2 1700000000")).to.deep.include({ ok: true });
    // fractional seconds floored, -1 is now (carbon)
    expect(parse("a.b 1 1700000000.7")).to.deep.equal({ ok: true, metric: { path: "a.b", value: 1, timestamp: 1_700_000_000 } });
    expect(parse("a.b 1 -1")).to.deep.equal({ ok: true, metric: { path: "a.b", value: 1, timestamp: NOW } });
  });

  it("rejects the bad cases of inputs.md §4.4 with a stable key", () => {
    const cases: [string | Buffer, string][] = [
      ["a.b 1", "fields"],
      ["a.b 1 2 3", "fields"],
      ['{"hostname":"x"}', "fields"],
      ["a.b inf 1700000000", "value"],
      ["a.b -Infinity 1700000000", "value"],
      ["a.b 1,5 1700000000", "value"],
      ["a.b 0x10 1700000000", "value"],
      ["a.b 1 0", "timestamp"],
      ["a.b 1 -5", "timestamp"],
      ["a.b 1 abc", "timestamp"],
      ["a.b 1 1700000000000", "timestamp_future"],
      [Buffer.from([0x61, 0x2e, 0x62, 0xff, 0x20, 0x31, 0x20, 0x32]), "invalid_utf8"],
      [Buffer.from([0x61, 0xc3, 0x28, 0x20, 0x31, 0x20, 0x32]), "invalid_utf8"],
      ["a\u0001b 1 1700000000", "path"],
    ];
    for (const [line, key] of cases) expect(parse(line), String(line)).to.deep.include({ ok: false, key });
    expect(parse("a.b 1 1700000000000")).to.have.property("reason").that.includes("milliseconds");
    expect(parse('{"hostname":"x"}')).to.have.property("reason").that.includes("JSON");
  });

  it("drops NaN quietly (Diamond prints nan for what it could not compute)", () => {
    expect(parse("a.b nan 1700000000")).to.deep.include({ ok: false, key: "nan", quiet: true });
    expect(parse("a.b NaN 1700000000")).to.deep.include({ ok: false, key: "nan" });
  });

  it("accepts UTF-8 paths", () => {
    expect(parse("a.caf\u00e9 1 1700000000")).to.deep.include({ ok: true });
  });
});
