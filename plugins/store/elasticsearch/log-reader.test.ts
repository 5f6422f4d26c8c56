import { expect } from "chai";
import { LivestatusError } from "../../../core/livestatus/protocol/livestatus-error";
import { logEntry, type LogEntry } from "../../../core/state/log-entry";
import { logPageOf, type LogCondition, type LogQuery } from "../../../core/store/log-query";
import { pick } from "../../../test/helpers/random-re2";
import { seededRandom } from "../../../test/helpers/seeded-random";
import { indexNames, toLogDocument } from "./documents";
import { ClusterReadError, LOG_SOURCE_FIELDS, readLogFromCluster } from "./log-reader";
import { SearchMock } from "./search-mock.test-kit";

const NAMES = indexNames("tantale");

function entry(time: number, hostname: string, output = "OK", state = 0): LogEntry {
  return logEntry({
    time,
    class: 1,
    type: "SERVICE ALERT",
    hostname,
    check: "disk",
    state,
    stateType: "HARD",
    attempt: 1,
    output,
    message: `[${Math.floor(time)}] SERVICE ALERT: ${hostname};disk;${state};HARD;1;${output}`,
  });
}

/** The entries stored in their daily indices, as the writer puts them. */
function store(mock: SearchMock, entries: readonly LogEntry[]): void {
  for (const e of entries) mock.put(NAMES.logIndex(e.time), [toLogDocument(e, "node-a")]);
}

const ids = (es: readonly LogEntry[]): string[] => es.map((e) => e.id);
const OPTIONS = { pageSize: 4, requestTimeout: 5000 };

