import { expect } from "chai";
import { systemClock } from "../../../core/clock";
import { LivestatusServer } from "../../../core/livestatus/protocol/livestatus-server";
import { TableRegistry } from "../../../core/livestatus/query/table-registry";
import { RecordingLogger } from "../pipeline/support";
import { exchange, LivestatusClient } from "../../helpers/livestatus-client";
import { testHost, TestHostsTable, TestStatusTable } from "./engine-table";

/**
 * A crowd that connects while busy KeepAlive clients keep the server saturated is let in
 * at once (issue 11, the soak's newcomers). libuv (Node 20) accepts one connection per turn
 * of the event loop; before turns were kept short (loop-turns.ts), every turn answered
 * every busy client with a request ready first, so the 100th newcomer waited 100 such
 * turns (6.6 s here, against 0.9 s since).
 */

const HOSTS = 120;
const BUSY = 60;
const CROWD = 100;
/** A few milliseconds of work: case-insensitive regexes over every host's name and output, counted. */
const BUSY_QUERY =
  "GET hosts\nFilter: name ~~ ^h[0-9]*7$\nFilter: plugin_output ~~ o[a-z]+t [0-9]+9\nOr: 2\nStats: state = 0\nKeepAlive: on\nResponseHeader: fixed16\n\n";
const STATUS = "GET status\nColumns: num_hosts\n\n";

describe("Livestatus: a crowd connecting to a busy server (real sockets)", function () {
  this.timeout(120_000);
  let server: LivestatusServer;
  const busy: LivestatusClient[] = [];
  let stop = false;

  before(async () => {
    const hosts = new TestHostsTable();
    for (let i = 0; i < HOSTS; i++) hosts.set(testHost(`h${i}`, { plugin_output: `OK - some output of host ${i} that the filter reads` }));
    const tables = new TableRegistry();
    tables.add(hosts);
    tables.add(new TestStatusTable(hosts));
    server = new LivestatusServer({
      tables,
      onCommand: () => undefined,
      log: new RecordingLogger(),
      clock: systemClock,
      maxConnections: 0,
      maxConnectionsPerPeer: 0,
    });
    await server.listen({ tcp: { host: "127.0.0.1", port: 0 } });
  });

  after(async () => {
    stop = true;
    for (const c of busy.splice(0)) c.destroy();
    await server.stop();
  });

  it("lets 100 newcomers in, one accept per turn, without serving the 60 busy clients a round between two accepts", async () => {
    const port = server.port!;
    const probe = await LivestatusClient.connect(port);
    const t0 = performance.now();
    probe.send(BUSY_QUERY);
    expect((await probe.answer(60_000)).status).to.equal(200);
    const cost = performance.now() - t0;
    probe.destroy();
    let busyAnswers = 0;
    const loops: Promise<void>[] = [];
    for (let i = 0; i < BUSY; i++) {
      const c = await LivestatusClient.connect(port);
      busy.push(c);
      loops.push(
        (async () => {
          while (!stop) {
            c.send(BUSY_QUERY);
            const a = await c.answer(60_000);
            expect(a.status).to.equal(200);
            busyAnswers++;
          }
        })().catch((err: unknown) => {
          if (!stop) throw err;
        }),
      );
    }
    // Saturated: every busy client has had answers.
    while (busyAnswers < BUSY * 3) await new Promise((r) => setTimeout(r, 10));
    const before = busyAnswers;
    const started = performance.now();
    const waits = await Promise.all(
      Array.from({ length: CROWD }, async () => {
        expect(await exchange(port, STATUS, 60_000)).to.equal(`${HOSTS}\n`);
        return performance.now() - started;
      }),
    );
    const slowest = Math.max(...waits);
    console.log(
      `      one busy query: ${cost.toFixed(1)} ms; the last of ${CROWD} newcomers answered after ${slowest.toFixed(0)} ms; ${busyAnswers - before} busy answers meanwhile`,
    );
    // Counted, not timed: before, each accept waited for a turn that answered about half the busy clients (~2,600 answers here).
    expect(busyAnswers - before, "busy answers while the crowd was let in").to.be.below(CROWD * 5);
    expect(busyAnswers - before, "the busy clients are still served").to.be.above(0);
    expect(slowest).to.be.below(20_000);
    stop = true;
    for (const c of busy.splice(0)) c.destroy();
    await Promise.all(loops);
  });
});
