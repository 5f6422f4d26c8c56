import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { createLogger } from "../../../core/log/logger";
import { resolveLogFormat } from "../../../core/log/pretty";
import { startupBlock, startupFields, startupText } from "../../../core/daemon/startup-block";
import type { InstanceView } from "../../../core/plugin/host";
import { cleanupTempDirs, makeTempDir } from "../../helpers/temp-dir";

const INSTANCES: InstanceView[] = [
  { id: "sqlite", plugin: "sqlite", kind: "store", source: "built-in", endpoints: [{ role: "write", address: "/var/lib/tantale/tantale.db" }] },
  { id: "hosts", plugin: "hosts", kind: "table", source: "built-in", endpoints: [] },
  { id: "services", plugin: "services", kind: "table", source: "built-in", endpoints: [] },
  { id: "livestatus", plugin: "livestatus", kind: "listener", source: "built-in", endpoints: [{ role: "listen", address: "[::1]:6557" }] },
  { id: "archive", plugin: "file", kind: "output", source: "built-in", endpoints: [{ role: "write", address: "/var/log/results.jsonl" }] },
  { id: "ping", plugin: "ping", kind: "input", source: "tantale-plugin-ping@1.2.0", endpoints: [] },
  { id: "line", plugin: "line", kind: "input", source: "built-in", endpoints: [{ role: "listen", address: "127.0.0.1:2003", note: "JSON and Nagios lines" }] },
];

describe("log format", () => {
  after(cleanupTempDirs);

  it("auto is pretty only for a terminal on stderr; json and pretty are taken as they are", () => {
    expect(resolveLogFormat("auto", { toFile: false, stderrIsTty: true })).to.equal("pretty");
    expect(resolveLogFormat("auto", { toFile: false, stderrIsTty: false })).to.equal("json");
    expect(resolveLogFormat("auto", { toFile: true, stderrIsTty: true })).to.equal("json");
    expect(resolveLogFormat("json", { toFile: false, stderrIsTty: true })).to.equal("json");
    expect(resolveLogFormat("pretty", { toFile: true, stderrIsTty: false })).to.equal("pretty");
  });

  it("writes a pretty line before the log call returns (a crash or an exit right after loses nothing)", () => {
    const file = path.join(makeTempDir(), "log.txt");
    const log = createLogger({ level: "info", file, format: "pretty" });
    log.child({ instance: "archive", plugin: "file" }).warn("disk slow", { ms: 1200 });
    log.child({ instance: "line", plugin: "line" }).info("listening on 127.0.0.1:2003", { port: 2003 });
    log.error(new RangeError("disk full"), "write failed");
    const text = fs.readFileSync(file, "utf8");
    const lines = text.split("\n");
    expect(lines[0]).to.match(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] WARN: \[archive\] disk slow \{"plugin":"file","ms":1200\}$/);
    // The plugin is not named twice when the instance has its name.
    expect(lines[1]).to.match(/\] INFO: \[line\] listening on 127\.0\.0\.1:2003 \{"port":2003\}$/);
    expect(lines[2]).to.match(/\] ERROR: write failed/);
    expect(text).to.contain("RangeError: disk full").and.not.contain('"level"');
  });

  it("shows the start-up line as a block in pretty mode, its fields as they are in JSON", () => {
    const fields = startupFields({ version: "1.2.3", confDir: "/etc/tantale/conf.d", dataDir: "/var/lib/tantale", instances: INSTANCES });
    expect(fields).to.deep.include({ store: "sqlite", instances: 7 });
    expect(startupText(fields).split("\n")).to.deep.equal([
      "tantale 1.2.3 started: conf dir /etc/tantale/conf.d, data dir /var/lib/tantale",
      "  store     sqlite: writes /var/lib/tantale/tantale.db",
      "  listener  livestatus: listens on [::1]:6557",
      "  output    archive (file): writes /var/log/results.jsonl",
      "  input     ping [tantale-plugin-ping@1.2.0]",
      "  input     line: listens on 127.0.0.1:2003 (JSON and Nagios lines)",
      "  tables    hosts, services (2)",
    ]);
    const noStore = startupFields({ version: "1.2.3", confDir: "c", dataDir: "d", instances: INSTANCES.filter((i) => i.kind !== "store") });
    expect(noStore.store).to.equal(null);
    expect(startupText(noStore).split("\n")[1]).to.equal("  store     none: the state is kept in memory only, and lost at a stop");

    const file = path.join(makeTempDir(), "log.txt");
    createLogger({ level: "info", file, format: "pretty", blocks: [startupBlock] }).info("tantale started", { ...fields });
    const text = fs.readFileSync(file, "utf8");
    expect(text).to.match(/\] INFO: tantale 1\.2\.3 started: conf dir \/etc\/tantale\/conf\.d, data dir \/var\/lib\/tantale\n {2}store {5}sqlite: writes/);
    expect(text, "the fields the block shows are not printed again").to.not.contain("enabled").and.not.contain('"store"');
  });
});
