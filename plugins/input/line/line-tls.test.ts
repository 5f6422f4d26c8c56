import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import tls from "node:tls";
import { expect } from "chai";
import { systemClock } from "../../../core/clock";
import { SelfStats } from "../../../core/metrics/self-stats";
import type { CheckResult } from "../../../core/model/check-result";
import type { Sink } from "../../../core/plugin/api";
import { RecordingLogger, waitFor } from "../../../test/core/pipeline/support";
import { cleanupTempDirs, makeTempDir } from "../../../test/helpers/temp-dir";
import { makeTestPki, type TestPki } from "../../../test/helpers/tls-certs";
import { LineInput } from "./line-input";
import { tlsProblem } from "./listen-server";
import type { LineConfig } from "./schema";

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

const BASE: LineConfig = {
  bind: "127.0.0.1",
  port: 0,
  allow: [],
  max_line_bytes: 65_536,
  token: "",
  idle_timeout: 120_000,
  line_timeout: 10_000,
  max_connections: 1000,
  max_connections_per_peer: 500,
  auth_max_failures: 5,
  auth_lockout: 60_000,
  tls_cert: "",
  tls_key: "",
  tls_ca: "",
};

const LINE = `${JSON.stringify({ hostname: "web1", check: "disk", status: 1, output: "DISK WARNING" })}\nSYNC\n`;

/** Sends LINE over TLS and resolves with the first answer line. */
function sendTls(port: number, options: tls.ConnectionOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: "127.0.0.1", port, ...options }, () => s.write(LINE));
    let text = "";
    s.setEncoding("utf8");
    s.on("data", (d: string) => {
      text += d;
      const nl = text.indexOf("\n");
      if (nl >= 0) {
        s.destroy();
        resolve(text.slice(0, nl));
      }
    });
    s.on("error", reject);
    s.on("close", () => reject(new Error(`closed, got ${JSON.stringify(text)}`)));
  });
}

describe("line input over TLS (real sockets, certificates made by openssl)", function () {
  this.timeout(30_000);
  let pki: TestPki;
  let data: string;
  const running: LineInput[] = [];

  before(() => {
    data = makeTempDir();
    pki = makeTestPki(path.join(data, "pki"));
  });
  afterEach(async () => {
    for (const i of running.splice(0)) await i.stop();
  });
  after(cleanupTempDirs);

  async function start(options: Partial<LineConfig>): Promise<{ input: LineInput; sink: RecordingSink; log: RecordingLogger }> {
    const sink = new RecordingSink();
    const log = new RecordingLogger();
    const input = new LineInput({ ...BASE, ...options }, sink, log, new SelfStats().of("line"), systemClock, undefined, data);
    await input.start();
    running.push(input);
    return { input, sink, log };
  }

  it("takes results and answers SYNCED over TLS, the files relative to the data dir; a plain TCP client gets nothing in", async () => {
    const { input, sink, log } = await start({ tls_cert: path.relative(data, pki.serverCert), tls_key: path.relative(data, pki.serverKey) });
    expect(await sendTls(input.port, { ca: fs.readFileSync(pki.caCert), servername: "localhost" })).to.equal("SYNCED");
    expect(sink.results.map((r) => [r.hostname, r.check, r.status])).to.deep.equal([["web1", "disk", 1]]);

    const plain = net.connect(input.port, "127.0.0.1", () => plain.write(LINE));
    plain.on("error", () => undefined);
    await new Promise((resolve) => plain.on("close", resolve));
    await waitFor(() => log.entries.some((e) => e.msg.startsWith("TLS handshake failed")), "the handshake failure logged", 5000);
    expect(sink.results).to.have.length(1);
  });

  it("with tls_ca, takes only clients with a certificate of that CA", async () => {
    const { input, sink } = await start({ tls_cert: pki.serverCert, tls_key: pki.serverKey, tls_ca: pki.caCert });
    const ca = fs.readFileSync(pki.caCert);
    let refused: unknown;
    await sendTls(input.port, { ca, servername: "localhost" }).catch((e: unknown) => (refused = e));
    expect(refused, "no client certificate").to.be.instanceOf(Error);
    expect(sink.results).to.have.length(0);
    const answer = await sendTls(input.port, { ca, servername: "localhost", cert: fs.readFileSync(pki.clientCert), key: fs.readFileSync(pki.clientKey) });
    expect(answer).to.equal("SYNCED");
    expect(sink.results).to.have.length(1);
  });

  it("fails the start naming a missing file; check-config refuses a cert without its key", async () => {
    let error: unknown;
    await start({ tls_cert: "nope.pem", tls_key: pki.serverKey }).catch((e: unknown) => (error = e));
    expect(String(error)).to.contain("tls_cert").and.to.contain("nope.pem");
    expect(tlsProblem("x", { tls_cert: "x", tls_key: "", tls_ca: "" })).to.equal("tls_cert and tls_key must be set together");
    expect(tlsProblem("", { tls_cert: "", tls_key: "", tls_ca: "ca.pem" })).to.equal("tls_ca needs tls_cert and tls_key");
    expect(tlsProblem("", { tls_cert: "", tls_key: "", tls_ca: "" })).to.equal(undefined);
  });
});
