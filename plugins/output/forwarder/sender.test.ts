import net from "node:net";
import path from "node:path";
import { expect } from "chai";
import { systemClock } from "../../../core/clock";
import { SelfStats } from "../../../core/metrics/self-stats";
import { DiskSpool } from "../../../core/spool/disk-spool";
import { RecordingLogger, waitFor } from "../../../test/core/pipeline/support";
import { cleanupTempDirs, makeTempDir } from "../../../test/helpers/temp-dir";
import { parseServer, type CentralServer } from "./central-server";
import { Sender, type SenderOptions } from "./sender";

/** A fake central line socket: records the lines, answers each SYNC as `answer()` says (undefined: never). */
class FakeCentral {
  readonly lines: string[] = [];
  connections = 0;
  answer: (syncNo: number) => string | undefined = () => "SYNCED";
  private syncs = 0;
  private readonly listener = net.createServer((s) => {
    this.connections++;
    s.on("error", () => undefined);
    let text = "";
    s.on("data", (d: Buffer) => {
      text += d.toString("utf8");
      let nl: number;
      while ((nl = text.indexOf("\n")) >= 0) {
        const line = text.slice(0, nl);
        text = text.slice(nl + 1);
        if (line !== "SYNC") {
          this.lines.push(line);
          continue;
        }
        const a = this.answer(++this.syncs);
        if (a !== undefined) s.write(`${a}\n`);
      }
    });
  });
  server!: CentralServer;

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.listener.listen(0, "127.0.0.1", resolve));
    this.server = parseServer(`127.0.0.1:${(this.listener.address() as net.AddressInfo).port}`) as CentralServer;
    return this;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.listener.close(() => resolve()));
  }
}

describe("forwarder sender (real sockets, a real disk spool)", function () {
  this.timeout(20_000);
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });
  after(cleanupTempDirs);

  async function setUp(servers: CentralServer[], over: Partial<SenderOptions> = {}) {
    const log = new RecordingLogger();
    const spool = await DiskSpool.open(
      { dir: path.join(makeTempDir(), "spool"), segmentBytes: 1 << 20, maxBytes: 1 << 24, fsync: "never", fsyncIntervalMs: 1000 },
      log,
    );
    const sender = new Sender(
      spool,
      {
        servers,
        link: { timeoutMs: 2000, token: "", tls: undefined },
        syncEvery: 2,
        maxInFlight: 2,
        ackTimeoutMs: 10_000,
        reconnectMinMs: 5,
        reconnectMaxMs: 20,
        failoverAfter: 2,
        failbackIntervalMs: 0,
        ...over,
      },
      log,
      new SelfStats().of("forwarder"),
      systemClock,
    );
    cleanup.push(async () => {
      await sender.stop();
      await spool.close();
    });
    return { log, spool, sender };
  }
  const records = (from: number, n: number) => Array.from({ length: n }, (_, i) => Buffer.from(`r${from + i}\n`));

  it("acknowledges in the spool only what was answered SYNCED; after an ERROR answer it sends again from the oldest not acknowledged", async () => {
    const central = await new FakeCentral().start();
    cleanup.push(() => central.close());
    // The second SYNC is answered as by a central store that cannot write: not committed.
    central.answer = (n) => (n === 2 ? "ERROR the store cannot write (SQLITE_FULL)" : "SYNCED");
    const { spool, sender, log } = await setUp([central.server]);
    await spool.append(records(0, 6));
    sender.start();
    await waitFor(() => log.messages("info").some((m) => m.includes("answers again")), "the outage's end logged", 10_000);
    expect(spool.pendingRecords).to.equal(0);
    // r0 r1 answered; r2 r3 refused (and r4 r5 maybe sent behind them), then everything from r2 again.
    expect(central.connections).to.equal(2);
    const again = central.lines.lastIndexOf("r2");
    expect(again).to.be.greaterThan(central.lines.indexOf("r2"));
    expect(central.lines.slice(again)).to.deep.equal(["r2", "r3", "r4", "r5"]);
    const warn = log.entries.filter((e) => e.level === "warn");
    expect(warn).to.have.length(1);
    expect(warn[0]!.msg).to.contain("SQLITE_FULL");
    expect(log.messages("info").filter((m) => m.includes("answers again"))).to.have.length(1);
  });

  it("drops a connection whose SYNC is not answered within ack_timeout and sends the batch again", async () => {
    const central = await new FakeCentral().start();
    cleanup.push(() => central.close());
    central.answer = (n) => (n === 1 ? undefined : "SYNCED");
    const { spool, sender } = await setUp([central.server], { ackTimeoutMs: 200, maxInFlight: 1 });
    await spool.append(records(0, 2));
    sender.start();
    await waitFor(() => spool.pendingRecords === 0, "acknowledged", 10_000);
    expect(central.lines).to.deep.equal(["r0", "r1", "r0", "r1"]);
  });

  it("fails over after failover_after refusals, and says so once", async () => {
    const dead = parseServer(`127.0.0.1:${await closedPort()}`) as CentralServer;
    const central = await new FakeCentral().start();
    cleanup.push(() => central.close());
    const { spool, sender, log } = await setUp([dead, central.server]);
    await spool.append(records(0, 3));
    sender.start();
    await waitFor(() => spool.pendingRecords === 0, "acknowledged by the second server", 10_000);
    expect(central.lines).to.deep.equal(["r0", "r1", "r2"]);
    expect(log.messages("warn").filter((m) => m.startsWith("failing over"))).to.have.length(1);
    expect(log.messages("warn").filter((m) => m.includes("unreachable"))).to.have.length(1);
  });

  it("stops at once while a connection attempt is pending", async () => {
    const { spool, sender } = await setUp([parseServer("10.255.255.1:2003") as CentralServer], { reconnectMinMs: 1 });
    await spool.append(records(0, 1));
    sender.start();
    const t0 = Date.now();
    await sender.stop();
    expect(Date.now() - t0).to.be.below(1500);
  });
});

/** A port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}
