/**
 * The child process of the crash test in disk-spool.test.ts: appends batches of records
 * to a fresh spool with fsync "always" and prints "appended N" once the append of record N
 * has resolved; every 20 batches it acknowledges half of what it appended and prints
 * "acked M" once that ack has resolved. It runs until the test kills it (SIGKILL).
 * Usage: node spool-crash-writer.js SPOOL_DIR
 */
import { silentLogger } from "../../../core/log/logger";
import { DiskSpool } from "../../../core/spool/disk-spool";

/** Small segments, so that the kill also lands around a roll. */
export const CRASH_SEGMENT_BYTES = 64 * 1024;
/** A safety stop in case nobody kills the writer. */
const MAX_BATCHES = 20_000;

/** Record k (from 1): its bytes are known from k alone, of a length that varies with k. */
export function crashRecord(k: number): Buffer {
  const head = `record ${k};`;
  return Buffer.from(head.padEnd(40 + ((k * 37) % 400), String.fromCharCode(97 + (k % 26))));
}

async function main(): Promise<void> {
  const [dir] = process.argv.slice(2);
  if (dir === undefined) throw new Error("usage: spool-crash-writer SPOOL_DIR");
  const spool = await DiskSpool.open({ dir, segmentBytes: CRASH_SEGMENT_BYTES, maxBytes: 1024 * 1024 * 1024, fsync: "always", fsyncIntervalMs: 1000 }, silentLogger());
  let appended = 0;
  for (let batch = 1; batch <= MAX_BATCHES; batch++) {
    const size = 1 + (batch % 7) * 5;
    await spool.append(Array.from({ length: size }, (_, i) => crashRecord(appended + i + 1)));
    appended += size;
    // Writes to a pipe are synchronous on Linux: the line is out before the next append starts.
    process.stdout.write(`appended ${appended}\n`);
    if (batch % 20 === 0) {
      const upTo = Math.floor(appended / 2);
      await spool.ack(upTo);
      process.stdout.write(`acked ${upTo}\n`);
    }
  }
  await spool.close();
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
