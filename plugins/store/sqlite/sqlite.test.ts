import { execFileSync, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { expect } from "chai";
import type { Clock } from "../../../core/clock";
import { silentLogger } from "../../../core/log/logger";
import { SelfStats, type InstanceStats } from "../../../core/metrics/self-stats";
import { NO_RECORD_CHANGES, type ChangeSet } from "../../../core/state/change-set";
import { checkKey, type CheckState } from "../../../core/state/check-state";
import type { Comment } from "../../../core/state/comment";
import type { Downtime } from "../../../core/state/downtime";
import { logEntry, type LogEntry } from "../../../core/state/log-entry";
import { compareLogEntries, logPageOf, type LogCondition, type LogQuery } from "../../../core/store/log-query";
import { EMPTY_STORED_STATE } from "../../../core/store/state-store";
import { RecordingLogger } from "../../../test/helpers/recording-logger";
import { seededRandom } from "../../../test/helpers/seeded-random";
import { cleanupTempDirs, makeTempDir } from "../../../test/helpers/temp-dir";
import { CRASH_FILE, CRASH_LOG_ROWS, CRASH_UPSERTS, crashChangeSet, crashComment, crashDowntime } from "./crash-writer";
import { PACK_CHUNK, WRITER_RESOURCE_LIMITS } from "./commit-thread";
import { logParams, pushCheckParams } from "./rows";
import type { SqliteConfig } from "./schema";
import { SqliteStore, SqliteStoreError } from "./sqlite-store";
import { logSelectOf, MATCH_FUNCTION, MAX_HOST_PROBES } from "./log-sql";
import { MIGRATIONS, SCHEMA_VERSION, upsertChecksSql } from "./tables";

const DAY_MS = 86_400_000;
const NOW_MS = 1_764_100_000_000;
const DEFAULTS: SqliteConfig = { path: "tantale.db", log_retention_days: 31, synchronous: "normal", busy_timeout: 5000 };

/** A clock the tests move by hand. */
class ManualClock implements Clock {
  constructor(public ms = NOW_MS) {}
  now(): number {
    return this.ms;
  }
}

const opened: SqliteStore[] = [];

function makeStore(dataDir: string, options: Partial<SqliteConfig> = {}, clock: Clock = new ManualClock()): { store: SqliteStore; stats: InstanceStats } {
  const stats = new SelfStats().of("sqlite");
  const store = new SqliteStore({ ...DEFAULTS, ...options }, dataDir, silentLogger(), clock, stats);
  opened.push(store);
  return { store, stats };
}

async function started(dataDir: string, options: Partial<SqliteConfig> = {}, clock?: Clock): Promise<SqliteStore> {
  const { store } = makeStore(dataDir, options, clock);
  await store.start();
  return store;
}

function state(hostname: string, check: string, overrides: Partial<CheckState> = {}): CheckState {
  return {
    hostname,
    check,
    state: 0,
    lastState: 0,
    output: "OK",
    longOutput: "",
    perfData: "",
    lastCheck: 1_764_100_000,
    lastStateChange: 1_764_000_000,
    lastHardStateChange: 1_764_000_000,
    interval: 60,
    contacts: [],
    hostgroups: [],
    servicegroups: [],
    customVariables: {},
    outdated: false,
    acknowledgement: null,
    downtimeDepth: 0,
    ...overrides,
  };
}

function entry(time: number, hostname: string, check: string, n = 0): LogEntry {
  return logEntry({
    time,
    class: 1,
    type: check === "" ? "HOST ALERT" : "SERVICE ALERT",
    hostname,
    check,
    state: 2,
    stateType: "HARD",
    attempt: 1,
    output: `out ${n}`,
    message: `[${Math.floor(time)}] SERVICE ALERT: ${hostname};${check};CRITICAL;HARD;1;out ${n}`,
  });
}

const changes = (c: Partial<ChangeSet>): ChangeSet => ({
  upserts: [],
  deletes: [],
  log: [],
  downtimes: NO_RECORD_CHANGES,
  comments: NO_RECORD_CHANGES,
  lastIds: { downtime: 0, comment: 0 },
  ...c,
});
const byKey = (a: CheckState, b: CheckState): number => (checkKey(a.hostname, a.check) < checkKey(b.hostname, b.check) ? -1 : 1);
const sorted = (states: readonly CheckState[]): CheckState[] => [...states].sort(byKey);

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected a rejection");
}

function downtime(id: number, overrides: Partial<Downtime> = {}): Downtime {
  return {
    id,
    hostname: "web1.example.com",
    check: "Host",
    author: "alice",
    comment: "maintenance",
    entryTime: 1_764_100_000,
    startTime: 1_764_100_000,
    endTime: 1_764_103_600,
    fixed: true,
    duration: 3600,
    triggeredBy: 0,
    activeSince: 0,
    ...overrides,
  };
}

function comment(id: number, overrides: Partial<Comment> = {}): Comment {
  return {
    id,
    hostname: "web1.example.com",
    check: "Host",
    author: "bob",
    comment: "looking",
    entryTime: 1_764_100_000,
    entryType: 1,
    persistent: false,
    expireTime: 0,
    ...overrides,
  };
}

/** Every field of downtimes and comments, with values that are easy to lose: fractions, booleans both ways, quotes, semicolons, unicode, NUL. */
const TRICKY_DOWNTIMES: readonly Downtime[] = [
  downtime(1),
  downtime(2, {
    hostname: "hôte-ü.例え.jp",
    check: "😀 disk /var; |pipe|",
    author: 'O\'Brien "ob"',
    comment: "patch; reboot -- DROP TABLE downtimes; 'x'\nline 2\u0000nul",
    entryTime: 1_764_100_000.25,
    startTime: 1_764_100_100.5,
    endTime: 1_764_200_000.75,
    fixed: false,
    duration: 1800.5,
    triggeredBy: 1,
    activeSince: 1_764_100_123.125,
  }),
  downtime(7, { hostname: "", check: "", author: "", comment: "", entryTime: 0, startTime: 0, endTime: 2 ** 40, duration: 0, triggeredBy: 2 }),
];
const TRICKY_COMMENTS: readonly Comment[] = [
  comment(3, { entryType: 4, persistent: true, expireTime: 1_764_200_000.5, comment: 'ack – ticket #42; "sticky"' }),
  comment(4, {
    hostname: "hôte-ü.例え.jp",
    check: "😀 disk /var; |pipe|",
    author: "Ünïcode ✓",
    comment: "a;b;c\r\n\ttab\u0000",
    entryTime: 1_764_100_000.000001,
    entryType: 2,
  }),
  comment(9, { hostname: "", check: "", author: "", comment: "", entryTime: 0, entryType: 3 }),
];

