/**
 * The forwarder (plugins/output/forwarder) between real daemons: a host-side Tantale (line
 * input + forwarder, no store) sends to a central Tantale (line input, SQLite, Livestatus),
 * every port 0. Outages are made by stopping the central daemon, or by a controllable TCP
 * proxy in front of it that refuses connections or swallows SYNCED answers (a lost
 * acknowledgement, deterministically); no test waits for a wall-clock outage: what matters
 * is what was spooled while the central side did not answer, not how long it lasted.
 */
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { expect } from "chai";
import { startDaemon, portZeroConf } from "../helpers/daemon-on-port-zero";
import { LivestatusClient } from "../helpers/livestatus-client";
import { ForegroundTantale, REPO_ROOT, runTantale } from "../helpers/tantale-process";
import { cleanupTempDirs, makeConfDir, makeTempDir } from "../helpers/temp-dir";
import { makeTestPki } from "../helpers/tls-certs";

const T0 = Math.floor(Date.now() / 1000) - 7200;
const daemons: ForegroundTantale[] = [];
const proxies: ControlledProxy[] = [];

/** Between the forwarder and a central line socket: passes, refuses connections, or swallows SYNCED answers. */
class ControlledProxy {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  refusing = false;
  /** Swallow this many SYNCED answers, then cut the connection (the central side committed; the forwarder never hears it). */
  swallowSynced = 0;
  port = 0;

  constructor(public target: number) {
    this.server = net.createServer((client) => this.onClient(client));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this;
  }

  refuse(): void {
    this.refusing = true;
    for (const s of this.sockets) s.destroy();
  }

  private onClient(client: net.Socket): void {
    client.on("error", () => undefined);
    if (this.refusing) {
      client.destroy();
      return;
    }
    const upstream = net.connect(this.target, "127.0.0.1");
    upstream.on("error", () => client.destroy());
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    this.sockets.add(client).add(upstream);
    client.on("close", () => this.sockets.delete(client));
    upstream.on("close", () => this.sockets.delete(upstream));
    client.pipe(upstream);
    let text = "";
    upstream.on("data", (d: Buffer) => {
      text += d.toString("latin1");
      let nl: number;
      while ((nl = text.indexOf("\n")) >= 0) {
        const line = text.slice(0, nl + 1);
        text = text.slice(nl + 1);
        if (line === "SYNCED\n" && this.swallowSynced > 0) {
          if (--this.swallowSynced === 0) {
            client.destroy();
            upstream.destroy();
          }
          continue;
        }
        client.write(line);
      }
    });
  }

