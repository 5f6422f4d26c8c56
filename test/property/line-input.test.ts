/**
 * Property tests of the line input (issue 11, "Prove it"): random bytes cut at random
 * points. The framer gives exactly the lines a reference split gives; over a real socket,
 * every good result arrives once and in order, and every bad line is counted and logged.
 */
import net from "node:net";
import { expect } from "chai";
import fc from "fast-check";
import { systemClock } from "../../core/clock";
import { SelfStats } from "../../core/metrics/self-stats";
import type { CheckResult } from "../../core/model/check-result";
import type { Sink } from "../../core/plugin/api";
import { LineFramer, TOO_LONG } from "../../core/input/line-framer";
import { LineInput } from "../../plugins/input/line/line-input";
import type { LineConfig } from "../../plugins/input/line/schema";
import { RecordingLogger } from "../core/pipeline/support";
import { fcOptions } from "./fc-options";

const MAX_LINE = 160;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Cuts `bytes` at the given points (any order, duplicates allowed). */
function cut(bytes: Buffer, points: readonly number[]): Buffer[] {
  const at = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of [...at, bytes.length]) {
    if (p > from) out.push(bytes.subarray(from, p));
    from = p;
  }
  return out;
}

/** What the framer must give, computed the simple way: split on \n, one \r stripped, a BOM stripped from the first line, too long by raw length. */
function referenceLines(stream: Buffer, max: number): { lines: string[]; tail: string | undefined } {
  const lines: string[] = [];
  let from = 0;
  let first = true;
  const finish = (raw: Buffer): string => {
    let line = raw;
    if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, -1);
    if (first && line.length >= 3 && line.subarray(0, 3).equals(BOM)) line = line.subarray(3);
    first = false;
    return line.toString("hex");
  };
  for (let nl = stream.indexOf(0x0a); nl >= 0; nl = stream.indexOf(0x0a, from)) {
    const raw = stream.subarray(from, nl);
    if (raw.length > max) {
      lines.push("<too long>");
      first = false;
    } else lines.push(finish(raw));
    from = nl + 1;
  }
  const rest = stream.subarray(from);
  if (rest.length > max) {
    lines.push("<too long>");
    return { lines, tail: undefined };
  }
  return { lines, tail: rest.length === 0 ? undefined : finish(rest) };
}

/** A byte alphabet where newlines, \r, the BOM's bytes and broken UTF-8 are frequent. */
const streamBytes = fc
  .array(
    fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
      { weight: 2, arbitrary: fc.constantFrom(0x0a, 0x0d, 0xef, 0xbb, 0xbf, 0xc3, 0x28, 0xff, 0x00) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) },
    ),
    { maxLength: 600 },
  )
  .map((a) => Buffer.from(a));

describe("property: line framer", () => {
  it("gives the lines of a plain split on \\n, whatever the chunking (too long, \\r, BOM, tail)", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          streamBytes,
          streamBytes.map((b) => Buffer.concat([BOM, b])),
        ),
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.integer({ min: 1, max: 80 }),
        (stream, points, max) => {
          const framer = new LineFramer(max);
          const got: string[] = [];
          for (const chunk of cut(stream, points)) {
            framer.push(chunk);
            for (let l = framer.next(); l !== undefined; l = framer.next()) got.push(l === TOO_LONG ? "<too long>" : l.toString("hex"));
            expect(framer.bufferedBytes, "bytes held for an unfinished line").to.be.at.most(max + chunk.length);
          }
          const tail = framer.takeTail();
          const expected = referenceLines(stream, max);
          expect(got).to.deep.equal(expected.lines);
          expect(tail?.toString("hex")).to.equal(expected.tail);
        },
      ),
      fcOptions(2000),
    );
  });
});

class RecordingSink implements Sink {
  readonly results: CheckResult[] = [];
  readonly paused = false;
  accept(result: CheckResult): void {
    this.results.push(result);
  }
  onFlowChange(): () => void {
    return () => undefined;
  }
  sync(): Promise<void> {
    return Promise.resolve();
  }
}

/** One line of a random stream: a good result (hostname g<n>), a bad line, or a blank one. */
type Item =
  | { readonly kind: "good"; readonly text: (n: number) => string }
  | { readonly kind: "bad"; readonly bytes: Buffer }
  | { readonly kind: "blank"; readonly text: string };

const printable = fc.string({ unit: fc.constantFrom("a", "Z", "0", " ", ";", "|", "\\", '"', "{", "}", "[", "]", "é", "€", "😀", "\t"), maxLength: 20 });

const goodItem: fc.Arbitrary<Item> = fc
  .tuple(
    fc.constantFrom("json", "nagios", "nagios-host"),
    fc.integer({ min: 0, max: 3 }),
    printable,
    fc.constantFrom("", " ", "\t"),
    fc.constantFrom("\n", "\r\n"),
  )
  .map(([form, status, output, lead, end]): Item => ({
    kind: "good",
    text: (n) => {
      const ts = Math.floor(Date.now() / 1000);
      switch (form) {
        case "json":
          return `${lead}${JSON.stringify({ hostname: `g${n}`, check: "c", status, output, timestamp: ts })}${end}`;
        case "nagios":
          return `${lead}[${ts}] PROCESS_SERVICE_CHECK_RESULT;g${n};c;${status};${output.replace(/\\/g, "/")}${end}`;
        default:
          return `${lead}[${ts}] PROCESS_HOST_CHECK_RESULT;g${n};${status % 3};${output.replace(/\\/g, "/")}${end}`;
      }
    },
  }));