/** The log insert of schema versions 1 and 2: no entry id. */
const OLD_INSERT_LOG = `INSERT INTO log (time, class, type, hostname, "check", state, state_type, attempt, output, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** Builds a file as a Tantale of an older schema `version` left it: its migrations only, with a check and log rows. */
function writeOldFile(file: string, version: 1 | 2, s: CheckState, log: readonly LogEntry[]): void {
  const db = new Database(file);
  try {
    db.pragma("journal_mode = WAL");
    for (const m of MIGRATIONS.slice(0, version)) {
      if (typeof m !== "string") throw new Error("migrations 1 and 2 are SQL");
      db.exec(m);
    }
    const params: unknown[] = [];
    pushCheckParams(params, s);
    db.prepare(upsertChecksSql(1)).run(...params);
    // Without the id: what an old Tantale wrote.
    for (const e of log) db.prepare(OLD_INSERT_LOG).run(...logParams(e).slice(1));
    db.pragma(`user_version = ${version}`);
  } finally {
    db.close();
  }
}

/** Every field with values that are easy to lose: fractions, empty and unicode strings, NUL, ack set and null. */
const TRICKY: readonly CheckState[] = [
  state("web1.example.com", "Host", {
    state: 1,
    lastState: 0,
    output: "PING CRITICAL - Packet loss = 100%",
    lastCheck: 1_764_100_000.123456,
    lastStateChange: 1_764_099_999.5,
    lastHardStateChange: 0.25,
    interval: 0.5,
  }),
  state("hôte-ü.例え.jp", "😀 disk /var; |pipe|", {
    state: 3,
    lastState: 2,
    output: "UNKNOWN – ünïcödé ✓ \"quoted\" 'single' ;semi",
    longOutput: "line 2\nline 3\r\n\ttab\u0000nul",
    perfData: "'a b'=1.5ms;2;3;0;10 c=0c",
    lastCheck: 1_764_100_123.999999,
    lastStateChange: 1_700_000_000.000001,
    lastHardStateChange: 1_700_000_000.000001,
    interval: 86_400,
    contacts: ["ops", "Ünïcode Team", ""],
    hostgroups: ["linux"],
    servicegroups: ["disks", "storage"],
    customVariables: { SITE: "paris", ÉTAGE: "3ème", EMPTY: "", JSON: '{"a":[1]}' },
    outdated: true,
    acknowledgement: { type: 2, author: "alice", comment: 'on it – ticket #42; "sticky"', time: 1_764_100_200.75, expireTime: 0 },
    downtimeDepth: 3,
  }),
  state("web1.example.com", "load", { acknowledgement: { type: 1, author: "", comment: "", time: 0, expireTime: 1_764_200_000.5 }, downtimeDepth: 0 }),
  state("", "", { state: -1, lastState: 2 ** 31, output: "", interval: 0 }),
];

describe("sqlite store (real files)", function () {
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.stop();
  });
  after(cleanupTempDirs);

  it("round-trips every field of every state, through a restart and through a read-only load", async () => {
    const dir = makeTempDir();
    const { store, stats } = makeStore(dir, { path: "sub/dir/state.db" });
    await store.start();
    await store.commit(changes({ upserts: TRICKY }));
    expect(sorted((await store.load()).checks)).to.deep.equal(sorted(TRICKY));
    expect([stats.get("commits"), stats.get("rows_upserted"), stats.get("log_rows")]).to.deep.equal([1, TRICKY.length, 0]);
    expect(stats.get("commit_ms")).to.be.greaterThan(0);
    await store.stop();
    expect(fs.existsSync(path.join(dir, "sub", "dir", "state.db"))).to.equal(true);

    const reader = makeStore(dir, { path: "sub/dir/state.db" }).store;
    expect(sorted((await reader.load()).checks), "not started: read-only").to.deep.equal(sorted(TRICKY));
    const again = await started(dir, { path: path.join(dir, "sub/dir/state.db") });
    expect(sorted((await again.load()).checks), "restarted, absolute path").to.deep.equal(sorted(TRICKY));
  });

  it("hands the checks to a load sink in chunks, on the started store and read-only: the count first, then every state once", async () => {
    const dir = makeTempDir();
    const many = [
      ...TRICKY,
      ...Array.from({ length: 23 }, (_, i) => state(`host${i % 4}`, `check${i % 6}-${i >> 2}`, { output: i % 2 === 0 ? "" : `OK ${i}` })),
    ];
    const store = await started(dir);
    await store.commit(changes({ upserts: many, downtimes: { upserts: TRICKY_DOWNTIMES, deletes: [] } }));
    const readThrough = async (s: SqliteStore) => {
      const calls: string[] = [];
      const got: CheckState[] = [];
      const rest = await s.load({
        chunkChecks: 4,
        total: (n) => calls.push(`total ${n}`),
        checks: (chunk) => {
          calls.push(`chunk ${chunk.length}`);
          got.push(...chunk);
        },
      });
      return { calls, got, rest };
    };
    for (const [label, s] of [
      ["started", store],
      ["read-only", makeStore(dir).store],
    ] as const) {
      const { calls, got, rest } = await readThrough(s);
      expect(calls, label).to.deep.equal([`total ${many.length}`, ...Array.from({ length: 6 }, () => "chunk 4"), "chunk 3"]);
      expect(sorted(got), label).to.deep.equal(sorted(many));
      expect(rest, label).to.deep.include({ checks: [], downtimes: TRICKY_DOWNTIMES });
    }
    expect(sorted((await store.load()).checks), "without a sink: all in the state").to.deep.equal(sorted(many));
  });

  it("round-trips every field of downtimes and comments and the last ids, through a restart and through a read-only load", async () => {
    const dir = makeTempDir();
    const { store, stats } = makeStore(dir);
    await store.start();
    const lastIds = { downtime: 8, comment: 12 };
    await store.commit(changes({ downtimes: { upserts: TRICKY_DOWNTIMES, deletes: [] }, comments: { upserts: TRICKY_COMMENTS, deletes: [] }, lastIds }));
    const expected = { checks: [], downtimes: TRICKY_DOWNTIMES, comments: TRICKY_COMMENTS, lastIds };
    expect(await store.load(), "same instance").to.deep.equal(expected);
    expect([stats.get("commits"), stats.get("downtimes_upserted"), stats.get("comments_upserted"), stats.get("rows_upserted")]).to.deep.equal([1, 3, 3, 0]);
    await store.stop();

    expect(await makeStore(dir).store.load(), "not started: read-only").to.deep.equal(expected);
    const loaded = await (await started(dir)).load();
    expect(loaded, "restarted").to.deep.equal(expected);
    expect(
      [...loaded.downtimes, ...loaded.comments].every((r) => Object.isFrozen(r)),
      "frozen",
    ).to.equal(true);
    expect(loaded.downtimes.map((d) => typeof d.fixed)).to.deep.equal(["boolean", "boolean", "boolean"]);
  });

  it("replaces downtimes and comments by id and deletes them, in the same commit as the checks and the log", async () => {
    const dir = makeTempDir();
    const { store, stats } = makeStore(dir);
    await store.start();
    await store.commit(
      changes({
        upserts: [state("h", "c")],
        log: [entry(1, "h", "c")],
        downtimes: { upserts: [downtime(1), downtime(2), downtime(3)], deletes: [] },
        comments: { upserts: [comment(1), comment(2)], deletes: [] },
        lastIds: { downtime: 3, comment: 2 },
      }),
    );
    const started2 = downtime(2, { activeSince: 1_764_100_050 });
    await store.commit(
      changes({
        downtimes: { upserts: [started2], deletes: [1, 99] },
        comments: { upserts: [comment(3, { entryType: 2 })], deletes: [1] },
        lastIds: { downtime: 3, comment: 3 },
      }),
    );
    const expected = {
      checks: [state("h", "c")],
      downtimes: [started2, downtime(3)],
      comments: [comment(2), comment(3, { entryType: 2 })],
      lastIds: { downtime: 3, comment: 3 },
    };
    expect(await store.load()).to.deep.equal(expected);
    expect([stats.get("downtimes_upserted"), stats.get("downtimes_deleted"), stats.get("comments_upserted"), stats.get("comments_deleted")]).to.deep.equal([
      4, 2, 3, 1,
    ]);
    await store.stop();
    expect(await (await started(dir)).load()).to.deep.equal(expected);
  });

  it("keeps the last ids when the records with the highest ids are deleted, never lowers them, and raises them to the highest id present", async () => {
    const dir = makeTempDir();
    const first = await started(dir);
    await first.commit(
      changes({
        downtimes: { upserts: [downtime(1), downtime(5)], deletes: [] },
        comments: { upserts: [comment(4)], deletes: [] },
        lastIds: { downtime: 5, comment: 6 },
      }),
    );
    await first.commit(changes({ downtimes: { upserts: [], deletes: [5] }, comments: { upserts: [], deletes: [4] }, lastIds: { downtime: 5, comment: 6 } }));
    // A lower counter (an engine that counted less) is not written over the higher one.
    await first.commit(changes({ upserts: [state("h", "c")], lastIds: { downtime: 2, comment: 0 } }));
    await first.stop();
    const second = await started(dir);
    expect(await second.load()).to.deep.equal({ checks: [state("h", "c")], downtimes: [downtime(1)], comments: [], lastIds: { downtime: 5, comment: 6 } });

    // Records with ids above the counters (a file edited by hand): the ids present count as taken.
    await second.commit(
      changes({ downtimes: { upserts: [downtime(40)], deletes: [] }, comments: { upserts: [comment(30)], deletes: [] }, lastIds: { downtime: 5, comment: 6 } }),
    );
    expect((await second.load()).lastIds).to.deep.equal({ downtime: 40, comment: 30 });
    await second.stop();
    expect((await makeStore(dir).store.load()).lastIds, "read-only").to.deep.equal({ downtime: 40, comment: 30 });
  });

  it("writes none of the downtimes, comments and counters of a change set whose commit fails", async () => {
    const dir = makeTempDir();
    const { store, stats } = makeStore(dir);
    await store.start();
    const before = {
      checks: [state("h", "a")],
      downtimes: [downtime(1), downtime(2)],
      comments: [comment(1), comment(2)],
      lastIds: { downtime: 2, comment: 2 },
    };
    await store.commit(
      changes({
        upserts: before.checks,
        downtimes: { upserts: before.downtimes, deletes: [] },
        comments: { upserts: before.comments, deletes: [] },
        lastIds: before.lastIds,
      }),
    );

    // Everything but the last comment upsert runs before its NULL author fails.
    const badComment = changes({
      upserts: [state("h", "a", { output: "after" })],
      log: [entry(2, "h", "a")],
      downtimes: { upserts: [downtime(2, { activeSince: 5 }), downtime(3)], deletes: [1] },
      comments: { upserts: [comment(2, { comment: "changed" }), comment(3), comment(4, { author: null as unknown as string })], deletes: [] },
      lastIds: { downtime: 3, comment: 4 },
    });
    const err = await rejection(store.commit(badComment));
    expect((err as SqliteStoreError).code).to.equal("SQLITE_CONSTRAINT_NOTNULL");
    expect(String(err)).to.contain("commit (1 upserts, 0 deletes, 1 log rows, 3 downtime changes, 3 comment changes)");
    expect(await store.load()).to.deep.equal(before);
    expect((await store.readLog({})).entries).to.deep.equal([]);

    // The counters are the last statement: a failure there rolls back every record change before it.
    const other = new Database(path.join(dir, "tantale.db"));
    try {
      other.exec(`CREATE TRIGGER fail_counters BEFORE UPDATE ON counters BEGIN SELECT RAISE(ABORT, 'counters refused'); END;`);
    } finally {
      other.close();
    }
    const good = changes({
      downtimes: { upserts: [downtime(3)], deletes: [1, 2] },
      comments: { upserts: [comment(3)], deletes: [1, 2] },
      lastIds: { downtime: 3, comment: 3 },
    });
    expect(String(await rejection(store.commit(good)))).to.contain("counters refused");
    expect(await store.load()).to.deep.equal(before);
    expect([stats.get("commits"), stats.get("commit_errors"), stats.get("downtimes_upserted"), stats.get("comments_deleted")]).to.deep.equal([1, 2, 2, 0]);

    // The same change set again once the cause is gone: the counters the failed commits did not write are written now.
    const fix = new Database(path.join(dir, "tantale.db"));
    try {
      fix.exec("DROP TRIGGER fail_counters");
    } finally {
      fix.close();
    }
    await store.commit(good);
    await store.commit(changes({ downtimes: { upserts: [], deletes: [3] }, comments: { upserts: [], deletes: [3] }, lastIds: { downtime: 3, comment: 3 } }));
    expect(await store.load()).to.deep.equal({ checks: before.checks, downtimes: [], comments: [], lastIds: { downtime: 3, comment: 3 } });
  });

  it("migrates a file of schema version 1 to version 3 at start, keeping its checks and log", async () => {
    const dir = makeTempDir();
    const file = path.join(dir, "tantale.db");
    const s = state("h", "c", { state: 2, output: "kept" });
    const e = entry(NOW_MS / 1000 - 60, "h", "c"); // within log_retention_days, which the start applies
    writeOldFile(file, 1, s, [e]);
    expect(String(await rejection(makeStore(dir).store.load())), "read-only: not migrated").to.contain(
      "schema version 1, this Tantale reads version 3 (start the store once to migrate the file)",
    );

    const store = await started(dir);
    expect(await store.load()).to.deep.equal({ checks: [s], downtimes: [], comments: [], lastIds: { downtime: 0, comment: 0 } });
    expect((await store.readLog({})).entries).to.deep.equal([e]);
    await store.commit(
      changes({ downtimes: { upserts: [downtime(1)], deletes: [] }, comments: { upserts: [comment(1)], deletes: [] }, lastIds: { downtime: 1, comment: 1 } }),
    );
    await store.stop();

    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma("user_version", { simple: true })).to.equal(3);
      const tables = (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
      expect(tables).to.deep.equal(["checks", "comments", "counters", "downtimes", "log"]);
    } finally {
      db.close();
    }
    expect(await (await started(dir)).load()).to.deep.equal({
      checks: [s],
      downtimes: [downtime(1)],
      comments: [comment(1)],
      lastIds: { downtime: 1, comment: 1 },
    });
  });

  it("upserts overwrite the whole state of a check (the last one of a change set wins) and deletes remove it", async () => {
    const store = await started(makeTempDir());
    const acked = state("h", "c", {
      state: 2,
      acknowledgement: { type: 1, author: "bob", comment: "x", time: 5, expireTime: 0 },
      contacts: ["a", "b"],
      customVariables: { A: "1" },
    });
    await store.commit(changes({ upserts: [acked, state("h", "gone"), state("h2", "Host")] }));
    const cleared = state("h", "c", { state: 0, output: "back", contacts: [], customVariables: {} });
    await store.commit(
      changes({
        upserts: [state("h", "c", { output: "not this one" }), cleared],
        deletes: [
          { hostname: "h", check: "gone" },
          { hostname: "nobody", check: "x" },
        ],
      }),
    );
    expect(sorted((await store.load()).checks)).to.deep.equal(sorted([cleared, state("h2", "Host")]));

    // More than one multi-row statement, with a repeated key across chunks.
    const many = Array.from({ length: 57 }, (_, i) => state("bulk", `c${i % 50}`, { lastCheck: i }));
    await store.commit(changes({ upserts: many }));
    const bulk = (await store.load()).checks.filter((s) => s.hostname === "bulk");
    expect(bulk).to.have.length(50);
    expect(bulk.find((s) => s.check === "c3")!.lastCheck).to.equal(53);
    expect(bulk.find((s) => s.check === "c49")!.lastCheck).to.equal(49);
  });

  it("reads the log as the reference does (logPageOf): inclusive time range, condition, order, limit and cursor, on the writer and read-only", async () => {
    const dir = makeTempDir();
    const store = await started(dir);
    const log = [
      entry(100, "h1", "disk", 1),
      entry(100, "h2", "", 2),
      entry(101.5, "h1", "", 3),
      entry(102, "h1", "disk", 4),
      entry(102, "h2", "disk", 5),
      entry(103, "h1", "load", 6),
      entry(104.25, "h1", "disk", 7),
    ];
    await store.commit(changes({ log: log.slice(0, 4) }));
    await store.commit(changes({ log: log.slice(4) }));
    const n = (entries: readonly LogEntry[]): number[] => entries.map((e) => Number(e.output.slice(4)));
    const host = (...values: string[]): LogCondition => ({ kind: "in", field: "hostname", values });
    const check = (...values: string[]): LogCondition => ({ kind: "in", field: "check", values });
    const and = (...children: LogCondition[]): LogCondition => ({ kind: "and", children });
    const queries: LogQuery[] = [
      {},
      { since: 100, until: 102 },
      { since: 101.5 },
      { until: 101.49 },
      { where: host("h1") },
      { since: 101, until: 103, where: host("h1") },
      { where: and(host("h1"), check("disk")) },
      { since: 100.5, limit: 1, where: and(host("h1"), check("disk")) },
      { until: 103, where: check("disk") },
      { where: and(host("h2"), check("")) },
      { where: host("h1", "h2", "nobody") },
      { where: { kind: "not", child: host("h1") } },
      { where: { kind: "or", children: [check("load"), { kind: "number", field: "time", op: "<", value: 101 }] } },
      { where: { kind: "match", field: "message", pattern: "^\\[10[24]\\].*DISK", ignoreCase: true } },
      { where: { kind: "match", field: "output", pattern: "out [13]", ignoreCase: false } },
      { where: { kind: "or", children: [] } },
      { where: and() },
      { limit: 3 },
      { limit: 3, order: "desc" },
      { order: "desc", where: host("h1"), limit: 2 },
      { limit: 0 },
      { since: 105 },
      { since: 103, until: 101 },
      { where: host() },
    ];
    const reader = makeStore(dir).store;
    for (const s of [store, reader]) {
      expect((await s.readLog({})).entries, "everything, by (time, id)").to.deep.equal([...log].sort(compareLogEntries));
      expect(n((await s.readLog({ since: 101, until: 103, where: host("h1") })).entries)).to.deep.equal([3, 4, 6]);
      expect(n((await s.readLog({ order: "desc", limit: 2 })).entries), "the newest, newest first").to.deep.equal([7, 6]);
      for (const q of queries) expect(await s.readLog(q), JSON.stringify(q)).to.deep.equal(logPageOf(log, q));
    }
    const bad = await rejection(store.readLog({ limit: -1 }));
    expect(bad).to.be.instanceOf(SqliteStoreError);
    expect(String(bad)).to.contain("readLog").and.to.contain("limit");
    expect(String(await rejection(store.readLog({ after: "page 2" })))).to.contain("not a log cursor");
    expect(String(await rejection(store.readLog({ where: { kind: "number", field: "state", op: "=", value: Number.NaN } })))).to.contain("must be a number");
    expect(String(await rejection(reader.readLog({ where: { kind: "match", field: "message", pattern: "(", ignoreCase: false } })))).to.contain(
      "invalid regular expression",
    );
  });

  it("applies random conditions exactly as logEntryMatches, in (time, id) order, and pages through the cursor to the same lines (seeded)", async function () {
    this.timeout(60_000);
    const seed = Number(process.env.LOG_SEED ?? 20261203);
    const random = seededRandom(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const HOSTS = ["h0", "h1", "h2", "H1", "hôte", ""];
    const CHECKS = ["", "disk", "Disk /var", "load"];
    const TYPES = ["HOST ALERT", "SERVICE ALERT", "EXTERNAL COMMAND"];
    const WORDS = ["CRITICAL", "ok", "DISK", "disk full", "Ünïcode", "a;b", "[x]", ""];
    const log: LogEntry[] = [];
    for (let i = 0; i < 400; i++) {
      // Few distinct times: many ties, told apart by id.
      const time = 1000 + Math.floor(random() * 40) + (random() < 0.3 ? 0.5 : 0);
      const hostname = pick(HOSTS);
      const check = pick(CHECKS);
      const output = `${pick(WORDS)} ${pick(WORDS)} ${i}`;
      const type = pick(TYPES);
      log.push(
        logEntry({
          time,
          class: Math.floor(random() * 7),
          type,
          hostname,
          check,
          state: Math.floor(random() * 4),
          stateType: "HARD",
          attempt: 1,
          output,
          message: `[${Math.floor(time)}] ${type}: ${hostname};${check};${output}`,
        }),
      );
    }
    const PATTERNS = ["disk", "^h[01]$", "DISK|crit", "ü", "\\[x\\]", "^$", "a;b \\d+$", ".", "^\\[10[0-3]"];
    const condition = (depth: number): LogCondition => {
      const r = random();
      if (depth > 0 && r < 0.3) {
        const children = Array.from({ length: Math.floor(random() * 4) }, () => condition(depth - 1));
        return { kind: random() < 0.5 ? "and" : "or", children };
      }
      if (depth > 0 && r < 0.4) return { kind: "not", child: condition(depth - 1) };
      if (r < 0.6) {
        const field = pick(["time", "class", "state"] as const);
        const value = field === "time" ? 1000 + Math.floor(random() * 80) / 2 : Math.floor(random() * 8) - 1;
        return { kind: "number", field, op: pick(["=", "!=", "<", "<=", ">", ">="] as const), value };
      }
      if (r < 0.8) {
        const field = pick(["hostname", "check", "type"] as const);
        const pool = field === "hostname" ? HOSTS : field === "check" ? CHECKS : TYPES;
        return { kind: "in", field, values: Array.from({ length: Math.floor(random() * 4) }, () => pick([...pool, "none"])) };
      }
      return { kind: "match", field: pick(["hostname", "check", "type", "output", "message"] as const), pattern: pick(PATTERNS), ignoreCase: random() < 0.5 };
    };
    const dir = makeTempDir();
    const store = await started(dir);
    await store.commit(changes({ log: log.slice(0, 200) }));
    await store.commit(changes({ log: log.slice(200) }));
    const reader = makeStore(dir).store;
    for (let i = 0; i < 300; i++) {
      const q: LogQuery = {
        ...(random() < 0.5 ? { since: 1000 + Math.floor(random() * 40) } : {}),
        ...(random() < 0.5 ? { until: 1010 + Math.floor(random() * 40) + 0.5 } : {}),
        ...(random() < 0.8 ? { where: condition(3) } : {}),
        ...(random() < 0.5 ? { order: "desc" as const } : {}),
        ...(random() < 0.6 ? { limit: Math.floor(random() * 30) } : {}),
      };
      const s = i % 5 === 0 ? reader : store;
      const what = `seed ${seed}, query ${i}: ${JSON.stringify(q)}`;
      const page = await s.readLog(q);
      expect(page, what).to.deep.equal(logPageOf(log, q));
      if (q.limit === undefined || q.limit === 0) continue;
      // Following the cursor gives the whole answer, page by page.
      const all = [...page.entries];
      for (let next = page.next; next !== undefined;) {
        const more = await s.readLog({ ...q, after: next });
        all.push(...more.entries);
        next = more.next;
      }
      expect(all, `${what}, all pages`).to.deep.equal(logPageOf(log, { ...q, limit: undefined }).entries);
    }
  });

  it("writes each log line once when a change set is committed again (a retried or replayed commit)", async () => {
    const dir = makeTempDir();
    const { store, stats } = makeStore(dir);
    await store.start();
    const set = changes({ upserts: [state("h", "a")], log: [entry(100, "h", "a", 1), entry(100, "h", "b", 2), entry(101.5, "h", "a", 3)] });
    await store.commit(set);
    await store.commit(set);
    await store.commit(changes({ log: [entry(100, "h", "b", 2), entry(102, "h", "a", 4), entry(102, "h", "a", 4)] }));
    const read = (await store.readLog({})).entries;
    expect(read).to.deep.equal([...set.log, entry(102, "h", "a", 4)].sort(compareLogEntries));
    expect([stats.get("log_rows"), stats.get("log_rows_already_written")]).to.deep.equal([4, 5]);
    // The same line at another time is another event.
    await store.commit(changes({ log: [entry(103, "h", "a", 4)] }));
    expect((await store.readLog({ since: 102 })).entries.map((e) => e.time)).to.deep.equal([102, 103]);
  });

  it("migrates a file of schema version 2 with log rows: each gets its entry's id, a line written twice is kept once, a replay writes nothing", async () => {
    const dir = makeTempDir();
    const file = path.join(dir, "tantale.db");
    const now = NOW_MS / 1000;
    const log = [entry(now - 60, "h", "c", 1), entry(now - 60, "h", "d", 2), entry(now - 30.5, "h2", "", 3), entry(now - 10, "h", "c", 4)];
    writeOldFile(file, 2, state("h", "c"), [...log, log[1]!]);
    const { store, stats } = makeStore(dir);
    await store.start();
    expect((await store.readLog({})).entries, "the ids core's logEntryId gives").to.deep.equal([...log].sort(compareLogEntries));
    await store.commit(changes({ log }));
    expect(stats.get("log_rows_already_written")).to.equal(4);
    expect((await store.readLog({ order: "desc", limit: 2 })).entries.map((e) => e.output)).to.deep.equal(["out 4", "out 3"]);
    await store.stop();
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma("user_version", { simple: true })).to.equal(3);
      expect(db.prepare("SELECT count(*) AS n FROM log").get()).to.deep.equal({ n: 4 });
      const indexes = db.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'log' ORDER BY name").all() as {
        name: string;
        sql: string;
      }[];
      expect(indexes.map((i) => i.sql)).to.deep.equal([
        "CREATE INDEX log_host_time_entry ON log (hostname, time, entry_id)",
        "CREATE UNIQUE INDEX log_time_entry ON log (time, entry_id)",
      ]);
    } finally {
      db.close();
    }
  });

  it("reads the log through its indexes: no table scan, and no sort unless several hosts are pinned", async () => {
    const dir = makeTempDir();
    await (await started(dir)).stop();
    const db = new Database(path.join(dir, "tantale.db"), { readonly: true });
    db.function(MATCH_FUNCTION, (_slot: unknown, _text: unknown) => 1);
    const host = (...values: string[]): LogCondition => ({ kind: "in", field: "hostname", values });
    const classes: LogCondition = {
      kind: "or",
      children: [
        { kind: "number", field: "class", op: "=", value: 1 },
        { kind: "number", field: "class", op: "=", value: 3 },
      ],
    };
    const regex: LogCondition = { kind: "match", field: "message", pattern: "disk", ignoreCase: true };
    const cursor = JSON.stringify([1.5, "id"]);
    const many = Array.from({ length: MAX_HOST_PROBES + 1 }, (_, i) => `h${i}`);
    const cases: [LogQuery, RegExp][] = [
      [{ since: 1 }, /^SEARCH log USING INDEX log_time_entry \(time>\?\)$/],
      [{ since: 1, until: 2, order: "desc", limit: 10 }, /^SEARCH log USING INDEX log_time_entry \(time>\? AND time<\?\)$/],
      [
        { since: 1, until: 2, where: { kind: "and", children: [classes, regex] }, order: "desc", limit: 10 },
        /^SEARCH log USING INDEX log_time_entry \(time>\? AND time<\?\)$/,
      ],
      [{ since: 1, until: 2, order: "desc", limit: 10, after: cursor }, /^SEARCH log USING INDEX log_time_entry \(time>\? AND time<\?\)$/],
      [{ since: 1, after: cursor }, /^SEARCH log USING INDEX log_time_entry \(time>\?\)$/],
      [
        { since: 1, until: 2, where: host("h"), order: "desc", limit: 10 },
        /^SEARCH log USING INDEX log_host_time_entry \(hostname=\? AND time>\? AND time<\?\)$/,
      ],
      [
        { where: { kind: "and", children: [host("h"), classes] }, order: "desc", limit: 10, after: cursor },
        /^SEARCH log USING INDEX log_host_time_entry \(hostname=\? AND time<\?\)$/,
      ],
      [
        { since: 1, where: { kind: "and", children: [host("h"), { kind: "in", field: "check", values: ["c"] }] } },
        /^SEARCH log USING INDEX log_host_time_entry \(hostname=\? AND time>\?\)$/,
      ],
      [
        { since: 1, until: 2, where: host("a", "b") },
        /^SEARCH log USING INDEX log_host_time_entry \(hostname=\? AND time>\? AND time<\?\) \/ LIST SUBQUERY .* USE TEMP B-TREE FOR ORDER BY$/,
      ],
      [{ since: 1, until: 2, where: host(...many) }, /^SEARCH log USING INDEX log_time_entry \(time>\? AND time<\?\) \/ LIST SUBQUERY/],
    ];
    try {
      for (const [q, expected] of cases) {
        const { sql, params } = logSelectOf(q);
        const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(" / ");
        expect(plan, JSON.stringify(q)).to.match(expected);
      }
    } finally {
      db.close();
    }
  });

  it("deletes log rows older than log_retention_days at start and hourly (0 keeps them)", async () => {
    const dir = makeTempDir();
    const clock = new ManualClock();
    const now = NOW_MS / 1000;
    const { store: first, stats } = makeStore(dir, { log_retention_days: 31 }, clock);
    await first.start();
    await first.commit(changes({ log: [entry(now - 40 * 86_400, "h", "old"), entry(now - 30 * 86_400, "h", "recent"), entry(now, "h", "now")] }));
    await first.stop();

    const keep = await started(dir, { log_retention_days: 0 }, clock);
    expect(
      (await keep.readLog({})).entries.map((e) => e.check),
      "retention 0",
    ).to.deep.equal(["old", "recent", "now"]);
    expect(await keep.expireLog()).to.equal(0);
    await keep.stop();

    const second = makeStore(dir, { log_retention_days: 31 }, clock);
    await second.store.start();
    expect(
      (await second.store.readLog({})).entries.map((e) => e.check),
      "after start",
    ).to.deep.equal(["recent", "now"]);
    expect(second.stats.get("log_rows_expired")).to.equal(1);
    clock.ms += 2 * DAY_MS;
    expect(await second.store.expireLog(), "what the hourly timer does").to.equal(1);
    expect((await second.store.readLog({})).entries.map((e) => e.check)).to.deep.equal(["now"]);
    expect(stats.get("log_rows")).to.equal(3);
  });

  it("writes nothing of a change set whose commit fails, and keeps working after it", async () => {
    const dir = makeTempDir();
    const { store, stats } = makeStore(dir);
    await store.start();
    const before = [state("h", "a", { output: "before" }), state("h", "b")];
    await store.commit(changes({ upserts: before, log: [entry(1, "h", "a")] }));
    // 30 upserts (a multi-row statement and single ones), a delete and log rows run before the bad last row fails.
    const bad: ChangeSet = changes({
      upserts: [state("h", "a", { output: "after" }), ...Array.from({ length: 29 }, (_, i) => state("new", `c${i}`))],
      deletes: [{ hostname: "h", check: "b" }],
      log: [entry(2, "h", "a"), { ...entry(3, "h", "a"), time: Number.NaN }],
    });
    const err = await rejection(store.commit(bad));
    expect(err).to.be.instanceOf(SqliteStoreError);
    const e = err as SqliteStoreError;
    expect(e.code).to.equal("SQLITE_CONSTRAINT_NOTNULL");
    expect(e.file).to.equal(path.join(dir, "tantale.db"));
    expect(e.message).to.contain(path.join(dir, "tantale.db")).and.to.contain("commit (30 upserts, 1 deletes, 2 log rows)").and.to.contain("NOT NULL");
    expect(sorted((await store.load()).checks)).to.deep.equal(before);
    expect((await store.readLog({})).entries).to.deep.equal([entry(1, "h", "a")]);
    expect([stats.get("commits"), stats.get("commit_errors"), stats.get("rows_upserted")]).to.deep.equal([1, 1, 2]);

    await store.commit(changes({ upserts: [state("h", "a", { output: "after" })] }));
    expect((await store.load()).checks.find((s) => s.check === "a")!.output).to.equal("after");
  });

  it("fails the commits in flight when the writer thread dies, writes none of them, and commits again with a new thread", async () => {
    const dir = makeTempDir();
    const log = new RecordingLogger();
    const store = new SqliteStore({ ...DEFAULTS }, dir, log, new ManualClock(), new SelfStats().of("sqlite"));
    opened.push(store);
    await store.start();
    await store.commit(changes({ upserts: [state("h", "kept", { output: "before" })] }));
    // Large enough to be packed over several loop turns: the thread dies before it has the whole set.
    const big = Array.from({ length: 3 * PACK_CHUNK }, (_, i) => state(`h${i}`, "c", { output: "lost" }));
    const inFlight = rejection(store.commit(changes({ upserts: big, log: [entry(1, "h", "kept")] })));
    const exited = new Promise((resolve) => store.writerThread!.once("exit", resolve));
    void store.writerThread!.terminate();
    await exited;
    const err = await inFlight;
    expect(err).to.be.instanceOf(SqliteStoreError);
    expect(String(err)).to.contain(`commit (${big.length} upserts, 0 deletes, 1 log rows)`).and.to.contain("the writer thread exited");
    expect(log.messages("warn").join("\n")).to.contain("sqlite writer thread died");
    expect((await store.load()).checks.map((s) => s.output)).to.deep.equal(["before"]);
    // The retry (what the engine's bus does) goes to a new thread.
    await store.commit(changes({ upserts: big, log: [entry(1, "h", "kept")] }));
    expect((await store.load()).checks).to.have.length(big.length + 1);
    expect((await store.readLog({})).entries).to.have.length(1);
    await store.stop();
    const check = new Database(store.file, { readonly: true });
    try {
      expect(check.pragma("integrity_check", { simple: true })).to.equal("ok");
    } finally {
      check.close();
    }
  });

  it("runs the writer thread with its small young generation, a restarted one too (V8's default keeps up to 32 MiB of it after a burst)", async () => {
    const dir = makeTempDir();
    const store = await started(dir);
    expect(WRITER_RESOURCE_LIMITS.maxYoungGenerationSizeMb).to.be.below(32);
    expect(store.writerThread!.resourceLimits!.maxYoungGenerationSizeMb).to.equal(WRITER_RESOURCE_LIMITS.maxYoungGenerationSizeMb);
    const exited = new Promise((resolve) => store.writerThread!.once("exit", resolve));
    void store.writerThread!.terminate();
    await exited;
    await store.commit(changes({ upserts: [state("h", "c")] }));
    expect(store.writerThread!.resourceLimits!.maxYoungGenerationSizeMb).to.equal(WRITER_RESOURCE_LIMITS.maxYoungGenerationSizeMb);
  });

  it("stop() waits for the commits handed to the writer thread (SIGTERM's drain): all of them are in the file", async () => {
    const dir = makeTempDir();
    const store = await started(dir);
    const sets = Array.from({ length: 5 }, (_, k) =>
      changes({ upserts: Array.from({ length: 2000 }, (_, i) => state(`h${i}`, "c", { output: `set ${k}`, lastCheck: k })) }),
    );
    const commits = sets.map((set) => store.commit(set));
    const stopped = store.stop();
    await Promise.all(commits);
    await stopped;
    expect(new Set((await makeStore(dir).store.load()).checks.map((s) => s.output))).to.deep.equal(new Set(["set 4"]));
  });

  it("keeps a process with nothing else to do alive until stop() has ended the writer thread (a script that commits, then stops)", () => {
    const dir = makeTempDir();
    const script = `
      const { SqliteStore } = require(${JSON.stringify(path.join(__dirname, "sqlite-store.js"))});
      const { silentLogger } = require(${JSON.stringify(path.join(__dirname, "../../../core/log/logger.js"))});
      const { SelfStats } = require(${JSON.stringify(path.join(__dirname, "../../../core/metrics/self-stats.js"))});
      const store = new SqliteStore({ path: "t.db", log_retention_days: 0, synchronous: "normal", busy_timeout: 5000 }, process.argv[1], silentLogger(), { now: () => Date.now() }, new SelfStats().of("s"));
      (async () => {
        await store.start();
        await store.stop();
        console.log("stopped");
      })();`;
    const out = execFileSync(process.execPath, ["-r", require.resolve("reflect-metadata"), "-e", script, dir], { encoding: "utf8" });
    expect(out.trim()).to.equal("stopped");
  });

  it("rejects commits before start and after stop, naming the file; stop is idempotent", async () => {
    const dir = makeTempDir();
    const { store } = makeStore(dir);
    expect(String(await rejection(store.commit(changes({ upserts: [state("h", "c")] }))))).to.contain("the store is not started");
    await store.start();
    await store.stop();
    await store.stop();
    const err = await rejection(store.commit(changes({ upserts: [state("h", "c")] })));
    expect(err).to.be.instanceOf(SqliteStoreError);
    expect(String(err)).to.equal(`SqliteStoreError: sqlite store ${path.join(dir, "tantale.db")}: commit failed: the store is stopped`);
    expect(await rejection(store.expireLog()))
      .to.be.instanceOf(SqliteStoreError)
      .and.to.have.property("message")
      .that.contains("the store is stopped");
    expect((await store.load()).checks, "a stopped store still reads, read-only").to.deep.equal([]);
    await store.start(); // and starts again
    await store.commit(changes({ upserts: [state("h", "c")] }));
  });

  it("loads an empty state from a missing file, without creating it", async () => {
    const dir = makeTempDir();
    const { store } = makeStore(dir, { path: "nothing/here.db" });
    expect(await store.load()).to.deep.equal(EMPTY_STORED_STATE);
    expect((await store.readLog({ since: 0 })).entries).to.deep.equal([]);
    expect(fs.existsSync(path.join(dir, "nothing"))).to.equal(false);
  });

  it("loads on a not-started instance while another instance and an open write transaction hold the file", async () => {
    const dir = makeTempDir();
    const writer = await started(dir);
    await writer.commit(changes({ upserts: [state("h", "a"), state("h", "b")], log: [entry(1, "h", "a")] }));
    const reader = makeStore(dir).store;
    expect((await reader.load()).checks).to.have.length(2);
    await writer.commit(changes({ upserts: [state("h", "c")] }));
    expect((await reader.load()).checks, "sees the next commit").to.have.length(3);

    // Another process in the middle of a write: readers see the last commit and do not wait.
    const other = new Database(path.join(dir, "tantale.db"));
    try {
      other.exec("BEGIN IMMEDIATE; DELETE FROM checks; DELETE FROM log;");
      const t0 = Date.now();
      expect((await reader.load()).checks).to.have.length(3);
      expect((await reader.readLog({})).entries).to.have.length(1);
      expect((await writer.load()).checks).to.have.length(3);
      expect(Date.now() - t0).to.be.below(1000);
    } finally {
      other.exec("ROLLBACK");
      other.close();
    }
  });

  it("waits busy_timeout for another writer's lock, then rejects with SQLITE_BUSY and writes nothing", async () => {
    const dir = makeTempDir();
    const writer = await started(dir, { busy_timeout: 200 });
    await writer.commit(changes({ upserts: [state("h", "a")] }));
    const other = new Database(path.join(dir, "tantale.db"));
    try {
      other.exec("BEGIN IMMEDIATE");
      const t0 = Date.now();
      const err = await rejection(writer.commit(changes({ upserts: [state("h", "b")] })));
      expect(Date.now() - t0).to.be.at.least(150);
      expect((err as SqliteStoreError).code).to.equal("SQLITE_BUSY");
    } finally {
      other.exec("ROLLBACK");
      other.close();
    }
    expect((await writer.load()).checks.map((s) => s.check)).to.deep.equal(["a"]);
  });

  it("keeps its file in WAL mode with the schema version set, and refuses a file of a newer schema", async () => {
    const dir = makeTempDir();
    const store = await started(dir);
    const file = path.join(dir, "tantale.db");
    expect(fs.existsSync(`${file}-wal`), "WAL file while open").to.equal(true);
    await store.stop();
    const db = new Database(file);
    expect(db.pragma("journal_mode", { simple: true })).to.equal("wal");
    expect(db.pragma("user_version", { simple: true })).to.equal(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).to.equal(3);
    db.pragma("user_version = 99");
    db.close();
    const err = await rejection(makeStore(dir).store.start());
    expect(String(err)).to.contain(`sqlite store ${file}: open failed: schema version 99 was written by a newer Tantale`);
    expect(String(await rejection(makeStore(dir).store.load()))).to.contain("load (read-only) failed: schema version 99");
  });

  for (const synchronous of ["normal", "full"] as const) {
    it(`keeps every change set reported committed when the writer is killed (kill -9, synchronous=${synchronous})`, async function () {
      this.timeout(60_000);
      const dir = makeTempDir();
      const child = spawn(process.execPath, [path.join(__dirname, "crash-writer.js"), dir, synchronous], { stdio: ["ignore", "pipe", "pipe"] });
      let reported = 0;
      let killer: NodeJS.Timeout | undefined;
      let stdout = "";
      let stderr = "";
      child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
      child.stdout.setEncoding("utf8").on("data", (s: string) => {
        stdout += s;
        const lines = stdout.split("\n");
        stdout = lines.pop()!;
        for (const line of lines) reported = Math.max(reported, Number(/^committed (\d+)$/.exec(line)?.[1] ?? 0));
        // After 60 sets the WAL has been checkpointed into the file once; the jitter lands the kill at varying points.
        if (reported >= 60 && killer === undefined) killer = setTimeout(() => child.kill("SIGKILL"), Math.random() * 4);
      });
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on("close", (c, s) => resolve([c, s])));
      expect(signal, `killed mid-way (exit ${String(code)}): ${stderr}`).to.equal("SIGKILL");

      const opts = { path: CRASH_FILE, log_retention_days: 0 };
      const { checks, downtimes, comments, lastIds } = await makeStore(dir, opts).store.load(); // read-only, over the WAL the killed process left
      const last = checks.find((s) => s.hostname === "progress")!.lastCheck;
      // The downtimes, comments and counters of exactly the same change sets.
      expect(downtimes).to.deep.equal([crashDowntime(last)]);
      expect(comments).to.deep.equal(Array.from({ length: last }, (_, i) => crashComment(i + 1)));
      expect(lastIds).to.deep.equal({ downtime: last, comment: last });
      expect(last, `at least every reported commit (${reported})`).to.be.at.least(reported);
      // Exactly change sets 1..last, each whole: nothing of set last+1, no delete without its upserts.
      const expected = new Map<string, CheckState>();
      for (let k = 1; k <= last; k++) {
        const set = crashChangeSet(k);
        for (const s of set.upserts) expected.set(checkKey(s.hostname, s.check), s);
        for (const d of set.deletes) expected.delete(checkKey(d.hostname, d.check));
      }
      expect(checks).to.have.length(expected.size);
      expect(expected.size).to.equal(1 + last * CRASH_UPSERTS - (last - 1));
      for (const s of checks) expect(s).to.deep.equal(expected.get(checkKey(s.hostname, s.check)));

      const store = await started(dir, opts); // recovery by a writer gives the same
      expect((await store.load()).checks).to.have.length(expected.size);
      const log = (await store.readLog({})).entries;
      expect(log).to.have.length(last * CRASH_LOG_ROWS);
      expect(log.at(-1)!.time).to.equal(last);
    });
  }

  it("commits 1000 upserts and 20 log rows in a few ms (timing printed, not asserted)", async function () {
    this.timeout(60_000);
    const store = await started(makeTempDir());
    const hosts = 1000;
    const at = (h: number, c: number, k: number): CheckState =>
      state(`host-${String(h).padStart(5, "0")}.example.com`, `check_${c}`, {
        output: `DISK OK - free space: / 3326 MB (56% inode=99%) #${k}`,
        perfData: `/=2643MB;5948;5958;0;5968 k=${k}`,
        lastCheck: NOW_MS / 1000 + k + 0.5,
        contacts: ["ops"],
        hostgroups: ["linux", "web"],
        customVariables: { SITE: "paris" },
      });
    for (let h = 0; h < hosts; h += 100)
      await store.commit(changes({ upserts: Array.from({ length: 1000 }, (_, i) => at(h + Math.floor(i / 10), i % 10, 0)) }));
    const times: number[] = [];
    for (let k = 1; k <= 100; k++) {
      const first = (k * 100) % hosts;
      const set = changes({
        upserts: Array.from({ length: 1000 }, (_, i) => at(first + Math.floor(i / 10), i % 10, k)),
        log: Array.from({ length: 20 }, (_, i) => entry(k, `host-${i}`, "disk")),
      });
      const t0 = performance.now();
      await store.commit(set);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    const q = (p: number): string => times[Math.floor(p * (times.length - 1))]!.toFixed(2);
    console.log(
      `      sqlite commit of 1000 upserts + 20 log rows (10k checks, synchronous=normal): p50 ${q(0.5)} ms, p90 ${q(0.9)} ms, max ${q(1)} ms, mean ${mean.toFixed(2)} ms = ${Math.round((1000 / mean) * 1000)} upserts/s`,
    );
  });
});

