import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { expect } from "chai";
import { systemClock, type Clock } from "../../../core/clock";
import type { CheckResult } from "../../../core/model/check-result";
import type { Sink } from "../../../core/plugin/api";
import { testHost, testTables, type TestTables } from "../../../test/core/livestatus/engine-table";
import { RecordingLogger, sleep, waitFor } from "../../../test/core/pipeline/support";
import { exchange, LivestatusClient } from "../../../test/helpers/livestatus-client";
import { cleanupTempDirs, makeTempDir } from "../../../test/helpers/temp-dir";
import { CommandExecutor } from "../../../core/commands/command-executor";
import { SelfStats, type InstanceStats } from "../../../core/metrics/self-stats";
import { ChangeNotifier } from "../../../core/state/change-feed";
import { engineKit } from "../../../test/helpers/table-kit";
import { LivestatusListener } from "./livestatus-listener";
import type { LivestatusConfig } from "./schema";

/**
 * A sink that applies results to the test tables at once (the state engine does it a
 * little later), so a GET after a COMMAND on the same connection can see the command.
 */
class ApplyingSink implements Sink {
  readonly results: CheckResult[] = [];
  readonly paused = false;
  constructor(private readonly tables: TestTables) {}
  accept(result: CheckResult): void {
    this.results.push(result);
    if (result.check === "Host") this.tables.hosts.set(testHost(result.hostname, { state: result.status, plugin_output: result.output }));
    else
      this.tables.services.set({
        host_name: result.hostname,
        description: result.check,
        state: result.status,
        plugin_output: result.output,
        last_check: result.timestamp,
      });
  }
  onFlowChange(): () => void {
    return () => undefined;
  }
  sync(): Promise<void> {
    return Promise.resolve();
  }
}

interface Harness {
  readonly listener: LivestatusListener;
  readonly tables: TestTables;
  readonly sink: ApplyingSink;
  readonly log: RecordingLogger;
  readonly port: number;
  readonly dataDir: string;
  readonly stats: InstanceStats;
  readonly selfStats: SelfStats;
  /** Stands for the state engine's change notices (the test tables send none of their own). */
  readonly changes: ChangeNotifier;
}

const DEFAULTS: LivestatusConfig = {
  bind: "127.0.0.1",
  port: 0,
  path: "",
  mode: "0660",
  max_request_bytes: 1_048_576,
  idle_timeout: 300_000,
  request_timeout: 10_000,
  write_timeout: 30_000,
  answer_memory: 67_108_864,
  max_connections: 500,
  max_connections_per_peer: 250,
  commands: ["gui"],
};
/** For the tests that inject check results over Livestatus: the default `gui` leaves them out. */
const WITH_RESULTS: Partial<LivestatusConfig> = { commands: ["gui", "results"] };
const running: LivestatusListener[] = [];
const clients: LivestatusClient[] = [];
const nowSeconds = () => Math.floor(Date.now() / 1000);

async function startListener(options: Partial<LivestatusConfig> = {}, tables = testTables(), clock: Clock = systemClock): Promise<Harness> {
  const sink = new ApplyingSink(tables);
  const log = new RecordingLogger();
  const dataDir = makeTempDir();
  const selfStats = new SelfStats();
  const stats = selfStats.of("livestatus");
  const changes = new ChangeNotifier();
  const listener = new LivestatusListener({ ...DEFAULTS, ...options }, tables.registry, await commandsInto(sink), clock, log, dataDir, stats, { changes });
  running.push(listener);
  await listener.start();
  return { listener, tables, sink, log, port: listener.port, dataDir, stats, selfStats, changes };
}

/** The core's executor over an empty engine: results go to `sink` (the test tables), other commands find no object. */
async function commandsInto(sink: Sink): Promise<CommandExecutor> {
  return new CommandExecutor((await engineKit()).engine, sink, systemClock);
}

async function connect(target: number | string, localAddress?: string): Promise<LivestatusClient> {
  const c = await LivestatusClient.connect(target, "127.0.0.1", localAddress);
  clients.push(c);
  return c;
}

/** `n` hosts with an output of `outputBytes` characters: answers of several MB. */
function bigTables(n: number, outputBytes: number): TestTables {
  const tables = testTables();
  const output = "x".repeat(outputBytes);
  for (let i = 0; i < n; i++) tables.hosts.set(testHost(`big${String(i).padStart(6, "0")}`, { plugin_output: output }));
  return tables;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  for (const l of running.splice(0)) await l.stop();
});
after(cleanupTempDirs);

