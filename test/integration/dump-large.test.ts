import { spawn } from "node:child_process";
import fs from "node:fs";
import { expect } from "chai";
import { LARGE_STORE_T0, largeHostName, largeStoreCheck, writeLargeSqliteStore } from "../helpers/large-store";
import { REPO_ROOT, TANTALE_BIN, runTantale } from "../helpers/tantale-process";
import { cleanupTempDirs, makeConfDir, makeTempDir } from "../helpers/temp-dir";

const HOSTS = 10_000;
const SERVICES = 20;
/** Above what a dump that streams needs (about 125 MB here), well below what loading 200k checks took (about 335 MB). */
const PEAK_RSS_LIMIT_KIB = 220 * 1024;

/** The peak resident memory of a live process (VmHWM), in KiB. */
function peakRssKib(pid: number): number {
  const m = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  if (m === null) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(m[1]);
}

type Line = Record<string, unknown> & { type: string; hostname: string; check?: string; id?: number };

describe("tantale dump of a large store", function () {
  this.timeout(180_000);
  let conf: string;
  let data: string;

  before(async () => {
    conf = makeConfDir({ "sqlite.conf": "" });
    data = makeTempDir();
    expect((await writeLargeSqliteStore(data, HOSTS, SERVICES)).checks).to.equal(HOSTS * SERVICES + HOSTS / 2);
  });
  after(cleanupTempDirs);

  it("streams 205k checks in order, every line right, its memory flat (peak RSS bounded, not the store's size)", async () => {
    const child = spawn(process.execPath, [TANTALE_BIN, "dump", "--conf-dir", conf, "--data-dir", data], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    const expectedLines = HOSTS * (SERVICES + 1) + 2 * (HOSTS / 1000);
    let peak: number | undefined;
    let partial = "";
    let count = 0;
    let host = -1;
    let service = 0;
    const problems: string[] = [];
    const check = (line: Line) => {
      count++;
      if (line.type === "host") {
        host++;
        service = 0;
        const name = largeHostName(host);
        if (host % 2 === 0) expect(line).to.deep.equal({ type: "host", has_been_checked: 1, ...largeStoreCheck(host, -1) });
        else expect(line).to.deep.equal({ type: "host", hostname: name, has_been_checked: 0 });
      } else if (line.type === "service") {
        // Every line's place, every 7th line's whole content (deep equality of 200k objects is slow).
        if (line.hostname !== largeHostName(host) || line.check !== largeStoreCheck(host, service).check) problems.push(JSON.stringify(line).slice(0, 120));
        else if (count % 7 === 0) expect(line).to.deep.equal({ type: "service", ...largeStoreCheck(host, service) });
        service++;
      } else {
        expect(host % 1000, `${line.type} of ${line.hostname}`).to.equal(0);
        expect(service, "after the host's services").to.equal(SERVICES);
        expect(line).to.deep.include({ hostname: largeHostName(host), check: "service000", id: host / 1000 + 1, entryTime: LARGE_STORE_T0 });
      }
      // The reader has most of the dump: the writer is still at work, held by the pipe.
      if (count === Math.floor(expectedLines * 0.9)) peak = peakRssKib(child.pid!);
    };
    const types: string[] = [];
    for await (const chunk of child.stdout.setEncoding("utf8") as AsyncIterable<string>) {
      partial += chunk;
      const lines = partial.split("\n");
      partial = lines.pop()!;
      for (const l of lines) {
        const line = JSON.parse(l) as Line;
        if (line.type !== "service" && line.type !== "host") types.push(line.type);
        check(line);
      }
    }
    expect(await exited, stderr).to.equal(0);
    expect(partial).to.equal("");
    expect(problems).to.deep.equal([]);
    expect(count).to.equal(expectedLines);
    expect(host).to.equal(HOSTS - 1);
    expect(types.filter((t) => t === "downtime")).to.have.length(HOSTS / 1000);
    expect(types.filter((t) => t === "comment")).to.have.length(HOSTS / 1000);
    expect(peak, "peak RSS measured while the dump ran").to.be.a("number");
    console.log(`      dump of ${count} lines: peak RSS ${Math.round(peak! / 1024)} MiB at 90% of the output`);
    expect(peak!).to.be.below(PEAK_RSS_LIMIT_KIB);
  });

  it("dumps one host of it with --host, its downtime and comment after its services", () => {
    const r = runTantale(["dump", "--conf-dir", conf, "--data-dir", data, "--host", largeHostName(3000)]);
    expect(r.status, r.stderr).to.equal(0);
    const lines = r.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as Line);
    expect(lines.map((l) => l.type)).to.deep.equal(["host", ...Array<string>(SERVICES).fill("service"), "downtime", "comment"]);
    expect(lines[0]).to.deep.equal({ type: "host", has_been_checked: 1, ...largeStoreCheck(3000, -1) });
    expect(lines[1]).to.deep.equal({ type: "service", ...largeStoreCheck(3000, 0) });
  });

  it("stops quietly, exit 0, when its reader goes away (tantale dump | head)", async () => {
    const child = spawn(process.execPath, [TANTALE_BIN, "dump", "--conf-dir", conf, "--data-dir", data], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    const first = await new Promise<string>((resolve) => child.stdout.setEncoding("utf8").once("data", (c: string) => resolve(c)));
    child.stdout.destroy();
    expect(first).to.match(/^\{"type":"host"/);
    expect(await exited).to.equal(0);
    expect(stderr).to.equal("");
  });
});
