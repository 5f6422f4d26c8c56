/**
 * What held when issue 11 probed the daemon from outside, kept as tests against the real
 * daemon (TCP, SQLite file): a flood of bad lines costs none of the good ones around them,
 * and AuthUser holds on every table and every command. (A 10 MB Livestatus header → 413 and
 * half a request → 451 after request_timeout are in plugins/listener/livestatus/livestatus.test.ts.)
 */
import { expect } from "chai";
import { KNOWN_COMMANDS } from "../../core/commands/parse-command";
import { startDaemon, portZeroConf, type DaemonPorts } from "../helpers/daemon-on-port-zero";
import { LivestatusClient } from "../helpers/livestatus-client";
import { LineClient } from "../helpers/net";
import type { ForegroundTantale } from "../helpers/tantale-process";
import { cleanupTempDirs, makeConfDir, makeTempDir } from "../helpers/temp-dir";

const NOW = Math.floor(Date.now() / 1000);
const T0 = NOW - 600;

/** A fixed16 JSON answer on a fresh connection; `lines` without the blank line. */
async function ask(port: number, lines: readonly string[]): Promise<{ status: number; body: string }> {
  const client = await LivestatusClient.connect(port);
  try {
    client.send(`${[...lines, "ResponseHeader: fixed16"].join("\n")}\n\n`);
    return await client.answer(20_000);
  } finally {
    client.destroy();
  }
}

async function rows(port: number, lines: readonly string[]): Promise<unknown[][]> {
  const a = await ask(port, [...lines, "OutputFormat: json"]);
  expect(a.status, a.body).to.equal(200);
  return JSON.parse(a.body) as unknown[][];
}

