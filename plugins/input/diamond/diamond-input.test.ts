import net from "node:net";
import { expect } from "chai";
import { loadConfiguration } from "../../../core/config/load-config";
import type { CheckResult } from "../../../core/model/check-result";
import { SelfStats, type InstanceStats } from "../../../core/metrics/self-stats";
import { LoopTurns } from "../../../core/net/loop-turns";
import type { Sink } from "../../../core/plugin/api";
import { BUILT_IN_PLUGINS } from "../..";
import { RecordingLogger } from "../../../test/helpers/recording-logger";
import { cleanupTempDirs, makeConfDir, makeTempDir } from "../../../test/helpers/temp-dir";
import { DiamondInput } from "./diamond-input";
import type { DiamondConfig } from "./schema";

const T0 = 1_700_000_000;

/** A sink that keeps what it is given and pauses on demand. */
class TestSink implements Sink {
  readonly results: CheckResult[] = [];
  paused = false;
  private readonly listeners = new Set<(paused: boolean) => void>();
  accept(result: CheckResult): void {
    this.results.push(result);
  }
  onFlowChange(listener: (paused: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  setPaused(paused: boolean): void {
    this.paused = paused;
    for (const l of this.listeners) l(paused);
  }
  sync(): Promise<void> {
    return Promise.resolve();
  }
}

/** Polls a condition each turn of the loop (no fixed sleep), failing after a generous deadline. */
async function until(what: string, condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function send(port: number, ...chunks: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const writeFrom = (i: number): void => {
      if (i === chunks.length) {
        socket.end();
        return;
      }
      socket.write(chunks[i]!);
      // separate packets: a line split across them must come out whole
      setImmediate(() => writeFrom(i + 1));
    };
    const socket = net.connect({ host: "127.0.0.1", port }, () => writeFrom(0));
    socket.on("error", reject);
    socket.on("close", () => resolve());
  });
}

describe("diamond input: Graphite over TCP (real sockets, port 0)", function () {
  this.timeout(30_000);
  const inputs: DiamondInput[] = [];
  afterEach(async () => {
    for (const i of inputs.splice(0)) await i.stop();
  });
  after(cleanupTempDirs);

  async function start(conf: string) {
    const config = await loadConfiguration({
      confDir: makeConfDir({ "diamond.conf": `path =\nport = 0\nhostname = web1\n${conf}` }),
      builtIns: BUILT_IN_PLUGINS,
      env: {},
    });
    const options = config.instances.find((i) => i.id === "diamond")!.options as unknown as DiamondConfig;
    const clock = {
      t: T0 * 1000,
      now(): number {
        return this.t;
      },
    };
    const sink = new TestSink();
    const log = new RecordingLogger();
    const stats: InstanceStats = new SelfStats().of("diamond");
    const input = new DiamondInput(options, sink, log, stats, clock, makeTempDir(), new LoopTurns());
    inputs.push(input);
    await input.start();
    return { input, sink, log, stats, clock, port: input.port! };
  }

  it("feeds the checks from several senders; bad lines are logged with the peer and cost no good line", async () => {
    const { input, sink, log, stats, port } = await start(
      "[check load]\nexpression = {loadavg.01} * 10\nthresholds = ,,10,20\n[check ratio]\nexpression = {a} / {b}\n",
    );
    await Promise.all([
      // one line split across packets, between bad lines
      send(port, `servers.web1.loadavg.01 1.`, `5 ${T0}\nservers.web1.a 1,5 ${T0}\n`, `servers.web1.a 3 ${T0}\ngarbage\n\n`),
      send(port, `servers.web1.b inf ${T0}\nservers.web1.b 0 ${T0}\r\nservers.other.x 1 ${T0}\n`),
    ]);
    await until("every line", () => stats.get("lines_received") === 8); // the blank one too
    expect(stats.get("metrics_recorded")).to.equal(3);
    expect(stats.get("metrics_ignored")).to.equal(1); // no check names it
    expect(stats.get("lines_rejected")).to.equal(3);
    expect(stats.get("rejected_value")).to.equal(2);
    expect(stats.get("rejected_fields")).to.equal(1);
    const rejected = log.lines.filter((l) => l.msg.includes("rejected"));
    expect(rejected).to.have.length(3);
    expect(rejected[0]!.msg).to.match(/^line \d from 127\.0\.0\.1:\d+ rejected: /);
    expect(rejected.map((l) => l.fields.preview)).to.have.members([`servers.web1.a 1,5 ${T0}`, "garbage", `servers.web1.b inf ${T0}`]);

    input.runChecks();
    expect(sink.results.map((r) => [r.hostname, r.check, r.status, r.output, r.perfData])).to.deep.equal([
      ["web1", "load", 1, "value 15 (warning above 10, critical above 20)", "load=15;~:10;~:20;;"],
      ["web1", "ratio", 3, "division by zero ({servers.web1.b} is 0)", ""],
    ]);
  });

  it("throttles the log of a flood of bad lines", async () => {
    const { log, stats, port } = await start("[check x]\nexpression = {x}\n");
    await send(port, "bad\n".repeat(500));
    await until("the flood", () => stats.get("lines_received") === 500);
    expect(stats.get("lines_rejected")).to.equal(500);
    expect(log.lines.filter((l) => l.msg.includes("rejected")).length).to.be.at.most(5);
  });

  it("drops a line cut by the end of the stream, and a line over max_line_bytes", async () => {
    const { stats, port, input } = await start("max_line_bytes = 64\n[check x]\nexpression = {x}\n");
    await send(port, `servers.web1.x ${"9".repeat(100)} ${T0}\nservers.web1.x 1 ${T0}\nservers.web1.x 2 17`);
    await until("the lines", () => stats.get("lines_received") === 2 && stats.get("tails_dropped") === 1);
    expect(stats.get("rejected_line_too_long")).to.equal(1);
    input.runChecks();
    expect(input.history.read({ path: "servers.web1.x", age: 0 }, T0).value).to.equal(1);
  });

  it("stops reading while the sink is paused, and takes everything once it resumes", async () => {
    const { sink, stats, port } = await start("[check x]\nexpression = {x}\n");
    sink.setPaused(true);
    const lines = Array.from({ length: 1000 }, (_, i) => `servers.web1.x ${i} ${T0 + i}\n`).join("");
    const sent = send(port, lines);
    // Nothing can be read while paused: a negative look, so a slow machine cannot fail it.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(stats.get("lines_received")).to.equal(0);
    sink.setPaused(false);
    await sent;
    await until("every line", () => stats.get("lines_received") === 1000);
  });

  it("when max_connections is reached, closes the quietest sender (a stalled half line counts as quiet) to let a newcomer in", async () => {
    const { stats, port, clock, log } = await start("max_connections = 1\n[check x]\nexpression = {x}\n");
    const dripping = net.connect({ host: "127.0.0.1", port });
    const closed = new Promise<void>((resolve) => dripping.on("close", () => resolve()));
    dripping.on("error", () => undefined);
    dripping.write(`servers.web1.x 1 ${T0}\nservers.web1.x 2`); // a line, then half of one
    await until("the first line", () => stats.get("lines_received") === 1);
    clock.t += 5000; // the half line has waited 5 s
    await send(port, `servers.web1.x 3 ${T0 + 1}\n`);
    await closed;
    await until("the newcomer's line", () => stats.get("lines_received") === 2);
    expect(stats.get("connections_evicted")).to.equal(1);
    expect(log.lines.some((l) => l.msg.includes("closed to let") && l.msg.includes("it was the quietest"))).to.equal(true);
  });

  it("keeps a trend against the injected clock", async () => {
    const { input, sink, port, clock } = await start("[check rate]\nexpression = {bytes} - {1h|bytes}\nthresholds = ,,100,\n");
    const point = (i: number) => `servers.web1.bytes ${i * 10} ${T0 + i * 60}\n`;
    const value = () => input.history.read({ path: "servers.web1.bytes", age: 0 }, T0).value;
    await send(port, Array.from({ length: 31 }, (_, i) => point(i)).join(""));
    await until("half an hour", () => input.history.metricCount === 1 && value() === 300);
    clock.t = (T0 + 1800) * 1000;
    input.runChecks();
    await send(port, Array.from({ length: 30 }, (_, i) => point(31 + i)).join(""));
    await until("an hour", () => value() === 600);
    clock.t = (T0 + 3600) * 1000;
    input.runChecks();
    expect(sink.results.map((r) => [r.status, r.output])).to.deep.equal([
      [3, "{3600|servers.web1.bytes}: not enough history yet (the oldest value is 1800s old, 3600s needed)"],
      [1, "value 600 (warning above 100)"],
    ]);
  });
});
