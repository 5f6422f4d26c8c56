import { expect } from "chai";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { once } from "node:events";
import { LoopTurns } from "../net/loop-turns";
import { cleanupTempDirs, makeTempDir } from "../../test/helpers/temp-dir";
import { RecordingLogger } from "../../test/helpers/recording-logger";
import { FifoPathError, FifoReader, type FifoLineHandler, type FifoReaderOptions } from "./fifo-reader";

/** A sink's flow control, switched by hand. */
class FlowSwitch {
  paused = false;
  private readonly listeners = new Set<(paused: boolean) => void>();
  onFlowChange(listener: (paused: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  set(paused: boolean): void {
    this.paused = paused;
    for (const l of this.listeners) l(paused);
  }
}

/** Collects what the reader hands over, and resolves waits on counts of lines. */
class Collector implements FifoLineHandler {
  readonly lines: string[] = [];
  readonly tooLongs: number[] = [];
  readonly stales: number[] = [];
  private waiters: { n: number; resolve: () => void }[] = [];
  line(line: Buffer): void {
    this.lines.push(line.toString("utf8"));
    this.wake();
  }
  tooLong(bytes: number): void {
    this.tooLongs.push(bytes);
  }
  stale(bytes: number): void {
    this.stales.push(bytes);
  }
  /** Resolves once `n` lines in all were handed over. */
  waitFor(n: number): Promise<void> {
    if (this.lines.length >= n) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }
  private wake(): void {
    this.waiters = this.waiters.filter((w) => {
      if (this.lines.length < w.n) return true;
      w.resolve();
      return false;
    });
  }
}

/** One writer: opens the FIFO for writing (a reader is there, so the open does not wait), writes, closes. */
function writeOnce(fifo: string, ...chunks: (string | Buffer)[]): void {
  const fd = fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  try {
    for (const c of chunks) fs.writeSync(fd, typeof c === "string" ? Buffer.from(c) : c);
  } finally {
    fs.closeSync(fd);
  }
}

/** A child node process running `code` (with `fifo` as process.argv[1]); resolves with its exit. */
function runChild(code: string, fifo: string): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const child = spawn(process.execPath, ["-e", code, fifo], { stdio: "ignore" });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code, signal) => resolve({ code, signal }));
  });
}

