/**
 * The package as an operator installs it (issue 15, "Running in production"): `npm pack`,
 * then `npm install <tarball>` into a fresh folder, with npm's cache and no registry, no
 * TypeScript and no sources; then the installed `tantale` runs: `--version`, and the daemon
 * with the package's own conf.d (ports set to 0 by a copy) on a temp data dir, one result in
 * over the line socket and read back over Livestatus.
 *
 * better-sqlite3 and re2 are native. On a machine with internet access their install scripts
 * download a prebuilt binary; without it they compile (with a C++ compiler, about 20 minutes
 * of a loaded 2-core machine). This test gives them the binaries that `npm ci` compiled for
 * this repo, where their download would look (prebuild-install's local prebuilds, re2's
 * mirror variable), so that it takes a minute; CI's `npm ci` is the from-source build.
 * TANTALE_TEST_NATIVE_FROM_SOURCE=1 makes them compile here too.
 */
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { expect } from "chai";
import { LivestatusClient } from "../helpers/livestatus-client";
import { LineClient } from "../helpers/net";
import { authorEnv, mustRun } from "../helpers/author-workspace";
import { ForegroundTantale, REPO_ROOT } from "../helpers/tantale-process";
import { cleanupTempDirs, makeTempDir } from "../helpers/temp-dir";

const FROM_SOURCE = process.env.TANTALE_TEST_NATIVE_FROM_SOURCE === "1";

interface Manifest {
  readonly version: string;
  readonly dependencies: Record<string, string>;
}

const readManifest = (dir: string): Manifest => JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as Manifest;

/**
 * Where the native packages' install scripts find a binary instead of downloading one: the
 * builds of this repo's node_modules, of the versions package.json pins (else they compile).
 */
