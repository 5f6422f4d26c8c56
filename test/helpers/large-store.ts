import { SelfStats } from "../../core/metrics/self-stats";
import { silentLogger } from "../../core/log/logger";
import type { ChangeSet } from "../../core/state/change-set";
import type { CheckState } from "../../core/state/check-state";
import type { Comment } from "../../core/state/comment";
import type { Downtime } from "../../core/state/downtime";
import { SqliteStore } from "../../plugins/store/sqlite/sqlite-store";

export const LARGE_STORE_T0 = 1_764_100_000;

/** Host `h` of a large store: zero-padded, so that names sort as numbers do. */
export const largeHostName = (h: number) => `host${String(h).padStart(6, "0")}`;

/** The state of service `s` of host `h` (s = -1: the host's own check) in a large store. */
export function largeStoreCheck(h: number, s: number): CheckState {
  return {
    hostname: largeHostName(h),
    check: s < 0 ? "Host" : `service${String(s).padStart(3, "0")}`,
    state: s < 0 ? 0 : (h + s) % 4,
    lastState: 0,
    output: s < 0 ? "PING OK - rta 0.1 ms" : `CHECK ${(h + s) % 4} - value ${h * 1000 + s} is what it is | value=${h * 1000 + s};80;90`,
    longOutput: "",
    perfData: s < 0 ? "" : `value=${h * 1000 + s};80;90`,
    lastCheck: LARGE_STORE_T0 + s,
    lastStateChange: LARGE_STORE_T0 - 3600,
    lastHardStateChange: LARGE_STORE_T0 - 3600,
    interval: 60,
    contacts: ["ops"],
    hostgroups: ["all"],
    servicegroups: [],
    customVariables: { SITE: "paris" },
    outdated: false,
    acknowledgement: null,
    downtimeDepth: 0,
  };
}

/**
 * A SQLite store file in `dataDir` (tantale.db) with `hosts` × `services` checks, every other
 * host with its Host check, and a downtime and a comment on every 1000th host. Written through
 * the store's own commit, in change sets of the engine's default batch size.
 */
export async function writeLargeSqliteStore(dataDir: string, hosts: number, services: number): Promise<{ checks: number }> {
  const store = new SqliteStore(
    { path: "tantale.db", log_retention_days: 0, synchronous: "normal", busy_timeout: 5000 },
    dataDir,
    silentLogger(),
    { now: () => LARGE_STORE_T0 * 1000 },
    new SelfStats().of("sqlite"),
  );
  await store.start();
  let batch: CheckState[] = [];
  let checks = 0;
  const downtimes: Downtime[] = [];
  const comments: Comment[] = [];
  const commit = async () => {
    const set: ChangeSet = {
      upserts: batch,
      deletes: [],
      log: [],
      downtimes: { upserts: downtimes.splice(0), deletes: [] },
      comments: { upserts: comments.splice(0), deletes: [] },
      lastIds: { downtime: Math.floor(hosts / 1000) + 1, comment: Math.floor(hosts / 1000) + 1 },
    };
    await store.commit(set);
    checks += batch.length;
    batch = [];
  };
  try {
    for (let h = 0; h < hosts; h++) {
      if (h % 2 === 0) batch.push(largeStoreCheck(h, -1));
      for (let s = 0; s < services; s++) batch.push(largeStoreCheck(h, s));
      if (h % 1000 === 0) {
        const id = h / 1000 + 1;
        const base = { id, hostname: largeHostName(h), check: "service000", author: "alice", comment: `maintenance ${id}`, entryTime: LARGE_STORE_T0 };
        downtimes.push({ ...base, startTime: LARGE_STORE_T0, endTime: LARGE_STORE_T0 + 3600, fixed: true, duration: 3600, triggeredBy: 0, activeSince: 0 });
        comments.push({ ...base, entryType: 1, persistent: true, expireTime: 0 });
      }
      if (batch.length >= 20_000) await commit();
    }
    await commit();
  } finally {
    await store.stop();
  }
  return { checks };
}
