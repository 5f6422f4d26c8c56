/**
 * The Elasticsearch store end to end: real Tantale daemons (child processes) on a cluster —
 * the Elasticsearch-compatible test server (test/es-server), or a real cluster when
 * TANTALE_ES_URL is set (`npm run test:es`; the scenarios that need a fault the test server
 * injects are skipped there, saying so). Each scenario uses its own index prefix.
 */
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { startEsServer, type EsServer } from "../../../test/es-server";
import { startDaemon, type DaemonPorts } from "../../../test/helpers/daemon-on-port-zero";
import { exchange, LivestatusClient } from "../../../test/helpers/livestatus-client";
import { LineClient } from "../../../test/helpers/net";
import type { ForegroundTantale } from "../../../test/helpers/tantale-process";
import { cleanupTempDirs, makeConfDir, makeTempDir } from "../../../test/helpers/temp-dir";

const REAL_CLUSTER = process.env.TANTALE_ES_URL;
const T0 = Math.floor(Date.now() / 1000) - 600;

interface Running {
  readonly t: ForegroundTantale;
  readonly ports: DaemonPorts;
}

/** A daemon on the Elasticsearch store (SQLite off), Livestatus and the line input on port 0. */
function esConf(url: string, prefix: string, node: string, store = ""): string {
  return makeConfDir({
    "line.conf": "port = 0\n",
    "livestatus.conf": "port = 0\n",
    "sqlite.conf": "enabled = false\n",
    "elasticsearch.conf": `nodes = ${url}\nindex_prefix = ${prefix}\nnode_name = ${node}\nrequest_timeout = 5s\nspool_fsync = always\n${store}`,
  });
}

function sqliteConf(): string {
  return makeConfDir({ "line.conf": "port = 0\n", "livestatus.conf": "port = 0\n", "sqlite.conf": "" });
}

function result(host: string, check: string, status: number, at: number, output = `${check} ${status} at ${at}`): string {
  return JSON.stringify({ hostname: host, check, status, output, timestamp: T0 + at, interval: 86_400, contacts: ["ops"] });
}

/** Sends the lines and waits for SYNCED: everything before it is committed (in the cluster or the spool). */
async function send(port: number, lines: readonly string[]): Promise<void> {
  const c = await LineClient.connect(port);
  try {
    for (const l of lines) c.send(l);
    c.send("SYNC");
    expect(await c.next(60_000)).to.equal("SYNCED");
  } finally {
    c.close();
  }
}

/** A Livestatus query's rows (JSON output). */
async function query(port: number, request: string): Promise<unknown[][]> {
  const answer = await exchange(port, `${request}OutputFormat: json\nResponseHeader: fixed16\n\n`, 30_000);
  const status = Number(answer.slice(0, 3));
  if (status !== 200) throw new Error(`livestatus ${status}: ${answer.slice(0, 200)}`);
  return JSON.parse(answer.slice(16)) as unknown[][];
}

/** A command, then a query on the same connection (applied in order): the query's rows; a refused command fails the test. */
async function command(port: number, line: string, request: string): Promise<unknown[][]> {
  const client = await LivestatusClient.connect(port);
  try {
    client.send(`COMMAND [${T0 + 5}] ${line}\nResponseHeader: fixed16\n\n`);
    client.send(`${request}OutputFormat: json\nResponseHeader: fixed16\n\n`);
    const first = await client.answer(30_000);
    if (first.status !== 200) throw new Error(`command refused: ${first.status} ${first.body}`);
    return JSON.parse(first.body) as unknown[][];
  } finally {
    client.destroy();
  }
}

const SERVICES = "GET services\nColumns: host_name description state plugin_output last_state_change acknowledged\n";
const LOG = "GET log\nColumns: time host_name service_description state type plugin_output\nFilter: time >= 0\n";

