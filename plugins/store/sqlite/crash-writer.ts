/**
 * The child process of the crash test in sqlite.test.ts: commits change sets 1, 2, 3, ...
 * and prints "committed k" once commit k has resolved, until the test kills it (SIGKILL).
 * Usage: node crash-writer.js DATA_DIR normal|full
 */
import "reflect-metadata";
import { systemClock } from "../../../core/clock";
import { silentLogger } from "../../../core/log/logger";
import { SelfStats } from "../../../core/metrics/self-stats";
import type { ChangeSet } from "../../../core/state/change-set";
import type { CheckState } from "../../../core/state/check-state";
import type { Comment } from "../../../core/state/comment";
import type { Downtime } from "../../../core/state/downtime";
import { logEntry } from "../../../core/state/log-entry";
import { SqliteStore } from "./sqlite-store";

export const CRASH_FILE = "crash.db";
export const CRASH_UPSERTS = 500;
export const CRASH_LOG_ROWS = 5;
/** A safety stop in case nobody kills the writer. */
const MAX_COMMITS = 5000;

/**
 * Change set k: 500 checks of host "host-k", the "progress" check with lastCheck = k,
 * the delete of check c0 of host k-1, 5 log rows at time k, downtime k replacing
 * downtime k-1, comment k, and last ids k. After commit K, the whole content is known
 * from K alone, so the test can tell a half-written set apart.
 */
export function crashChangeSet(k: number): ChangeSet {
  const upserts: CheckState[] = [crashState("progress", "last", k)];
  for (let i = 0; i < CRASH_UPSERTS; i++) upserts.push(crashState(`host-${k}`, `c${i}`, k));
  const log = Array.from({ length: CRASH_LOG_ROWS }, (_, i) =>
    logEntry({
      time: k,
      class: 1,
      type: "SERVICE ALERT",
      hostname: `host-${k}`,
      check: `c${i}`,
      state: 2,
      stateType: "HARD",
      attempt: 1,
      output: "CRITICAL",
      message: `[${k}] SERVICE ALERT: host-${k};c${i};CRITICAL;HARD;1;CRITICAL`,
    }),
  );
  return {
    upserts,
    deletes: k > 1 ? [{ hostname: `host-${k - 1}`, check: "c0" }] : [],
    log,
    downtimes: { upserts: [crashDowntime(k)], deletes: k > 1 ? [k - 1] : [] },
    comments: { upserts: [crashComment(k)], deletes: [] },
    lastIds: { downtime: k, comment: k },
  };
}

export function crashDowntime(k: number): Downtime {
  return {
    id: k,
    hostname: `host-${k}`,
    check: "c1",
    author: "crash",
    comment: `downtime ${k}`,
    entryTime: k,
    startTime: k,
    endTime: k + 3600,
    fixed: true,
    duration: 3600,
    triggeredBy: 0,
    activeSince: k,
  };
}

export function crashComment(k: number): Comment {
  return { id: k, hostname: `host-${k}`, check: "c2", author: "crash", comment: `comment ${k}`, entryTime: k, entryType: 1, persistent: true, expireTime: 0 };
}

function crashState(hostname: string, check: string, k: number): CheckState {
  return {
    hostname,
    check,
    state: 2,
    lastState: 0,
    output: `CRITICAL - set ${k}`,
    longOutput: "",
    perfData: `k=${k}`,
    lastCheck: k,
    lastStateChange: k,
    lastHardStateChange: k,
    interval: 60,
    contacts: ["ops"],
    hostgroups: [],
    servicegroups: [],
    customVariables: {},
    outdated: false,
    acknowledgement: null,
    downtimeDepth: 0,
  };
}

async function main(): Promise<void> {
  const [dataDir, synchronous] = process.argv.slice(2);
  if (dataDir === undefined || (synchronous !== "normal" && synchronous !== "full")) throw new Error("usage: crash-writer DATA_DIR normal|full");
  const store = new SqliteStore(
    { path: CRASH_FILE, log_retention_days: 0, synchronous, busy_timeout: 5000 },
    dataDir,
    silentLogger(),
    systemClock,
    new SelfStats().of("sqlite"),
  );
  await store.start();
  for (let k = 1; k <= MAX_COMMITS; k++) {
    await store.commit(crashChangeSet(k));
    // Writes to a pipe are synchronous on Linux: the line is out before the next commit starts.
    process.stdout.write(`committed ${k}\n`);
  }
  await store.stop();
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
