import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { silentLogger } from "../../core/log/logger";
import { DiskSpool } from "../../core/spool/disk-spool";
import type { FsyncPolicy } from "../../core/spool/spool";

const SEGMENT_BYTES = 16 * 1024 * 1024;
const MAX_BYTES = 4 * 1024 * 1024 * 1024;
/** Data appended per measure (records of 4 KiB: 8k of them). */
const VOLUME_BYTES = 32 * 1024 * 1024;

/**
 * The disk spool (core/spool) in a temp folder, which must be on a real disk for the
 * fsync figures to mean anything (tmpfs ignores fsync): appends of 200-byte and 4 KiB
 * records with fsync always and interval, one record per append (the worst case for
 * always: one fdatasync each), 100 per append, and 16 callers at once appending one record
 * each (group commit shares the fsyncs); then the replay a consumer makes once
 * its server is back: read pages of 1000 records and acknowledge each page.
 */
export async function benchSpool(): Promise<string> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "tantale-bench-spool-"));
  const lines: string[] = [];
  try {
    for (const size of [200, 4096]) {
      for (const fsync of ["always", "interval"] as const) {
        for (const batch of [1, 100]) {
          // One fdatasync per record is slow: a smaller volume keeps that run short.
          const volume = fsync === "always" && batch === 1 ? VOLUME_BYTES / 32 : VOLUME_BYTES;
          lines.push(await appendRun(path.join(root, `${size}-${fsync}-${batch}`), size, fsync, batch, Math.max(100, Math.floor(volume / size))));
        }
      }
      lines.push(await concurrentRun(path.join(root, `${size}-concurrent`), size, 16, Math.floor(VOLUME_BYTES / 8 / size)));
      lines.push(await replayRun(path.join(root, `${size}-replay`), size, Math.floor((4 * VOLUME_BYTES) / size)));
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  return lines.join("\n");
}

function records(size: number, count: number): Buffer[] {
  return Array.from({ length: count }, (_, i) => Buffer.from(`{"n":${i}}`.padEnd(size, " ")));
}

async function open(dir: string, fsync: FsyncPolicy): Promise<DiskSpool> {
  return DiskSpool.open({ dir, segmentBytes: SEGMENT_BYTES, maxBytes: MAX_BYTES, fsync, fsyncIntervalMs: 1000 }, silentLogger());
}

async function appendRun(dir: string, size: number, fsync: FsyncPolicy, batch: number, total: number): Promise<string> {
  const spool = await open(dir, fsync);
  const pool = records(size, batch);
  const started = performance.now();
  for (let n = 0; n < total; n += batch) await spool.append(pool);
  await spool.close(); // interval: the last fsync is part of the cost
  const seconds = (performance.now() - started) / 1000;
  const appended = Math.ceil(total / batch) * batch;
  return `spool append: ${size} B records, fsync ${fsync}, ${batch} per append: ${appended} records in ${seconds.toFixed(2)} s = ${rate(appended, seconds)} records/s, ${mb(appended * size, seconds)} MB/s`;
}

/** `appenders` callers appending one record each and awaiting it, with fsync always: what group commit does for them. */
async function concurrentRun(dir: string, size: number, appenders: number, total: number): Promise<string> {
  const spool = await open(dir, "always");
  const [record] = records(size, 1);
  let left = total;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: appenders }, async () => {
      while (left-- > 0) await spool.append([record!]);
    }),
  );
  await spool.close();
  const seconds = (performance.now() - started) / 1000;
  return `spool append: ${size} B records, fsync always, ${appenders} callers appending 1 record each (group commit): ${total} records in ${seconds.toFixed(2)} s = ${rate(total, seconds)} records/s, ${mb(total * size, seconds)} MB/s`;
}

async function replayRun(dir: string, size: number, total: number): Promise<string> {
  const writer = await open(dir, "interval");
  const pool = records(size, 1000);
  for (let n = 0; n < total; n += pool.length) await writer.append(pool);
  await writer.close();

  const reopenStarted = performance.now();
  const spool = await open(dir, "always");
  const reopenSeconds = (performance.now() - reopenStarted) / 1000;
  const pending = spool.pendingRecords;
  const started = performance.now();
  let replayed = 0;
  for (;;) {
    const page = await spool.read({ maxRecords: 1000, maxBytes: 4 * 1024 * 1024 });
    if (page.length === 0) break;
    replayed += page.length;
    await spool.ack(page.at(-1)!.seq);
  }
  const seconds = (performance.now() - started) / 1000;
  await spool.close();
  if (replayed !== pending) throw new Error(`replayed ${replayed} of ${pending} records`);
  return (
    `spool replay: ${size} B records, pages of 1000 read and acknowledged (fsync always): ${replayed} records in ${seconds.toFixed(2)} s = ${rate(replayed, seconds)} records/s, ${mb(replayed * size, seconds)} MB/s` +
    ` (open and check of ${mb(replayed * size, 1)} MB: ${reopenSeconds.toFixed(2)} s)`
  );
}

const rate = (n: number, seconds: number) => Math.round(n / seconds).toLocaleString("en");
const mb = (bytes: number, seconds: number) => (bytes / 1e6 / seconds).toFixed(1);