describe("FIFO reader (core/input/fifo-reader)", () => {
  let dir: string;
  const readers: FifoReader[] = [];
  let now = 1_700_000_000_000;
  const clock = { now: () => now };

  beforeEach(() => {
    dir = makeTempDir("tantale-fifo-");
  });
  afterEach(async () => {
    for (const r of readers.splice(0)) await r.stop();
    cleanupTempDirs();
  });

  function reader<H extends FifoLineHandler = Collector>(
    options: Partial<FifoReaderOptions> = {},
    flow = new FlowSwitch(),
    handler: H = new Collector() as FifoLineHandler as H,
    log = new RecordingLogger(),
  ) {
    const r = new FifoReader({ path: path.join(dir, "cmd"), mode: 0o660, maxLineBytes: 65_536, staleLineMs: 0, inodeCheckMs: 0, ...options }, handler, {
      log,
      sink: flow,
      turns: new LoopTurns(),
      clock,
    });
    readers.push(r);
    return { r, handler, flow, log, fifo: r.path };
  }

  it("creates a missing FIFO with the mode, whatever the umask", async () => {
    const { r, fifo } = reader({ mode: 0o640 });
    await r.start();
    const stat = fs.lstatSync(fifo);
    expect(stat.isFIFO()).to.equal(true);
    expect(stat.mode & 0o777).to.equal(0o640);
  });

  it("reuses an existing FIFO", async () => {
    const { r, fifo, handler } = reader();
    await r.start();
    await r.stop();
    const again = reader({}, new FlowSwitch(), handler);
    await again.r.start();
    writeOnce(fifo, "x\n");
    await handler.waitFor(1);
    expect(handler.lines).to.deep.equal(["x"]);
  });

  it("refuses a path that is a regular file, with a clear error, and leaves the file alone", async () => {
    const { r, fifo } = reader();
    fs.writeFileSync(fifo, "not a pipe\n");
    let error: unknown;
    await r.start().catch((err: unknown) => (error = err));
    expect(error).to.be.instanceOf(FifoPathError);
    expect(String(error)).to.include(fifo).and.include("is a regular file, not a FIFO");
    expect(fs.readFileSync(fifo, "utf8")).to.equal("not a pipe\n");
  });

  it("says why it cannot create the FIFO (its directory is missing)", async () => {
    const { r } = reader({ path: path.join(dir, "no-such-dir", "cmd") });
    let error: unknown;
    await r.start().catch((err: unknown) => (error = err));
    expect(error).to.be.instanceOf(FifoPathError);
    expect(String(error)).to.include("cannot create it with mkfifo").and.include("No such file or directory");
  });

  it("writers coming and going: no EOF, one open, one read per write (no wakeup loop)", async () => {
    const { r, fifo, handler } = reader();
    await r.start();
    for (let i = 0; i < 50; i++) {
      writeOnce(fifo, `line ${i}\n`);
      // Each writer's bytes read before the next one opens: one read each.
      await handler.waitFor(i + 1);
    }
    // After the last writer closed, a reader without a write end would see EOF (and, reopened, a stream of them).
    await new Promise((resolve) => setTimeout(resolve, 50));
    writeOnce(fifo, "last\n");
    await handler.waitFor(51);
    expect(handler.lines).to.have.length(51);
    expect(r.counters.ends).to.equal(0);
    expect(r.counters.opens).to.equal(1);
    expect(r.counters.reads).to.equal(51);
  });

  it("joins a line split across writes and writers, and a character split across writes", async () => {
    const { r, fifo, handler } = reader();
    await r.start();
    const euro = Buffer.from("€");
    const fd = fs.openSync(fifo, fs.constants.O_WRONLY);
    fs.writeSync(fd, "[1] PROCESS_SER");
    fs.writeSync(fd, Buffer.concat([Buffer.from("VICE;h;s;0;"), euro.subarray(0, 1)]));
    fs.closeSync(fd);
    writeOnce(fifo, Buffer.concat([euro.subarray(1), Buffer.from(" ok\r\nsecond\n")]));
    await handler.waitFor(2);
    expect(handler.lines).to.deep.equal(["[1] PROCESS_SERVICE;h;s;0;€ ok", "second"]);
  });

  it("keeps 4096-byte lines whole when several writer processes write at once (PIPE_BUF writes are atomic)", async () => {
    const { r, fifo, handler } = reader();
    await r.start();
    const writers = 4;
    const perWriter = 200;
    // Each line: exactly 4096 bytes with its newline, written with one write().
    const code = `
      const fs = require("node:fs");
      const fd = fs.openSync(process.argv[1], fs.constants.O_WRONLY);
      const id = process.pid;
      for (let i = 0; i < ${perWriter}; i++) {
        const head = id + ":" + i + ":";
        const line = Buffer.from(head + "x".repeat(4095 - head.length) + "\\n");
        if (fs.writeSync(fd, line) !== 4096) process.exit(3);
      }
      fs.closeSync(fd);`;
    const exits = await Promise.all(Array.from({ length: writers }, () => runChild(code, fifo)));
    expect(exits.map((e) => e.code)).to.deep.equal(Array(writers).fill(0));
    await handler.waitFor(writers * perWriter);
    const perPid = new Map<string, number[]>();
    for (const line of handler.lines) {
      expect(line).to.have.length(4095);
      const [pid, i, rest] = line.split(":");
      expect(rest).to.match(/^x+$/);
      perPid.set(pid!, [...(perPid.get(pid!) ?? []), Number(i)]);
    }
    expect(perPid.size).to.equal(writers);
    for (const seq of perPid.values()) expect(seq).to.deep.equal(Array.from({ length: perWriter }, (_, i) => i));
    expect(r.counters.ends).to.equal(0);
  });

  it("a writer killed mid-line: its partial line is dropped once stale, the next writer's line stands alone", async () => {
    const { r, fifo, handler } = reader({ staleLineMs: 2000 });
    await r.start();
    const killed = await runChild(
      `const fs = require("node:fs");
       const fd = fs.openSync(process.argv[1], fs.constants.O_WRONLY);
       fs.writeSync(fd, "good 1\\n[1] PROCESS_SERVICE_CHECK_RESULT;h;s;0;cut sho");
       process.kill(process.pid, "SIGKILL");`,
      fifo,
    );
    expect(killed.signal).to.equal("SIGKILL");
    await handler.waitFor(1);
    now += 2000; // the partial line saw nothing for staleLineMs
    writeOnce(fifo, "[2] PROCESS_SERVICE_CHECK_RESULT;h;s;1;whole\n");
    await handler.waitFor(2);
    expect(handler.lines).to.deep.equal(["good 1", "[2] PROCESS_SERVICE_CHECK_RESULT;h;s;1;whole"]);
    expect(handler.stales).to.deep.equal([Buffer.byteLength("[1] PROCESS_SERVICE_CHECK_RESULT;h;s;0;cut sho")]);
  });

  it("with staleLineMs 0, a dead writer's partial line is glued onto the next one (Nagios' behaviour)", async () => {
    const { r, fifo, handler } = reader({ staleLineMs: 0 });
    await r.start();
    writeOnce(fifo, "[1] A;cut");
    now += 60_000;
    writeOnce(fifo, "[2] B;whole\n");
    await handler.waitFor(1);
    expect(handler.lines).to.deep.equal(["[1] A;cut[2] B;whole"]);
  });

  it("a partial line is not stale while the reader was paused (the rest waited in the pipe)", async () => {
    const flow = new FlowSwitch();
    const { r, fifo, handler } = reader({ staleLineMs: 2000 }, flow);
    await r.start();
    writeOnce(fifo, "a\n");
    await handler.waitFor(1);
    flow.set(true);
    writeOnce(fifo, "b\nc-first-half ");
    writeOnce(fifo, "c-second-half\n");
    now += 10_000;
    flow.set(false);
    await handler.waitFor(3);
    expect(handler.lines).to.deep.equal(["a", "b", "c-first-half c-second-half"]);
    expect(handler.stales).to.deep.equal([]);
  });

  it("discards an over-long line up to its newline, tells once, and keeps the lines around it", async () => {
    const { r, fifo, handler } = reader({ maxLineBytes: 100 });
    await r.start();
    writeOnce(fifo, "before\n", "y".repeat(150), "y".repeat(150), "\nafter\n");
    await handler.waitFor(2);
    expect(handler.lines).to.deep.equal(["before", "after"]);
    expect(handler.tooLongs).to.have.length(1);
  });

  it("stops reading while the sink is paused and hands everything over when it resumes", async () => {
    const flow = new FlowSwitch();
    const { r, fifo, handler } = reader({}, flow);
    await r.start();
    flow.set(true);
    writeOnce(fifo, "1\n2\n3\n");
    // Another writer after: its bytes wait in the kernel's pipe.
    writeOnce(fifo, "4\n");
    await new Promise((resolve) => setImmediate(resolve));
    expect(handler.lines.length).to.be.at.most(1);
    flow.set(false);
    await handler.waitFor(4);
    expect(handler.lines).to.deep.equal(["1", "2", "3", "4"]);
  });

  it("holds the following lines while the handler's promise is pending (commands in arrival order)", async () => {
    const order: string[] = [];
    let release: () => void = () => undefined;
    const handler = new Collector();
    const holding: FifoLineHandler = {
      line: (line) => {
        const text = line.toString();
        order.push(`start ${text}`);
        handler.line(line);
        if (text !== "cmd") return undefined;
        return new Promise<void>((resolve) => {
          release = () => {
            order.push("done cmd");
            resolve();
          };
        });
      },
      tooLong: () => undefined,
      stale: () => undefined,
    };
    const { r, fifo } = reader({}, new FlowSwitch(), holding);
    await r.start();
    writeOnce(fifo, "a\ncmd\nb\n");
    await handler.waitFor(2);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(order).to.deep.equal(["start a", "start cmd"]);
    release();
    await handler.waitFor(3);
    expect(order).to.deep.equal(["start a", "start cmd", "done cmd", "start b"]);
  });

  it("stop hands over the lines still in the pipe, closes, and leaves the FIFO", async () => {
    const flow = new FlowSwitch();
    const { r, fifo, handler } = reader({}, flow);
    await r.start();
    flow.set(true);
    writeOnce(fifo, "1\n2\n", "3\nunterminated");
    await r.stop();
    expect(handler.lines).to.deep.equal(["1", "2", "3"]);
    expect(fs.lstatSync(fifo).isFIFO()).to.equal(true);
    // Closed: a non-blocking writer finds no reader.
    expect(() => writeOnce(fifo, "x\n")).to.throw(/ENXIO/);
  });

  it("reopens a FIFO that was removed and recreated under it", async () => {
    const { r, fifo, handler, log } = reader({ inodeCheckMs: 20 });
    await r.start();
    fs.unlinkSync(fifo);
    // The check finds it missing, and recreates it.
    while (r.counters.opens < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    writeOnce(fifo, "after\n");
    await handler.waitFor(1);
    expect(handler.lines).to.deep.equal(["after"]);
    expect(log.messages("warn").join("\n")).to.include("was removed; reopening it");
  });

  it("a process reading a FIFO with no writer ends by itself once stopped (no thread held by an open)", async () => {
    const fifo = path.join(dir, "cmd");
    const reader = path.join(__dirname, "fifo-reader.js");
    const child = spawn(
      process.execPath,
      [
        "-e",
        `const { FifoReader } = require(${JSON.stringify(reader)});
         const { LoopTurns } = require(${JSON.stringify(path.join(__dirname, "../net/loop-turns.js"))});
         const log = { debug() {}, info() {}, warn() {}, error() {} };
         const r = new FifoReader({ path: process.argv[1], mode: 0o600, maxLineBytes: 100, staleLineMs: 0 },
           { line() {}, tooLong() {}, stale() {} },
           { log, sink: { paused: false, onFlowChange: () => () => undefined }, turns: new LoopTurns(), clock: Date });
         process.on("SIGTERM", () => void r.stop()); // no process.exit: nothing may keep the loop alive
         r.start().then(() => console.log("ready"));`,
        fifo,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    await once(child.stdout, "data");
    child.kill("SIGTERM");
    const [code] = (await once(child, "exit")) as [number | null];
    expect(code).to.equal(0);
  });
});
