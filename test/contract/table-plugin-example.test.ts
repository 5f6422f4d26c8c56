import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import ts from "typescript";
import { portZeroConf, startDaemon } from "../helpers/daemon-on-port-zero";
import { exchange } from "../helpers/livestatus-client";
import { LineClient } from "../helpers/net";
import { REPO_ROOT, type ForegroundTantale } from "../helpers/tantale-process";
import { cleanupTempDirs, makeConfDir, makeTempDir } from "../helpers/temp-dir";

const DOC = path.join(REPO_ROOT, "docs", "writing-table-plugins.md");

/** The TypeScript block that follows the `<!-- example:` marker of the table-plugin guide. */
function exampleSource(): string {
  const text = fs.readFileSync(DOC, "utf8");
  const marker = text.indexOf("<!-- example:");
  expect(marker, "the example marker in docs/writing-table-plugins.md").to.be.greaterThan(-1);
  const found = /```ts\n([\s\S]*?)```/.exec(text.slice(marker));
  if (found?.[1] === undefined) return expect.fail("no ```ts block after the example marker");
  return found[1];
}

/**
 * Type-checks the example as an author's `tsc` would (strict, `tantale` resolved to the
 * package's declared entry) and returns it as CommonJS; fails with the compiler's messages.
 */
function compileExample(source: string, dir: string): string {
  const file = path.join(dir, "index.ts");
  fs.writeFileSync(file, source);
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    strict: true,
    noUncheckedIndexedAccess: true,
    esModuleInterop: true,
    skipLibCheck: true,
    types: [],
    outDir: path.join(dir, "out"),
    baseUrl: dir,
    // What `npm install` of a plugin gives: `tantale` as a package whose types are its declared entry.
    paths: { tantale: [path.join(REPO_ROOT, "dist", "core", "index.d.ts")] },
  };
  const program = ts.createProgram([file], options);
  const emitted = program.emit();
  const problems = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics].map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  expect(problems, "compiler errors in the guide's example").to.deep.equal([]);
  return fs.readFileSync(path.join(dir, "out", "index.js"), "utf8");
}

describe("the table-plugin guide's example (docs/writing-table-plugins.md)", function () {
  this.timeout(90_000);
  let t: ForegroundTantale | undefined;
  let ls = 0;

  before(async () => {
    // An installed plugin package in a plugin_dir, as `npm install` would leave it.
    const pluginDir = makeTempDir();
    const pkg = path.join(pluginDir, "node_modules", "tantale-plugin-problems");
    fs.mkdirSync(pkg, { recursive: true });
    fs.writeFileSync(path.join(pkg, "index.js"), compileExample(exampleSource(), makeTempDir()));
    fs.writeFileSync(
      path.join(pkg, "package.json"),
      JSON.stringify({ name: "tantale-plugin-problems", version: "1.0.0", main: "index.js", keywords: ["tantale-plugin"], peerDependencies: { tantale: "*" } }),
    );
    const conf = makeConfDir({ ...portZeroConf(), "tantale.conf": `plugin_dir = ${pluginDir}\n`, "problems.conf": "min_state = 2\n" });
    const started = await startDaemon(conf, makeTempDir());
    t = started.t;
    ls = started.ports.livestatus;
    const now = Math.floor(Date.now() / 1000);
    const client = await LineClient.connect(started.ports.line);
    const send = (o: object) => client.send(JSON.stringify({ timestamp: now - 1800, interval: 60, ...o }));
    send({ hostname: "web1", check: "disk", status: 2, output: "disk full", contacts: ["alice"] });
    send({ hostname: "web1", check: "load", status: 1, output: "load high", contacts: ["alice"] });
    send({ hostname: "db1", check: "mysql", status: 3, output: "no answer", contacts: ["bob"] });
    send({ hostname: "db1", check: "backup", status: 0, output: "done", contacts: ["bob"] });
    client.send("SYNC");
    expect(await client.next(20_000)).to.match(/^SYNCED/);
    client.close();
  });
  after(async () => {
    await t?.kill();
    cleanupTempDirs();
  });

  it("is served by the daemon: the services at or above the configured min_state", async () => {
    const body = await exchange(ls, "GET problems\nColumns: host_name description state\nOutputFormat: json\n\n", 20_000);
    expect(JSON.parse(body)).to.deep.equal([
      ["web1", "disk", 2],
      ["db1", "mysql", 3],
    ]);
  });

  it("has its columns typed as declared, its prefix and its key column", async () => {
    const body = await exchange(ls, "GET problems\nColumns: problem_host_name since age\nFilter: host_name = db1\nOutputFormat: json\n\n", 20_000);
    const rows = JSON.parse(body) as [string, number, number][];
    expect(rows).to.have.length(1);
    const [host, since, age] = rows[0]!;
    expect(host).to.equal("db1");
    expect(Number.isInteger(since)).to.equal(true);
    expect(age).to.be.within(1790, 1800 + 600);
  });

  it("applies its AuthUser rule", async () => {
    const body = await exchange(ls, "GET problems\nColumns: host_name description\nAuthUser: bob\nOutputFormat: json\n\n", 20_000);
    expect(JSON.parse(body)).to.deep.equal([["db1", "mysql"]]);
  });

  it("lists its columns in the columns table", async () => {
    const body = await exchange(ls, "GET columns\nColumns: name type\nFilter: table = problems\nOutputFormat: json\n\n", 20_000);
    expect(JSON.parse(body)).to.deep.equal([
      ["host_name", "string"],
      ["description", "string"],
      ["state", "int"],
      ["since", "time"],
      ["age", "int"],
    ]);
  });
});
