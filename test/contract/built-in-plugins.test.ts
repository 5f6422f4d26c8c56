import "reflect-metadata";
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { BUILT_IN_PLUGINS } from "../../plugins";
import { optionRows } from "../../core/cli/options-table";
import { commonSchemaFor } from "../../core/config/common-schema";
import { loadConfiguration } from "../../core/config/load-config";
import { buildRootContainer } from "../../core/daemon/daemon";
import { systemClock } from "../../core/clock";
import { silentLogger } from "../../core/log/logger";
import { SelfStats } from "../../core/metrics/self-stats";
import { ResultBus } from "../../core/pipeline/result-bus";
import { constructInstance } from "../../core/plugin/instance";
import { TableRegistry } from "../../core/livestatus/query/table-registry";
import { StateEngine } from "../../core/state/state-engine";
import { REPO_ROOT } from "../helpers/tantale-process";
import { cleanupTempDirs, makeConfDir, makeTempDir } from "../helpers/temp-dir";

/**
 * Conventions every built-in keeps (Telegraf's all_test.go): a folder of its own with a
 * README listing every option with its default, an example .conf that validates, and a
 * class that a real container builds and that starts and stops (twice) cleanly.
 */
const INSTANCE_KEYS = new Set(["plugin", "enabled", "log_level"]);

describe("every built-in plugin", () => {
  after(cleanupTempDirs);

  for (const def of BUILT_IN_PLUGINS) {
    describe(`${def.kind} ${def.name}`, () => {
      const folder = path.join(REPO_ROOT, "plugins", def.kind, def.name);

      it("has its folder with a README and an example .conf", () => {
        expect(fs.existsSync(path.join(folder, "README.md")), "README.md").to.equal(true);
        expect(fs.existsSync(path.join(folder, `${def.name}.conf`)), `${def.name}.conf`).to.equal(true);
      });

      it("documents every option with its default in the README", () => {
        const readme = fs.readFileSync(path.join(folder, "README.md"), "utf8");
        for (const row of optionRows({ ...def.schema, ...commonSchemaFor(def.kind) })) {
          if (INSTANCE_KEYS.has(row.key)) continue; // the keys of every instance are documented once, in the main README
          expect(readme, `README row for ${row.key}`).to.contain(`| \`${row.key}\` | \`${row.default}\` |`);
          // The format cell says the range, as `tantale plugins` does: "integer, at least 1".
          if (row.range !== "")
            expect(readme, `README range for ${row.key}`).to.contain(`| \`${row.key}\` | \`${row.default}\` | ${row.format}, ${row.range} |`);
        }
      });

      it("validates its example .conf", async () => {
        const conf = makeConfDir({ [`${def.name}.conf`]: fs.readFileSync(path.join(folder, `${def.name}.conf`), "utf8") });
        const config = await loadConfiguration({ confDir: conf, builtIns: BUILT_IN_PLUGINS });
        expect(config.instances.map((i) => i.plugin.definition.name)).to.include(def.name);
      });

      it("is built by a real container and survives start, stop, stop", async () => {
        // Listen on a port of the system's choosing, so a busy default port cannot fail the contract.
        const ports = optionRows(def.schema)
          .filter((r) => r.format === "port")
          .map((r) => `${r.key} = 0\n`);
        const conf = makeConfDir({ [`${def.name}.conf`]: ports.join("") });
        const config = await loadConfiguration({ confDir: conf, builtIns: BUILT_IN_PLUGINS });
        const spec = config.instances.find((i) => i.id === def.name)!;
        const stats = new SelfStats();
        const logger = silentLogger();
        const bus = new ResultBus(100, logger, stats, systemClock);
        const engine = new StateEngine(config.daemon, systemClock, logger, stats.of("(state)"));
        const root = buildRootContainer({
          clock: systemClock,
          settings: config.daemon,
          dataDir: makeTempDir(),
          stats,
          sink: bus,
          logger,
          engine,
          tables: new TableRegistry(),
        });
        const instance = constructInstance(spec, root, logger, stats);
        expect(instance.plugin).to.be.instanceOf(def.create);
        await instance.plugin.start();
        await instance.plugin.stop();
        await instance.plugin.stop();
      });
    });
  }
});
