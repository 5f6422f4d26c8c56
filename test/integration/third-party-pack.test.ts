/**
 * What `npm pack` ships and what the `exports` map lets a plugin import: the API entry,
 * tantale/testing, tantale/package.json and the new-plugin templates; no compiled tests,
 * no test helpers, no fixtures; deep imports refused.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import Module from "node:module";
import path from "node:path";
import { expect } from "chai";
import { NEW_PLUGIN_KINDS } from "../../core/cli/new-plugin";
import { REPO_ROOT } from "../helpers/tantale-process";
import { cleanupTempDirs, makeTempDir } from "../helpers/temp-dir";

describe("the npm package", function () {
  this.timeout(60_000);
  let files: string[];

  before(() => {
    // --ignore-scripts: `prepare` would rebuild dist/ under the running tests.
    const r = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: REPO_ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    expect(r.status, r.stderr).to.equal(0);
    const [report] = JSON.parse(r.stdout) as { files: { path: string }[] }[];
    files = report!.files.map((f) => f.path);
  });
  after(() => cleanupTempDirs());

  it("ships no test files, test helpers or fixtures", () => {
    expect(files.length).to.be.greaterThan(100);
    const tests = files.filter((f) => /(^|\/)(test|tests|fixtures?|__tests__)\//.test(f) || /\.(test|spec)\.[cm]?[jt]s/.test(f) || /(^|\/)test-[^/]*$/.test(f));
    expect(tests).to.deep.equal([]);
  });

  it("ships what the exports map points at, and the new-plugin templates", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { exports: Record<string, string | Record<string, string>> };
    const targets = Object.values(manifest.exports).flatMap((t) => (typeof t === "string" ? [t] : Object.values(t)));
    for (const target of targets) expect(files, target).to.include(target.replace(/^\.\//, ""));
    for (const kind of NEW_PLUGIN_KINDS) {
      for (const file of ["kind.json", "index.ts.tmpl", "schema.ts.tmpl", "check.mjs.tmpl", "example.conf.tmpl"])
        expect(files).to.include(`core/cli/new-plugin/templates/${kind}/${file}`);
    }
    expect(files).to.include("bin/tantale");
  });

  it("lets a plugin import tantale, tantale/testing and tantale/package.json, and nothing deeper", () => {
    const dir = makeTempDir("tantale-exports-");
    fs.mkdirSync(path.join(dir, "node_modules"));
    fs.symlinkSync(REPO_ROOT, path.join(dir, "node_modules", "tantale"), "dir");
    const req = Module.createRequire(path.join(dir, "index.js"));
    expect(fs.realpathSync(req.resolve("tantale"))).to.equal(path.join(REPO_ROOT, "dist", "core", "index.js"));
    expect(fs.realpathSync(req.resolve("tantale/testing"))).to.equal(path.join(REPO_ROOT, "dist", "core", "testing", "index.js"));
    expect(fs.realpathSync(req.resolve("tantale/package.json"))).to.equal(path.join(REPO_ROOT, "package.json"));
    expect(() => req.resolve("tantale/dist/core/tokens.js")).to.throw(/is not defined by "exports"/);
  });
});