describe("readLogFromCluster (Elasticsearch store)", () => {
  // Ten entries on two days, two of them at the same time (the id breaks the tie).
  const DAY = 86_400;
  const T0 = 1_764_000_000;
  const entries = [
    entry(T0 + 1, "web1"),
    entry(T0 + 2, "web2", "DISK CRITICAL", 2),
    entry(T0 + 3, "web1", "DISK CRITICAL", 2),
    entry(T0 + 3, "db"),
    entry(T0 + 4.5, "web2"),
    entry(T0 + DAY, "web1", "DISK WARNING", 1),
    entry(T0 + DAY + 1, "db", "DISK CRITICAL", 2),
    entry(T0 + DAY + 2, "web1"),
    entry(T0 + DAY + 3, "web2"),
    entry(T0 + DAY + 4, "db", "DISK WARNING", 1),
  ];
  let mock: SearchMock;

  beforeEach(() => {
    mock = new SearchMock();
    store(mock, entries);
  });

  it("sends one search of the log pattern: range in bool.filter, sort (time, id), _source, no total", async () => {
    const page = await readLogFromCluster(mock.client, NAMES, { since: T0 + 2, until: T0 + 3 }, OPTIONS);
    expect(ids(page.entries)).to.deep.equal(ids(logPageOf(entries, { since: T0 + 2, until: T0 + 3 }).entries));
    expect(page.next).to.equal(undefined);
    expect(mock.searches).to.have.length(1);
    const [search] = mock.searches;
    expect(search!.index).to.equal("tantale-log-*");
    expect(search!.querystring).to.deep.include({ ignore_unavailable: "true", allow_no_indices: "true" });
    expect(search!.body).to.deep.equal({
      query: { bool: { filter: [{ range: { time: { gte: T0 + 2 } } }, { range: { time: { lte: T0 + 3 } } }] } },
      sort: [{ time: { order: "asc" } }, { id: { order: "asc" } }],
      size: 4,
      _source: [...LOG_SOURCE_FIELDS],
      track_total_hits: false,
    });
  });

  it("pages with search_after (the last hit's time and id) until a page comes back short", async () => {
    const page = await readLogFromCluster(mock.client, NAMES, {}, OPTIONS);
    const sorted = logPageOf(entries, {}).entries;
    expect(ids(page.entries)).to.deep.equal(ids(sorted));
    expect(mock.searches.map((s) => s.body.size)).to.deep.equal([4, 4, 4]);
    expect(mock.searches.map((s) => s.body.search_after)).to.deep.equal([undefined, [sorted[3]!.time, sorted[3]!.id], [sorted[7]!.time, sorted[7]!.id]]);
  });

  it("with a limit and an exact query: asks only for what is missing plus one, and returns the cursor of the last entry", async () => {
    const page = await readLogFromCluster(mock.client, NAMES, { limit: 6 }, OPTIONS);
    const expected = logPageOf(entries, { limit: 6 });
    expect(ids(page.entries)).to.deep.equal(ids(expected.entries));
    expect(page.next).to.equal(expected.next);
    // 4, then 6 - 4 + 1 = 3: the seventh hit tells that more follow.
    expect(mock.searches.map((s) => s.body.size)).to.deep.equal([4, 3]);
  });

  it("a limit equal to the number of entries: no cursor (the look-ahead finds none)", async () => {
    const page = await readLogFromCluster(mock.client, NAMES, { limit: 10 }, OPTIONS);
    expect(page.entries).to.have.length(10);
    expect(page.next).to.equal(undefined);
    expect(mock.searches.map((s) => s.body.size)).to.deep.equal([4, 4, 3]);
  });

  it("desc: sorts and pages newest first, and the cursor continues the read where it stopped", async () => {
    const first = await readLogFromCluster(mock.client, NAMES, { order: "desc", limit: 3 }, OPTIONS);
    const expectedFirst = logPageOf(entries, { order: "desc", limit: 3 });
    expect(ids(first.entries)).to.deep.equal(ids(expectedFirst.entries));
    expect(first.next).to.equal(expectedFirst.next);
    expect(mock.searches[0]!.body.sort).to.deep.equal([{ time: { order: "desc" } }, { id: { order: "desc" } }]);

    mock.searches.length = 0;
    const second = await readLogFromCluster(mock.client, NAMES, { order: "desc", limit: 3, after: first.next! }, OPTIONS);
    expect(ids(second.entries)).to.deep.equal(ids(logPageOf(entries, { order: "desc", limit: 3, after: first.next! }).entries));
    const last = first.entries.at(-1)!;
    expect(mock.searches[0]!.body.search_after).to.deep.equal([last.time, last.id]);
  });

  it("a condition on output is checked in Node: whole pages, stopped once the limit is found, a cursor when more matched", async () => {
    const where: LogCondition = { kind: "match", field: "output", pattern: "CRITICAL", ignoreCase: false };
    const page = await readLogFromCluster(mock.client, NAMES, { where, limit: 2 }, OPTIONS);
    const expected = logPageOf(entries, { where, limit: 2 });
    expect(ids(page.entries)).to.deep.equal(ids(expected.entries));
    expect(page.next).to.equal(expected.next);
    // The first page (entries 1-4) holds the two CRITICAL lines and ends with the limit reached: no second page.
    expect(mock.searches.map((s) => s.body.size)).to.deep.equal([4]);
    expect(mock.searches[0]!.body.query).to.deep.equal({ match_all: {} });
  });

  it("with a post-filter, reads on past pages without matches, and the pushed-down part narrows the search", async () => {
    const where: LogCondition = {
      kind: "and",
      children: [
        { kind: "in", field: "hostname", values: ["db", "web1"] },
        { kind: "match", field: "output", pattern: "WARNING", ignoreCase: false },
      ],
    };
    const page = await readLogFromCluster(mock.client, NAMES, { where }, { ...OPTIONS, pageSize: 2 });
    expect(ids(page.entries)).to.deep.equal(ids(logPageOf(entries, { where }).entries));
    expect(page.entries.map((e) => e.output)).to.deep.equal(["DISK WARNING", "DISK WARNING"]);
    expect(mock.searches[0]!.body.query).to.deep.equal({ bool: { filter: [{ terms: { hostname: ["db", "web1"] } }] } });
    // Six entries of db and web1, two per page: three full pages and an empty one.
    expect(mock.searches.map((s) => s.body.size)).to.deep.equal([2, 2, 2, 2]);
  });

  it("with a post-filter, a limit reached at the end of a full page sets the cursor without reading another page", async () => {
    const where: LogCondition = { kind: "match", field: "output", pattern: "^DISK", ignoreCase: false };
    const page = await readLogFromCluster(mock.client, NAMES, { where, limit: 1 }, { ...OPTIONS, pageSize: 2 });
    expect(ids(page.entries)).to.deep.equal([entries[1]!.id]);
    expect(page.next).to.equal(JSON.stringify([entries[1]!.time, entries[1]!.id]));
    expect(mock.searches).to.have.length(1);
  });

  it("sends nothing when nothing can match, or for limit 0", async () => {
    expect((await readLogFromCluster(mock.client, NAMES, { where: { kind: "in", field: "hostname", values: [] } }, OPTIONS)).entries).to.deep.equal([]);
    expect((await readLogFromCluster(mock.client, NAMES, { since: 10, until: 5 }, OPTIONS)).entries).to.deep.equal([]);
    expect((await readLogFromCluster(mock.client, NAMES, { limit: 0 }, OPTIONS)).entries).to.deep.equal([]);
    expect(mock.searches).to.have.length(0);
  });

  it("a cluster without log indices: an empty page (also from a server that answers 404 index_not_found)", async () => {
    const fresh = new SearchMock();
    expect(await readLogFromCluster(fresh.client, NAMES, { order: "desc", limit: 100 }, OPTIONS)).to.deep.equal({ entries: [] });
    fresh.failure = { status: 404, type: "index_not_found_exception" };
    expect(await readLogFromCluster(fresh.client, NAMES, {}, OPTIONS)).to.deep.equal({ entries: [] });
  });

  it("a failed search: ClusterReadError naming the read and the index pattern", async () => {
    mock.failure = { status: 400, type: "search_phase_execution_exception" };
    const err = await readLogFromCluster(mock.client, NAMES, {}, OPTIONS).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(ClusterReadError);
    expect((err as Error).message).to.match(/log search \(tantale-log-\*\).*search_phase_execution_exception/);
  });

  it("refuses a malformed cursor, limit or page size, and an invalid regex as the reference does", async () => {
    const fails = (q: LogQuery, options = OPTIONS): Promise<unknown> =>
      readLogFromCluster(mock.client, NAMES, q, options).then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(await fails({ after: "nope" })).to.be.instanceOf(TypeError);
    expect(await fails({ after: JSON.stringify([1, 2]) })).to.be.instanceOf(TypeError);
    expect(await fails({ limit: -1 })).to.be.instanceOf(TypeError);
    expect(await fails({ limit: 1.5 })).to.be.instanceOf(TypeError);
    expect(await fails({}, { pageSize: 0, requestTimeout: 1 })).to.be.instanceOf(TypeError);
    expect(await fails({ where: { kind: "match", field: "hostname", pattern: "(", ignoreCase: false } })).to.be.instanceOf(LivestatusError);
    expect(mock.searches).to.have.length(0);
  });

  it("agrees with logPageOf on random queries, and following the cursors reads every entry once (seeded)", async function () {
    this.timeout(120_000); // about 1 s on an idle machine
    const seed = 0xe5;
    const random = seededRandom(seed);
    const HOSTS = ["web1", "web2", "db"];
    const OUTPUTS = ["OK", "DISK CRITICAL", "DISK WARNING"];
    for (let n = 0; n < 60; n++) {
      const m = new SearchMock();
      // Many equal times: the (time, id) order and search_after on both keys matter.
      const drawn = Array.from({ length: 25 }, () =>
        entry(T0 + Math.floor(random() * 6) * (random() < 0.2 ? DAY : 1), pick(random, HOSTS), pick(random, OUTPUTS), Math.floor(random() * 3)),
      );
      // One document per id, as in the cluster (an entry written twice is kept once).
      const all = [...new Map(drawn.map((e) => [e.id, e])).values()];
      store(m, all);
      const wheres: (LogCondition | undefined)[] = [
        undefined,
        { kind: "in", field: "hostname", values: [pick(random, HOSTS)] },
        { kind: "match", field: "output", pattern: pick(random, ["CRIT", "^DISK", "OK$"]), ignoreCase: random() < 0.5 },
        {
          kind: "not",
          child: {
            kind: "and",
            children: [
              { kind: "number", field: "state", op: ">", value: 0 },
              { kind: "match", field: "message", pattern: "web", ignoreCase: false },
            ],
          },
        },
      ];
      const base: LogQuery = {
        where: pick(random, wheres),
        order: random() < 0.5 ? "desc" : "asc",
        limit: 1 + Math.floor(random() * 7),
        ...(random() < 0.3 ? { since: T0 + 2 } : {}),
      };
      const options = { pageSize: 1 + Math.floor(random() * 5), requestTimeout: 5000 };
      const everything = logPageOf(all, { ...base, limit: undefined }).entries;
      const read: LogEntry[] = [];
      let after: string | undefined;
      for (let pages = 0; pages < 30; pages++) {
        const q = after === undefined ? base : { ...base, after };
        const got = await readLogFromCluster(m.client, NAMES, q, options);
        const expected = logPageOf(all, q);
        const context = `seed ${seed} #${n} ${JSON.stringify({ q, options })}`;
        expect(ids(got.entries), context).to.deep.equal(ids(expected.entries));
        if (got.next !== undefined && expected.next === undefined) {
          // Allowed: a post-filtered read that stopped at the end of a full page ("there may be more").
          expect(got.next, context).to.equal(JSON.stringify([got.entries.at(-1)!.time, got.entries.at(-1)!.id]));
        } else expect(got.next, context).to.equal(expected.next);
        read.push(...got.entries);
        if (got.next === undefined) break;
        after = got.next;
      }
      expect(ids(read), `seed ${seed} #${n}`).to.deep.equal(ids(everything));
    }
  });
});
