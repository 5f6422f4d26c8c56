import "reflect-metadata";
import { expect } from "chai";
import { loadConfiguration } from "../../../core/config/load-config";
import { Daemon } from "../../../core/daemon/daemon";
import { silentLogger } from "../../../core/log/logger";
import { BUILT_IN_PLUGINS } from "../../../plugins";
import { cleanupTempDirs, makeConfDir, makeTempDir } from "../../helpers/temp-dir";
import { RecordingLogger } from "../pipeline/support";

/** A core service whose dispose finishes a few turns later; which order the daemon's log sees. */
class SlowDisposable {
  static events: string[] = [];
  async dispose(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    SlowDisposable.events.push("disposed");
  }
}

/** A core service whose dispose fails. */
class FailingDisposable {
  async dispose(): Promise<void> {
    throw new Error("cannot release");
  }
}

const DEFAULT_ON = BUILT_IN_PLUGINS.filter((d) => d.defaultEnabled === true).map((d) => d.name);

describe("Daemon", () => {
  after(cleanupTempDirs);

  it("ignores a reload asked for once a stop began: nothing is started again", async () => {
    const conf = makeConfDir({ "file.conf": "", "sqlite.conf": "" });
    const load = { confDir: conf, builtIns: BUILT_IN_PLUGINS };
    const daemon = new Daemon(await loadConfiguration(load), { load, dataDir: makeTempDir(), logger: silentLogger() });
    await daemon.start();
    expect(daemon.runningInstances()).to.have.members(["file", "sqlite", ...DEFAULT_ON]); // the tables run without a conf file
    const stopped = daemon.stop();
    const reloaded = await daemon.reload();
    expect(await stopped).to.equal(true);
    expect(reloaded).to.equal(undefined);
    expect(daemon.runningInstances()).to.deep.equal([]);
  });

  async function stoppedWith(disposable: new () => object): Promise<RecordingLogger> {
    const conf = makeConfDir({});
    const load = { confDir: conf, builtIns: BUILT_IN_PLUGINS };
    const log = new RecordingLogger();
    const daemon = new Daemon(await loadConfiguration(load), { load, dataDir: makeTempDir(), logger: log });
    // tsyringe disposes the instances it constructed itself; the root is private, bracket access reaches it in a test.
    daemon["root"].resolve(disposable);
    await daemon.start();
    expect(await daemon.stop()).to.equal(true);
    return log;
  }

  it("waits for the root container's async dispose before it reports the stop", async () => {
    SlowDisposable.events = [];
    const log = await stoppedWith(SlowDisposable);
    SlowDisposable.events.push("stop returned");
    expect(SlowDisposable.events).to.deep.equal(["disposed", "stop returned"]);
    expect(log.messages("info")).to.include("tantale stopped");
  });

  it("logs a failing dispose of the root container and still stops", async () => {
    const log = await stoppedWith(FailingDisposable);
    expect(log.entries.filter((e) => e.level === "error").map((e) => [e.msg, e.fields.error])).to.deep.equal([
      ["disposing the core services failed", "cannot release"],
    ]);
    expect(log.messages("info")).to.include("tantale stopped");
  });
});
