/**
 * `_search` and `_count`, pinned by Elasticsearch's YAML REST tests (search/) and by the
 * queries the Tantale log table pushes down (bool, term, terms, range on epoch_second dates,
 * exists, sort with search_after, points in time).
 */
import { expect } from "chai";
import type { estypes } from "@elastic/elasticsearch";
import { esTarget, type EsTarget } from "./target";
import { expectStatus, reasons, types, type ErrorBody } from "./expect";

describe("es-server: search (YAML REST tests search/)", function () {
  let t: EsTarget;
  let n = 0;
  const idx = (): string => t.name(`search-${n++}`);
  const refresh = async (index: string): Promise<void> => {
    await t.client.indices.refresh({ index });
  };
  const ids = (r: estypes.SearchResponse): Array<string | undefined> => r.hits.hits.map((h) => h._id);

  before(async () => {
    t = await esTarget();
  });
  after(async () => {
    await t.close();
  });

  it("search/90_search_after.yml 'search with search_after parameter'", async () => {
    const index = idx();
    await t.client.indices.create({ index });
    await t.client.index({ index, id: "1", document: { id: 1, foo: "bar", age: 18 } });
    await t.client.index({ index, id: "42", document: { id: 42, foo: "bar", age: 18 } });
    await t.client.index({ index, id: "172", document: { id: 172, foo: "bar", age: 24 } });
    await refresh(index);
    const page = (after?: number[]): Promise<estypes.SearchResponse> =>
      t.client.search({
        index,
        rest_total_hits_as_int: true,
        size: 1,
        query: { match: { foo: "bar" } },
        sort: [{ age: "desc" }, { id: "desc" }],
        ...(after ? { search_after: after } : {}),
      });
    const p1 = await page();
    expect(p1.hits.total).to.equal(3);
    expect([p1.hits.hits[0]?._index, p1.hits.hits[0]?._id, p1.hits.hits[0]?.sort]).to.deep.equal([index, "172", [24, 172]]);
    const p2 = await page([24, 172]);
    expect([p2.hits.total, p2.hits.hits[0]?._id, p2.hits.hits[0]?.sort]).to.deep.equal([3, "42", [18, 42]]);
    const p3 = await page([18, 42]);
    expect([p3.hits.hits[0]?._id, p3.hits.hits[0]?.sort]).to.deep.equal(["1", [18, 1]]);
    const p4 = await page([18, 1]);
    expect([p4.hits.total, p4.hits.hits.length]).to.deep.equal([3, 0]);
  });

  it("search/90_search_after.yml 'date': sort values in ms, search_after by ms or by formatted date", async () => {
    const index = idx();
    await t.client.indices.create({ index, mappings: { properties: { timestamp: { type: "date", format: "yyyy-MM-dd HH:mm:ss.SSS" } } } });
    await t.client.bulk({
      refresh: true,
      index,
      operations: [{ index: {} }, { timestamp: "2019-10-21 00:30:04.828" }, { index: {} }, { timestamp: "2019-10-21 08:30:04.828" }],
    });
    const s = (after?: Array<number | string>): Promise<estypes.SearchResponse<{ timestamp: string }>> =>
      t.client.search({ index, rest_total_hits_as_int: true, size: 1, sort: [{ timestamp: "desc" }], ...(after ? { search_after: after } : {}) });
    const first = await s();
    expect([first.hits.total, first.hits.hits[0]?._source?.timestamp, first.hits.hits[0]?.sort]).to.deep.equal([2, "2019-10-21 08:30:04.828", [1571646604828]]);
    for (const after of [[1571646604828], ["2019-10-21 08:30:04.828"]]) {
      const next = await s(after);
      expect([next.hits.total, next.hits.hits[0]?._source?.timestamp, next.hits.hits[0]?.sort]).to.deep.equal([2, "2019-10-21 00:30:04.828", [1571617804828]]);
    }
  });

  it("search/90_search_after.yml '_shard_doc sort': refused without a point in time", async () => {
    const index = idx();
    await t.client.index({ index, id: "1", document: { id: 1, foo: "bar", age: 18 } });
    const e = await expectStatus(t.client.search({ index, size: 1, sort: ["_shard_doc"], search_after: [0] }), 400);
    expect(reasons(e)).to.match(/\[_shard_doc\] sort field cannot be used without \[point in time\]/);
  });

  it("search/30_limits.yml 'Request window limits without scroll' and 'Request with negative from value'", async () => {
    const index = idx();
    await t.client.index({ index, id: "1", document: { foo: "bar", foo2: "bar", foo3: "bar" } });
    const e = await expectStatus(t.client.search({ index, from: 10000 }), 400);
    expect(reasons(e)).to.match(
      /Result window is too large, from \+ size must be less than or equal to[:] \[10000\] but was \[10010\]\. See the scroll api for a more efficient way to request large data sets\./,
    );
    const neg = await expectStatus(t.client.search({ index, from: -2 }), 400);
    expect(reasons(neg)).to.match(/\[from\] parameter cannot be negative/);
  });

  it("search/30_limits.yml 'Regexp length limit': a regex over index.max_regex_length (1000) is a 400", async () => {
    const index = idx();
    await t.client.index({ index, id: "1", document: { foo: "bar" } });
    const e = await expectStatus(t.client.search({ index, query: { regexp: { foo: "a".repeat(1110) } } }), 400);
    expect(reasons(e)).to.match(
      /The length of regex \[1110\] used in the Regexp Query request has exceeded the allowed maximum of \[1000\]\. This maximum can be set by changing the \[index\.max_regex_length\] index level setting\./,
    );
  });

  it("our case (daily log indices): a time range over a pattern finds the right days; the test server skips the others", async () => {
    const base = t.name("days");
    for (const [day, time] of [
      ["2026.11.01", 1_793_491_200],
      ["2026.11.02", 1_793_577_600],
      ["2026.11.03", 1_793_664_000],
    ] as const) {
      await t.client.indices.create({ index: `${base}-${day}`, mappings: { properties: { time: { type: "date", format: "epoch_second" } } } });
      await t.client.index({ index: `${base}-${day}`, id: day, document: { time } });
    }
    await refresh(`${base}-*`);
    const r = await t.client.search({
      index: `${base}-*`,
      query: { bool: { filter: [{ range: { time: { gte: 1_793_577_600 } } }] } },
      sort: [{ time: "asc" }],
    });
    expect(ids(r)).to.deep.equal(["2026.11.02", "2026.11.03"]);
    if (!t.real) expect(r._shards.skipped).to.equal(1);
  });

  it("our case: from and size page a sorted result; _doc sorts in write order", async () => {
    const index = idx();
    await t.client.bulk({ refresh: true, operations: [5, 3, 9, 1, 7].flatMap((v) => [{ index: { _index: index, _id: `d${v}` } }, { v }]) });
    const page = await t.client.search({ index, from: 1, size: 2, sort: [{ v: "asc" }] });
    expect(ids(page)).to.deep.equal(["d3", "d5"]);
    const byDoc = await t.client.search({ index, sort: ["_doc"] });
    expect(ids(byDoc)).to.deep.equal(["d5", "d3", "d9", "d1", "d7"]);
  });

  describe("search/300_sequence_numbers.yml", function () {
    let index: string;
    before(async () => {
      index = idx();
      await t.client.indices.create({ index });
      await t.client.index({ index, id: "1", document: { foo: "foo" } });
      await t.client.index({ index, id: "1", document: { foo: "bar" } });
      await refresh(index);
    });

    it("'sequence numbers are returned if requested from body'", async () => {
      const r = await t.client.search({ index, query: { match: { foo: "bar" } }, seq_no_primary_term: true });
      expect(r.hits.hits[0]?._seq_no).to.equal(1);
      expect(r.hits.hits[0]?._primary_term).to.be.gte(1);
    });

    it("'sequence numbers are returned if requested from url'", async () => {
      const r = await t.raw("POST", `/${index}/_search?seq_no_primary_term=true`, { query: { match: { foo: "bar" } } });
      const hit = (r.body as estypes.SearchResponse).hits.hits[0];
      expect(hit?._seq_no).to.equal(1);
      expect(hit?._primary_term).to.be.gte(1);
    });

    it("'sequence numbers are not returned if not requested'", async () => {
      const r = await t.client.search({ index, query: { match: { foo: "bar" } } });
      expect(r.hits.hits[0]).to.not.have.any.keys("_seq_no", "_primary_term");
    });
  });

  describe("search/220_total_hits_object.yml", function () {
    let i1: string;
    let i2: string;
    before(async () => {
      i1 = idx();
      i2 = idx();
      await t.client.indices.create({ index: i2 });
      await t.client.indices.create({ index: i1 });
      for (const [index, id, foo] of [
        [i1, "1", "bar"],
        [i1, "3", "baz"],
        [i1, "2", "bar"],
        [i1, "4", "bar"],
        [i2, "42", "bar"],
        [i2, "24", "baz"],
        [i2, "36", "bar"],
      ] as const)
        await t.client.index({ index, id, document: { foo } });
      await t.client.indices.refresh({ index: `${i1},${i2}` });
    });
    const q = { match: { foo: "bar" } };

    it("'hits.total as an object'", async () => {
      const both = `${i1},${i2}`;
      expect((await t.client.search({ index: both, query: q })).hits.total).to.deep.equal({ value: 5, relation: "eq" });
      expect((await t.client.search({ index: i1, query: q })).hits.total).to.deep.equal({ value: 3, relation: "eq" });
      expect((await t.client.search({ index: both, query: q, track_total_hits: false })).hits.total).to.equal(undefined);
      expect((await t.client.search({ index: both, query: q, track_total_hits: 4 })).hits.total).to.deep.equal({ value: 4, relation: "gte" });
      expect((await t.client.search({ index: both, query: q, size: 0, track_total_hits: 4 })).hits.total).to.deep.equal({ value: 4, relation: "gte" });
      expect((await t.client.search({ index: both, query: q, size: 0, track_total_hits: 5 })).hits.total).to.deep.equal({ value: 5, relation: "eq" });
      const e1 = await expectStatus(t.client.search({ index: i2, rest_total_hits_as_int: true, track_total_hits: 100, query: q }), 400);
      expect(reasons(e1)).to.match(/\[rest_total_hits_as_int\] cannot be used if the tracking of total hits is not accurate, got 100/);
      const e2 = await expectStatus(t.client.search({ index: i2, rest_total_hits_as_int: true, track_total_hits: -2, query: q }), 400);
      expect(reasons(e2)).to.match(/\[track_total_hits\] parameter must be positive or equals to -1, got -2/);
    });

    it("'track_total_hits with rest_total_hits_as_int'", async () => {
      expect((await t.client.search({ index: `${i1},${i2}`, track_total_hits: false, rest_total_hits_as_int: true, query: q })).hits.total).to.equal(-1);
      expect((await t.client.search({ index: i2, rest_total_hits_as_int: true, query: q })).hits.total).to.equal(2);
    });
  });

  it("search/171_term_query.yml 'case insensitive term query on blank keyword is consistent'", async () => {
    const index = idx();
    await t.client.indices.create({ index, settings: { number_of_shards: 1 }, mappings: { properties: { keyword_field: { type: "keyword" } } } });
    await t.client.bulk({ refresh: true, operations: [{ index: { _index: index, _id: "1" } }, { keyword_field: "" }] });
    expect((await t.client.search({ index, rest_total_hits_as_int: true, query: { term: { keyword_field: { value: "" } } } })).hits.total).to.equal(1);
    expect(
      (await t.client.search({ index, rest_total_hits_as_int: true, query: { term: { keyword_field: { value: "", case_insensitive: true } } } })).hits.total,
    ).to.equal(1);
  });

  it("search/170_terms_query.yml 'Terms Query with No.of terms exceeding index.max_terms_count should FAIL' (lookup part: see README)", async () => {
    const index = idx();
    await t.client.indices.create({
      index,
      settings: { number_of_shards: 1, "index.max_terms_count": 2 },
      mappings: { properties: { user: { type: "keyword" }, followers: { type: "keyword" } } },
    });
    await t.client.bulk({
      refresh: true,
      operations: [
        { index: { _index: index, _id: "u1" } },
        { user: "u1", followers: ["u2", "u3"] },
        { index: { _index: index, _id: "u2" } },
        { user: "u2", followers: ["u1", "u3", "u4"] },
        { index: { _index: index, _id: "u3" } },
        { user: "u3", followers: ["u1"] },
        { index: { _index: index, _id: "u4" } },
        { user: "u4", followers: ["u3"] },
      ],
    });
    expect((await t.client.search({ index, rest_total_hits_as_int: true, query: { terms: { user: ["u1", "u2"] } } })).hits.total).to.equal(2);
    await expectStatus(t.client.search({ index, query: { terms: { user: ["u1", "u2", "u3"] } } }), 400);
  });

  describe("search/630_ids_query.yml", function () {
    let index: string;
    before(async () => {
      index = idx();
      await t.client.indices.create({ index, settings: { "index.max_result_window": 2 }, mappings: { properties: { key: { type: "keyword" } } } });
      await t.client.index({ index, refresh: true, id: "1", document: { key: "value" } });
    });

    it("'id query works within max result window'", async () => {
      const r = await t.raw("POST", `/${index}/_search`, { query: { ids: { values: [1, 2] } }, size: 2 });
      expect((r.body as estypes.SearchResponse).hits.hits).to.have.length(1);
    });

    it("'id query returns error above max result window'", async () => {
      const r = await t.raw("POST", `/${index}/_search`, { query: { ids: { values: [1, 2, 3] } } });
      expect(r.status).to.equal(400);
      const root = (r.body as { error: { root_cause: Array<{ type: string; reason: string }> } }).error.root_cause[0];
      expect(root?.type).to.equal("query_shard_exception");
      expect(root?.reason).to.equal("failed to create query: Too many ids specified, allowed max result window is [2]");
    });
  });

  describe("our cases: the log table's pushed-down queries over Tantale-like log documents", function () {
    let index: string;
    const docs = [
      { id: "e1", hostname: "web-1", check: "HTTP", state: 2, class: 1, time: 1_700_000_000.25, output: "CRITICAL - down", tags: { a: "x" } },
      { id: "e2", hostname: "web-2", check: "HTTP", state: 0, class: 1, time: 1_700_000_100, output: "OK", tags: { b: 1 } },
      { id: "e3", hostname: "db-1", check: "", state: 1, class: 2, time: 1_700_000_200, output: "x".repeat(50) },
      { id: "e4", hostname: "Web-3", check: "Disk /var", state: 3, class: 1, time: 1_700_000_300, output: "UNKNOWN" },
      { id: "e5", hostname: "web-1", check: "HTTP", state: 0, class: 3, time: 1_700_000_300, output: "OK again" },
    ];
    before(async () => {
      index = idx();
      await t.client.indices.create({
        index,
        settings: { number_of_replicas: 0 },
        mappings: {
          dynamic: "strict",
          properties: {
            id: { type: "keyword" },
            hostname: { type: "keyword" },
            check: { type: "keyword" },
            state: { type: "byte" },
            class: { type: "byte" },
            time: { type: "date", format: "epoch_second" },
            output: { type: "keyword", ignore_above: 40 },
            tags: { type: "object", enabled: false },
          },
        },
      });
      await t.client.bulk({ refresh: true, operations: docs.flatMap((d) => [{ create: { _index: index, _id: d.id } }, d]) });
    });
    const hitIds = async (query: estypes.QueryDslQueryContainer, extra: Partial<estypes.SearchRequest> = {}): Promise<Array<string | undefined>> =>
      ids(await t.client.search({ index, query, sort: [{ time: "asc" }, { id: "asc" }], size: 100, ...extra }));

    it("bool filter of term, terms and range (epoch_second bounds, fractions kept to the ms)", async () => {
      expect(
        await hitIds({ bool: { filter: [{ terms: { hostname: ["web-1", "web-2"] } }, { range: { time: { gte: 1_700_000_000, lt: 1_700_000_300 } } }] } }),
      ).to.deep.equal(["e1", "e2"]);
      expect(await hitIds({ range: { time: { gt: 1_700_000_000.25 } } })).to.deep.equal(["e2", "e3", "e4", "e5"]);
      expect(await hitIds({ range: { time: { gte: 1_700_000_000.25, lte: 1_700_000_000.25 } } })).to.deep.equal(["e1"]);
      expect(await hitIds({ bool: { must_not: [{ term: { state: 0 } }], filter: [{ term: { class: 1 } }] } })).to.deep.equal(["e1", "e4"]);
    });

    it("should with minimum_should_match, and Or/Negate nesting", async () => {
      expect(await hitIds({ bool: { should: [{ term: { state: 2 } }, { term: { state: 3 } }], minimum_should_match: 1 } })).to.deep.equal(["e1", "e4"]);
      expect(await hitIds({ bool: { should: [{ term: { hostname: "web-1" } }, { term: { check: "HTTP" } }], minimum_should_match: 2 } })).to.deep.equal([
        "e1",
        "e5",
      ]);
      expect(
        await hitIds({
          bool: { filter: [{ bool: { must_not: [{ bool: { should: [{ term: { state: 0 } }, { term: { state: 1 } }], minimum_should_match: 1 } }] } }] },
        }),
      ).to.deep.equal(["e1", "e4"]);
    });

    it("term with case_insensitive, exists, and an empty keyword", async () => {
      expect(await hitIds({ term: { hostname: { value: "WEB-3", case_insensitive: true } } })).to.deep.equal(["e4"]);
      expect(await hitIds({ term: { hostname: "WEB-3" } })).to.deep.equal([]);
      expect(await hitIds({ term: { check: "" } })).to.deep.equal(["e3"]);
      expect(await hitIds({ bool: { must_not: [{ exists: { field: "output" } }] } })).to.deep.equal(["e3"]); // longer than ignore_above: not indexed
      expect(await hitIds({ exists: { field: "tags" } })).to.deep.equal([]); // enabled: false: stored only
    });

    it("a value over ignore_above is kept in _source but never matches", async () => {
      expect(await hitIds({ term: { output: "x".repeat(50) } })).to.deep.equal([]);
      const r = await t.client.search<{ output: string }>({ index, query: { ids: { values: ["e3"] } } });
      expect(r.hits.hits[0]?._source?.output).to.equal("x".repeat(50));
    });

    it("sort desc with search_after pages the whole set exactly once; sort values are ms for dates", async () => {
      const seen: string[] = [];
      let after: estypes.SortResults | undefined;
      for (;;) {
        const r: estypes.SearchResponse = await t.client.search({
          index,
          size: 2,
          sort: [{ time: "desc" }, { id: "desc" }],
          ...(after ? { search_after: after } : {}),
        });
        if (r.hits.hits.length === 0) break;
        for (const h of r.hits.hits) seen.push(h._id as string);
        after = r.hits.hits[r.hits.hits.length - 1]?.sort;
      }
      expect(seen).to.deep.equal(["e5", "e4", "e3", "e2", "e1"]);
      const first = await t.client.search({ index, size: 1, sort: [{ time: "asc" }] });
      expect(first.hits.hits[0]?.sort).to.deep.equal([1_700_000_000_250]);
      expect(first.hits.hits[0]?._score).to.equal(null);
    });

    it("_source includes and excludes, track_total_hits false, version", async () => {
      const r = await t.client.search({
        index,
        query: { ids: { values: ["e1"] } },
        _source: { includes: ["host*", "tags.*"], excludes: ["check"] },
        track_total_hits: false,
        version: true,
      });
      expect(r.hits.hits[0]?._source).to.deep.equal({ hostname: "web-1", tags: { a: "x" } });
      expect(r.hits.total).to.equal(undefined);
      expect(r.hits.hits[0]?._version).to.equal(1);
    });

    it("_count with a query", async () => {
      expect((await t.client.count({ index, query: { term: { hostname: "web-1" } } })).count).to.equal(2);
      expect((await t.client.count({ index })).count).to.equal(5);
    });

    it("a point in time keeps its snapshot; its sort values end with the implicit _shard_doc tiebreaker", async () => {
      const pit = await t.client.openPointInTime({ index, keep_alive: "1m" });
      try {
        await t.client.index({
          index,
          id: "late",
          refresh: true,
          document: { id: "late", hostname: "x", check: "", state: 0, class: 1, time: 1_700_000_400, output: "" },
        });
        const seen: string[] = [];
        let after: estypes.SortResults | undefined;
        for (;;) {
          const r: estypes.SearchResponse = await t.client.search({
            size: 2,
            pit: { id: pit.id, keep_alive: "1m" },
            sort: [{ time: "desc" }],
            ...(after ? { search_after: after } : {}),
          });
          if (r.hits.hits.length === 0) break;
          expect(r.hits.hits[0]?.sort).to.have.length(2);
          for (const h of r.hits.hits) seen.push(h._id as string);
          after = r.hits.hits[r.hits.hits.length - 1]?.sort;
        }
        expect(["e4", "e5"]).to.include(seen[0]); // equal times: the tiebreaker decides, not the test
        expect([...seen].sort()).to.deep.equal(["e1", "e2", "e3", "e4", "e5"]);
      } finally {
        await t.client.closePointInTime({ id: pit.id });
        await t.client.delete({ index, id: "late", refresh: true });
      }
    });

    it("errors: a regexp on a number field, sorting on a missing field, an unknown query", async () => {
      const e1 = await expectStatus(t.client.search({ index, query: { regexp: { state: "1" } } }), 400);
      expect(reasons(e1)).to.contain("Can only use regexp queries on keyword and text fields - not on [state] which is of type [byte]");
      const e2 = await expectStatus(t.client.search({ index, sort: [{ nope: "asc" }] }), 400);
      expect(reasons(e2)).to.contain("No mapping found for [nope] in order to sort on");
      const e3 = await t.raw("POST", `/${index}/_search`, { query: { no_such_query: {} } });
      expect(e3.status).to.equal(400);
      expect(types(e3.body as ErrorBody)).to.include("parsing_exception");
    });
  });
});