describe("livestatus listener (real sockets)", () => {
  let h: Harness;
  const ask = (request: string) => exchange(h.port, request);

  describe("answers", () => {
    beforeEach(async () => {
      h = await startListener();
    });

    it("csv, json and python with fixed16, byte for byte, then closes (no KeepAlive)", async () => {
      expect(await ask("GET hosts\nColumns: name state\nResponseHeader: fixed16\n\n")).to.equal("200          20\ndb1;1\nweb1;0\nweb2;0\n");
      expect(await ask("GET hosts\nColumns: name state\nOutputFormat: json\nResponseHeader: fixed16\n\n")).to.equal(
        '200          34\n[["db1",1],["web1",0],["web2",0]]\n',
      );
      // The length counts UTF-8 bytes: é is 2.
      expect(await ask("GET hosts\nColumns: plugin_output\nFilter: name = db1\nOutputFormat: python\nResponseHeader: fixed16\n\n")).to.equal(
        '200          31\n[["DOWN - café; \\"quoted\\""]]\n',
      );
    });

    it("without fixed16: the bare body, read to EOF", async () => {
      expect(await ask("GET hosts\nColumns: name\n\n")).to.equal("db1\nweb1\nweb2\n");
    });

    it("KeepAlive: two queries on one socket, closed after the one without KeepAlive", async () => {
      const c = await connect(h.port);
      c.send("GET hosts\nColumns: name\nFilter: name = web1\nKeepAlive: on\nResponseHeader: fixed16\n\n");
      expect(await c.answer()).to.include({ status: 200, body: "web1\n" });
      await c.silentFor(50);
      c.send("GET hosts\nColumns: name\nFilter: name = web2\nResponseHeader: fixed16\n\n");
      expect(await c.answer()).to.include({ status: 200, body: "web2\n" });
      expect(await c.rest()).to.equal("");
    });

    it("pipelined requests in one write: answers in order", async () => {
      const c = await connect(h.port);
      c.send(
        "GET hosts\nColumns: name\nLimit: 1\nKeepAlive: on\nResponseHeader: fixed16\n\nGET hosts\nStats: state = 0\nKeepAlive: on\nResponseHeader: fixed16\n\nGET nosuch\nResponseHeader: fixed16\n\n",
      );
      expect((await c.answer()).body).to.equal("db1\n");
      expect((await c.answer()).body).to.equal("2\n");
      expect(await c.answer()).to.include({ status: 404 });
      expect(await c.rest()).to.equal("");
    });

    it("a request sent byte by byte, CRLF lines", async () => {
      const c = await connect(h.port);
      for (const ch of "GET hosts\r\nColumns: name\r\nFilter: name = db1\r\nResponseHeader: fixed16\r\n\r\n") {
        c.send(ch);
        await sleep(1);
      }
      expect((await c.answer()).raw).to.equal("200           4\ndb1\n");
    });

    it("a request ended by EOF instead of an empty line", async () => {
      const c = await connect(h.port);
      c.socket.end("GET hosts\nColumns: name\nFilter: name = web2");
      expect(await c.rest()).to.equal("web2\n");
    });

    it("unknown table: 404 with the message; a keep-alive connection survives it", async () => {
      const c = await connect(h.port);
      c.send("GET nosuch\nKeepAlive: on\nResponseHeader: fixed16\n\n");
      expect((await c.answer()).raw).to.equal("404          44\nInvalid GET request, no such table 'nosuch'\n");
      c.send("GET hosts\nColumns: name\nLimit: 1\nResponseHeader: fixed16\n\n");
      expect((await c.answer()).body).to.equal("db1\n");
      expect(await ask("GET nosuch\n\n")).to.equal("Invalid GET request, no such table 'nosuch'\n");
    });

    it("unknown header: 400 (fixed16 and KeepAlive still honoured from the raw lines)", async () => {
      const c = await connect(h.port);
      c.send("GET hosts\nFoo: bar\nKeepAlive: on\nResponseHeader: fixed16\n\n");
      expect(await c.answer()).to.deep.include({ status: 400, body: "Foo: undefined request header\n" });
      c.send("GET hosts\nColumns: name\nLimit: 1\n\n");
      expect(await c.rest()).to.equal("db1\n");
    });

    it("bad request line: 452, then closed", async () => {
      const c = await connect(h.port);
      c.send("FOO hosts\nKeepAlive: on\nResponseHeader: fixed16\n\n");
      expect((await c.answer()).status).to.equal(452);
      expect(await c.rest()).to.equal("");
    });

    it("unknown column: 400 in Filter, an empty value in Columns", async () => {
      expect(await ask("GET hosts\nColumns: name\nFilter: nosuchcolumn = 1\nResponseHeader: fixed16\n\n")).to.match(
        /^400 +\d+\nFilter: unknown column nosuchcolumn\n$/,
      );
      expect(await ask("GET hosts\nColumns: name nosuchcolumn\nFilter: name = db1\nResponseHeader: fixed16\n\n")).to.equal("200           5\ndb1;\n");
    });

    it("empty result with ColumnHeaders on: the header row (csv, json, all-columns mode)", async () => {
      expect(await ask("GET hosts\nColumns: name state\nColumnHeaders: on\nFilter: state = 2\n\n")).to.equal("name;state\n");
      expect(JSON.parse(await ask("GET hosts\nOutputFormat: json\nColumnHeaders: on\nFilter: state = 2\n\n"))).to.deep.equal([
        ["name", "state", "staleness", "last_check", "plugin_output", "groups", "contacts", "custom_variables"],
      ]);
    });

    it("Stats on an empty set: zeros", async () => {
      expect(await ask("GET hosts\nFilter: name = nosuch\nStats: state = 0\nStats: state != 0\nOutputFormat: json\n\n")).to.equal("[[0,0]]\n");
    });

    it("Limit, AuthUser and Localtime", async () => {
      expect(await ask("GET hosts\nColumns: name\nLimit: 2\n\n")).to.equal("db1\nweb1\n");
      expect(await ask("GET hosts\nColumns: name\nAuthUser: bob\n\n")).to.equal("db1\nweb2\n");
      expect(await ask("GET hosts\nColumns: name\nAuthUser: nobody\nResponseHeader: fixed16\n\n")).to.equal("200           0\n");
      expect(await ask(`GET hosts\nColumns: name last_check\nFilter: name = web1\nLocaltime: ${nowSeconds() + 7200}\n\n`)).to.equal("web1;1700007200\n");
    });
  });

  describe("commands", () => {
    beforeEach(async () => {
      h = await startListener(WITH_RESULTS);
    });

    it("COMMAND then GET in one write: one answer, which sees the command", async () => {
      const c = await connect(h.port);
      c.send(
        `COMMAND [${nowSeconds()}] PROCESS_HOST_CHECK_RESULT;new1;1;DOWN - new; really|rta=1\n\nGET hosts\nColumns: name state plugin_output\nFilter: name = new1\n\n`,
      );
      expect(await c.rest()).to.equal("new1;1;DOWN - new\\; really\n"); // csv escapes the field separator in values
      expect(h.sink.results.map((r) => [r.hostname, r.check, r.perfData])).to.deep.equal([["new1", "Host", "rta=1"]]);
    });

    it("a COMMAND gets no bytes and leaves the connection open; the timestamp may be left out", async () => {
      const c = await connect(h.port);
      c.send("COMMAND PROCESS_SERVICE_CHECK_RESULT;web1;http;2;HTTP CRITICAL\n\n");
      await c.silentFor(100);
      c.send("GET services\nColumns: host_name description state\nFilter: host_name = web1\nResponseHeader: fixed16\n\n");
      expect((await c.answer()).body).to.equal("web1;http;2\n");
    });

    it("logs a refused command at warn with the peer and the reason; the connection stays usable", async () => {
      const c = await connect(h.port);
      c.send(
        `COMMAND [${nowSeconds()}] ACKNOWLEDGE_HOST_PROBLEM;db1;2;1;1;alice;on it\n\nCOMMAND [${nowSeconds()}] PROCESS_HOST_CHECK_RESULT;db1;x;bad code\n\nCOMMAND garbage\n\n`,
      );
      await c.silentFor(100);
      c.send("GET hosts\nColumns: name\nLimit: 1\n\n");
      expect(await c.rest()).to.equal("db1\n");
      const warns = h.log.entries.filter((e) => e.level === "warn");
      expect(warns.map((w) => w.msg)).to.have.length(3);
      const peer = `127.0.0.1:${c.socket.localPort!}`;
      expect(warns[0]!.msg).to.equal(`command from ${peer} refused (400): host db1 is not known`);
      expect(warns[1]!.msg).to.contain(`from ${peer} refused (400): PROCESS_HOST_CHECK_RESULT`);
      expect(warns[2]!.fields).to.include({ peer });
      expect(String(warns[2]!.fields.command)).to.match(/^\[\d+\] garbage$/);
      expect(h.sink.results).to.have.length(0);
    });
  });

  describe("Wait headers", () => {
    beforeEach(async () => {
      h = await startListener(WITH_RESULTS);
    });

    it("answers once the condition holds for the object", async () => {
      const c = await connect(h.port);
      const started = Date.now();
      c.send("GET hosts\nWaitObject: web1\nWaitCondition: state = 1\nWaitTimeout: 5000\nColumns: name state\nFilter: name = web1\n\n");
      await c.silentFor(250);
      const other = await connect(h.port);
      other.send(`COMMAND [${nowSeconds()}] PROCESS_HOST_CHECK_RESULT;web1;1;DOWN\n\n`);
      expect(await c.rest()).to.equal("web1;1\n");
      expect(Date.now() - started).to.be.below(2000);
    });

    it("a bare WaitTrigger answers at the first change notice of its kind: not before, not for another kind", async () => {
      const c = await connect(h.port);
      c.send("GET hosts\nWaitTrigger: state\nWaitTimeout: 20000\nColumns: name\nFilter: name = web1\n\n");
      await c.silentFor(250);
      h.changes.notify("log");
      await c.silentFor(250);
      h.changes.notify("state");
      expect(await c.rest()).to.equal("web1\n");
    });

    it("answers after WaitTimeout when the condition never holds", async () => {
      const started = Date.now();
      expect(await ask("GET hosts\nWaitObject: web1\nWaitCondition: state = 2\nWaitTimeout: 300\nColumns: name state\nFilter: name = web1\n\n")).to.equal(
        "web1;0\n",
      );
      expect(Date.now() - started).to.be.within(250, 2000);
    });
  });

  describe("one write per answer", () => {
    let writes: { bytes: number; port: number }[];
    let original: typeof net.Socket.prototype.write;

    beforeEach(async () => {
      h = await startListener();
      writes = [];
      // eslint-disable-next-line @typescript-eslint/unbound-method -- kept to be put back, and called with apply on a socket
      original = net.Socket.prototype.write;
      const port = h.port;
      const record = writes;
      // Server-side sockets are the ones whose local port is the listener's.
      net.Socket.prototype.write = function (this: net.Socket, ...args: Parameters<typeof original>): boolean {
        if (this.localPort === port) record.push({ bytes: Buffer.byteLength(args[0]), port });
        return original.apply(this, args);
      } as typeof original;
    });

    afterEach(() => {
      net.Socket.prototype.write = original;
    });

    it("writes header and body with a single write() per answer, and they arrive in one 'data' event", async () => {
      const c = await connect(h.port);
      c.send("GET hosts\nColumns: name state\nKeepAlive: on\nResponseHeader: fixed16\n\nGET nosuch\nKeepAlive: on\nResponseHeader: fixed16\n\n");
      await c.answer();
      await c.answer();
      expect(writes.map((w) => w.bytes)).to.deep.equal([36, 16 + 44]);
      const d = await connect(h.port);
      d.send("GET hosts\nColumns: name\nResponseHeader: fixed16\n\n");
      await d.rest();
      expect(d.dataEvents).to.equal(1);
    });
  });

  describe("abuse", () => {
    it("a 10 MB header: 413, connection closed, the server unharmed", async () => {
      h = await startListener();
      const c = await connect(h.port);
      c.send(Buffer.concat([Buffer.from("GET hosts\nColumns: "), Buffer.alloc(10 * 1024 * 1024, "a"), Buffer.from("\n\n")]));
      expect(await c.rest(10_000)).to.equal("Request too large: more than 1048576 bytes\n");
      expect(await ask("GET hosts\nColumns: name\nLimit: 1\n\n")).to.equal("db1\n");
    });

    it("after fixed16 on the same connection, the 413 is framed with fixed16", async () => {
      h = await startListener({ max_request_bytes: 1024 });
      const c = await connect(h.port);
      c.send(`GET hosts\nColumns: name\nLimit: 1\nKeepAlive: on\nResponseHeader: fixed16\n\nGET hosts\nFilter: name = ${"z".repeat(2000)}\n\n`);
      expect((await c.answer()).body).to.equal("db1\n");
      expect(await c.answer()).to.deep.include({ status: 413, body: "Request too large: more than 1024 bytes\n" });
      expect(await c.rest()).to.equal("");
    });

    it("garbage bytes: invalid UTF-8 is a 400, binary without newlines a 413; the server answers the next client", async () => {
      h = await startListener({ max_request_bytes: 64 * 1024 });
      expect(await exchange(h.port, Buffer.from([0x47, 0x45, 0x54, 0x20, 0xff, 0xfe, 0x0a, 0x0a]))).to.equal("Invalid request: not valid UTF-8\n");
      const binary = Buffer.alloc(200 * 1024);
      for (let i = 0; i < binary.length; i++) binary[i] = (i * 7919) % 251 === 10 ? 0 : (i * 7919) % 251;
      expect(await exchange(h.port, binary)).to.match(/^(Request too large|Invalid request)/);
      expect(await exchange(h.port, "\x00\x01\x02garbage\n\n")).to.equal("Invalid request method\n");
      expect(await ask("GET hosts\nColumns: name\nLimit: 1\n\n")).to.equal("db1\n");
      expect(h.log.entries.filter((e) => e.level === "error")).to.deep.equal([]);
    });

    it("a client that disconnects mid-answer: the server goes on answering others", async () => {
      h = await startListener({}, bigTables(20_000, 500));
      const c = await connect(h.port);
      const query = "GET hosts\nColumns: name plugin_output\nKeepAlive: on\nResponseHeader: fixed16\n\n";
      c.send(query + query + query);
      await waitFor(() => c.buffered > 0, "the first bytes of the answer", 5000);
      c.destroy();
      expect(await ask("GET hosts\nColumns: name\nFilter: name = web1\n\n")).to.equal("web1\n");
      await waitFor(() => h.listener.connectionCount === 0, "every connection closed", 5000);
      expect(h.log.entries.filter((e) => e.level === "error")).to.deep.equal([]);
    });

    it("a slow client that does not read a huge answer does not hold up another client", async () => {
      h = await startListener({}, bigTables(20_000, 500));
      const slow = await connect(h.port);
      slow.socket.pause();
      const query = "GET hosts\nColumns: name plugin_output\nKeepAlive: on\nResponseHeader: fixed16\n\n";
      slow.send(query + query + query);
      await sleep(100);
      const fast = await connect(h.port);
      for (let i = 0; i < 5; i++) {
        const started = Date.now();
        fast.send("GET hosts\nColumns: name\nFilter: name = db1\nKeepAlive: on\nResponseHeader: fixed16\n\n");
        expect((await fast.answer(2000)).body).to.equal("db1\n");
        expect(Date.now() - started).to.be.below(1000);
      }
      // The slow client still gets all three answers, whole, once it reads.
      slow.socket.resume();
      for (let i = 0; i < 3; i++) expect((await slow.answer(10_000)).body.length).to.be.above(10_000_000);
    });

    it("closes an idle connection without a word", async () => {
      h = await startListener({ idle_timeout: 150 });
      const c = await connect(h.port);
      c.send("GET hosts\nColumns: na");
      expect(await c.rest(3000)).to.equal("");
    });

    it("answers 451 to a request begun and not ended within request_timeout, after the answers before it", async () => {
      h = await startListener({ request_timeout: 300 });
      const c = await connect(h.port);
      c.send("GET hosts\nColumns: name\nFilter: name = db1\nKeepAlive: on\nResponseHeader: fixed16\n\nGET hosts\nColumns: na");
      expect((await c.answer()).body).to.equal("db1\n");
      const late = await c.answer();
      expect([late.status, late.body]).to.deep.equal([451, "Incomplete request: no empty line after 0.3 s\n"]);
      expect(await c.rest()).to.equal("");
    });

    it("lets a kept-alive client rest between requests, blank lines included, past request_timeout", async () => {
      h = await startListener({ request_timeout: 150 });
      const c = await connect(h.port);
      c.send("GET hosts\nColumns: name\nFilter: name = db1\nKeepAlive: on\nResponseHeader: fixed16\n\n\n");
      expect((await c.answer()).body).to.equal("db1\n");
      await c.silentFor(400);
      c.send("GET hosts\nColumns: name\nFilter: name = web1\nResponseHeader: fixed16\n\n");
      expect((await c.answer()).body).to.equal("web1\n");
    });

    it("refuses connections over max_connections while every connection is busy", async () => {
      h = await startListener({ max_connections: 1 });
      const first = await connect(h.port);
      // In the middle of a request: not idle, so not evicted.
      first.send("GET hosts\nColumns: name\n");
      await waitFor(() => h.listener.connectionCount === 1, "the first connection", 2000);
      await sleep(50); // the half request arrives
      const second = await connect(h.port);
      expect(await second.rest()).to.equal("");
      first.send("Limit: 1\n\n");
      expect(await first.rest()).to.equal("db1\n");
      expect(h.log.messages("warn").join("\n")).to.contain("max_connections (1) reached and every connection is busy");
      expect([h.stats.get("connections"), h.stats.get("overflows"), h.stats.get("refusals"), h.stats.get("evictions")]).to.deep.equal([1, 1, 1, 0]);
    });
  });

  describe("connection slots", () => {
    const query = "GET hosts\nColumns: name\nLimit: 1\nKeepAlive: on\nResponseHeader: fixed16\n\n";

    it("when full, closes the connection idle the longest (not one waiting, not one mid-request) to let a newcomer in", async () => {
      let now = 1_800_000_000_000;
      h = await startListener({ max_connections: 4 }, testTables(), { now: () => now });
      const old = await connect(h.port); // idle since it connected
      const oldPort = old.socket.localPort!;
      await waitFor(() => h.listener.connectionCount === 1, "1 connection", 2000);
      now -= 60_000; // the two busy ones below are older still: busy is never evicted, whatever its age
      const waiter = await connect(h.port);
      waiter.send("GET hosts\nWaitTrigger: state\nWaitTimeout: 0\nColumns: name\nFilter: name = web1\n\n");
      const half = await connect(h.port);
      half.send("GET hosts\nColumns: name\n");
      await waitFor(() => h.stats.get("requests") === 1 && h.listener.connectionCount === 3, "the Wait under way", 2000);
      now += 61_000;
      const recent = await connect(h.port);
      recent.send(query);
      expect((await recent.answer()).body).to.equal("db1\n");
      now += 2000;
      const newcomer = await connect(h.port);
      newcomer.send(query);
      expect((await newcomer.answer()).body).to.equal("db1\n");
      expect(await old.rest()).to.equal("");
      const info = h.log.entries.filter((e) => e.level === "info" && e.msg.includes("closed to let"));
      expect(info.map((e) => e.msg)).to.deep.equal([
        `livestatus connection 127.0.0.1:${oldPort} closed to let 127.0.0.1:${newcomer.socket.localPort!} in: max_connections (4) reached, and it was idle the longest (3s)`,
      ]);
      expect([h.stats.get("overflows"), h.stats.get("evictions"), h.stats.get("refusals")]).to.deep.equal([1, 1, 0]);
      // The others are untouched: the Wait is answered, the half request can be finished.
      h.changes.notify("state");
      expect(await waiter.rest()).to.equal("web1\n");
      half.send("Limit: 1\n\n");
      expect(await half.rest()).to.equal("db1\n");
      recent.send(query);
      expect((await recent.answer()).body).to.equal("db1\n");
    });

    it("holds one address to max_connections_per_peer: its own idle connection makes room, another address's is left alone", async () => {
      let now = 1_800_000_000_000;
      h = await startListener({ max_connections_per_peer: 2 }, testTables(), { now: () => now });
      const other = await connect(h.port, "127.0.0.2"); // idle the longest of all
      await waitFor(() => h.listener.connectionCount === 1, "1 connection", 2000);
      now += 1000;
      const a1 = await connect(h.port);
      await waitFor(() => h.listener.connectionCount === 2, "2 connections", 2000);
      now += 1000;
      const a2 = await connect(h.port);
      await waitFor(() => h.listener.connectionCount === 3, "3 connections", 2000);
      now += 1000;
      const a3 = await connect(h.port);
      a3.send(query);
      expect((await a3.answer()).body).to.equal("db1\n");
      expect(await a1.rest()).to.equal("");
      other.send(query);
      expect((await other.answer()).body).to.equal("db1\n");
      expect(a2.closed).to.equal(false);
      expect(h.log.messages("info").some((m) => m.includes("max_connections_per_peer (2) reached for 127.0.0.1, and it was idle the longest (2s)"))).to.equal(
        true,
      );
    });

    it("the issue's attack with small limits: every slot held by idle clients that reconnect as soon as they are closed, a real client still gets in", async () => {
      h = await startListener({ max_connections: 20 });
      let attacking = true;
      let reconnects = 0;
      /** One attacker slot: connects, says nothing, and connects again when closed. */
      const attacker = async (): Promise<void> => {
        while (attacking) {
          const c = await connect(h.port).catch(() => undefined);
          if (c === undefined) continue;
          // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the test body ends the attack while this awaited
          if (attacking) await c.rest(60_000).catch(() => undefined);
          c.destroy();
          // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- as above
          if (attacking) reconnects++;
        }
      };
      const attackers = Array.from({ length: 20 }, () => attacker());
      await waitFor(() => h.listener.connectionCount === 20, "20 attackers connected", 5000);
      // A real client, 20 times while the attack goes on: a fresh connection and one query each.
      const waits: number[] = [];
      for (let i = 0; i < 20; i++) {
        const started = process.hrtime.bigint();
        const c = await connect(h.port);
        c.send(query);
        expect((await c.answer(5000)).body).to.equal("db1\n");
        waits.push(Number(process.hrtime.bigint() - started) / 1e6);
        c.destroy();
      }
      attacking = false;
      for (const c of clients) c.destroy();
      await Promise.all(attackers);
      // Generous: on an idle machine each answer comes in a few milliseconds.
      expect(Math.max(...waits)).to.be.below(2000);
      expect(reconnects).to.be.at.least(20);
      expect(h.stats.get("evictions")).to.be.at.least(20);
      expect(h.stats.get("refusals")).to.equal(0);
    });
  });

  describe("commands a listener accepts", () => {
    it("refuses check results by default (403 with fixed16, a log line with the peer and the command), takes GUI commands", async () => {
      h = await startListener();
      const c = await connect(h.port);
      c.send(`COMMAND [${nowSeconds()}] PROCESS_SERVICE_CHECK_RESULT;web1;http;2;FORGED\nResponseHeader: fixed16\n\n`);
      expect(await c.answer()).to.deep.include({ status: 403, body: "PROCESS_SERVICE_CHECK_RESULT is not accepted on this socket (its commands option)\n" });
      c.send(`COMMAND PROCESS_HOST_CHECK_RESULT;web1;1;FORGED\n\n`);
      // A GUI command passes the check (and is then refused by the empty engine: not known).
      c.send(`COMMAND [${nowSeconds()}] ACKNOWLEDGE_HOST_PROBLEM;db1;2;1;1;alice;on it\nResponseHeader: fixed16\n\n`);
      expect(await c.answer()).to.deep.include({ status: 400, body: "host db1 is not known\n" });
      expect(h.sink.results).to.deep.equal([]);
      const peer = `127.0.0.1:${c.socket.localPort!}`;
      const warns = h.log.entries.filter((e) => e.level === "warn" && e.msg.includes("refused (403)"));
      expect(warns.map((w) => w.msg)).to.deep.equal([
        `command from ${peer} refused (403): PROCESS_SERVICE_CHECK_RESULT is not accepted on this socket (its commands option)`,
        `command from ${peer} refused (403): PROCESS_HOST_CHECK_RESULT is not accepted on this socket (its commands option)`,
      ]);
      expect(warns[0]!.fields).to.include({ peer });
      expect(String(warns[0]!.fields.command)).to.contain("PROCESS_SERVICE_CHECK_RESULT;web1;http;2;FORGED");
    });

    it("takes what the option names: wildcards, groups, nothing at all", async () => {
      h = await startListener({ commands: ["PROCESS_*"] });
      const c = await connect(h.port);
      c.send(
        `COMMAND [${nowSeconds()}] PROCESS_SERVICE_CHECK_RESULT;web1;http;2;HTTP CRITICAL\n\nCOMMAND [${nowSeconds()}] DEL_HOST;db1\nResponseHeader: fixed16\n\n`,
      );
      expect(await c.answer()).to.deep.include({ status: 403 });
      expect(h.sink.results.map((r) => r.hostname)).to.deep.equal(["web1"]);
      const none = await startListener({ commands: [] });
      const d = await connect(none.port);
      d.send(
        `COMMAND [${nowSeconds()}] SCHEDULE_FORCED_HOST_CHECK;db1;${nowSeconds()}\nResponseHeader: fixed16\n\nCOMMAND NO_SUCH_COMMAND\nResponseHeader: fixed16\n\n`,
      );
      expect(await d.answer()).to.deep.include({ status: 403 });
      // An unknown command is still a 400: there is nothing to allow.
      expect(await d.answer()).to.deep.include({ status: 400 });
    });

    it("refuses to start on an entry that names no command", async () => {
      let failure: unknown;
      await startListener({ commands: ["gui", "PROCES_*"] }).catch((err: unknown) => (failure = err));
      expect(String(failure)).to.contain('commands: "PROCES_*" is no group');
    });
  });

  describe("unix socket and lifecycle", () => {
    it("listens on a unix socket relative to the data dir, with its mode, removed at stop", async () => {
      h = await startListener({ path: "run/live", mode: "0600" });
      const file = path.join(h.dataDir, "run/live");
      expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
      expect(await exchange(file, "GET hosts\nColumns: name\nLimit: 1\n\n")).to.equal("db1\n");
      await h.listener.stop();
      expect(fs.existsSync(file)).to.equal(false);
    });

    it("replaces a socket file left by a killed process, refuses a plain file", async () => {
      const dataDir = makeTempDir();
      const stale = path.join(dataDir, "live");
      // A process listening on the path, killed with SIGKILL: its socket file stays behind.
      const child = spawn(process.execPath, ["-e", "require('net').createServer().listen(process.argv[1], () => console.log('ready'))", stale], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGKILL");
      await exited;
      expect(fs.lstatSync(stale).isSocket()).to.equal(true);
      const tables = testTables();
      const log = new RecordingLogger();
      const listener = new LivestatusListener(
        { ...DEFAULTS, path: stale },
        tables.registry,
        await commandsInto(new ApplyingSink(tables)),
        systemClock,
        log,
        dataDir,
        new SelfStats().of("ls"),
        { changes: new ChangeNotifier() },
      );
      running.push(listener);
      await listener.start();
      expect(await exchange(stale, "GET hosts\nColumns: name\nLimit: 1\n\n")).to.equal("db1\n");
      const plain = path.join(dataDir, "plain");
      fs.writeFileSync(plain, "keep me");
      const other = new LivestatusListener(
        { ...DEFAULTS, path: plain },
        testTables().registry,
        await commandsInto(new ApplyingSink(tables)),
        systemClock,
        log,
        dataDir,
        new SelfStats().of("other"),
        { changes: new ChangeNotifier() },
      );
      running.push(other);
      let failure: unknown;
      await other.start().catch((err: unknown) => (failure = err));
      expect(String(failure)).to.contain("is not a socket");
      expect(fs.readFileSync(plain, "utf8")).to.equal("keep me");
    });

    it("counts connections, requests (commands and bad ones too) and open connections for the status table", async () => {
      h = await startListener();
      expect([h.stats.get("connections"), h.stats.get("requests")]).to.deep.equal([0, 0]);
      const c = await connect(h.port);
      c.send(
        `GET hosts\nColumns: name\nKeepAlive: on\nResponseHeader: fixed16\n\nCOMMAND [${nowSeconds()}] NO_SUCH;x\n\nGET nosuch\nKeepAlive: on\nResponseHeader: fixed16\n\n`,
      );
      await c.answer();
      await c.answer();
      await connect(h.port);
      await waitFor(() => h.stats.get("connections") === 2 && h.stats.get("requests") === 3, "2 connections and 3 requests counted");
      expect(h.selfStats.snapshot()["livestatus"]).to.include({ connections: 2, requests: 3, connections_open: 2 });
      c.destroy();
      await waitFor(() => h.selfStats.snapshot()["livestatus"]?.["connections_open"] === 1, "the closed connection no longer open");
    });

    it("counts requests served by table and status code (COMMAND for commands, - when not understood) and times each", async () => {
      h = await startListener();
      const c = await connect(h.port);
      c.send(
        `GET hosts\nColumns: name\nKeepAlive: on\nResponseHeader: fixed16\n\nCOMMAND [${nowSeconds()}] NO_SUCH;x\nResponseHeader: fixed16\n\nGET nosuch\nKeepAlive: on\nResponseHeader: fixed16\n\nGET hosts\nNoSuchHeader: 1\nKeepAlive: on\nResponseHeader: fixed16\n\n`,
      );
      for (let i = 0; i < 4; i++) await c.answer();
      const served = h.stats.labelled("requests_served", ["table", "code"]);
      await waitFor(() => served.total() === 4, "4 requests served");
      expect(Object.fromEntries(served.read().values.map((v) => [v.labels.join(" "), v.value]))).to.deep.equal({
        "hosts 200": 1,
        "COMMAND 400": 1,
        "nosuch 404": 1,
        "- 400": 1,
      });
      const latency = h.stats.histogram("request_seconds").read();
      expect(latency.count).to.equal(4);
      expect(latency.sum).to.be.greaterThan(0);
      expect(h.stats.get("connections_max")).to.equal(500);
    });

    it("stop() closes open connections and can be called twice", async () => {
      h = await startListener();
      const c = await connect(h.port);
      c.send("GET hosts\nColumns: name\nKeepAlive: on\nResponseHeader: fixed16\n\n");
      await c.answer();
      await Promise.all([h.listener.stop(), h.listener.stop()]);
      await h.listener.stop();
      expect(await c.rest()).to.equal("");
      let refused = false;
      await LivestatusClient.connect(h.port).then(
        (x) => x.destroy(),
        () => (refused = true),
      );
      expect(refused).to.equal(true);
    });
  });
});
