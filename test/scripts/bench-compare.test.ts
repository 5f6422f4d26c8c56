import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { benchCompare, parseCompareArgs } from "../../scripts/bench/compare";
import { FloorServer } from "../../scripts/bench/floor-server";
import { peerUnavailable } from "../../scripts/bench/icinga2-peer";
import { LivestatusClient } from "../helpers/livestatus-client";
import { cleanupTempDirs, makeTempDir } from "../helpers/temp-dir";

describe("npm run bench -- compare: options and the peer's absence", function () {
  after(cleanupTempDirs);

  it("defaults to 1000 × 20 and the peer scripts in ../shared/peer from the project root", () => {
    const o = parseCompareArgs([], {}, path.join("/", "x", "project"));
    expect(o).to.deep.include({ hosts: 1000, services: 20, runs: 11, warmup: 2, warmRounds: 5, nodeFlags: [] });
    expect(o.peer).to.equal(path.join("/", "x", "shared", "peer"));
  });

  it("takes --name value options, and BENCH_PEER when --peer is not given", () => {
    const root = path.join("/", "x", "project");
    const o = parseCompareArgs(["--hosts", "10", "--services", "3", "--runs", "5"], { BENCH_PEER: "/elsewhere/peer" }, root);
    expect(o).to.deep.include({ hosts: 10, services: 3, runs: 5, peer: path.resolve("/elsewhere/peer") });
    expect(parseCompareArgs(["--peer", "p"], { BENCH_PEER: "/elsewhere/peer" }, root).peer).to.equal(path.join(root, "p"));
    expect(parseCompareArgs(["--node-flags", "--cpu-prof  --cpu-prof-dir=prof"], {}).nodeFlags).to.deep.equal(["--cpu-prof", "--cpu-prof-dir=prof"]);
  });

  it("refuses an unknown option, a missing value and a count that is not a positive whole number", () => {
    expect(() => parseCompareArgs(["--host", "10"], {})).to.throw(/unknown option "--host"[\s\S]*usage/);
    expect(() => parseCompareArgs(["--hosts"], {})).to.throw(/--hosts needs a value/);
    expect(() => parseCompareArgs(["--hosts", "0"], {})).to.throw(/positive whole number/);
  });

  it("says why the peer cannot run: no setup script, or no icinga2 on the PATH", () => {
    const scripts = makeTempDir("tantale-peer-scripts-");
    expect(peerUnavailable(scripts, "")).to.match(/^no icinga2-setup\.sh in .*--peer DIR or BENCH_PEER/);
    fs.writeFileSync(path.join(scripts, "icinga2-setup.sh"), "#!/bin/sh\nexit 1\n");
    const bin = makeTempDir("tantale-path-");
    expect(peerUnavailable(scripts, bin)).to.match(/^icinga2 is not installed/);
    fs.writeFileSync(path.join(bin, "icinga2"), "");
    expect(peerUnavailable(scripts, bin)).to.equal(undefined);
  });

  it("without the peer, runs the real daemon alone and says why", async function () {
    this.timeout(120_000);
    const noPeer = makeTempDir("tantale-no-peer-");
    const out = await benchCompare(["--hosts", "3", "--services", "2", "--runs", "1", "--warmup", "1", "--warm-rounds", "1", "--peer", noPeer]);
    expect(out).to.contain(`icinga2 peer skipped: no icinga2-setup.sh in ${noPeer}`);
    expect(out).to.contain("Tantale's figures alone");
    // Tantale's time, then the floor's (the bare server answering the same bytes).
    expect(out).to.match(/\| full services table \(4 columns, json\) \| [\d.]+ ms \| [\d.]+ ms \|/);
    expect(out).to.match(/\| KeepAlive round trip .* \| [\d.]+ ms \| [\d.]+ ms \|/);
    expect(out).not.to.contain("icinga2 |");
  });

  it("when icinga2 does not come up, says so with what the setup script said, and runs Tantale alone", async function () {
    this.timeout(120_000);
    const scripts = makeTempDir("tantale-peer-scripts-");
    fs.writeFileSync(path.join(scripts, "icinga2-setup.sh"), "#!/bin/sh\necho 'config validation failed' >&2\nexit 1\n", { mode: 0o755 });
    fs.writeFileSync(path.join(scripts, "stop.sh"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    const bin = makeTempDir("tantale-path-");
    fs.writeFileSync(path.join(bin, "icinga2"), "", { mode: 0o755 });
    const savedPath = process.env.PATH;
    process.env.PATH = `${bin}${path.delimiter}${savedPath ?? ""}`;
    try {
      const out = await benchCompare(["--hosts", "2", "--services", "1", "--runs", "1", "--warmup", "1", "--warm-rounds", "1", "--peer", scripts]);
      expect(out).to.match(/^icinga2 peer not started: icinga2-setup\.sh 2 1 \d+ failed \(exit 1\): config validation failed$/m);
      expect(out).to.contain("Tantale's figures alone");
    } finally {
      process.env.PATH = savedPath;
    }
  });

  it("has a floor server answering each request with its given bytes: ended, or kept open with KeepAlive", async () => {
    const floor = await FloorServer.start();
    try {
      const fresh = "GET hosts\nColumns: name\n\n";
      const kept = "GET hosts\nKeepAlive: on\nResponseHeader: fixed16\n\n";
      await floor.answer(fresh, Buffer.from("web1\n"));
      const body = '[["web1"]]\n';
      await floor.answer(kept, Buffer.from(`200 ${String(body.length).padStart(11)}\n${body}`));
      const client = await LivestatusClient.connect(floor.port);
      try {
        client.send(kept);
        expect((await client.answer(5000)).body).to.equal('[["web1"]]\n');
        client.send(kept);
        expect((await client.answer(5000)).body).to.equal('[["web1"]]\n', "the connection stays open");
      } finally {
        client.destroy();
      }
      const other = await LivestatusClient.connect(floor.port);
      other.send(fresh);
      expect(await other.rest(5000)).to.equal("web1\n");
    } finally {
      await floor.stop();
    }
  });
});
