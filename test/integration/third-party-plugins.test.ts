/**
 * The README's "Writing a plugin" section, run as an author and a user would on a machine
 * where `tantale` is on no registry: three packages (the heartbeat input, the csv output,
 * the summary table) made from its blocks, built with its steps, packed and installed into a
 * plugin dir from the tarballs (npm offline: no registry may be needed), then from their
 * folders (symlinks), enabled by its conf files and seen working in a running daemon.
 */
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { authorEnv, block, mustRun, poll, readmeBlocks, writeFile, type MarkedBlock } from "../helpers/author-workspace";
import { portZeroConf, startDaemon, type DaemonPorts } from "../helpers/daemon-on-port-zero";
import { exchange } from "../helpers/livestatus-client";
import { LineClient } from "../helpers/net";
import type { ForegroundTantale } from "../helpers/tantale-process";
import { cleanupTempDirs, makeTempDir } from "../helpers/temp-dir";

const PLUGINS = ["heartbeat", "csv", "summary"] as const;

/** A README text written for heartbeat, for another of the plugins ("with heartbeat replaced by csv"). */
function forPlugin(text: string, name: string): string {
  return text.replaceAll("heartbeat", name);
}

describe("third-party plugins made from the README's steps", function () {
  this.timeout(180_000);
  let blocks: MarkedBlock[];
  let work: string;
  let daemon: ForegroundTantale | undefined;

  before(async () => {
    blocks = readmeBlocks();
    work = makeTempDir("tantale-author-");
    for (const name of PLUGINS) {
      const dir = `tantale-plugin-${name}`;
      writeFile(work, `${dir}/package.json`, forPlugin(block(blocks, "file", "tantale-plugin-heartbeat/package.json"), name));
      writeFile(work, `${dir}/tsconfig.json`, block(blocks, "file", "tantale-plugin-heartbeat/tsconfig.json"));
      writeFile(work, `${dir}/src/index.ts`, block(blocks, "file", `${dir}/src/index.ts`));
    }
    // Built side by side, each with its own npm install and tsc, as three authors would.
    await Promise.all(PLUGINS.map((name) => mustRun(forPlugin(block(blocks, "step", "build"), name), work, authorEnv())));
  });

  afterEach(async () => {
    await daemon?.kill();
    daemon = undefined;
  });
  after(() => cleanupTempDirs());

  /** The README's conf files, plus the line input, Livestatus and SQLite on port 0; the daemon started on them. */
  async function startSite(): Promise<DaemonPorts> {
    const conf = path.join(work, "conf.d");
    fs.rmSync(conf, { recursive: true, force: true });
    for (const [name, text] of Object.entries(portZeroConf())) writeFile(conf, name, text);
    for (const b of blocks.filter((x) => x.kind === "file" && x.arg.startsWith("conf.d/"))) writeFile(work, b.arg, b.text);
    const checked = await mustRun(block(blocks, "step", "check-config"), work, authorEnv());
    for (const name of PLUGINS) expect(checked).to.match(new RegExp(`^${name} +${name} +\\w+ +npm tantale-plugin-${name}@1\\.0\\.0$`, "m"));
    const started = await startDaemon(conf, path.join(work, "data"));
    daemon = started.t;
    return started.ports;
  }

  /** What the README says the daemon shows: heartbeat's service, the csv line, the summary row. */
  async function expectWhatTheReadmeShows(ports: DaemonPorts): Promise<void> {
    const requests = blocks.filter((b) => b.kind === "livestatus-request").map((b) => b.text);
    const answers = blocks.filter((b) => b.kind === "livestatus-answer").map((b) => b.text);
    expect(requests).to.have.length(2);
    // heartbeat files its first result one interval after the start.
    await poll("heartbeat's service over Livestatus", async () => {
      const answer = await exchange(ports.livestatus, `${requests[0]!}\n`);
      return answer === answers[0] ? answer : undefined;
    });
    const client = await LineClient.connect(ports.line);
    try {
      for (const line of block(blocks, "line-input").trimEnd().split("\n")) client.send(line);
      client.send("SYNC");
      expect(await client.next(10_000)).to.equal("SYNCED");
    } finally {
      client.socket.destroy();
    }
    const csvFile = path.join(work, "data", "results.csv");
    const expected = block(blocks, "data-file", "results.csv");
    await poll("the csv output's line", () => (fs.existsSync(csvFile) && fs.readFileSync(csvFile, "utf8").includes(expected) ? true : undefined));
    expect(await exchange(ports.livestatus, `${requests[1]!}\n`)).to.equal(answers[1]);
  }

  it("installs each from a tarball made by npm pack, without any registry, and runs them in a daemon", async () => {
    for (const name of PLUGINS) await mustRun(forPlugin(block(blocks, "step", "install-tarball"), name), work, authorEnv({ offline: true }));
    for (const name of PLUGINS) {
      const installed = path.join(work, "plugins", "node_modules", `tantale-plugin-${name}`);
      expect(fs.lstatSync(installed).isDirectory(), `${installed} is a copy`).to.equal(true);
      // What npm pack shipped: the build and the manifest, not the sources.
      expect(fs.existsSync(path.join(installed, "dist", "index.js"))).to.equal(true);
      expect(fs.existsSync(path.join(installed, "src"))).to.equal(false);
    }
    await expectWhatTheReadmeShows(await startSite());
  });

  it("installs each from its folder (a symlink to the author's copy, with its own node_modules) and runs them in a daemon", async () => {
    fs.rmSync(path.join(work, "plugins"), { recursive: true, force: true });
    fs.rmSync(path.join(work, "data"), { recursive: true, force: true });
    for (const name of PLUGINS) await mustRun(forPlugin(block(blocks, "step", "install-folder"), name), work, authorEnv({ offline: true }));
    for (const name of PLUGINS) {
      const installed = path.join(work, "plugins", "node_modules", `tantale-plugin-${name}`);
      expect(fs.lstatSync(installed).isSymbolicLink(), `${installed} is a symlink`).to.equal(true);
      // The author's folder holds its own tantale link and tools: the daemon must not mind them.
      expect(fs.existsSync(path.join(installed, "node_modules", "tantale", "package.json"))).to.equal(true);
    }
    await expectWhatTheReadmeShows(await startSite());
  });
});
