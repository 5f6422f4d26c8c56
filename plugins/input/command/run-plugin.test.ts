import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { cleanupTempDirs, makeTempDir } from "../../../test/helpers/temp-dir";
import { runPlugin } from "./run-plugin";
import { eventually, gone } from "./process-checks";

describe("command input: running a plugin (real processes)", () => {
  let dir: string;
  beforeEach(() => (dir = makeTempDir("tantale-cmd-")));
  afterEach(cleanupTempDirs);

  function script(name: string, body: string): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    return file;
  }

  for (const code of [0, 1, 2, 3] as const) {
    it(`exit ${code} is status ${code}, with its output`, async () => {
      const r = await runPlugin([script("p", `echo "STATE ${code} | x=${code}"; exit ${code}`)], 10_000);
      expect(r).to.include({ status: code, output: `STATE ${code} | x=${code}`, timedOut: false });
    });
  }

  it("any other exit code is UNKNOWN, saying which, the plugin's text kept", async () => {
    const r = await runPlugin([script("p", 'echo "weird | t=1"; exit 7')], 10_000);
    expect(r).to.include({ status: 3, output: "UNKNOWN - exit code 7 is out of range 0-3: weird | t=1" });
  });

  it("death by a signal is UNKNOWN", async () => {
    const r = await runPlugin([script("p", "kill -TERM $$")], 10_000);
    expect(r).to.include({ status: 3, output: "UNKNOWN - killed by SIGTERM" });
  });

  it("a missing plugin is UNKNOWN with the reason", async () => {
    const r = await runPlugin([path.join(dir, "nope")], 10_000);
    expect(r).to.include({ status: 3, output: `UNKNOWN - cannot run ${path.join(dir, "nope")}: ENOENT` });
  });

  it("takes stderr when stdout is empty, and keeps long output lines", async () => {
    expect(await runPlugin([script("p", "echo oops >&2; exit 2")], 10_000)).to.include({ status: 2, output: "oops" });
    expect(await runPlugin([script("q", "printf 'A | a=1\\nlong 1\\nlong 2 | b=2\\n'")], 10_000)).to.include({ output: "A | a=1\nlong 1\nlong 2 | b=2" });
  });

  it("a plugin that hangs is killed at its timeout with the children it started", async () => {
    const pids = path.join(dir, "pids");
    const hang = script("hang", `sleep 1000 & echo $! > ${pids}; echo started; sleep 1000`);
    let pid = 0;
    const r = await runPlugin([hang], 500, (p) => (pid = p));
    expect(r.status).to.equal(3);
    expect(r.timedOut).to.equal(true);
    expect(r.output).to.equal("UNKNOWN - plugin timed out after 500ms, killed with its process group\nstarted");
    const child = Number(fs.readFileSync(pids, "utf8").trim());
    await eventually(() => gone(pid) && gone(child));
  });
});