describe("held under abuse (real daemon)", function () {
  this.timeout(120_000);
  const running: ForegroundTantale[] = [];
  after(async () => {
    for (const t of running.splice(0)) await t.kill();
    cleanupTempDirs();
  });

  async function daemon(extra: Parameters<typeof portZeroConf>[0] = {}): Promise<DaemonPorts> {
    const { t, ports } = await startDaemon(makeConfDir(portZeroConf(extra)), makeTempDir());
    running.push(t);
    return ports;
  }

  it("100k bad lines mixed with 10k good ones: all 10k kept, exactly", async () => {
    const ports = await daemon();
    const bad: (string | Buffer)[] = [
      Buffer.from([0x7b, 0xc3, 0x28, 0x7d]),
      "servers.web1.cpu 1 1700000000",
      "[]",
      "null",
      '{"hostname":"h","check":',
      "hello, not a result",
      '{"hostname":"h","check":"c","status":"2x"}',
      '{"hostname":"h","check":"Host","status":3}',
      '{"hostname":"h","check":"c","status":0,"timestamp":1700000000000}',
      '{"hostname":"","check":"c","status":0}',
      `[${NOW}] ACKNOWLEDGE_SVC_PROBLEM;h;s;1;1;1;me;not on this port`,
      `[${NOW}]PROCESS_SERVICE_CHECK_RESULT;h;s;0;no space`,
      "AUTH guess",
    ];
    // Fresh and with a long interval: no freshness check may turn one stale before it is read back.
    const now = Math.floor(Date.now() / 1000);
    const good = (i: number): string =>
      JSON.stringify({ hostname: `good${i % 100}`, check: `c${Math.floor(i / 100)}`, status: i % 4, output: `n${i}`, timestamp: now, interval: 3600 });
    const socket = await LineClient.connect(ports.line);
    try {
      // 10 bad lines before each good one, in 1000-line writes; a few over-long lines too.
      let chunk: (string | Buffer)[] = [];
      const flush = (): void => {
        socket.socket.write(Buffer.concat(chunk.map((c) => Buffer.concat([typeof c === "string" ? Buffer.from(c) : c, Buffer.from("\n")]))));
        chunk = [];
      };
      for (let i = 0; i < 10_000; i++) {
        for (let j = 0; j < 10; j++) chunk.push(i % 1000 === 0 && j === 0 ? Buffer.alloc(70_000, "x") : bad[(i * 10 + j) % bad.length]!);
        chunk.push(good(i));
        if (chunk.length >= 1000) flush();
      }
      flush();
      socket.send("SYNC");
      expect(await socket.next(60_000)).to.match(/^SYNCED/);
    } finally {
      socket.close();
    }
    const kept = await rows(ports.livestatus, ["GET services", "Columns: host_name description state plugin_output"]);
    expect(kept).to.have.length(10_000);
    const byName = new Map(kept.map((r) => [`${String(r[0])};${String(r[1])}`, r]));
    for (let i = 0; i < 10_000; i++) {
      expect(byName.get(`good${i % 100};c${Math.floor(i / 100)}`), `result ${i}`).to.deep.equal([`good${i % 100}`, `c${Math.floor(i / 100)}`, i % 4, `n${i}`]);
    }
  });

  describe("AuthUser on every table and every command", () => {
    let ports: DaemonPorts;
    /** Tables without AuthUser (docs/livestatus.md §2.3): the same answer whoever asks. */
    const UNRESTRICTED = new Set(["status", "columns", "contacts", "contactgroups", "commands", "timeperiods"]);

    before(async () => {
      // Every command, check results included (off by default), so that AuthUser alone refuses them.
      ports = await daemon({ tantale: "freshness_check_interval = 200ms\n", livestatus: "commands = gui, results\n" });
      const client = await LineClient.connect(ports.line);
      const send = (o: Record<string, unknown>): void => client.send(JSON.stringify({ timestamp: T0, interval: 3600, ...o }));
      for (const [host, contact] of [
        ["a1", "alice"],
        ["b1", "bob"],
      ] as const) {
        send({ hostname: host, check: "Host", status: 1, output: "DOWN", contacts: [contact], hostgroups: [`hg-${host}`] });
        for (const check of ["disk", "load"]) send({ hostname: host, check, status: 2, output: "CRIT", contacts: [contact], servicegroups: [`sg-${host}`] });
      }
      client.send("SYNC");
      expect(await client.next(20_000)).to.match(/^SYNCED/);
      client.close();
      // A downtime and a comment on each object kind, made without AuthUser.
      const c = await LivestatusClient.connect(ports.livestatus);
      try {
        for (const line of [
          `SCHEDULE_HOST_DOWNTIME;a1;${NOW + 3600};${NOW + 7200};1;0;3600;root;later`,
          `SCHEDULE_SVC_DOWNTIME;a1;disk;${NOW + 3600};${NOW + 7200};1;0;3600;root;later`,
          "ADD_HOST_COMMENT;a1;1;root;note",
          "ADD_SVC_COMMENT;a1;disk;1;root;note",
        ]) {
          c.send(`COMMAND [${NOW}] ${line}\nResponseHeader: fixed16\n\n`);
        }
        c.send("GET status\nColumns: program_version\nResponseHeader: fixed16\n\n");
        expect((await c.answer(20_000)).status).to.equal(200); // every command before it was applied
      } finally {
        c.destroy();
      }
    });

    it("every table: a user who is nobody's contact sees no row of the object tables, the others whole; a contact sees only hers", async () => {
      const tables = [...new Set((await rows(ports.livestatus, ["GET columns", "Columns: table"])).map((r) => String(r[0])))].sort();
      expect(tables).to.include.members([
        "hosts",
        "services",
        "log",
        "comments",
        "downtimes",
        "hostgroups",
        "servicegroups",
        "hostsbygroup",
        "servicesbygroup",
        "servicesbyhostgroup",
      ]);
      for (const table of tables) {
        const all = await rows(ports.livestatus, [`GET ${table}`, "ColumnHeaders: off"]);
        const mallory = await rows(ports.livestatus, [`GET ${table}`, "ColumnHeaders: off", "AuthUser: mallory"]);
        const alice = await rows(ports.livestatus, [`GET ${table}`, "ColumnHeaders: off", "AuthUser: alice"]);
        if (UNRESTRICTED.has(table)) {
          expect([mallory.length, alice.length], table).to.deep.equal([all.length, all.length]);
          continue;
        }
        expect(all.length, `${table}: rows to hide`).to.be.greaterThan(0);
        expect(mallory, `${table} for mallory`).to.deep.equal([]);
        const text = (r: unknown[]): string => JSON.stringify(r);
        expect(alice.length, `${table} for alice`).to.be.within(1, all.length - (table.endsWith("downtimes") || table.endsWith("comments") ? 0 : 1));
        expect(
          alice.map(text).filter((r) => r.includes('"b1"') || r.includes('"bob"')),
          `${table}: bob's objects shown to alice`,
        ).to.deep.equal([]);
      }
    });

    it("every command by a user who is not a contact: 403, and nothing changes", async () => {
      const [[downtimeHost], [downtimeSvc]] = [
        await rows(ports.livestatus, ["GET downtimes", "Columns: id", "Filter: is_service = 0"]),
        await rows(ports.livestatus, ["GET downtimes", "Columns: id", "Filter: is_service = 1"]),
      ];
      const [[commentHost], [commentSvc]] = [
        await rows(ports.livestatus, ["GET comments", "Columns: id", "Filter: is_service = 0"]),
        await rows(ports.livestatus, ["GET comments", "Columns: id", "Filter: is_service = 1"]),
      ];
      const args: Readonly<Record<string, string>> = {
        ACKNOWLEDGE_HOST_PROBLEM: "a1;2;1;1;mallory;mine",
        ACKNOWLEDGE_SVC_PROBLEM: "a1;disk;2;1;1;mallory;mine",
        ACKNOWLEDGE_HOST_PROBLEM_EXPIRE: `a1;2;1;1;${NOW + 600};mallory;mine`,
        ACKNOWLEDGE_SVC_PROBLEM_EXPIRE: `a1;disk;2;1;1;${NOW + 600};mallory;mine`,
        REMOVE_HOST_ACKNOWLEDGEMENT: "a1",
        REMOVE_SVC_ACKNOWLEDGEMENT: "a1;disk",
        SCHEDULE_HOST_DOWNTIME: `a1;${NOW};${NOW + 600};1;0;600;mallory;mine`,
        SCHEDULE_HOST_SVC_DOWNTIME: `a1;${NOW};${NOW + 600};1;0;600;mallory;mine`,
        SCHEDULE_SVC_DOWNTIME: `a1;disk;${NOW};${NOW + 600};1;0;600;mallory;mine`,
        DEL_HOST_DOWNTIME: String(downtimeHost),
        DEL_SVC_DOWNTIME: String(downtimeSvc),
        ADD_HOST_COMMENT: "a1;1;mallory;mine",
        ADD_SVC_COMMENT: "a1;disk;1;mallory;mine",
        DEL_HOST_COMMENT: String(commentHost),
        DEL_SVC_COMMENT: String(commentSvc),
        DEL_HOST: "a1",
        DEL_SVC: "a1;disk",
        SCHEDULE_FORCED_HOST_CHECK: `a1;${NOW}`,
        SCHEDULE_FORCED_SVC_CHECK: `a1;disk;${NOW}`,
        SCHEDULE_HOST_CHECK: `a1;${NOW}`,
        SCHEDULE_SVC_CHECK: `a1;disk;${NOW}`,
        PROCESS_HOST_CHECK_RESULT: "a1;0;UP by mallory",
        PROCESS_SERVICE_CHECK_RESULT: "a1;disk;0;OK by mallory",
      };
      expect(Object.keys(args).sort(), "a line for every command the parser knows").to.deep.equal([...KNOWN_COMMANDS]);
      const snapshot = async (): Promise<unknown[]> =>
        Promise.all([
          rows(ports.livestatus, ["GET hosts", "Columns: name state plugin_output acknowledged scheduled_downtime_depth comments", "Filter: name = a1"]),
          rows(ports.livestatus, [
            "GET services",
            "Columns: host_name description state plugin_output acknowledged scheduled_downtime_depth comments",
            "Filter: host_name = a1",
          ]),
          rows(ports.livestatus, ["GET downtimes", "Columns: id host_name service_description author comment"]),
          rows(ports.livestatus, ["GET comments", "Columns: id host_name service_description author comment"]),
        ]);
      const before = await snapshot();
      for (const name of KNOWN_COMMANDS) {
        const client = await LivestatusClient.connect(ports.livestatus);
        try {
          client.send(`COMMAND [${NOW}] ${name};${args[name]!}\nAuthUser: mallory\nResponseHeader: fixed16\n\n`);
          const refusal = await client.answer(20_000);
          expect(refusal.status, `${name}: ${refusal.body}`).to.equal(403);
          expect(refusal.body).to.contain(`${name}: AuthUser mallory is not a contact of`);
        } finally {
          client.destroy();
        }
      }
      expect(await snapshot()).to.deep.equal(before);
    });
  });
});
