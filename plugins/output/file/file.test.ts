import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import type { CheckResult } from "../../../core/model/check-result";
import { cleanupTempDirs, makeTempDir } from "../../../test/helpers/temp-dir";
import { FileOutput } from "./file-output";

const result = (n: number): CheckResult =>
  Object.freeze({
    hostname: "web1",
    check: `c${n}`,
    status: n % 4,
    output: `out ${n}; with | pipe`,
    longOutput: "line2\nline3",
    perfData: "t=1s",
    timestamp: 1_764_100_000 + n,
    interval: 60,
    contacts: ["ops"],
    hostgroups: ["web"],
    servicegroups: [],
    customVariables: { site: "paris" },
  });

describe("file output (real files)", () => {
  after(cleanupTempDirs);

  it("appends each result as one JSON line, relative to the data dir, across restarts", async () => {
    const data = makeTempDir();
    const out = new FileOutput({ path: "sub/results.jsonl", fsync: true }, data);
    await out.start();
    await out.write([result(1), result(2)]);
    await out.stop();
    const again = new FileOutput({ path: "sub/results.jsonl", fsync: false }, data);
    await again.start();
    await again.write([result(3)]);
    await again.stop();
    await again.stop();
    const lines = fs.readFileSync(path.join(data, "sub", "results.jsonl"), "utf8").split("\n");
    expect(lines.pop()).to.equal("");
    expect(lines.map((l) => JSON.parse(l) as CheckResult)).to.deep.equal([result(1), result(2), result(3)]);
  });

  it("rejects a write when it is not started, so the core keeps the batch", async () => {
    const out = new FileOutput({ path: "x.jsonl", fsync: false }, makeTempDir());
    let error: unknown;
    await out.write([result(1)]).catch((e: unknown) => (error = e));
    expect(String(error)).to.contain("is not open");
  });
});