function nativeBinaries(dir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  const pinned = readManifest(REPO_ROOT).dependencies;
  const sqlite = path.join(REPO_ROOT, "node_modules", "better-sqlite3");
  if (readManifest(sqlite).version === pinned["better-sqlite3"]) {
    // prebuild-install's name: better-sqlite3-v<version>-node-v<abi>-<platform>-<arch>.tar.gz, holding build/Release/*.node.
    const tarball = `better-sqlite3-v${pinned["better-sqlite3"]}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
    execFileSync("tar", ["czf", path.join(dir, tarball), "-C", sqlite, "build/Release/better_sqlite3.node"]);
    env.npm_config_better_sqlite3_local_prebuilds = dir;
  }
  const re2 = path.join(REPO_ROOT, "node_modules", "re2");
  if (readManifest(re2).version === pinned.re2) {
    // install-from-cache: <mirror>/<platform>-<arch>-<abi>.gz, the mirror a folder.
    const binary = fs.readFileSync(path.join(re2, "build", "Release", "re2.node"));
    fs.writeFileSync(path.join(dir, `${process.platform}-${process.arch}-${process.versions.modules}.gz`), zlib.gzipSync(binary, { level: 1 }));
    Object.assign(env, { RE2_DOWNLOAD_MIRROR: dir, RE2_DOWNLOAD_SKIP_PATH: "1", RE2_DOWNLOAD_SKIP_VER: "1" });
  }
  return env;
}

/** One request on a fresh connection, its fixed16 answer's body parsed as JSON. */
async function query(port: number, request: string): Promise<unknown> {
  const client = await LivestatusClient.connect(port);
  try {
    client.send(`${request}OutputFormat: json\nResponseHeader: fixed16\n\n`);
    const a = await client.answer(30_000);
    expect(a.status, a.body).to.equal(200);
    return JSON.parse(a.body);
  } finally {
    client.destroy();
  }
}

describe("the package installed from its tarball", function () {
  this.timeout(FROM_SOURCE ? 3_600_000 : 600_000);
  this.slow(120_000);
  let app: string;
  let installed: string;
  const daemons: ForegroundTantale[] = [];

  before(async () => {
    const work = makeTempDir("tantale-package-");
    // Not offline: `npm ci` caches the dependencies' tarballs but not their registry documents,
    // which resolving the tarball's dependencies needs; a fresh machine has nothing else cached.
    const env = { ...authorEnv(), ...(FROM_SOURCE ? {} : nativeBinaries(makeTempDir("tantale-binaries-"))) };
    // --ignore-scripts: `prepare` would rebuild dist/ under the running tests (it is built: the tests run from it).
    const packed = (await mustRun(`npm pack --ignore-scripts --silent --pack-destination "${work}" "${REPO_ROOT}"`, work, env)).trim().split("\n").at(-1)!;
    app = path.join(work, "app");
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "ops", private: true }));
    // The operator's command (README, "Running in production"), npm's cache first.
    await mustRun(`npm install --no-save "${path.join(work, packed)}"`, app, env);
    installed = path.join(app, "node_modules", "tantale");
  });
  after(async () => {
    for (const d of daemons) await d.kill();
    cleanupTempDirs();
  });

  it("holds the build and the files an operator needs, and needed no TypeScript", () => {
    for (const f of [
      "bin/tantale",
      "dist/core/cli/main.js",
      "dist/plugins/index.js",
      "conf.d/sqlite.conf",
      "conf.d.client/forwarder.conf",
      "scripts/tantale.service",
    ])
      expect(fs.existsSync(path.join(installed, f)), f).to.equal(true);
    expect(fs.existsSync(path.join(installed, "core", "cli", "main.ts")), "sources").to.equal(false);
    expect(fs.existsSync(path.join(app, "node_modules", "typescript")), "typescript installed").to.equal(false);
    // The journal's JSON lines made readable (README): pino-pretty's bin comes with the package.
    expect(fs.existsSync(path.join(app, "node_modules", ".bin", "pino-pretty"))).to.equal(true);
  });

  it("runs npx tantale --version", async () => {
    // Not this repo's bin (authorEnv puts it on the PATH): the installed one.
    const env = { ...authorEnv({ offline: true }), PATH: [path.dirname(process.execPath), process.env.PATH ?? ""].join(path.delimiter) };
    const out = await mustRun("npx --no-install tantale --version", app, env);
    expect(out.trim()).to.equal(readManifest(REPO_ROOT).version);
  });

  it("starts on the package's conf.d and a fresh data dir, takes a result and answers Livestatus", async () => {
    // The shipped conf.d as it is, but its two ports: 0, so that the system picks free ones.
    const conf = makeTempDir("tantale-conf-");
    for (const f of fs.readdirSync(path.join(installed, "conf.d"))) {
      const text = fs.readFileSync(path.join(installed, "conf.d", f), "utf8");
      fs.writeFileSync(path.join(conf, f), f === "line.conf" || f === "livestatus.conf" ? text.replace(/^port = \d+$/m, "port = 0") : text);
    }
    const data = path.join(makeTempDir("tantale-var-"), "data");
    const child = spawn(path.join(app, "node_modules", ".bin", "tantale"), ["--foreground", "--conf-dir", conf, "--data-dir", data], {
      cwd: app,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const t = new ForegroundTantale(child);
    daemons.push(t);
    await t.waitForMessage("tantale started", 60_000);
    const portOf = async (instance: string, prefix: string) =>
      (await t.waitForLog((l) => l.instance === instance && typeof l.port === "number" && l.msg.startsWith(prefix), 1000)).port as number;
    const line = await LineClient.connect(await portOf("line", "listening on"));
    line.send(JSON.stringify({ hostname: "web1", check: "disk_root", status: 1, output: "DISK WARNING - 9% free" }));
    line.send("SYNC");
    expect(await line.next(30_000)).to.equal("SYNCED");
    line.socket.destroy();
    const rows = await query(
      await portOf("livestatus", "livestatus listening on"),
      "GET services\nColumns: host_name description state plugin_output\nFilter: host_name = web1\n",
    );
    expect(rows).to.deep.equal([["web1", "disk_root", 1, "DISK WARNING - 9% free"]]);
    expect(fs.existsSync(path.join(data, "tantale.db"))).to.equal(true);
    t.signal("SIGTERM");
    expect(await t.exit()).to.equal(0);
  });
});
