import { expect } from "chai";
import { writeDump } from "../../../core/cli/dump";
import { loadConfiguration } from "../../../core/config/load-config";
import { definePlugin } from "../../../core/plugin/define";
import type { ChangeSet } from "../../../core/state/change-set";
import type { CheckState } from "../../../core/state/check-state";
import { COMPLETE_COMMIT } from "../../../core/store/commit-report";
import { EMPTY_STORED_STATE, type StoredState } from "../../../core/store/state-store";
import sqlite from "../../../plugins/store/sqlite";
import { LARGE_STORE_T0, largeStoreCheck, writeLargeSqliteStore } from "../../helpers/large-store";
import { cleanupTempDirs, makeConfDir, makeTempDir } from "../../helpers/temp-dir";
import { SqliteStore } from "../../../plugins/store/sqlite/sqlite-store";
import { silentLogger } from "../../../core/log/logger";
import { SelfStats } from "../../../core/metrics/self-stats";

/** What the store without scanState() returns from load(): set by each test. */
let loaded: StoredState = EMPTY_STORED_STATE;

/** A store that can only load() the whole state, as the Elasticsearch store: dump's other path. */
class LoadOnlyStore {
  start = () => Promise.resolve();
  stop = () => Promise.resolve();
  load = () => Promise.resolve(loaded);
  commit = () => Promise.resolve(COMPLETE_COMMIT);
  readLog = () => Promise.resolve({ entries: [] });
}
const loadOnly = definePlugin({ name: "load-only", kind: "store", description: "a store without scanState()", schema: {}, create: LoadOnlyStore });

async function dumpOf(confFiles: Record<string, string>, data: string, host?: string): Promise<string> {
  const config = await loadConfiguration({ confDir: makeConfDir(confFiles), builtIns: [sqlite, loadOnly] });
  let text = "";
  await writeDump(config, data, host, async (chunk) => void (text += chunk));
  return text;
}

/** A check of a large store under another host name. */
const renamed = (c: CheckState, hostname: string): CheckState => ({ ...c, hostname });

describe("tantale dump: the streamed read (SQLite's scanState) and the whole load agree", () => {
  after(cleanupTempDirs);

  it("writes the same lines both ways, hosts in code point order (non-BMP names too), pending hosts, annotations after their host", async () => {
    const data = makeTempDir();
    await writeLargeSqliteStore(data, 2001, 3);
    // Names whose code point order (UTF-8 bytes, SQLite's) differs from JavaScript's UTF-16 sort.
    const odd = [renamed(largeStoreCheck(1, 0), "\u{1F600}host"), renamed(largeStoreCheck(1, 1), "\uFF5Ehost"), renamed(largeStoreCheck(0, -1), "\u00E9host")];
    const store = new SqliteStore(
      { path: "tantale.db", log_retention_days: 0, synchronous: "normal", busy_timeout: 5000 },
      data,
      silentLogger(),
      { now: () => LARGE_STORE_T0 * 1000 },
      new SelfStats().of("sqlite"),
    );
    await store.start();
    const extra: ChangeSet = {
      upserts: odd,
      deletes: [],
      log: [],
      downtimes: { upserts: [], deletes: [] },
      comments: { upserts: [], deletes: [] },
      lastIds: { downtime: 0, comment: 0 },
    };
    await store.commit(extra);
    loaded = await store.load();
    await store.stop();

    const streamed = await dumpOf({ "sqlite.conf": "" }, data);
    const whole = await dumpOf({ "load-only.conf": "" }, data);
    expect(streamed).to.equal(whole);
    const lines = streamed
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string; hostname: string });
    expect(lines).to.have.length(2001 + 2001 * 3 + 3 * 2 + 3 + 2);
    expect(
      lines
        .filter((l) => l.type === "host")
        .map((l) => l.hostname)
        .slice(-3),
    ).to.deep.equal(["\u00E9host", "\uFF5Ehost", "\u{1F600}host"]);
    expect(lines.filter((l) => l.type === "downtime").map((l) => l.hostname)).to.deep.equal(["host000000", "host001000", "host002000"]);

    for (const host of ["host001000", "\uFF5Ehost", "nobody"])
      expect(await dumpOf({ "sqlite.conf": "" }, data, host)).to.equal(await dumpOf({ "load-only.conf": "" }, data, host));
    expect(await dumpOf({ "sqlite.conf": "" }, data, "nobody")).to.equal("");
  });
});
