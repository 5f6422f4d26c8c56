import { createHash } from "node:crypto";
import net from "node:net";
import { expect } from "chai";
import { systemClock, type Clock } from "../../../core/clock";
import { SelfStats, type InstanceStats } from "../../../core/metrics/self-stats";
import type { CheckResult } from "../../../core/model/check-result";
import type { Sink } from "../../../core/plugin/api";
import { RecordingLogger, sleep, waitFor, type LogEntry } from "../../../test/core/pipeline/support";
import { localPortOf } from "../../../test/helpers/net";
import { LineInput, tokenMatches } from "./line-input";
import { preview } from "../../../core/input/line-preview";
import { allowList } from "./peer-access";
import type { LineConfig } from "./schema";

/** A sink that records results, can be paused by hand or after N results, and counts SYNCs. */
class TestSink implements Sink {
  readonly results: CheckResult[] = [];
  paused = false;
  /** Pause once this many results are in (the bus does this when a queue fills). */
  pauseAt: number | undefined;
  syncs = 0;
  /** How long sync() takes (a commit). */
  syncDelayMs = 0;
  private readonly listeners = new Set<(paused: boolean) => void>();

  accept(result: CheckResult): void {
    this.results.push(result);
    if (this.pauseAt !== undefined && this.results.length >= this.pauseAt) {
      this.pauseAt = undefined;
      this.setPaused(true);
    }
  }

  onFlowChange(listener: (paused: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setPaused(paused: boolean): void {
    if (paused === this.paused) return;
    this.paused = paused;
    for (const l of [...this.listeners]) l(paused);
  }

  sync(): Promise<void> {
    this.syncs++;
    return sleep(this.syncDelayMs);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  hosts(): string[] {
    return this.results.map((r) => r.hostname);
  }
}

interface Harness {
  readonly input: LineInput;
  readonly sink: TestSink;
  readonly log: RecordingLogger;
  readonly stats: InstanceStats;
  readonly port: number;
}

const DEFAULTS: LineConfig = {
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
const running: LineInput[] = [];
const clients: net.Socket[] = [];
const nowSeconds = () => Math.floor(Date.now() / 1000);

async function startInput(options: Partial<LineConfig> = {}, clock: Clock = systemClock): Promise<Harness> {
  const sink = new TestSink();
  const log = new RecordingLogger();
  const stats = new SelfStats().of("line");
  const input = new LineInput({ ...DEFAULTS, ...options }, sink, log, stats, clock);
  await input.start();
  running.push(input);
  return { input, sink, log, stats, port: input.port };
}

function connect(port: number, host = "127.0.0.1", localAddress?: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host, ...(localAddress === undefined ? {} : { localAddress }) }, () => resolve(s));
    s.setNoDelay(true); // separate writes leave as separate packets
    s.once("error", reject);
    clients.push(s);
  });
}

/** Resolves when the server closes the connection (with what it sent before). */
function closed(s: net.Socket): Promise<string> {
  let text = "";
  s.on("data", (d: Buffer) => (text += d.toString("utf8")));
  s.on("error", () => undefined);
  return new Promise((resolve) => (s.closed ? resolve(text) : s.once("close", () => resolve(text))));
}

function good(hostname: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ hostname, check: "ping", status: 0, output: "PING OK", timestamp: nowSeconds(), ...extra });
}

function warnings(log: RecordingLogger): LogEntry[] {
  return log.entries.filter((e) => e.level === "warn");
}

let seq = 0;

/**
 * docs/inputs.md §5: good line, bad input, good line on one connection. Returns what arrived
 * between the two good ones (they are checked to be there) and the log lines of the bad one.
 */
async function sandwich(h: Harness, bad: string | Buffer): Promise<{ between: CheckResult[]; logs: LogEntry[]; peer: string }> {
  const id = ++seq;
  const s = await connect(h.port);
  const from = h.sink.results.length;
  const entries = h.log.entries.length;
  s.write(`${good(`before-${id}`)}\n`);
  s.write(Buffer.concat([typeof bad === "string" ? Buffer.from(bad) : bad, Buffer.from("\n")]));
  s.write(`${good(`after-${id}`)}\n`);
  await waitFor(() => h.sink.hosts().includes(`after-${id}`), `after-${id}`, 3000);
  const got = h.sink.results.slice(from);
  expect(got[0]!.hostname).to.equal(`before-${id}`);
  expect(got[got.length - 1]!.hostname).to.equal(`after-${id}`);
  const peer = `127.0.0.1:${localPortOf(s)}`;
  s.destroy();
  return { between: got.slice(1, -1), logs: h.log.entries.slice(entries), peer };
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  for (const i of running.splice(0)) await i.stop();
});

