import "reflect-metadata";
import { expect } from "chai";
import { loadConfiguration } from "../../../core/config/load-config";
import { Daemon } from "../../../core/daemon/daemon";
import { silentLogger } from "../../../core/log/logger";
import { BUILT_IN_PLUGINS } from "../../../plugins";
import { cleanupTempDirs, makeConfDir, makeTempDir } from "../../helpers/temp-dir";

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
});
