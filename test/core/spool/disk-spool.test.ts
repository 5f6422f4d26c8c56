import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import zlib from "node:zlib";
import { expect } from "chai";
import { ACK_FILE } from "../../../core/spool/ack-state";
import { tableCrc32 } from "../../../core/spool/crc32";
import { DiskSpool, SpoolError } from "../../../core/spool/disk-spool";
import { FRAME_HEADER_BYTES } from "../../../core/spool/record-frame";
import type { SpoolDrop, SpoolOptions, SpoolRecord } from "../../../core/spool/spool";
import { RecordingLogger, waitFor } from "../pipeline/support";
import { cleanupTempDirs, makeTempDir } from "../../helpers/temp-dir";
import { CRASH_SEGMENT_BYTES, crashRecord } from "./spool-crash-writer";

const opened: DiskSpool[] = [];

function options(dir: string, overrides: Partial<SpoolOptions> = {}): SpoolOptions {
  return { dir, segmentBytes: 1024, maxBytes: 1024 * 1024, fsync: "always", fsyncIntervalMs: 1000, ...overrides };
}

async function open(dir: string, overrides: Partial<SpoolOptions> = {}, log = new RecordingLogger()): Promise<DiskSpool> {
  const spool = await DiskSpool.open(options(dir, overrides), log);
  opened.push(spool);
  return spool;
}

/** Record i: "record-i" padded to `size` bytes. */
function rec(i: number, size = 20): Buffer {
  return Buffer.from(`record-${i}`.padEnd(size, "."));
}

function recs(from: number, to: number, size = 20): Buffer[] {
  return Array.from({ length: to - from + 1 }, (_, i) => rec(from + i, size));
}

const seqs = (records: readonly SpoolRecord[]) => records.map((r) => r.seq);
const texts = (records: readonly SpoolRecord[]) => records.map((r) => r.data.toString().replace(/\.+$/, ""));

/** Everything pending, in pages of 100. */
async function readAll(spool: DiskSpool): Promise<SpoolRecord[]> {
  const all: SpoolRecord[] = [];
  for (;;) {
    const page = await spool.read({ after: all.at(-1)?.seq, maxRecords: 100 });
    if (page.length === 0) return all;
    all.push(...page);
  }
}

function segmentFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".seg"))
    .sort();
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a rejection");
}