/** Lines that are never a result: random bytes (not blank, not SYNC), broken JSON, bad fields, too long. */
const badItem: fc.Arbitrary<Item> = fc
  .oneof(
    fc.uint8Array({ minLength: 1, maxLength: 60 }).map((a) => Buffer.from(a.map((b) => (b === 0x0a ? 0x2e : b)))),
    fc
      .constantFrom(
        '{"hostname":"h","check":',
        "[]",
        "null",
        "42",
        "servers.x.cpu 1 1700000000",
        "AUTH x",
        '{"hostname":"","check":"c","status":0}',
        '{"hostname":"h","check":"c","status":2.5}',
        "[1] NOSUCH;x",
        "[x] PROCESS_HOST_CHECK_RESULT;h;0;o",
        "{\xff}",
      )
      .map((s) => Buffer.from(s, "latin1")),
    fc.integer({ min: MAX_LINE + 1, max: 3 * MAX_LINE }).map((n) => Buffer.alloc(n, "x")),
  )
  // Not blank, not SYNC, not starting with a BOM (stripped on a first line, it could leave a blank one).
  .filter((b) => !/^[ \t\r\v\f]*$/.test(b.toString("latin1")) && b.toString("latin1").trim() !== "SYNC" && !b.subarray(0, 3).equals(BOM))
  .map((bytes): Item => ({ kind: "bad", bytes: Buffer.concat([bytes, Buffer.from("\n")]) }));

const blankItem: fc.Arbitrary<Item> = fc.constantFrom("\n", "\r\n", "  \n", "\t\r\n").map((text): Item => ({ kind: "blank", text }));

const items = fc.array(fc.oneof({ weight: 4, arbitrary: goodItem }, { weight: 3, arbitrary: badItem }, { weight: 1, arbitrary: blankItem }), { maxLength: 40 });

describe("property: line input over a real socket", function () {
  this.timeout(120_000);
  const config: LineConfig = {
    bind: "127.0.0.1",
    port: 0,
    allow: [],
    max_line_bytes: MAX_LINE,
    token: "",
    idle_timeout: 120_000,
    max_connections: 1000,
    line_timeout: 10_000,
    max_connections_per_peer: 500,
    auth_max_failures: 5,
    auth_lockout: 60_000,
    tls_cert: "",
    tls_key: "",
    tls_ca: "",
  };

  /** Writes the chunks one by one (some after a turn of the event loop, so they leave as separate segments), then SYNC; resolves on SYNCED. */
  async function send(port: number, chunks: readonly Buffer[], pauses: readonly boolean[]): Promise<void> {
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect(port, "127.0.0.1", () => resolve(s));
      s.once("error", reject);
    });
    socket.setNoDelay(true);
    try {
      const synced = new Promise<void>((resolve, reject) => {
        let text = "";
        socket.on("data", (d: Buffer) => {
          text += d.toString("latin1");
          if (text.includes("SYNCED\n")) resolve();
        });
        socket.on("close", () => reject(new Error(`closed before SYNCED: ${JSON.stringify(text)}`)));
      });
      for (let i = 0; i < chunks.length; i++) {
        socket.write(chunks[i]!);
        if (pauses[i % Math.max(1, pauses.length)] === true) await new Promise((r) => setImmediate(r));
      }
      socket.write("SYNC\n");
      await synced;
    } finally {
      socket.destroy();
    }
  }

  it("keeps every good result exactly once and in order, and counts and logs every bad line, whatever the split points", async () => {
    await fc.assert(
      fc.asyncProperty(items, fc.array(fc.nat(), { maxLength: 40 }), fc.array(fc.boolean(), { maxLength: 8 }), async (list, points, pauses) => {
        // A fresh input each run: its log throttle starts afresh, so the first bad line of each reason is logged.
        const sink = new RecordingSink();
        const log = new RecordingLogger();
        const stats = new SelfStats().of("line");
        const input = new LineInput(config, sink, log, stats, systemClock);
        await input.start();
        try {
          const expected: string[] = [];
          const badLines: number[] = [];
          const parts = list.map((item, i) => {
            if (item.kind === "bad") badLines.push(i + 1);
            if (item.kind !== "good") return item.kind === "bad" ? item.bytes : Buffer.from(item.text);
            expected.push(`g${i}`);
            return Buffer.from(item.text(i));
          });
          await send(input.port, cut(Buffer.concat(parts), points), pauses);
          expect(
            sink.results.map((r) => r.hostname),
            "good results",
          ).to.deep.equal(expected);
          expect(stats.get("lines_rejected"), "lines_rejected").to.equal(badLines.length);
          const warned = log.entries.filter((e) => e.level === "warn").map((e) => e.fields.line);
          // Each warning names a bad line; the log is rate-limited per reason, but the first bad line is always there.
          expect(
            warned.filter((n) => typeof n !== "number" || !badLines.includes(n)),
            "warnings about lines that were not bad",
          ).to.deep.equal([]);
          if (badLines.length > 0) expect(warned).to.include(badLines[0]);
          expect(log.entries.filter((e) => e.level === "error").map((e) => e.msg)).to.deep.equal([]);
        } finally {
          await input.stop();
        }
      }),
      fcOptions(150),
    );
  });
});