describe("sqlite store on a full file system (a real 8 MB tmpfs)", function () {
  this.timeout(60_000);
  let mountPoint: string | undefined;
  after(async () => {
    for (const s of opened.splice(0)) await s.stop().catch(() => undefined);
    if (mountPoint !== undefined) spawnSync("umount", ["-l", mountPoint]);
    cleanupTempDirs();
  });

  const changes = (upserts: CheckState[]): ChangeSet => ({
    upserts,
    deletes: [],
    log: [],
    downtimes: NO_RECORD_CHANGES,
    comments: NO_RECORD_CHANGES,
    lastIds: { downtime: 0, comment: 0 },
  });
  const round = (n: number) =>
    changes(Array.from({ length: 2000 }, (_, i) => state(`h${String(i).padStart(4, "0")}`, "c", { output: `round ${n} ${"x".repeat(200)}` })));

  it("gives the WAL's space back after SQLITE_FULL, so the retry of the same commit works without any space freed; the file stays intact", async function () {
    const dir = makeTempDir("tantale-tmpfs-");
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", dir], { stdio: "pipe" });
    } catch {
      this.skip(); // mounting a tmpfs needs root (CAP_SYS_ADMIN)
    }
    mountPoint = dir;
    const store = await started(path.join(dir, "data"));
    await store.commit(round(1));
    // A checkpoint copies round 1 into the file; round 2 then restarts the WAL and holds only updates of pages the file has.
    const other = new Database(store.file);
    other.pragma("wal_checkpoint(PASSIVE)");
    other.close();
    await store.commit(round(2));
    const fd = fs.openSync(path.join(dir, "filler"), "w");
    try {
      for (;;) fs.writeSync(fd, Buffer.alloc(64 * 1024, 1));
    } catch (err) {
      expect((err as NodeJS.ErrnoException).code).to.equal("ENOSPC");
    } finally {
      fs.closeSync(fd);
    }
    const err = await rejection(store.commit(round(3)));
    expect(err).to.be.instanceOf(SqliteStoreError);
    expect((err as SqliteStoreError).code).to.equal("SQLITE_FULL");
    // Nothing freed by anyone: the checkpoint after the failure gave the WAL's space back.
    await store.commit(round(3));
    expect((await store.load()).checks.map((s) => s.output.slice(0, 8))).to.deep.equal(Array.from({ length: 2000 }, () => "round 3 "));
    const check = new Database(store.file, { readonly: true });
    try {
      expect(check.pragma("integrity_check", { simple: true })).to.equal("ok");
    } finally {
      check.close();
    }
  });
});