describe("DiskSpool", () => {
  afterEach(async () => {
    for (const spool of opened.splice(0)) await spool.close().catch(() => undefined);
    cleanupTempDirs();
  });

  describe("append, read and ack", () => {
    it("reads records back in order, after a seq, without consuming them", async () => {
      const spool = await open(makeTempDir());
      await spool.append(recs(1, 3));
      await spool.append([]);
      await spool.append(recs(4, 10));
      expect(spool.pendingRecords).to.equal(10);
      expect(spool.pendingBytes).to.equal(10 * (FRAME_HEADER_BYTES + 20));

      const first = await spool.read({ maxRecords: 4 });
      expect(seqs(first)).to.deep.equal([1, 2, 3, 4]);
      expect(texts(first)).to.deep.equal(["record-1", "record-2", "record-3", "record-4"]);
      expect(seqs(await spool.read({ maxRecords: 4 })), "reading does not consume").to.deep.equal([1, 2, 3, 4]);
      expect(seqs(await spool.read({ after: 4, maxRecords: 3 }))).to.deep.equal([5, 6, 7]);
      expect(seqs(await spool.read({ after: 8, maxRecords: 100 }))).to.deep.equal([9, 10]);
      expect(await spool.read({ after: 10, maxRecords: 100 })).to.deep.equal([]);
      expect(await spool.read({ maxRecords: 0 })).to.deep.equal([]);

      await spool.ack(3);
      expect(spool.pendingRecords).to.equal(7);
      expect(spool.pendingBytes).to.equal(7 * (FRAME_HEADER_BYTES + 20));
      expect(seqs(await spool.read({ maxRecords: 2 })), "acknowledged records are not read again").to.deep.equal([4, 5]);
      expect(seqs(await spool.read({ after: 1, maxRecords: 2 })), "`after` below the ack position").to.deep.equal([4, 5]);
      await spool.ack(2); // older than the position: nothing changes
      expect(spool.pendingRecords).to.equal(7);
      await spool.ack(10);
      expect(spool.pendingRecords).to.equal(0);
      expect(spool.pendingBytes).to.equal(0);
      expect(await spool.read({ maxRecords: 100 })).to.deep.equal([]);
      await spool.append([rec(11)]);
      expect(seqs(await spool.read({ maxRecords: 100 }))).to.deep.equal([11]);
    });

    it("pages by maxBytes (of data), always returning one record even when it alone is larger", async () => {
      const spool = await open(makeTempDir(), { segmentBytes: 4096 });
      await spool.append([rec(1, 100), rec(2, 100), rec(3, 100), rec(4, 500), rec(5, 100)]);
      expect(seqs(await spool.read({ maxRecords: 10, maxBytes: 250 }))).to.deep.equal([1, 2]);
      expect(seqs(await spool.read({ maxRecords: 10, maxBytes: 300 }))).to.deep.equal([1, 2, 3]);
      expect(seqs(await spool.read({ after: 3, maxRecords: 10, maxBytes: 200 })), "one record larger than maxBytes").to.deep.equal([4]);
      expect(seqs(await spool.read({ after: 3, maxRecords: 10, maxBytes: 600 }))).to.deep.equal([4, 5]);
      expect(seqs(await spool.read({ after: 2, maxRecords: 10, maxBytes: 200 })), "a record that does not fit waits for the next page").to.deep.equal([3]);
    });

    it("refuses an ack of a seq never appended, and an unusable option", async () => {
      const dir = makeTempDir();
      const spool = await open(dir);
      await spool.append(recs(1, 3));
      expect((await rejection(spool.ack(4))).message).to.equal(`spool ${dir}: cannot acknowledge seq 4: the last appended is 3`);
      expect(spool.pendingRecords).to.equal(3);
      const err = await rejection(DiskSpool.open(options(dir, { segmentBytes: 4096, maxBytes: 1024 }), new RecordingLogger()));
      expect(err).to.be.instanceOf(SpoolError);
      expect(err.message).to.contain("maxBytes must be an integer of at least segmentBytes");
    });

    it("refuses any use after close() with an error naming the folder", async () => {
      const dir = makeTempDir();
      const spool = await open(dir);
      await spool.append(recs(1, 2));
      await spool.close();
      await spool.close(); // twice is fine
      for (const use of [spool.append([rec(3)]), spool.read({ maxRecords: 1 }), spool.ack(1)]) {
        const err = await rejection(use);
        expect(err).to.be.instanceOf(SpoolError);
        expect(err.message).to.equal(`spool ${dir}: used after close()`);
      }
      expect(spool.pendingRecords, "the counts stay readable").to.equal(2);
    });

    it("runs calls in the order they were made (one writer)", async () => {
      const spool = await open(makeTempDir(), { segmentBytes: 200 });
      const calls: Promise<unknown>[] = [];
      for (let i = 1; i <= 50; i++) calls.push(spool.append([rec(i)]));
      const read = spool.read({ maxRecords: 100 });
      calls.push(spool.ack(25));
      await Promise.all(calls);
      expect(seqs(await read)).to.deep.equal(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(texts(await readAll(spool))).to.deep.equal(Array.from({ length: 25 }, (_, i) => `record-${i + 26}`));

      const between = [spool.append([rec(51)]), spool.read({ maxRecords: 100 }), spool.append([rec(52)])] as const;
      expect(seqs((await Promise.all(between))[1]), "an append asked after a read is not read by it").to.deep.equal(Array.from({ length: 26 }, (_, i) => i + 26));
    });

    it("writes appends asked while the writer is busy together: one fsync for all (group commit)", async () => {
      const syncs = await spyOnDatasync();
      try {
        const spool = await open(makeTempDir(), { segmentBytes: 4096 });
        await Promise.all(Array.from({ length: 20 }, (_, i) => spool.append([rec(2 * i + 1), rec(2 * i + 2)])));
        expect(syncs.count).to.equal(1);
        expect(texts(await readAll(spool))).to.deep.equal(Array.from({ length: 40 }, (_, i) => `record-${i + 1}`));
        const refused = spool.append([Buffer.alloc(2 * 1024 * 1024)]);
        await Promise.all([spool.append([rec(41)]), rejection(refused), spool.append([rec(42)])]);
        expect(seqs(await readAll(spool)).slice(-2), "a call refused does not hold back the others").to.deep.equal([41, 42]);
      } finally {
        syncs.restore();
      }
    });
  });

  describe("segments", () => {
    it("rolls at segmentBytes, named by the first seq, and deletes a segment once wholly acknowledged", async () => {
      const dir = makeTempDir();
      const spool = await open(dir, { segmentBytes: 5 * 36 }); // 5 records of 20 bytes + 16 of framing
      await spool.append(recs(1, 12)); // one call spanning three segments
      await spool.append(recs(13, 13));
      expect(segmentFiles(dir)).to.deep.equal(["0000000000000001.seg", "0000000000000006.seg", "0000000000000011.seg"]);
      expect(fs.statSync(path.join(dir, "0000000000000001.seg")).size).to.equal(5 * 36);
      expect(seqs(await readAll(spool))).to.deep.equal(Array.from({ length: 13 }, (_, i) => i + 1));

      await spool.ack(7);
      expect(segmentFiles(dir), "the first segment wholly acknowledged, the second partly").to.deep.equal(["0000000000000006.seg", "0000000000000011.seg"]);
      expect(spool.pendingRecords).to.equal(6);
      expect(spool.pendingBytes).to.equal(6 * 36);
      await spool.ack(13);
      expect(segmentFiles(dir), "the segment being written goes too once wholly acknowledged").to.deep.equal([]);
      await spool.append(recs(14, 14));
      expect(segmentFiles(dir)).to.deep.equal(["0000000000000014.seg"]);
      expect(texts(await readAll(spool))).to.deep.equal(["record-14"]);
    });

    it("reopens where it was: seqs go on, pending counts and the ack position are kept", async () => {
      const dir = makeTempDir();
      const first = await open(dir, { segmentBytes: 5 * 36 });
      await first.append(recs(1, 12));
      await first.ack(7);
      const { pendingRecords, pendingBytes } = first;
      await first.close();
      expect(JSON.parse(fs.readFileSync(path.join(dir, ACK_FILE), "utf8"))).to.deep.equal({ acked: 7 });

      const second = await open(dir, { segmentBytes: 5 * 36 });
      expect([second.pendingRecords, second.pendingBytes]).to.deep.equal([pendingRecords, pendingBytes]);
      expect(seqs(await readAll(second)), "acknowledged records are not replayed").to.deep.equal([8, 9, 10, 11, 12]);
      await second.append(recs(13, 14));
      expect(seqs(await readAll(second))).to.deep.equal([8, 9, 10, 11, 12, 13, 14]);
      await second.ack(14);
      await second.close();

      const third = await open(dir);
      expect(third.pendingRecords).to.equal(0);
      expect(segmentFiles(dir)).to.deep.equal([]);
      await third.append([rec(15)]);
      expect(seqs(await readAll(third)), "with every segment deleted, seqs go on from the ack position").to.deep.equal([15]);
    });

    it("deletes on open the segments an ack covered (a crash between the ack and the deletion)", async () => {
      const dir = makeTempDir();
      const spool = await open(dir, { segmentBytes: 5 * 36 });
      await spool.append(recs(1, 12));
      await spool.close();
      fs.writeFileSync(path.join(dir, ACK_FILE), JSON.stringify({ acked: 10 }));
      const reopened = await open(dir);
      expect(segmentFiles(dir)).to.deep.equal(["0000000000000011.seg"]);
      expect(reopened.pendingRecords).to.equal(2);
      expect(seqs(await readAll(reopened))).to.deep.equal([11, 12]);
    });
  });

  describe("damage", () => {
    /** Appends records 1..n to a fresh spool in segments of 5 and closes it. */
    async function closedSpool(n: number): Promise<string> {
      const dir = makeTempDir();
      const spool = await open(dir, { segmentBytes: 5 * 36 });
      await spool.append(recs(1, n));
      await spool.close();
      return dir;
    }

    const tornTails: [string, (file: string) => void, number][] = [
      ["half a header", (file) => fs.appendFileSync(file, Buffer.alloc(7, 1)), 2 * 36],
      ["a record cut short", (file) => fs.truncateSync(file, fs.statSync(file).size - 5), 36],
      ["a bad CRC", (file) => flipByte(file, fs.statSync(file).size - 3), 36],
      ["zeros where a record should be", (file) => fs.appendFileSync(file, Buffer.alloc(64)), 2 * 36],
    ];
    for (const [what, tear, keptBytes] of tornTails) {
      it(`cuts a torn tail of the last segment (${what}) with a warning naming the file and offset`, async () => {
        const dir = await closedSpool(7);
        const last = path.join(dir, "0000000000000006.seg");
        tear(last);
        const log = new RecordingLogger();
        const spool = await open(dir, { segmentBytes: 5 * 36 }, log);
        const warning = log.entries.find((e) => e.level === "warn");
        expect(warning?.msg).to.match(new RegExp(`torn tail of ${escape(last)} cut at offset ${keptBytes} \\(\\d+ bytes, `));
        expect(warning?.fields).to.include({ file: last, offset: keptBytes });
        expect(fs.statSync(last).size).to.equal(keptBytes);
        const kept = keptBytes / 36;
        expect(spool.pendingRecords).to.equal(5 + kept);
        await spool.append([Buffer.from("next")]);
        const all = await readAll(spool);
        expect(seqs(all)).to.deep.equal([...Array.from({ length: 5 + kept }, (_, i) => i + 1), 6 + kept]);
        expect(all.at(-1)!.data.toString()).to.equal("next");
      });
    }

    it("removes an empty last segment (killed between its creation and its first write)", async () => {
      const dir = await closedSpool(7);
      fs.writeFileSync(path.join(dir, "0000000000000008.seg"), "");
      const spool = await open(dir);
      expect(segmentFiles(dir)).to.deep.equal(["0000000000000001.seg", "0000000000000006.seg"]);
      await spool.append([rec(8)]);
      expect(seqs(await readAll(spool))).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8]);
    });

    it("skips the rest of an older segment past a damaged record, logs and counts the loss", async () => {
      const dir = await closedSpool(12);
      flipByte(path.join(dir, "0000000000000001.seg"), 2 * 36 + 20); // in record 3's data
      const log = new RecordingLogger();
      const drops: SpoolDrop[] = [];
      const spool = await open(dir, { segmentBytes: 5 * 36, onDrop: (d) => drops.push(d) }, log);
      expect(log.messages("error")).to.deep.equal([
        `spool ${dir}: unreadable record at offset 72 of ${path.join(dir, "0000000000000001.seg")} (bad CRC): the rest of the segment is skipped, 3 records (108 bytes) lost`,
      ]);
      expect(drops).to.deep.equal([{ reason: "corrupt", records: 3, bytes: 108, firstSeq: 3, lastSeq: 5 }]);
      expect(spool.pendingRecords).to.equal(9);
      expect(spool.pendingBytes).to.equal(9 * 36);
      expect(seqs(await readAll(spool))).to.deep.equal([1, 2, 6, 7, 8, 9, 10, 11, 12]);
      await spool.close();
      const again = new RecordingLogger();
      await open(dir, {}, again);
      expect(again.messages("error"), "counted once: the damaged part was cut off").to.deep.equal([]);
    });

    it("stops a read at a record damaged after open, and counts the loss once", async () => {
      const dir = makeTempDir();
      const drops: SpoolDrop[] = [];
      const log = new RecordingLogger();
      const spool = await open(dir, { segmentBytes: 5 * 36, onDrop: (d) => drops.push(d) }, log);
      await spool.append(recs(1, 8));
      flipByte(path.join(dir, "0000000000000001.seg"), 3 * 36 + 20);
      expect(seqs(await spool.read({ maxRecords: 100 }))).to.deep.equal([1, 2, 3]);
      expect(drops).to.deep.equal([{ reason: "corrupt", records: 2, bytes: 72, firstSeq: 4, lastSeq: 5 }]);
      expect(log.messages("error")).to.have.length(1);
      expect(spool.pendingRecords).to.equal(6);
      expect(seqs(await readAll(spool))).to.deep.equal([1, 2, 3, 6, 7, 8]);
    });
  });

  describe("the cap", () => {
    it("deletes the oldest segments to make room, tells onDrop and logs one line per append", async () => {
      const dir = makeTempDir();
      const drops: SpoolDrop[] = [];
      const log = new RecordingLogger();
      const spool = await open(dir, { segmentBytes: 5 * 36, maxBytes: 15 * 36, onDrop: (d) => drops.push(d) }, log);
      await spool.append(recs(1, 15));
      expect(drops).to.deep.equal([]);
      await spool.ack(2);
      await spool.append(recs(16, 18)); // 13 pending + 3 > 15: segment 1..5 goes (3 pending records of it)
      expect(drops).to.deep.equal([{ reason: "cap", records: 3, bytes: 3 * 36, firstSeq: 3, lastSeq: 5 }]);
      expect(log.messages("warn")).to.deep.equal([`spool ${dir} full (cap ${15 * 36} bytes): dropped the oldest 3 records (108 bytes, seq 3 to 5)`]);
      expect(segmentFiles(dir)).to.deep.equal(["0000000000000006.seg", "0000000000000011.seg", "0000000000000016.seg"]);
      expect([spool.pendingRecords, spool.pendingBytes]).to.deep.equal([13, 13 * 36]);

      await spool.append(recs(19, 30)); // 12 more: segments 6.. and 11.. go, in one warning line
      expect(drops.at(-1)).to.deep.equal({ reason: "cap", records: 10, bytes: 360, firstSeq: 6, lastSeq: 15 });
      expect(log.messages("warn")).to.have.length(2);
      expect(seqs(await readAll(spool))).to.deep.equal(Array.from({ length: 15 }, (_, i) => i + 16));
      expect(spool.pendingBytes).to.be.at.most(15 * 36);

      await spool.close();
      const reopened = await open(dir, { segmentBytes: 5 * 36, maxBytes: 15 * 36 });
      expect(seqs(await readAll(reopened)), "dropped records are not replayed after a restart").to.deep.equal(Array.from({ length: 15 }, (_, i) => i + 16));
    });

    it("rolls and drops the segment being written when nothing older is left", async () => {
      const dir = makeTempDir();
      const drops: SpoolDrop[] = [];
      const spool = await open(dir, { segmentBytes: 10 * 36, maxBytes: 10 * 36, onDrop: (d) => drops.push(d) });
      await spool.append(recs(1, 8));
      await spool.append(recs(9, 12));
      expect(drops).to.deep.equal([{ reason: "cap", records: 10, bytes: 360, firstSeq: 1, lastSeq: 10 }]);
      expect(seqs(await readAll(spool))).to.deep.equal([11, 12]);
    });

    it("refuses a record larger than the cap by itself, appending nothing of its call", async () => {
      const dir = makeTempDir();
      const drops: SpoolDrop[] = [];
      const spool = await open(dir, { segmentBytes: 256, maxBytes: 1000, onDrop: (d) => drops.push(d) });
      await spool.append(recs(1, 3));
      const err = await rejection(spool.append([rec(4), Buffer.alloc(990)]));
      expect(err).to.be.instanceOf(SpoolError);
      expect(err.message).to.equal(`spool ${dir}: a record of 990 bytes (1006 framed) is larger than the spool's cap of 1000 bytes; none of the 2 records appended`);
      expect(drops).to.deep.equal([]);
      expect(seqs(await readAll(spool))).to.deep.equal([1, 2, 3]);
      await spool.append([Buffer.alloc(900)]); // a record larger than a segment, under the cap: the older ones go
      expect(drops).to.deep.equal([{ reason: "cap", records: 3, bytes: 108, firstSeq: 1, lastSeq: 3 }]);
      expect(seqs(await readAll(spool))).to.deep.equal([4]);
    });
  });

  describe("durability", () => {
    it("keeps every record whose append resolved when the writer is killed (kill -9, fsync always)", async function () {
      this.timeout(60_000);
      const dir = makeTempDir();
      const child = spawn(process.execPath, [path.join(__dirname, "spool-crash-writer.js"), dir], { stdio: ["ignore", "pipe", "pipe"] });
      let appended = 0;
      let acked = 0;
      let killer: NodeJS.Timeout | undefined;
      let stdout = "";
      let stderr = "";
      child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
      child.stdout.setEncoding("utf8").on("data", (s: string) => {
        stdout += s;
        const lines = stdout.split("\n");
        stdout = lines.pop()!;
        for (const line of lines) {
          appended = Math.max(appended, Number(/^appended (\d+)$/.exec(line)?.[1] ?? 0));
          acked = Math.max(acked, Number(/^acked (\d+)$/.exec(line)?.[1] ?? 0));
        }
        // Past a few rolls and acks; the jitter lands the kill at varying points of a write.
        if (appended >= 6000 && killer === undefined) killer = setTimeout(() => child.kill("SIGKILL"), Math.random() * 4);
      });
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on("close", (c, s) => resolve([c, s])));
      expect(signal, `killed mid-way (exit ${String(code)}): ${stderr}`).to.equal("SIGKILL");

      const spool = await open(dir, { segmentBytes: CRASH_SEGMENT_BYTES });
      const all = await readAll(spool);
      const first = all[0]!.seq;
      expect(first - 1, `nothing acknowledged (up to ${acked}) is replayed`).to.be.at.least(acked);
      expect(first - 1, "nor more than half of what was appended").to.be.at.most(Math.floor(all.at(-1)!.seq / 2));
      expect(all.at(-1)!.seq, `every appended record (up to ${appended}) is there`).to.be.at.least(appended);
      all.forEach((r, i) => {
        expect(r.seq).to.equal(first + i);
        expect(r.data.equals(crashRecord(r.seq)), `record ${r.seq} intact`).to.equal(true);
      });
      expect(spool.pendingRecords).to.equal(all.length);
    });

    it("fsyncs the segment before append() resolves with fsync always, and not with never", async () => {
      const syncs = await spyOnDatasync();
      try {
        const always = await open(makeTempDir());
        await always.append(recs(1, 3));
        expect(syncs.count, "after the write").to.equal(1);
        await always.append(recs(4, 6));
        expect(syncs.count).to.equal(2);
        syncs.count = 0;
        const never = await open(makeTempDir(), { fsync: "never" });
        await never.append(recs(1, 3));
        await never.ack(2);
        expect(syncs.count).to.equal(0);
        await never.close();
        expect(syncs.count, "close() fsyncs whatever the policy").to.equal(1);
      } finally {
        syncs.restore();
      }
    });

    it("with fsync interval, fsyncs on its timer and on close()", async () => {
      const syncs = await spyOnDatasync();
      try {
        const spool = await open(makeTempDir(), { fsync: "interval", fsyncIntervalMs: 3_600_000 });
        await spool.append(recs(1, 3));
        expect(syncs.count, "append() does not wait for the disk").to.equal(0);
        await spool.close();
        expect(syncs.count, "close() flushes").to.equal(1);

        syncs.count = 0;
        const timed = await open(makeTempDir(), { fsync: "interval", fsyncIntervalMs: 20 });
        await timed.append(recs(1, 3));
        await waitFor(() => syncs.count === 1, "the timer's fsync", 10_000);
        await timed.close();
        expect(syncs.count, "nothing left to flush but close() fsyncs anyway").to.equal(2);
      } finally {
        syncs.restore();
      }
    });
  });

  describe("files", () => {
    it("creates its folder and files with data_access's modes whatever the umask", async () => {
      const old = process.umask(0o077);
      try {
        for (const [dataAccess, dirMode, fileMode] of [
          ["group", 0o750, 0o640],
          ["private", 0o700, 0o600],
        ] as const) {
          const dir = path.join(makeTempDir(), "spool", "es");
          const spool = await open(dir, { dataAccess });
          await spool.append(recs(1, 2));
          await spool.ack(1);
          expect(fs.statSync(dir).mode & 0o777).to.equal(dirMode);
          for (const f of fs.readdirSync(dir)) expect(fs.statSync(path.join(dir, f)).mode & 0o777, f).to.equal(fileMode);
          expect(fs.readdirSync(dir).sort()).to.deep.equal(["0000000000000001.seg", ACK_FILE]);
        }
      } finally {
        process.umask(old);
      }
    });

    it("narrows an existing folder's mode with a warning", async () => {
      const dir = makeTempDir();
      fs.chmodSync(dir, 0o755);
      const log = new RecordingLogger();
      await open(dir, {}, log);
      expect(fs.statSync(dir).mode & 0o777).to.equal(0o700);
      expect(log.messages("warn")).to.deep.equal([`mode of ${dir} changed from 0755 to 0700 (data_access = private)`]);
    });

    it("computes the CRC-32 of zlib with its table version too", () => {
      const data = crypto.randomBytes(10_000);
      expect(tableCrc32(data)).to.equal(zlib.crc32(data));
      expect(tableCrc32(data.subarray(5000), tableCrc32(data.subarray(0, 5000)))).to.equal(zlib.crc32(data));
      expect(tableCrc32(Buffer.alloc(0))).to.equal(0);
    });
  });
});

function flipByte(file: string, offset: number): void {
  const buf = fs.readFileSync(file);
  buf[offset] = buf[offset]! ^ 0xff;
  fs.writeFileSync(file, buf);
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Counts FileHandle.datasync() calls (every FileHandle shares one prototype, which fs/promises does not export). */
async function spyOnDatasync(): Promise<{ count: number; restore: () => void }> {
  const handle = await fsp.open(path.join(makeTempDir(), "probe"), "w");
  const proto = Object.getPrototypeOf(handle) as { datasync: (this: fsp.FileHandle) => Promise<void> };
  await handle.close();
  const original = proto.datasync;
  const spy = {
    count: 0,
    restore: () => {
      proto.datasync = original;
    },
  };
  proto.datasync = function (this: fsp.FileHandle) {
    spy.count++;
    return original.call(this);
  };
  return spy;
}
