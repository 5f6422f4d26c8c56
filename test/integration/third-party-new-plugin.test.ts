/**
 * `tantale new-plugin`, run as the README says: a package of each kind is generated,
 * installed (npm, TypeScript from its cache or the registry, tantale linked), and passes its
 * own `npm test` (a daemon of this Tantale with the plugin, through tantale/testing); then
 * the three are packed, installed into a plugin dir without any registry, enabled with their
 * example conf files and seen working in one running daemon.
 */
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { authorEnv, block, mustRun, poll, readmeBlocks, writeFile } from "../helpers/author-workspace";
import { portZeroConf, startDaemon } from "../helpers/daemon-on-port-zero";
import { exchange } from "../helpers/livestatus-client";
import { LineClient } from "../helpers/net";
import { runTantale, type ForegroundTantale } from "../helpers/tantale-process";
import { cleanupTempDirs, makeTempDir } from "../helpers/temp-dir";

const KINDS = ["input", "output", "table"] as const;
/** The README's step names `beacon`, an input; the other kinds get names of their own. */
const NAMES: Readonly<Record<(typeof KINDS)[number], string>> = { input: "beacon", output: "beacon-out", table: "beacon-table" };

describe("tantale new-plugin", function () {
  this.timeout(180_000);
  let work: string;
  let daemon: ForegroundTantale | undefined;

  before(() => {
    work = makeTempDir("tantale-new-plugin-");
  });
  after(async () => {
    await daemon?.kill();
    cleanupTempDirs();
  });

  it("writes a package of each kind that installs and passes its own npm test, as the README's steps say", async () => {
    const step = block(readmeBlocks(), "step", "new-plugin");
    expect(step).to.include("tantale new-plugin beacon --kind input");
    const outputs = await Promise.all(
      KINDS.map((kind) => mustRun(step.replaceAll("--kind input", `--kind ${kind}`).replaceAll("beacon", NAMES[kind]), work, authorEnv())),
    );
    for (const [i, kind] of KINDS.entries()) {
      expect(outputs[i], `${kind}: npm test`).to.match(/^# pass 1$/m);
      expect(outputs[i], `${kind}: npm test`).to.match(/^# fail 0$/m);
    }
    const dir = path.join(work, "tantale-plugin-beacon");
    for (const file of [
      "package.json",
      "tsconfig.json",
      "src/index.ts",
      "src/schema.ts",
      "README.md",
      "beacon.conf",
      "test/plugin.test.mjs",
      "dist/index.js",
    ]) {
      expect(fs.existsSync(path.join(dir, file)), file).to.equal(true);
    }
    // The README's options table is the schema's.
    const readme = fs.readFileSync(path.join(dir, "README.md"), "utf8");
    expect(readme).to.include("| `hostname` | `localhost` | string | Host the results are filed under. |");
    expect(readme).to.include("| `interval` | `1m` | duration, at least 1s | Time between two results. |");
    expect(fs.readFileSync(path.join(work, "tantale-plugin-beacon-out", "README.md"), "utf8")).to.include("| `batch_size` | `1000` | integer, at least 1 |");
  });

  it("makes packages a user installs from npm pack tarballs, enables with their example conf and sees working in a daemon", async () => {
    const conf = path.join(work, "conf.d");
    for (const [name, text] of Object.entries(portZeroConf({ tantale: "plugin_dir = ../plugins\n" }))) writeFile(conf, name, text);
    for (const kind of KINDS) {
      const pkg = `tantale-plugin-${NAMES[kind]}`;
      await mustRun(`(cd ${pkg} && npm pack) && npm install --prefix plugins ./${pkg}/${pkg}-0.1.0.tgz`, work, authorEnv({ offline: true }));
      fs.copyFileSync(path.join(work, pkg, `${NAMES[kind]}.conf`), path.join(conf, `${NAMES[kind]}.conf`));
    }
    const started = await startDaemon(conf, path.join(work, "data"));
    daemon = started.t;
    const { line, livestatus } = started.ports;
    // The input files its first result at start (example conf: host web1).
    await poll("the input's result", async () => {
      const answer = await exchange(livestatus, "GET services\nColumns: host_name description state plugin_output\nFilter: description = beacon\n\n");
      return answer === "" ? undefined : answer;
    }).then((answer) => expect(answer).to.equal("web1;beacon;0;BEACON OK\n"));
    const client = await LineClient.connect(line);
    try {
      client.send('{"hostname":"web1","check":"disk","status":2,"output":"DISK CRITICAL"}');
      client.send("SYNC");
      expect(await client.next(10_000)).to.equal("SYNCED");
    } finally {
      client.socket.destroy();
    }
    const csv = path.join(work, "data", "beacon-out.csv");
    await poll("the output's file", () => (fs.existsSync(csv) && fs.readFileSync(csv, "utf8").includes("web1;disk;2;DISK CRITICAL\n") ? true : undefined));
    const table = await exchange(livestatus, "GET beacon-table\nColumns: host_name services ok warning critical unknown\nFilter: host_name = web1\n\n");
    expect(table).to.equal("web1;2;1;0;1;0\n");
  });

  it("refuses a name that is not kebab-case, an unknown kind and a folder that is not empty, writing nothing", () => {
    const dir = makeTempDir("tantale-new-plugin-refused-");
    const bad = runTantale(["new-plugin", "My_Plugin", "--kind", "input"], { cwd: dir });
    expect(bad.status).to.equal(1);
    expect(bad.stderr).to.include('the name "My_Plugin" is not kebab-case');
    const kind = runTantale(["new-plugin", "x", "--kind", "filter"], { cwd: dir });
    expect(kind.status).to.not.equal(0);
    expect(kind.stderr).to.include("input, output, table");
    fs.writeFileSync(path.join(dir, "keep.txt"), "mine");
    const busy = runTantale(["new-plugin", "x", "--kind", "input", "--dir", "."], { cwd: dir });
    expect(busy.status).to.equal(1);
    expect(busy.stderr).to.include("exists and is not empty");
    expect(fs.readdirSync(dir)).to.deep.equal(["keep.txt"]);
  });
});