describe("elasticsearch store end to end (real daemons on a cluster)", function () {
  this.timeout(180_000);
  let es: EsServer | undefined;
  let url: string;
  const running: ForegroundTantale[] = [];

  before(async () => {
    if (REAL_CLUSTER === undefined) {
      es = await startEsServer({ logLimit: 0 });
      url = es.url;
    } else url = REAL_CLUSTER;
  });
  afterEach(async () => {
    for (const t of running.splice(0)) await t.kill();
  });
  after(async () => {
    await es?.close();
    cleanupTempDirs();
  });

  async function start(conf: string, data: string): Promise<Running> {
    const d = await startDaemon(conf, data, 60_000);
    running.push(d.t);
    return d;
  }

  async function stop(d: Running): Promise<void> {
    d.t.signal("SIGTERM");
    expect(await d.t.exit()).to.equal(0);
  }

  it("ingests, and a restart on an empty data dir loads the whole state from the cluster", async () => {
    const conf = esConf(url, `t-${randomUUID().slice(0, 8)}`, "a");
    const first = await start(conf, makeTempDir());
    const lines: string[] = [];
    for (let h = 0; h < 20; h++)
      for (let c = 0; c < 5; c++) lines.push(result(`host${h}`, `check${c}`, (h + c) % 3, 1), result(`host${h}`, `check${c}`, (h * c) % 4, 2));
    await send(first.ports.line, lines);
    const before = await query(first.ports.livestatus, SERVICES);
    expect(before).to.have.length(100);
    await stop(first);

    // Another machine's disk: nothing local, everything from the cluster.
    const second = await start(conf, makeTempDir());
    expect(await query(second.ports.livestatus, SERVICES)).to.deep.equal(before);
    await stop(second);
  });

  it("keeps working through a cluster outage, across a restart, and writes everything in order once the cluster is back", async function () {
    if (es === undefined) this.skip(); // needs the test server's outage (TANTALE_ES_URL set)
    const server = es;
    const conf = esConf(url, `t-${randomUUID().slice(0, 8)}`, "a");
    const data = makeTempDir();
    const first = await start(conf, data);
    await send(first.ports.line, [result("web1", "disk", 0, 1)]);

    await server.stopListening();
    let served: unknown[][];
    try {
      const during: string[] = [];
      for (let i = 2; i < 40; i++) during.push(result("web1", "disk", i % 3, i), result("web2", "load", (i + 1) % 2, i));
      await send(first.ports.line, during); // SYNCED: in the spool
      served = await query(first.ports.livestatus, SERVICES);
      expect(served.map((r) => r[0])).to.have.members(["web1", "web2"]);
      expect(await first.t.waitForLog((l) => /cluster.*(away|unavailable|unreachable)/i.test(l.msg), 10_000)).to.be.an("object");
      await stop(first);
    } finally {
      // The cluster comes back; Tantale restarts on its data dir and writes its spool before anything else.
      await server.resumeListening();
    }
    const second = await start(conf, data);
    expect(await query(second.ports.livestatus, SERVICES)).to.deep.equal(served);
    const log = await query(second.ports.livestatus, `${LOG}Filter: host_name = web1\n`);
    const web1Changes = log.filter((r) => r[4] === "SERVICE ALERT").map((r) => r[3]);
    // One alert per state change of web1;disk, in order (the first OK is no change): i % 3 for i = 2..39, each a change.
    expect(web1Changes).to.deep.equal(Array.from({ length: 38 }, (_, k) => (k + 2) % 3));
    await stop(second);
  });

  it("two Tantales on one cluster: a host that moves takes its state along, and the one it left forgets it", async () => {
    const prefix = `t-${randomUUID().slice(0, 8)}`;
    const a = await start(esConf(url, prefix, "a"), makeTempDir());
    const b = await start(esConf(url, prefix, "b"), makeTempDir());
    await send(a.ports.line, [result("web1", "disk", 2, 1, "DISK CRITICAL"), result("db1", "load", 0, 1)]);
    const acked = await command(a.ports.livestatus, "ACKNOWLEDGE_SVC_PROBLEM;web1;disk;1;0;1;alice;on it", `${SERVICES}Filter: host_name = web1\n`);
    expect(acked[0]?.[5]).to.equal(1);
    await send(b.ports.line, [result("db2", "load", 0, 1)]);
    expect((await query(b.ports.livestatus, SERVICES)).map((r) => r[0])).to.deep.equal(["db2"]);

    // web1's agent now sends to b.
    await send(b.ports.line, [result("web1", "disk", 2, 10, "DISK CRITICAL still")]);
    const onB = await query(b.ports.livestatus, `${SERVICES}Filter: host_name = web1\n`);
    expect(onB).to.deep.equal([["web1", "disk", 2, "DISK CRITICAL still", T0 + 1, 1]]);

    // a's next write of web1 (removing the acknowledgement) is older than b's: a forgets web1, keeps db1.
    await command(a.ports.livestatus, "REMOVE_SVC_ACKNOWLEDGEMENT;web1;disk", SERVICES);
    await a.t.waitForLog((l) => l.msg.startsWith("hosts moved to another Tantale"), 30_000);
    expect((await query(a.ports.livestatus, SERVICES)).map((r) => r[0])).to.deep.equal(["db1"]);
    expect((await query(b.ports.livestatus, `${SERVICES}Filter: host_name = web1\n`))[0]?.[5], "b keeps the acknowledgement").to.equal(1);
    await stop(a);
    await stop(b);
  });

  it("answers the log table as the SQLite store does on the same results", async () => {
    const es1 = await start(esConf(url, `t-${randomUUID().slice(0, 8)}`, "a"), makeTempDir());
    const sq = await start(sqliteConf(), makeTempDir());
    const lines: string[] = [];
    for (let i = 1; i <= 60; i++) lines.push(result(`h${i % 4}`, `c${i % 3}`, (i * 7) % 4, i, `out ${i % 5}`));
    for (const d of [es1, sq]) await send(d.ports.line, lines);
    const queries = [
      LOG,
      `${LOG}Filter: host_name = h1\n`,
      `${LOG}Filter: time >= ${T0 + 20}\nFilter: time < ${T0 + 40}\nFilter: state = 2\n`,
      `${LOG}Filter: plugin_output ~ out [23]\nFilter: host_name != h0\n`,
      `${LOG}Filter: service_description ~~ ^C1$\nFilter: class = 1\nOr: 2\nNegate:\n`,
      `${LOG}Filter: host_name ~ ^h[12]\nLimit: 7\n`,
      "GET log\nColumns: host_name\nFilter: time >= 0\nStats: state = 0\nStats: state = 2\n",
    ];
    for (const q of queries) expect(await query(es1.ports.livestatus, q), q).to.deep.equal(await query(sq.ports.livestatus, q));
    await stop(es1);
    await stop(sq);
  });
});
