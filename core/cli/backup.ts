import path from "node:path";
import { describeError } from "../errors";
import type { Configuration } from "../config/load-config";
import type { BackupReport } from "../store/state-store";
import { NoStoreError, openOfflineStore } from "./offline-store";

/**
 * `tantale backup <file>`: the configured store (found as `tantale dump` finds it: the conf
 * dir's store instance, its files in the data dir) writes a consistent copy of what it has
 * committed to `destination`, without being started, so that a running daemon keeps its
 * store and goes on committing. Rejects with NoStoreError when there is nothing to copy, and
 * with the store's own words when it cannot (a store whose data is in a cluster).
 */
export async function backupStore(config: Configuration, dataDir: string, destination: string): Promise<BackupReport> {
  const { spec, store } = openOfflineStore(config, dataDir, "nothing to back up");
  try {
    if (store.backup === undefined) throw new NoStoreError(`store "${spec.id}" (plugin ${spec.plugin.definition.name}) has no backup command`);
    return await store.backup(path.resolve(destination));
  } finally {
    await store.stop().catch(() => undefined);
  }
}

/** The summary line: `backup written: FILE (12.3 MiB, 1000 checks, 5000 log lines, ...; PRAGMA integrity_check: ok) in 0.4 s`. */
export function describeBackup(report: BackupReport, ms: number): string {
  const contents = Object.entries(report.contents).map(([what, n]) => `${n} ${what}`);
  const size = report.bytes >= 1024 * 1024 ? `${(report.bytes / 1024 / 1024).toFixed(1)} MiB` : `${(report.bytes / 1024).toFixed(1)} KiB`;
  const checked = report.checked === undefined ? "" : `; ${report.checked}`;
  return `backup written: ${report.file} (${[size, ...contents].join(", ")}${checked}) in ${(ms / 1000).toFixed(1)} s`;
}

/** The command: the summary on stdout and exit 0, or the reason on stderr and exit 1. */
export async function backupCommand(load: () => Promise<Configuration>, dataDir: string, destination: string): Promise<number> {
  const t0 = Date.now();
  try {
    const report = await backupStore(await load(), dataDir, destination);
    process.stdout.write(`${describeBackup(report, Date.now() - t0)}\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`tantale backup: ${describeError(e)}\n`);
    return 1;
  }
}
