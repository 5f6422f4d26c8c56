import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import type { CheckResult } from "../../../core/model/check-result";
import { silentLogger } from "../../../core/log/logger";
import { SelfStats } from "../../../core/metrics/self-stats";
import type { Sink } from "../../../core/plugin/api";
import { portZeroConf, startDaemon } from "../../../test/helpers/daemon-on-port-zero";
import { exchange } from "../../../test/helpers/livestatus-client";
import { runTantale, type ForegroundTantale } from "../../../test/helpers/tantale-process";
import { cleanupTempDirs, makeConfDir, makeTempDir } from "../../../test/helpers/temp-dir";
import { CommandInput } from "./command-input";
import type { CommandConfig } from "./schema";
import { eventually, gone } from "./process-checks";

/** A sink that keeps what it is given and wakes waiters on counts. */
class ListSink implements Sink {
  readonly results: CheckResult[] = [];
  paused = false;
  private readonly flow = new Set<(paused: boolean) => void>();
  private waiters: { n: number; resolve: () => void }[] = [];
  accept(result: CheckResult): void {
    this.results.push(result);
    this.waiters = this.waiters.filter((w) => (this.results.length >= w.n ? (w.resolve(), false) : true));
  }
  onFlowChange(listener: (paused: boolean) => void): () => void {
    this.flow.add(listener);
    return () => this.flow.delete(listener);
  }
  setPaused(paused: boolean): void {
    this.paused = paused;
    for (const l of this.flow) l(paused);
  }
  sync(): Promise<void> {
    return Promise.resolve();
  }
  waitFor(n: number): Promise<void> {
    return this.results.length >= n ? Promise.resolve() : new Promise((resolve) => this.waiters.push({ n, resolve }));
  }
}