describe("line input (real TCP sockets)", () => {
  describe("bad inputs of docs/inputs.md §5: good, bad, good gives exactly the two good results", () => {
    let h: Harness;
    beforeEach(async () => {
      h = await startInput();
    });

    const ts = () => nowSeconds();
    const rejected: [string, () => string | Buffer, string | RegExp][] = [
      ["#4 invalid UTF-8 (C3 28)", () => Buffer.from([0x7b, 0xc3, 0x28, 0x7d]), "invalid UTF-8"],
      [
        "#4 invalid UTF-8 (FF)",
        () => Buffer.concat([Buffer.from('{"hostname":"h'), Buffer.from([0xff]), Buffer.from('","check":"c","status":0}')]),
        "invalid UTF-8",
      ],
      ["#7 a graphite line on the JSON port", () => "servers.x.cpu 1 1700000000", "not JSON (graphite plaintext? wrong port)"],
      ["#7 a graphite line with 2 fields and tabs", () => "servers.x.cpu\t0.5", "not JSON (graphite plaintext? wrong port)"],
      ["#8 JSON array []", () => "[]", "expected a JSON object, got an array"],
      ["#8 JSON array [1,2]", () => "[1,2]", "expected a JSON object, got an array"],
      ["#8 JSON null", () => "null", "expected a JSON object, got null"],
      ["#8 JSON number", () => "42", "expected a JSON object, got a number"],
      ["#8 JSON string", () => '"x"', "expected a JSON object, got a string"],
      ["broken JSON", () => '{"hostname":"h","check":', /^invalid JSON: /],
      ["neither JSON nor Nagios", () => "hello world, this is not a result", "not JSON nor a Nagios external command"],
      ["AUTH without a token configured", () => "AUTH secret", /^unexpected AUTH line/],
      ["#9 status as a non-integer string", () => '{"hostname":"h","check":"c","status":"2x"}', 'status must be an integer, got "2x"'],
      ["#9 status 2.5", () => '{"hostname":"h","check":"c","status":2.5}', "status must be an integer, got 2.5"],
      ["#9 status true", () => '{"hostname":"h","check":"c","status":true}', "status must be an integer, got true"],
      ["#9 status null", () => '{"hostname":"h","check":"c","status":null}', "status must be an integer, got null"],
      ["#9 timestamp abc", () => '{"hostname":"h","check":"c","status":0,"timestamp":"abc"}', 'timestamp must be a number of seconds, got "abc"'],
      ["#10 host status 3", () => '{"hostname":"h","check":"Host","status":3}', "host status must be 0, 1 or 2, got 3"],
      ["#10 Nagios host code 3", () => `[${ts()}] PROCESS_HOST_CHECK_RESULT;h;3;DOWN?`, "host status must be 0, 1 or 2, got 3"],
      ["#11 timestamp -5", () => '{"hostname":"h","check":"c","status":0,"timestamp":-5}', "timestamp must be positive, got -5"],
      ["#11 timestamp 0", () => '{"hostname":"h","check":"c","status":0,"timestamp":0}', "timestamp must be positive, got 0"],
      ["#11 timestamp 1e20", () => '{"hostname":"h","check":"c","status":0,"timestamp":1e20}', /more than a day ahead/],
      ["#11 a milliseconds timestamp", () => '{"hostname":"h","check":"c","status":0,"timestamp":1700000000000}', /not milliseconds/],
      ["#11 timestamp 1e400 (Infinity)", () => '{"hostname":"h","check":"c","status":0,"timestamp":1e400}', "timestamp must be finite, got Infinity"],
      ["#11 timestamp NaN", () => '{"hostname":"h","check":"c","status":0,"timestamp":NaN}', /^invalid JSON/],
      ["#12 hostname missing", () => '{"check":"c","status":0}', "hostname is required"],
      ["#12 hostname empty", () => '{"hostname":"","check":"c","status":0}', "hostname must not be empty"],
      ["#12 hostname not a string", () => '{"hostname":7,"check":"c","status":0}', "hostname must be a string, got 7"],
      ["#12 check missing", () => '{"hostname":"h","status":0}', "check is required"],
      ["#13 interval 0", () => '{"hostname":"h","check":"c","status":0,"interval":0}', "interval must be a positive number of seconds, got 0"],
      ["#13 interval negative", () => '{"hostname":"h","check":"c","status":0,"interval":-60}', "interval must be a positive number of seconds, got -60"],
      ["contacts not a list", () => '{"hostname":"h","check":"c","status":0,"contacts":"ops"}', 'contacts must be a list of non-empty strings, got "ops"'],
      [
        "a custom field nesting lists 5000 deep (10 KB; it overflowed the stack and killed the daemon)",
        () => `{"hostname":"h","check":"c","status":0,"x":${"[".repeat(5000)}${"]".repeat(5000)}}`,
        'custom field "x" nests deeper than 32 levels',
      ],
      [
        "custom fields over 16384 bytes",
        () => JSON.stringify({ hostname: "h", check: "c", status: 0, notes: "n".repeat(20_000) }),
        "custom fields take 20005 bytes together, at most 16384",
      ],
      [
        "a host name with ;",
        () => '{"hostname":"semi;host","check":"c","status":0}',
        'hostname must not contain ";" (Livestatus and Nagios commands split on it), got "semi;host"',
      ],
      [
        "a check name with U+2028",
        () => '{"hostname":"h","check":"disk\\u2028root","status":0}',
        'check must not contain control or line-separator characters (U+2028), got "disk\\u2028root"',
      ],
      [
        "a host name of 20k characters",
        () => JSON.stringify({ hostname: "h".repeat(20_000), check: "c", status: 0 }),
        "hostname must be at most 255 characters, got 20000",
      ],
      [
        "a Nagios line with U+0085 in the host name",
        () => `[${ts()}] PROCESS_HOST_CHECK_RESULT;we\u0085b;0;UP`,
        /^hostname must not contain control or line-separator characters \(U\+0085\)/,
      ],
      [
        "a contact name with ,",
        () => '{"hostname":"h","check":"c","status":0,"contacts":["a,b"]}',
        'contacts: each name must not contain "," (csv answers join list items with it), got "a,b"',
      ],
      ["#16 Nagios line without a space after ]", () => `[${ts()}]PROCESS_SERVICE_CHECK_RESULT;h;s;0;OK`, /a space must follow \]/],
      ["#16 Nagios non-numeric code", () => `[${ts()}] PROCESS_SERVICE_CHECK_RESULT;h;s;abc;OK`, 'status must be an integer, got "abc"'],
      ["#16 Nagios unknown command", () => `[${ts()}] ACKNOWLEDGE_SVC_PROBLEM;h;s;1;1;1;me;on it`, "unsupported command ACKNOWLEDGE_SVC_PROBLEM"],
      ["#16 Nagios PROCESS_FILE", () => `[${ts()}] PROCESS_FILE;/etc/shadow;0`, /^unsupported command PROCESS_FILE/],
      ["#16 Nagios line cut short", () => `[${ts()}] PROCESS_SERVICE_CHECK_RESULT;h;s`, /needs <host>;<service>;<code>;<output>/],
    ];
    for (const [name, bad, reason] of rejected) {
      it(`rejects: ${name}`, async () => {
        const { between, logs, peer } = await sandwich(h, bad());
        expect(between).to.deep.equal([]);
        const warn = logs.filter((e) => e.level === "warn");
        expect(warn, JSON.stringify(logs)).to.have.length(1);
        const fields = warn[0]!.fields;
        if (typeof reason === "string") expect(fields.reason).to.equal(reason);
        else expect(fields.reason).to.match(reason);
        // Peer and line number, in the message and as fields.
        expect(warn[0]!.msg).to.contain(`line 2 from ${peer} rejected: `);
        expect([fields.peer, fields.line]).to.deep.equal([peer, 2]);
        expect(fields.preview).to.be.a("string").and.not.equal("");
      });
    }

    it("rejects a custom field nesting a million deep when max_line_bytes lets a 2 MB line in", async () => {
      const big = await startInput({ max_line_bytes: 4 * 1024 * 1024 });
      const depth = 1_000_000;
      const { between, logs } = await sandwich(big, `{"hostname":"h","check":"c","status":0,"deep":${"[".repeat(depth)}${"]".repeat(depth)}}`);
      expect(between).to.deep.equal([]);
      expect(logs.filter((e) => e.level === "warn").map((e) => e.fields.reason)).to.deep.equal(['custom field "deep" nests deeper than 32 levels']);
    });

    it("#10 maps a service status of 7 or -1 (JSON) and a Nagios code 7 to 3 UNKNOWN, noting it", async () => {
      for (const bad of [
        '{"hostname":"mapped","check":"c","status":7}',
        '{"hostname":"mapped","check":"c","status":-1}',
        `[${ts()}] PROCESS_SERVICE_CHECK_RESULT;mapped;c;7;weird`,
      ]) {
        const { between, logs } = await sandwich(h, bad);
        expect(between.map((r) => [r.hostname, r.status])).to.deep.equal([["mapped", 3]]);
        expect(logs.map((e) => e.level)).to.deep.equal(["info"]);
        expect(logs[0]!.msg).to.contain("taken as 3 UNKNOWN");
      }
    });

    it('#12 takes check "host" in lower case as a service, noting it', async () => {
      const { between, logs } = await sandwich(h, '{"hostname":"h","check":"host","status":2}');
      expect(between.map((r) => [r.check, r.status])).to.deep.equal([["host", 2]]);
      expect(logs[0]!.msg).to.contain('check "host" is a service');
    });

    it("#14 keeps extra keys as custom variables and ignores __proto__ without polluting anything", async () => {
      const { between } = await sandwich(
        h,
        '{"hostname":"h","check":"c","status":0,"site":"paris","rack":4,"__proto__":{"status":3,"polluted":1},"constructor":{"prototype":{"x":1}}}',
      );
      expect(between).to.have.length(1);
      expect(between[0]!.status).to.equal(0);
      expect(between[0]!.customVariables).to.deep.equal({ SITE: "paris", RACK: "4" });
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    });

    it("#15 truncates an output over 8192 bytes (in a line under the cap), keeps control characters and newlines", async () => {
      const output = `BIG\u0000 OK\n${"x".repeat(20_000)}`;
      const { between, logs } = await sandwich(h, JSON.stringify({ hostname: "h", check: "c", status: 0, output }));
      expect(between).to.have.length(1);
      expect(between[0]!.output).to.equal("BIG\u0000 OK");
      expect(Buffer.byteLength(between[0]!.output) + 1 + Buffer.byteLength(between[0]!.longOutput)).to.equal(8192);
      expect(logs[0]!.msg).to.contain("output truncated from 20008 to 8192 bytes");
    });

    it("#5 takes CRLF lines, JSON and Nagios", async () => {
      const s = await connect(h.port);
      s.write(`${good("crlf-1")}\r\n[${ts()}] PROCESS_HOST_CHECK_RESULT;crlf-2;0;UP\r\n${good("crlf-3")}\r\n`);
      await waitFor(() => h.sink.results.length === 3, "3 results");
      expect(h.sink.results.map((r) => [r.hostname, r.output])).to.deep.equal([
        ["crlf-1", "PING OK"],
        ["crlf-2", "UP"],
        ["crlf-3", "PING OK"],
      ]);
      expect(warnings(h.log)).to.deep.equal([]);
    });

    it("#6 ignores blank and whitespace lines, and a BOM at the start of the stream", async () => {
      const s = await connect(h.port);
      s.write(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${good("bom-1")}\n\n   \n\t\r\n${good("bom-2")}\n`)]));
      await waitFor(() => h.sink.results.length === 2, "2 results");
      await sleep(20);
      expect(h.sink.hosts()).to.deep.equal(["bom-1", "bom-2"]);
      expect(warnings(h.log)).to.deep.equal([]);
      expect(h.stats.get("lines_received")).to.equal(5);
    });

    it("takes a Nagios line with ; in its output and an escaped multi-line output", async () => {
      const { between } = await sandwich(h, `[${ts()}] PROCESS_SERVICE_CHECK_RESULT;web1;load;2;LOAD CRITICAL - 9.1;8.0 | load1=9.1\\nper core: 2.3`);
      expect(between.map((r) => [r.hostname, r.check, r.status, r.output, r.longOutput, r.perfData])).to.deep.equal([
        ["web1", "load", 2, "LOAD CRITICAL - 9.1;8.0", "per core: 2.3", "load1=9.1"],
      ]);
    });
  });

  describe("framing over TCP", () => {
    it("#1 reassembles a line split across 3 packets, one split inside € (E2 82 AC)", async () => {
      const h = await startInput();
      const line = Buffer.from(`${good("euro", { output: "price 5€ OK" })}\n`);
      const euro = line.indexOf(Buffer.from("€"));
      const s = await connect(h.port);
      for (const [from, to] of [
        [0, 10],
        [10, euro + 1],
        [euro + 1, line.length],
      ] as const) {
        s.write(line.subarray(from, to));
        await sleep(30);
      }
      await waitFor(() => h.sink.results.length === 1, "1 result");
      expect(h.sink.results[0]!.output).to.equal("price 5€ OK");
      expect(warnings(h.log)).to.deep.equal([]);
    });

    it("#2 processes 999 of 1000 lines in one packet and keeps the unterminated tail until its \\n", async () => {
      const h = await startInput();
      const s = await connect(h.port);
      s.write(Array.from({ length: 1000 }, (_, i) => good(`bulk-${i}`)).join("\n"));
      await waitFor(() => h.sink.results.length === 999, "999 results");
      await sleep(30);
      expect(h.sink.results).to.have.length(999);
      s.write("\n");
      await waitFor(() => h.sink.results.length === 1000, "1000 results");
      expect(h.sink.results[999]!.hostname).to.equal("bulk-999");
    });

    it("#3 discards a 1 MB line without \\n once, keeps the connection, and goes on after its \\n", async () => {
      const h = await startInput({ max_line_bytes: 1024 });
      const s = await connect(h.port);
      s.write(`${good("long-before")}\n`);
      for (let i = 0; i < 16; i++) s.write(Buffer.alloc(64 * 1024, 0x78));
      await sleep(100);
      s.write(`still the same line\n${good("long-after")}\n`);
      await waitFor(() => h.sink.results.length === 2, "2 results");
      expect(h.sink.hosts()).to.deep.equal(["long-before", "long-after"]);
      const warn = warnings(h.log);
      expect(warn).to.have.length(1);
      expect(warn[0]!.fields.reason).to.match(/^line too long \(≥\d+ bytes\), discarded$/);
      expect(warn[0]!.fields.line).to.equal(2);
      expect(s.destroyed).to.equal(false);
    });

    it("a line of exactly max_line_bytes is taken", async () => {
      const h = await startInput({ max_line_bytes: 200 });
      const base = good("exact");
      const line = `${base.slice(0, -1)},"pad":"${"p".repeat(200 - base.length - 9)}"}`;
      expect(Buffer.byteLength(line)).to.equal(200);
      const s = await connect(h.port);
      s.write(`${line}\n`);
      await waitFor(() => h.sink.results.length === 1, "1 result");
    });
  });

  describe("connections", () => {
    it("#17 closes a connection that sends nothing for idle_timeout; connect-and-close is a no-op", async () => {
      const h = await startInput({ idle_timeout: 100 });
      const quick = await connect(h.port);
      quick.destroy();
      const idle = await connect(h.port);
      const started = Date.now();
      await closed(idle);
      expect(Date.now() - started).to.be.within(50, 2000);
      const s = await connect(h.port);
      s.write(`${good("after-idle")}\n`);
      await waitFor(() => h.sink.results.length === 1, "1 result");
      expect(h.log.messages("info").some((m) => m.includes("nothing received for 100ms"))).to.equal(true);
      expect(h.stats.get("connections")).to.equal(3);
      expect(h.stats.get("connections_idle_closed")).to.be.at.least(1);
    });

    it("#18 after a clean FIN takes an unterminated last line only when it is complete JSON", async () => {
      const h = await startInput();
      const ts = nowSeconds();
      const cases: [string, boolean, string?][] = [
        [good("fin-json"), true],
        ['{"hostname":"fin-cut","check":"c","sta', false, "last line has no newline and is incomplete JSON, discarded"],
        [
          `[${ts}] PROCESS_SERVICE_CHECK_RESULT;fin-nagios;c;0;output cut sh`,
          false,
          "last line has no newline, discarded (only a complete JSON object is taken without one)",
        ],
      ];
      for (const [tail, taken, reason] of cases) {
        const s = await connect(h.port);
        const from = h.sink.results.length;
        const logs = h.log.entries.length;
        s.write(`${good("fin-first")}\n${tail}`);
        s.end();
        await closed(s);
        await sleep(20);
        expect(h.sink.hosts().slice(from), tail).to.deep.equal(taken ? ["fin-first", "fin-json"] : ["fin-first"]);
        const warn = h.log.entries.slice(logs).filter((e) => e.level === "warn");
        if (reason === undefined) expect(warn).to.deep.equal([]);
        else expect(warn.map((e) => [e.fields.reason, e.fields.line])).to.deep.equal([[reason, 2]]);
      }
    });

    it("#18 drops the half line when the client resets the connection", async () => {
      const h = await startInput();
      const s = await connect(h.port);
      s.write(`${good("rst-first")}\n${good("rst-tail")}`);
      await waitFor(() => h.sink.results.length === 1, "first result");
      await sleep(20);
      s.resetAndDestroy();
      await waitFor(() => h.log.messages("debug").some((m) => m.includes("unterminated line of")), "the debug line about the dropped tail");
      expect(h.sink.hosts()).to.deep.equal(["rst-first"]);
      expect(warnings(h.log)).to.deep.equal([]);
    });

    it("#19 refuses connections over max_connections when every connection is busy, and serves the others", async () => {
      // A clock that stands still: the half lines below never count as stalled (STALLED_LINE_MS).
      const h = await startInput({ max_connections: 2 }, { now: () => 1_800_000_000_000 });
      const a = await connect(h.port);
      const b = await connect(h.port);
      // Each in the middle of a line: nothing to evict without losing it.
      a.write(`${good("max-a0")}\n{"hostname":"max-a",`);
      b.write(`${good("max-b0")}\n{"hostname":"max-b",`);
      await waitFor(() => h.sink.results.length === 2, "the first lines (the half lines came with them)");
      const c = await connect(h.port);
      expect(await closed(c)).to.equal("");
      await waitFor(() => warnings(h.log).some((e) => e.msg.includes("max_connections (2) reached and every connection is busy")), "the drop log line");
      a.write(`"check":"ping","status":0}\n`);
      b.write(`"check":"ping","status":0}\n`);
      await waitFor(() => h.sink.results.length === 4, "4 results");
      a.destroy();
      await waitFor(() => h.stats.get("connections_open") === 1, "a closed");
      const d = await connect(h.port);
      d.write(`${good("max-d")}\n`);
      await waitFor(() => h.sink.results.length === 5, "5 results");
      expect(h.stats.get("connections_dropped")).to.equal(1);
      expect(h.stats.get("connections_evicted")).to.equal(0);
    });

    it("keeps connections independent: line numbers count per connection", async () => {
      const h = await startInput();
      const a = await connect(h.port);
      const b = await connect(h.port);
      a.write(`${good("a1")}\nbad a\n`);
      b.write(`bad b\n${good("b2")}\n${good("b3")}\nbad b again\n`);
      await waitFor(() => warnings(h.log).length === 3, "3 rejections");
      const lines = warnings(h.log).map((e) => `${String(e.fields.peer).endsWith(`:${localPortOf(a)}`) ? "a" : "b"}${String(e.fields.line)}`);
      expect(lines.sort()).to.deep.equal(["a2", "b1", "b4"]);
    });

    it("counts lines, rejections, results and connections in the instance stats", async () => {
      const h = await startInput();
      const s = await connect(h.port);
      s.write(`${good("s1")}\nnope\n\n${good("s2")}\n[1] X\n`);
      await waitFor(() => h.stats.get("lines_rejected") === 2, "2 rejections");
      expect([h.stats.get("lines_received"), h.stats.get("results_accepted"), h.stats.get("lines_rejected"), h.stats.get("connections")]).to.deep.equal([
        5, 2, 2, 1,
      ]);
      expect(h.stats.get("rejected_not_json")).to.equal(1);
      expect(h.stats.get("rejected_unsupported_command")).to.equal(1);
    });

    it("rate-limits the log per reason, and reports how many lines were left out", async () => {
      let now = Date.now();
      const h = await startInput({}, { now: () => now });
      const s = await connect(h.port);
      s.write(`${Array.from({ length: 20 }, () => "servers.a.b 1 2").join("\n")}\n${Array.from({ length: 3 }, () => "[]").join("\n")}\n`);
      await waitFor(() => h.stats.get("lines_rejected") === 23, "23 rejections");
      expect(warnings(h.log).map((e) => e.fields.reason)).to.deep.equal([
        ...Array<string>(5).fill("not JSON (graphite plaintext? wrong port)"),
        ...Array<string>(3).fill("expected a JSON object, got an array"),
      ]);
      now += 61_000;
      s.write("servers.a.b 1 2\n");
      await waitFor(() => warnings(h.log).length === 9, "the next window's line");
      expect(warnings(h.log)[8]!.fields.suppressed).to.equal(15);
    });

    it("answers SYNC with SYNCED once the sink has committed what came before", async () => {
      const h = await startInput();
      const s = await connect(h.port);
      let answer = "";
      s.on("data", (d: Buffer) => (answer += d.toString()));
      s.write(`${good("sync-1")}\nSYNC\n`);
      await waitFor(() => answer === "SYNCED\n", "SYNCED");
      expect(h.sink.syncs).to.equal(1);
      expect(h.sink.hosts()).to.deep.equal(["sync-1"]);
      expect(warnings(h.log)).to.deep.equal([]);
    });

    it("answers SYNC to a client that has already sent its FIN (printf ... | nc), then closes", async () => {
      const h = await startInput();
      h.sink.syncDelayMs = 100;
      const s = await connect(h.port);
      const answer = closed(s);
      s.end(`${good("half-1")}\nSYNC\n${good("half-2")}\nSYNC\n`);
      expect(await answer).to.equal("SYNCED\nSYNCED\n");
      expect(h.sink.hosts()).to.deep.equal(["half-1", "half-2"]);
      await waitFor(() => h.stats.get("connections_open") === 0, "the connection forgotten");
    });

    it("refuses to start on a port in use, and on a bad allow entry", async () => {
      const h = await startInput();
      const clash = new LineInput({ ...DEFAULTS, port: h.port }, new TestSink(), new RecordingLogger(), new SelfStats().of("x"), systemClock);
      let error: unknown;
      await clash.start().catch((e: unknown) => (error = e));
      expect(String(error)).to.contain("EADDRINUSE");
      await clash.stop();
      const bad = new LineInput({ ...DEFAULTS, allow: ["10.0.0.0/33"] }, new TestSink(), new RecordingLogger(), new SelfStats().of("x"), systemClock);
      error = undefined;
      await bad.start().catch((e: unknown) => (error = e));
      expect(String(error)).to.contain('allow: "10.0.0.0/33" has a bad prefix length');
    });
  });

  describe("connection slots", () => {
    it("closes a connection whose line is not ended within line_timeout, and one that sends no line after connecting, naming the peer", async () => {
      const h = await startInput({ line_timeout: 200 });
      const drip = await connect(h.port);
      const silent = await connect(h.port);
      const [dripPort, silentPort] = [localPortOf(drip), localPortOf(silent)];
      const started = Date.now();
      const done = Promise.all([closed(drip), closed(silent)]);
      drip.write(`${good("drip-1")}\n{"hostname":`);
      await done;
      expect(Date.now() - started).to.be.within(150, 5000);
      expect(h.sink.hosts()).to.deep.equal(["drip-1"]);
      const msgs = warnings(h.log).map((e) => e.msg);
      expect(msgs).to.include(`connection from 127.0.0.1:${dripPort} closed: line 2 not ended within 200ms`);
      expect(msgs).to.include(`connection from 127.0.0.1:${silentPort} closed: no line within 200ms of connecting`);
      expect(h.stats.get("connections_line_timeout")).to.equal(2);
    });

    it("keeps a connection that ends each line in time, however long it lasts, with lines split across packets", async () => {
      const h = await startInput({ line_timeout: 1000 });
      const s = await connect(h.port);
      const lines = Array.from({ length: 25 }, (_, i) => good(`steady-${i}`));
      for (const line of lines) {
        // ~100 ms a line: 2.5 s in all, well over line_timeout; each line open for 50 ms.
        s.write(line.slice(0, 20));
        await sleep(50);
        s.write(`${line.slice(20)}\n`);
        await sleep(50);
      }
      await waitFor(() => h.sink.results.length === 25, "25 results", 3000);
      expect(s.closed).to.equal(false);
      expect(h.stats.get("connections_line_timeout")).to.equal(0);
    });

    it("when full, closes the quietest connection with nothing pending to let a newcomer in, and logs and counts it", async () => {
      let now = 1_800_000_000_000;
      const h = await startInput({ max_connections: 3 }, { now: () => now });
      h.sink.syncDelayMs = 1500;
      // Connected first and its SYNC not answered yet: busy, whatever its age.
      const syncing = await connect(h.port);
      let synced = "";
      syncing.on("data", (d: Buffer) => (synced += d.toString()));
      syncing.write(`${good("syncing")}\nSYNC\n`);
      await waitFor(() => h.sink.syncs === 1, "the SYNC");
      now += 1000;
      const quiet = await connect(h.port); // says nothing: quiet since it connected
      await waitFor(() => h.stats.get("connections") === 2, "2 connections");
      now += 1000;
      const talker = await connect(h.port);
      talker.write(`${good("talker")}\n`);
      await waitFor(() => h.sink.results.length === 2, "the talker's result");
      now += 1000;
      const quietPort = localPortOf(quiet);
      const quietClosed = closed(quiet);
      const newcomer = await connect(h.port);
      newcomer.write(`${good("newcomer")}\n`);
      await quietClosed;
      await waitFor(() => h.sink.hosts().includes("newcomer"), "the newcomer's result");
      const info = h.log.entries.filter((e) => e.level === "info" && e.msg.includes("closed to let"));
      expect(info.map((e) => e.msg)).to.deep.equal([
        `connection from 127.0.0.1:${quietPort} closed to let 127.0.0.1:${localPortOf(newcomer)} in: max_connections (3) reached, and it was the quietest, no line for 2s`,
      ]);
      expect(h.stats.get("connections_evicted")).to.equal(1);
      expect(h.stats.get("connections_dropped")).to.equal(0);
      await waitFor(() => synced === "SYNCED\n", "the SYNC answered on the connection that was kept", 5000);
      expect([syncing.closed, talker.closed]).to.deep.equal([false, false]);
    });

    it("holds one address to max_connections_per_peer: its own quietest connection makes room, another address's is left alone", async () => {
      let now = 1_800_000_000_000;
      const h = await startInput({ max_connections_per_peer: 2 }, { now: () => now });
      const other = await connect(h.port, "127.0.0.1", "127.0.0.2"); // the quietest of all
      await waitFor(() => h.stats.get("connections") === 1, "1 connection");
      now += 1000;
      const a1 = await connect(h.port);
      await waitFor(() => h.stats.get("connections") === 2, "2 connections");
      now += 1000;
      const a2 = await connect(h.port);
      await waitFor(() => h.stats.get("connections") === 3, "3 connections");
      now += 1000;
      const a1Closed = closed(a1);
      const a3 = await connect(h.port);
      await a1Closed;
      expect(other.closed).to.equal(false);
      expect(h.log.messages("info").some((m) => m.includes("max_connections_per_peer (2) reached for 127.0.0.1, and it was the quietest"))).to.equal(true);
      // Both of 127.0.0.1's connections busy (a line half received): the next one from there is refused.
      a2.write(`${good("a2")}\n{"hostname":`);
      a3.write(`${good("a3")}\n{"hostname":`);
      await waitFor(() => h.sink.results.length === 2, "a2 and a3's first lines");
      const a4 = await connect(h.port);
      expect(await closed(a4)).to.equal("");
      expect(warnings(h.log).some((e) => e.msg.includes("max_connections_per_peer (2) reached for 127.0.0.1 and every connection is busy"))).to.equal(true);
      // 127.0.0.2 still gets in.
      const other2 = await connect(h.port, "127.0.0.1", "127.0.0.2");
      other2.write(`${good("other2")}\n`);
      await waitFor(() => h.sink.hosts().includes("other2"), "the other address's result");
      expect([h.stats.get("connections_evicted"), h.stats.get("connections_refused_per_peer")]).to.deep.equal([1, 1]);
    });

    it("the issue's attack with small limits: slots full of slow-drip clients, a real sender still gets SYNCED at once", async () => {
      // 20 slots, every one taken by a client that sent one byte and stalls (the issue: a byte every 50 s).
      let now = 1_800_000_000_000;
      const h = await startInput({ max_connections: 20 }, { now: () => now });
      const drips: net.Socket[] = [];
      for (let i = 0; i < 20; i++) {
        const d = await connect(h.port);
        d.write("{");
        drips.push(d);
      }
      await waitFor(() => h.stats.get("connections") === 20, "20 connections");
      await sleep(50); // their bytes arrive
      now += 2000; // their half lines are stalled now (STALLED_LINE_MS), not yet at line_timeout
      const started = process.hrtime.bigint();
      const sender = await connect(h.port);
      let answer = "";
      sender.on("data", (d: Buffer) => (answer += d.toString()));
      sender.write(`${good("real")}\nSYNC\n`);
      await waitFor(() => answer === "SYNCED\n", "SYNCED for the real sender", 5000);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      expect(ms).to.be.below(2000);
      expect(h.sink.hosts()).to.deep.equal(["real"]);
      expect(h.stats.get("connections_evicted")).to.equal(1);
      expect(drips.filter((d) => d.closed)).to.have.length(1);
    });
    it("when every connection is busy, still evicts the oldest one that has not sent a whole line since it connected", async () => {
      // A clock that stands still: the half lines never count as stalled, so nothing is quiet.
      const h = await startInput({ max_connections: 3 }, { now: () => 1_800_000_000_000 });
      const veteran = await connect(h.port);
      veteran.write(`${good("veteran")}\n{"hostname":`); // a whole line, then half of one: never a last resort
      await waitFor(() => h.sink.results.length === 1, "the veteran's line");
      const drips: net.Socket[] = [];
      for (let i = 0; i < 2; i++) {
        const d = await connect(h.port);
        d.write("{");
        drips.push(d);
        await waitFor(() => h.stats.get("connections") === i + 2, `drip ${i}`);
      }
      await sleep(50); // the drips' bytes arrive
      const firstDrip = closed(drips[0]!);
      const sender = await connect(h.port);
      let answer = "";
      sender.on("data", (d: Buffer) => (answer += d.toString()));
      sender.write(`${good("real")}\nSYNC\n`);
      await waitFor(() => answer === "SYNCED\n", "SYNCED for the real sender", 5000);
      await firstDrip;
      expect([veteran.closed, drips[1]!.closed]).to.deep.equal([false, false]);
      expect(h.stats.get("connections_evicted")).to.equal(1);
    });
  });

  describe("token", () => {
    it("takes results after AUTH <token>", async () => {
      const h = await startInput({ token: "s3cret" });
      const s = await connect(h.port);
      s.write(`\nAUTH s3cret\r\n${good("authed")}\n`);
      await waitFor(() => h.sink.results.length === 1, "1 result");
      expect(warnings(h.log)).to.deep.equal([]);
    });

    for (const [name, first] of [
      ["no AUTH line", good("sneaky")],
      ["a wrong token of another length", "AUTH guess"],
      ["a wrong token of the same length", "AUTH s3creT"],
      ["a token with trailing text", "AUTH s3cret2"],
    ] as const) {
      it(`answers ERROR authentication required and closes on ${name}, never logging the line`, async () => {
        const h = await startInput({ token: "s3cret" });
        const s = await connect(h.port);
        s.write(`${first}\n${good("after")}\n`);
        expect(await closed(s)).to.equal("ERROR authentication required\n");
        expect(h.sink.results).to.deep.equal([]);
        const warn = warnings(h.log);
        expect(warn).to.have.length(1);
        expect(warn[0]!.msg).to.contain("is not AUTH with the right token");
        expect(JSON.stringify(h.log.entries)).to.not.contain("guess").and.not.contain("s3cret");
        expect(h.stats.get("auth_failures")).to.equal(1);
      });
    }
  });

  describe("token guessing", () => {
    it("compares tokens through equal-length digests: right, wrong of the same length, wrong of another length", () => {
      const digest = createHash("sha256").update("s3cret").digest();
      expect(tokenMatches(Buffer.from("s3cret"), digest)).to.equal(true);
      expect(tokenMatches(Buffer.from("s3creT"), digest)).to.equal(false);
      expect(tokenMatches(Buffer.from("s3cre"), digest)).to.equal(false);
      expect(tokenMatches(Buffer.from("s3cret".repeat(100)), digest)).to.equal(false);
      expect(tokenMatches(Buffer.alloc(0), digest)).to.equal(false);
    });

    /** Sends one first line on a fresh connection from `from` and returns what the server said before closing. */
    async function attempt(h: Harness, first: string, from = "127.0.0.1"): Promise<string> {
      const s = await connect(h.port, "127.0.0.1", from);
      const answer = closed(s);
      s.write(`${first}\n`);
      return answer;
    }

    it("locks an address out after auth_max_failures wrong tokens, doubling each time; other addresses and non-AUTH lines are not counted", async () => {
      let now = 1_800_000_000_000;
      const h = await startInput({ token: "s3cret", auth_max_failures: 3, auth_lockout: 60_000 }, { now: () => now });
      // Lines that are not AUTH guess nothing: they are refused but not counted.
      for (let i = 0; i < 5; i++) expect(await attempt(h, good("no-auth"))).to.equal("ERROR authentication required\n");
      for (let i = 0; i < 3; i++) expect(await attempt(h, `AUTH guess-${i}`)).to.equal("ERROR authentication required\n");
      // Locked out: even the right token is turned away, with a reason, and nothing is read.
      const locked = await connect(h.port);
      const refused = closed(locked);
      locked.write(`AUTH s3cret\n${good("while-locked")}\n`);
      expect(await refused).to.equal("ERROR too many wrong AUTH tokens from this address, try again later\n");
      // Another address is not concerned.
      const other = await connect(h.port, "127.0.0.1", "127.0.0.2");
      other.write(`AUTH s3cret\n${good("other-address")}\n`);
      await waitFor(() => h.sink.hosts().includes("other-address"), "the other address's result", 3000);
      expect(h.sink.hosts()).to.deep.equal(["other-address"]);
      expect(h.log.messages("warn").some((m) => /^127\.0\.0\.1 locked out for 60s after 3 wrong AUTH tokens \(last from 127\.0\.0\.1:\d+\)$/.test(m))).to.equal(
        true,
      );
      expect(
        h.log
          .messages("warn")
          .some((m) => /^connection from 127\.0\.0\.1:\d+ refused: too many wrong AUTH tokens from 127\.0\.0\.1, locked out for 60s more$/.test(m)),
      ).to.equal(true);
      // The lock-out ends; three more wrong tokens lock out twice as long.
      now += 60_001;
      const back = await connect(h.port);
      back.write(`AUTH s3cret\n${good("after-lockout")}\n`);
      await waitFor(() => h.sink.hosts().includes("after-lockout"), "the result after the lock-out", 3000);
      for (let i = 0; i < 3; i++) expect(await attempt(h, `AUTH again-${i}`)).to.equal("ERROR authentication required\n");
      expect(h.log.messages("warn").some((m) => m.startsWith("127.0.0.1 locked out for 120s after 3 wrong AUTH tokens"))).to.equal(true);
      expect([h.stats.get("auth_failures"), h.stats.get("auth_lockouts"), h.stats.get("connections_locked_out")]).to.deep.equal([11, 2, 1]);
    });

    it("auth_lockout 0 never locks out", async () => {
      const h = await startInput({ token: "s3cret", auth_max_failures: 1, auth_lockout: 0 });
      for (let i = 0; i < 4; i++) expect(await attempt(h, `AUTH guess-${i}`)).to.equal("ERROR authentication required\n");
      const s = await connect(h.port);
      s.write(`AUTH s3cret\n${good("never-locked")}\n`);
      await waitFor(() => h.sink.results.length === 1, "1 result", 3000);
      expect(h.stats.get("auth_lockouts")).to.equal(0);
    });
  });

  describe("allow", () => {
    it("closes at once a connection from an address outside the list, with a log line", async () => {
      const h = await startInput({ allow: ["10.0.0.0/8", "2001:db8::/32"] });
      const s = await connect(h.port);
      const port = localPortOf(s);
      s.write(`${good("refused")}\n`);
      expect(await closed(s)).to.equal("");
      expect(h.sink.results).to.deep.equal([]);
      expect(warnings(h.log).map((e) => e.msg)).to.deep.equal([`connection from 127.0.0.1:${port} refused: not in allow`]);
      expect(h.stats.get("connections_refused")).to.equal(1);
    });

    it("lets in an address inside the list", async () => {
      const h = await startInput({ allow: ["192.168.0.0/16", "127.0.0.1"] });
      const s = await connect(h.port);
      s.write(`${good("allowed")}\n`);
      await waitFor(() => h.sink.results.length === 1, "1 result");
    });

    it("matches IPv4 entries for IPv4-mapped IPv6 peers, and IPv6 entries", () => {
      const allowed = allowList(["127.0.0.0/8", "10.1.2.3", "fd00::/8", "::1"]);
      expect(["127.0.0.1", "::ffff:127.0.0.1", "::FFFF:10.1.2.3", "10.1.2.3", "fd12::1", "::1"].map(allowed)).to.deep.equal([
        true,
        true,
        true,
        true,
        true,
        true,
      ]);
      expect(["10.1.2.4", "::ffff:10.1.2.4", "192.168.1.1", "fe80::1", "::2", "fe80::1%eth0", "nonsense", undefined].map(allowed)).to.deep.equal([
        false,
        false,
        false,
        false,
        false,
        false,
        false,
        false,
      ]);
      expect(allowList([])("anything")).to.equal(true);
      expect(() => allowList(["web1"])).to.throw('allow: "web1" is not an IP address or CIDR');
      expect(() => allowList(["::/129"])).to.throw("bad prefix length");
    });

    it("matches a real IPv4-mapped peer on a dual-stack socket", async function () {
      let h: Harness;
      try {
        h = await startInput({ bind: "::", allow: ["127.0.0.0/8"] });
      } catch {
        this.skip(); // no IPv6 here
      }
      const s = await connect(h.port, "127.0.0.1");
      s.write(`${good("mapped")}\n`);
      await waitFor(() => h.sink.results.length === 1, "1 result");
      expect(h.log.messages("debug")).to.include(`connection from [::ffff:127.0.0.1]:${localPortOf(s)}`);
    });
  });

  describe("backpressure", () => {
    it("starts connections paused while the sink is paused, and takes everything once it resumes", async () => {
      const h = await startInput();
      h.sink.setPaused(true);
      const s = await connect(h.port);
      s.write(Array.from({ length: 100 }, (_, i) => `${good(`p-${i}`)}\n`).join(""));
      await sleep(200);
      expect(h.sink.results).to.have.length(0);
      expect(h.stats.get("lines_received")).to.equal(0);
      h.sink.setPaused(false);
      await waitFor(() => h.sink.results.length === 100, "100 results");
      expect(h.sink.hosts()[99]).to.equal("p-99");
    });

    it("stops reading mid-stream when the sink pauses (TCP pushes back on the sender), and loses nothing", async () => {
      const h = await startInput();
      h.sink.pauseAt = 5;
      const s = await connect(h.port);
      const line = `${good("flood")}\n`;
      const total = Math.ceil((24 * 1024 * 1024) / line.length);
      s.write(line.repeat(total));
      await waitFor(() => h.sink.paused, "the pause");
      await sleep(300);
      const received = h.stats.get("lines_received");
      expect(h.sink.results).to.have.length(5); // stopped between two lines of the same chunk
      await sleep(200);
      expect(h.stats.get("lines_received")).to.equal(received);
      expect(s.writableLength, "bytes the server does not read stay with the sender").to.be.above(0);
      h.sink.setPaused(false);
      await waitFor(() => h.sink.results.length === total, `${total} results`, 20_000);
      expect(h.stats.get("lines_rejected")).to.equal(0);
    });

    it("does not close a paused connection as idle", async () => {
      const h = await startInput({ idle_timeout: 100 });
      h.sink.setPaused(true);
      const s = await connect(h.port);
      s.write(`${good("patient")}\n`);
      await sleep(400);
      expect(s.destroyed || s.closed).to.equal(false);
      h.sink.setPaused(false);
      await waitFor(() => h.sink.results.length === 1, "1 result");
    });

    it("stop() processes the complete lines already received, drops the half line, closes everything, twice", async () => {
      const h = await startInput();
      h.sink.pauseAt = 2;
      const s = await connect(h.port);
      const gone = closed(s);
      s.write(`${Array.from({ length: 10 }, (_, i) => good(`stop-${i}`)).join("\n")}\n{"hostname":"half`);
      await waitFor(() => h.sink.paused, "the pause");
      await sleep(50);
      expect(h.sink.results).to.have.length(2);
      await h.input.stop();
      await h.input.stop();
      expect(h.sink.hosts()).to.deep.equal(Array.from({ length: 10 }, (_, i) => `stop-${i}`));
      await gone;
      expect(h.sink.listenerCount).to.equal(0);
      let error: unknown;
      await connect(h.port).catch((e: unknown) => (error = e));
      expect(String(error)).to.contain("ECONNREFUSED");
    });

    it("stop() before start() and twice is fine", async () => {
      const input = new LineInput(DEFAULTS, new TestSink(), new RecordingLogger(), new SelfStats().of("x"), systemClock);
      await input.stop();
      await input.stop();
    });
  });

  describe("preview", () => {
    it("escapes control characters and invalid bytes, cuts at 200 bytes on a character boundary", () => {
      expect(preview(Buffer.from('{"a":"x\\y"}\t\u0001'))).to.equal('{"a":"x\\\\y"}\\t\\x01');
      expect(preview(Buffer.from([0x41, 0xff, 0xc3, 0x28]))).to.equal("A\\xff\\xc3(");
      const long = preview(Buffer.from(`${"a".repeat(199)}€€`));
      expect(long).to.equal(`${"a".repeat(199)}...`);
      expect(preview(Buffer.from("x".repeat(500)))).to.have.length(203);
    });
  });
});