  close(): Promise<void> {
    this.refuse();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A host-side daemon: the line input on port 0 and the forwarder with `forwarder` options. */
async function startHost(
  forwarder: string,
  data = makeTempDir(),
  confDir?: string,
): Promise<{ t: ForegroundTantale; port: number; data: string; confDir: string }> {
  const conf = confDir ?? makeConfDir({ "line.conf": "port = 0\n", "forwarder.conf": forwarder });
  const t = ForegroundTantale.start(["--conf-dir", conf, "--data-dir", data]);
  daemons.push(t);
  await t.waitForMessage("tantale started", 30_000);
  const line = await t.waitForLog((l) => l.instance === "line" && typeof l.port === "number");
  return { t, port: line.port as number, data, confDir: conf };
}

/** A central daemon on `port` (0: any), its conf and data dirs kept for a restart on the same port. */
async function startCentral(
  port = 0,
  dirs?: { conf: string; data: string },
  line = "",
): Promise<{ t: ForegroundTantale; port: number; livestatus: number; conf: string; data: string }> {
  const conf = dirs?.conf ?? makeConfDir(portZeroConf({ line }));
  const data = dirs?.data ?? makeTempDir();
  fs.writeFileSync(path.join(conf, "line.conf"), `port = ${port}\n${line}`);
  const { t, ports } = await startDaemon(conf, data);
  daemons.push(t);
  return { t, port: ports.line, livestatus: ports.livestatus, conf, data };
}

async function stopDaemon(t: ForegroundTantale): Promise<void> {
  t.signal("SIGTERM");
  expect(await t.exit()).to.equal(0);
}

/** Sends the lines and a SYNC; resolves on SYNCED (for a host-side daemon: all of them in its spool, on disk). */
async function sendSynced(port: number, lines: readonly string[]): Promise<void> {
  const socket = net.connect(port, "127.0.0.1");
  socket.on("error", () => undefined);
  try {
    await new Promise<void>((resolve, reject) => {
      let text = "";
      socket.on("data", (d: Buffer) => {
        text += d.toString("utf8");
        if (!text.includes("\n")) return;
        if (text.startsWith("SYNCED\n")) resolve();
        else reject(new Error(`answered ${text}`));
      });
      socket.on("close", () => reject(new Error(`closed before SYNCED (got ${JSON.stringify(text)})`)));
      socket.write(`${lines.join("")}SYNC\n`);
    });
  } finally {
    socket.destroy();
  }
}

function line(hostname: string, check: string, status: number, output: string, timestamp: number): string {
  return `${JSON.stringify({ hostname, check, status, output, timestamp, interval: 86_400 })}\n`;
}

async function query<T>(port: number, request: string): Promise<T> {
  const client = await LivestatusClient.connect(port);
  try {
    client.send(`${request}OutputFormat: json\nResponseHeader: fixed16\n\n`);
    const a = await client.answer(60_000);
    expect(a.status, a.body).to.equal(200);
    return JSON.parse(a.body) as T;
  } finally {
    client.destroy();
  }
}

/** host;check → plugin output, of the hosts named `prefix*`. */
async function outputs(livestatus: number, prefix: string): Promise<Map<string, string>> {
  const rows = await query<[string, string, string][]>(
    livestatus,
    `GET services\nColumns: host_name description plugin_output\nFilter: host_name ~ ^${prefix}\n`,
  );
  return new Map(rows.map(([h, c, o]) => [`${h};${c}`, o]));
}

/** Polls until `probe` is true (each look is a Livestatus query: nothing races a timer). */
async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs}ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const FAST = "reconnect_min_delay = 20ms\nreconnect_max_delay = 200ms\n";

describe("forwarder between real daemons (integration)", function () {
  this.timeout(180_000);

  afterEach(async () => {
    for (const p of proxies.splice(0)) await p.close();
    for (const t of daemons.splice(0)) await t.kill();
  });
  after(cleanupTempDirs);

  it("ships conf.d.client, a host-side conf dir that check-config takes: inputs and the forwarder", () => {
    const r = runTantale(["check-config", "--conf-dir", path.join(REPO_ROOT, "conf.d.client")]);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^forwarder +forwarder +output/m);
    expect(r.stdout).not.to.match(/sqlite|livestatus/);
  });

  it("carries Nagios lines written to the host side's command FIFO to the central Tantale's state", async () => {
    const central = await startCentral();
    const conf = makeConfDir({
      "line.conf": "port = 0\n",
      "nagios.conf": "path = nagios.cmd\n",
      "forwarder.conf": `servers = 127.0.0.1:${central.port}\n${FAST}`,
    });
    const host = await startHost("", makeTempDir(), conf);
    await host.t.waitForLog((l) => l.instance === "nagios" && typeof l.msg === "string" && l.msg.includes("nagios.cmd"));
    const fifo = path.join(host.data, "nagios.cmd");
    expect(fs.lstatSync(fifo).isFIFO()).to.equal(true);
    // Nagios lines carry no interval: stamped now, so that the default one does not outdate them.
    const now = Math.floor(Date.now() / 1000);
    const lines = Array.from({ length: 200 }, (_, i) => `[${now}] PROCESS_SERVICE_CHECK_RESULT;nf1;svc${i};${i % 4};output ${i}\n`);
    lines.push(`[${now}] PROCESS_HOST_CHECK_RESULT;nf1;1;host down\n`);
    fs.appendFileSync(fifo, lines.join(""));
    await until("the FIFO's results at the central side", async () => (await outputs(central.livestatus, "nf1")).size === 200);
    const got = await outputs(central.livestatus, "nf1");
    for (let i = 0; i < 200; i++) expect(got.get(`nf1;svc${i}`)).to.equal(`output ${i}`);
    const [[state]] = await query<[[number]]>(central.livestatus, "GET hosts\nColumns: state\nFilter: name = nf1\n");
    expect(state).to.equal(1);
  });

  it("delivers across a restart of the central daemon on the same port, logging the outage once and its end once", async () => {
    const central = await startCentral();
    const host = await startHost(`servers = 127.0.0.1:${central.port}\n${FAST}`);
    const batch = (from: number, n: number) => Array.from({ length: n }, (_, i) => line("rs1", `c${from + i}`, 1, `r${from + i}`, T0 + from + i));
    await sendSynced(host.port, batch(0, 2000));
    await until("the first 2000 at the central side", async () => (await outputs(central.livestatus, "rs1")).size === 2000);

    await stopDaemon(central.t);
    await sendSynced(host.port, batch(2000, 2000)); // answered by the host side: in its spool
    await host.t.waitForLog((l) => l.msg.includes("unreachable"));
    const again = await startCentral(central.port, central);
    await host.t.waitForLog((l) => l.msg.includes("answers again"), 60_000);
    const got = await outputs(again.livestatus, "rs1");
    expect(got.size).to.equal(4000);
    for (let i = 0; i < 4000; i++) expect(got.get(`rs1;c${i}`)).to.equal(`r${i}`);
    expect(host.t.logs.filter((l) => l.msg.includes("unreachable"))).to.have.length(1);
    const back = host.t.logs.filter((l) => l.msg.includes("answers again"));
    expect(back).to.have.length(1);
    // The 2000 spooled while it was down, plus any of the first 2000 whose SYNCED had not come
    // back before the stop (sent again: at least once; the central side ignores the very same result).
    expect(back[0]!.replayed).to.be.within(2000, 4000);
  });

  it("50k results across lost SYNCEDs and an outage arrive exactly once, in order per check: every state change logged once", async () => {
    const CHECKS = 1000;
    const PER_CHECK = 50;
    const central = await startCentral();
    const proxy = await new ControlledProxy(central.port).start();
    proxies.push(proxy);
    // Results of one check two by two in the same second (as Nagios lines, whole seconds), each a state change.
    const result = (i: number) => {
      const c = i % CHECKS;
      const k = Math.floor(i / CHECKS);
      return line(`ex${c % 10}`, `c${c}`, k % 3, `seq ${k}`, T0 + Math.floor(k / 2));
    };
    const all = Array.from({ length: CHECKS * PER_CHECK }, (_, i) => result(i));
    // The first three SYNCED answers are swallowed, then the connection cut: what they acknowledged is sent again.
    proxy.swallowSynced = 3;
    const host = await startHost(`servers = 127.0.0.1:${proxy.port}\nsync_every = 500\n${FAST}`);
    await sendSynced(host.port, all.slice(0, 20_000));
    await host.t.waitForLog((l) => l.msg.includes("answers again"), 90_000);
    // An outage: every connection refused while 30k more are spooled.
    proxy.refuse();
    await sendSynced(host.port, all.slice(20_000));
    await host.t.waitForLog((l) => l.msg.includes("unreachable") && host.t.logs.filter((x) => x.msg.includes("unreachable")).length === 2, 30_000);
    proxy.refusing = false;
    await until("every check at its last result", async () => {
      const got = await outputs(central.livestatus, "ex");
      return got.size === CHECKS && [...got.values()].every((o) => o === `seq ${PER_CHECK - 1}`);
    });
    await until("the spool emptied", async () => host.t.logs.filter((l) => l.msg.includes("answers again")).length === 2);

    const alerts = await query<[string, string, number, string][]>(
      central.livestatus,
      `GET log\nColumns: host_name service_description state plugin_output\nFilter: time >= ${T0 - 10}\nFilter: class = 1\nFilter: host_name ~ ^ex\n`,
    );
    const seen = new Map<string, number>();
    for (const [h, c, state, output] of alerts) {
      const k = Number(output.slice(4));
      expect(state, `${h};${c} ${output}`).to.equal(k % 3);
      const key = `${h};${c};${k}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    const twice = [...seen].filter(([, n]) => n > 1).slice(0, 5);
    expect(twice, "state changes logged more than once").to.deep.equal([]);
    // Each check: seq 0 is OK (no change from the OK a check starts with), seq 1..49 each a change.
    expect(seen.size).to.equal(CHECKS * (PER_CHECK - 1));
    expect([...seen.keys()].some((k) => k.endsWith(";0"))).to.equal(false);
    const unreachable = host.t.logs.filter((l) => l.msg.includes("unreachable"));
    expect(unreachable, "one line per outage, not one per retry").to.have.length(2);
  });

  it("kill -9 of the host side while it spools: nothing it answered SYNCED is lost", async () => {
    const central = await startCentral();
    const proxy = await new ControlledProxy(central.port).start();
    proxies.push(proxy);
    proxy.refuse();
    const host = await startHost(`servers = 127.0.0.1:${proxy.port}\n${FAST}`);
    const batch = (from: number, n: number) => Array.from({ length: n }, (_, i) => line("k9", `c${from + i}`, 2, `r${from + i}`, T0 + from + i));
    for (let b = 0; b < 3; b++) await sendSynced(host.port, batch(b * 2000, 2000));
    // More results on their way, and the process killed under them.
    const more = net.connect(host.port, "127.0.0.1");
    more.on("error", () => undefined);
    more.write(batch(6000, 2000).join(""));
    host.t.signal("SIGKILL");
    await host.t.exit();
    more.destroy();

    proxy.refusing = false;
    const again = await startHost("", host.data, host.confDir);
    const from = await again.t.waitForLog((l) => l.msg.startsWith("forwarding to"));
    expect(from.pending).to.be.at.least(6000);
    await until("every result SYNCED before the kill at the central side", async () => (await outputs(central.livestatus, "k9")).size >= 6000);
    const got = await outputs(central.livestatus, "k9");
    for (let i = 0; i < 6000; i++) expect(got.get(`k9;c${i}`), `c${i}`).to.equal(`r${i}`);
  });

  it("fails over to the second server and comes back to the first; each batch goes to one server", async () => {
    const a = await startCentral();
    const b = await startCentral();
    const host = await startHost(`servers = 127.0.0.1:${a.port}, 127.0.0.1:${b.port}\nfailover_after = 2\nfailback_interval = 500ms\n${FAST}`);
    const batch = (name: string, n: number) => Array.from({ length: n }, (_, i) => line(name, `c${i}`, 0, `${name} ${i}`, T0 + i));

    await sendSynced(host.port, batch("fo1", 300));
    await until("batch 1 at A", async () => (await outputs(a.livestatus, "fo1")).size === 300);

    await stopDaemon(a.t);
    await sendSynced(host.port, batch("fo2", 300));
    await until("batch 2 at B", async () => (await outputs(b.livestatus, "fo2")).size === 300);
    await host.t.waitForLog((l) => l.msg.startsWith("failing over from"));

    const a2 = await startCentral(a.port, a);
    // The failback is tried when results are pending and failback_interval has passed since the failover.
    await new Promise((resolve) => setTimeout(resolve, 600));
    await sendSynced(host.port, batch("fo3", 300));
    await until("batch 3 at A", async () => (await outputs(a2.livestatus, "fo3")).size === 300);
    await host.t.waitForLog((l) => l.msg.startsWith("back to"));

    expect((await outputs(b.livestatus, "fo1")).size, "batch 1 only at A").to.equal(0);
    expect((await outputs(a2.livestatus, "fo2")).size, "batch 2 only at B").to.equal(0);
    expect((await outputs(b.livestatus, "fo3")).size, "batch 3 only at A").to.equal(0);
  });

  it("speaks TLS with the central line input, verifying its certificate against a CA, with the token", async () => {
    const dir = makeTempDir();
    const pki = makeTestPki(path.join(dir, "pki"));
    const other = makeTestPki(path.join(dir, "other"), "other");
    const central = await startCentral(0, undefined, `tls_cert = ${pki.serverCert}\ntls_key = ${pki.serverKey}\ntoken = s3cret\n`);
    const host = await startHost(`servers = localhost:${central.port}\ntls = true\nca_file = ${pki.caCert}\ntoken = s3cret\n${FAST}`);
    await sendSynced(host.port, [line("tls1", "c", 1, "over TLS", T0)]);
    await until("the result at the central side", async () => (await outputs(central.livestatus, "tls1")).get("tls1;c") === "over TLS");

    // Another CA: the certificate is refused, nothing is sent, the outage is logged with the reason.
    const wrong = await startHost(`servers = 127.0.0.1:${central.port}\ntls = true\nca_file = ${other.caCert}\n${FAST}`);
    await sendSynced(wrong.port, [line("tls2", "c", 1, "must not arrive", T0)]);
    const down = await wrong.t.waitForLog((l) => l.msg.includes("unreachable"));
    expect(String(down.reason)).to.match(/certificate/i);
    expect((await outputs(central.livestatus, "tls2")).size).to.equal(0);
  });
});