describe("command input", function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => (dir = makeTempDir("tantale-cmd-")));
  afterEach(cleanupTempDirs);

  function script(name: string, body: string): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    return file;
  }

  describe("with the real daemon: checks from [check <name>] sections reach the state", () => {
    let t: ForegroundTantale | undefined;
    afterEach(async () => {
      await t?.kill();
      t = undefined;
    });

    it("exit codes 0/1/2/3/7, output, long output and perfdata, a hanging plugin killed at its timeout with its children", async () => {
      const pids = path.join(dir, "pids");
      const conf = [
        "hostname = client1",
        "contacts = ops",
        "timeout = 1s",
        "concurrency = 8",
        ...[0, 1, 2, 3, 7].flatMap((code) => [
          `[check exit${code}]`,
          `command = ${script(`exit${code}`, `echo "EXIT ${code} | code=${code};1;2"; exit ${code}`)}`,
        ]),
        "[check multi]",
        `command = ${script("multi", "printf 'DISK OK - 42%% used | /=42%%;80;90\\n/ 42%%\\n/var 10%%\\n'")}`,
        "name = disk space",
        "contacts = dba",
        "[check hang]",
        `command = sh -c '${script("hang", `sleep 1000 & echo $! > ${pids}; echo started; sleep 1000`)}'`,
        "timeout = 500ms",
      ].join("\n");
      const started = await startDaemon(makeConfDir({ ...portZeroConf(), "command.conf": `${conf}\n` }), makeTempDir());
      t = started.t;
      const query = "GET services\nColumns: host_name description state plugin_output long_plugin_output perf_data contacts\nOutputFormat: json\n\n";
      let rows: unknown[][] = [];
      const deadline = Date.now() + 30_000;
      while (rows.length < 7 && Date.now() < deadline) {
        rows = JSON.parse(await exchange(started.ports.livestatus, query)) as unknown[][];
        if (rows.length < 7) await new Promise((r) => setTimeout(r, 50));
      }
      expect(rows).to.deep.equal([
        ["client1", "disk space", 0, "DISK OK - 42% used", "/ 42%\n/var 10%", "/=42%;80;90", ["dba"]],
        ["client1", "exit0", 0, "EXIT 0", "", "code=0;1;2", ["ops"]],
        ["client1", "exit1", 1, "EXIT 1", "", "code=1;1;2", ["ops"]],
        ["client1", "exit2", 2, "EXIT 2", "", "code=2;1;2", ["ops"]],
        ["client1", "exit3", 3, "EXIT 3", "", "code=3;1;2", ["ops"]],
        ["client1", "exit7", 3, "UNKNOWN - exit code 7 is out of range 0-3: EXIT 7", "", "code=7;1;2", ["ops"]],
        ["client1", "hang", 3, "UNKNOWN - plugin timed out after 500ms, killed with its process group", "started", "", ["ops"]],
      ]);
      const child = Number(fs.readFileSync(pids, "utf8").trim());
      await eventually(() => gone(child));
      expect(t.logs.some((l) => l.instance === "command" && l.msg.includes("check hang on client1: sh timed out after 500ms"))).to.equal(true);
    });

    it("check-config names the section's key and line of a bad check", () => {
      const confDir = makeConfDir({ ...portZeroConf(), "command.conf": "[check a]\ncommand = check 'open\n[check b]\ninterval = 10ms\n" });
      const r = runTantale(["check-config", "--conf-dir", confDir]);
      expect(r.status).to.not.equal(0);
      const text = r.stdout + r.stderr;
      expect(text).to.include("check.a.command").and.include("cannot be split into words: unclosed single quote");
      expect(text).to.include("check.b.interval").and.include("must be 0 (the instance's interval) or at least 1s");
      expect(text).to.include("check.b.command").and.include("is required");
    });
  });

  function config(checks: CommandConfig["check"], options: Partial<CommandConfig> = {}): CommandConfig {
    return { hostname: "h", interval: 60_000, timeout: 10_000, concurrency: 4, contacts: [], check: checks, ...options };
  }
  function check(command: string, options: Partial<CommandConfig["check"][string]> = {}): CommandConfig["check"][string] {
    return { command, name: "", hostname: "", interval: 0, timeout: 0, contacts: null, ...options };
  }

  it("runs at most `concurrency` plugins at once, the others waiting their turn", async () => {
    const log = path.join(dir, "log");
    const body = (n: string) => `echo "start ${n}" >> ${log}; sleep 0.2; echo "end ${n}" >> ${log}; echo ok`;
    const sink = new ListSink();
    const input = new CommandInput(
      config({ a: check(script("a", body("a"))), b: check(script("b", body("b"))), c: check(script("c", body("c"))) }, { concurrency: 1 }),
      sink,
      silentLogger(),
      new SelfStats().of("command"),
      { now: () => Date.now() },
    );
    await input.start();
    await sink.waitFor(3);
    await input.stop();
    const lines = fs.readFileSync(log, "utf8").trim().split("\n");
    expect(lines).to.deep.equal(["start a", "end a", "start b", "end b", "start c", "end c"]);
  });

  it("starts no plugin while the sink is paused, and catches up when it resumes", async () => {
    const sink = new ListSink();
    sink.paused = true;
    const input = new CommandInput(config({ a: check(script("a", "echo A")) }), sink, silentLogger(), new SelfStats().of("command"), { now: () => Date.now() });
    await input.start();
    await new Promise((r) => setTimeout(r, 100));
    expect(sink.results).to.have.length(0);
    sink.setPaused(false);
    await sink.waitFor(1);
    expect(sink.results[0]).to.include({ hostname: "h", check: "a", status: 0, output: "A" });
    await input.stop();
  });

  it("stop kills the plugins still running and returns", async () => {
    const sink = new ListSink();
    const pidFile = path.join(dir, "pid");
    const input = new CommandInput(
      config({ a: check(script("a", `echo $$ > ${pidFile}; exec sleep 1000`)) }),
      sink,
      silentLogger(),
      new SelfStats().of("command"),
      {
        now: () => Date.now(),
      },
    );
    await input.start();
    await eventually(() => fs.existsSync(pidFile) && fs.readFileSync(pidFile, "utf8").trim() !== "");
    const pid = Number(fs.readFileSync(pidFile, "utf8").trim());
    await input.stop();
    await eventually(() => gone(pid));
    expect(sink.results).to.have.length(0);
  });
});
