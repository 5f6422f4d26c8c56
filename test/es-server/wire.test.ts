/**
 * The wire as the official client meets it (product header, media types, REST compatibility
 * headers, HEAD, filter_path) and the test server's failure injection (refused connections,
 * injected statuses for requests and bulk items, delays, the request log).
 */
import { expect } from "chai";
import { Client, errors } from "@elastic/elasticsearch";
import { esTarget, testServerOnly, type EsTarget } from "./target";
import { startEsServer } from "./server";

describe("es-server: the wire", function () {
  let t: EsTarget;

  before(async () => {
    t = await esTarget();
  });
  after(async () => {
    await t.close();
  });

  it("every answer carries X-Elastic-Product: Elasticsearch, errors included (the client's product check)", async () => {
    for (const [method, path] of [
      ["GET", "/"],
      ["GET", `/${t.name("absent")}/_doc/1`],
      ["POST", `/${t.name("absent")}/_search`],
    ] as const) {
      const r = await t.raw(method, path);
      expect(r.headers.get("x-elastic-product"), `${method} ${path}`).to.equal("Elasticsearch");
    }
  });

  it("GET / is an 8.x cluster; HEAD / answers 200 without a body", async () => {
    const info = await t.client.info();
    expect(info.version.number).to.match(/^8\./);
    const head = await t.raw("HEAD", "/");
    expect([head.status, head.body]).to.deep.equal([200, ""]);
  });

  it("answers in the compatible-with=8 media type the client asks for, and in plain JSON to plain JSON", async () => {
    const vnd = await t.raw("GET", "/");
    expect(vnd.headers.get("content-type")).to.match(/^application\/vnd\.elasticsearch\+json;\s*compatible-with=8/);
    const plain = await t.raw("GET", "/", undefined, { accept: "application/json" });
    expect(plain.headers.get("content-type")).to.match(/^application\/json/);
  });

  it("refuses a 9.x client's compatible-with=9 headers (400 media_type_header_exception), as an 8.x server does", async () => {
    const v9 = "application/vnd.elasticsearch+json; compatible-with=9";
    const r = await t.raw("GET", "/", undefined, { accept: v9, "content-type": v9 });
    expect(r.status).to.equal(400);
    expect((r.body as { error: { type: string } }).error.type).to.equal("media_type_header_exception");
  });

  it("an unrecognized URL parameter is a 400, as Elasticsearch refuses it (a typo fails here too)", async () => {
    const r = await t.raw("POST", `/_bulk?refrsh=true`, `{"index":{"_index":"${t.name("typo")}"}}\n{"a":1}\n`, {
      "content-type": "application/vnd.elasticsearch+x-ndjson; compatible-with=8",
    });
    expect(r.status).to.equal(400);
    expect((r.body as { error: { type: string; reason: string } }).error.reason).to.contain("contains unrecognized parameter: [refrsh]");
  });

  it("REST compatibility wants the same version on Accept and Content-Type (a versioned Accept with a plain JSON body is a 400)", async () => {
    const r = await t.raw("POST", `/${t.name("mixed")}/_doc`, { a: 1 }, { "content-type": "application/json" });
    expect(r.status).to.equal(400);
    expect((r.body as { error: { type: string } }).error.type).to.equal("media_type_header_exception");
    const plain = await t.raw("POST", `/${t.name("mixed")}/_doc`, { a: 1 }, { "content-type": "application/json", accept: "application/json" });
    expect(plain.status).to.equal(201);
  });

  it("filter_path trims an answer (bulk items down to status and error)", async () => {
    const index = t.name("fp");
    const r = await t.client.bulk({
      index,
      filter_path: "errors,items.*.status,items.*.error.type",
      operations: [{ create: { _id: "1" } }, { a: 1 }, { create: { _id: "1" } }, { a: 1 }],
    });
    expect(r).to.deep.equal({
      errors: true,
      items: [{ create: { status: 201 } }, { create: { status: 409, error: { type: "version_conflict_engine_exception" } } }],
    });
  });

  it("filter_path with ** and with an exclusion", async () => {
    const index = t.name("fp2");
    await t.client.index({ index, id: "x", refresh: true, document: { a: 1 } });
    const deep = await t.raw("POST", `/${index}/_search?filter_path=**._id`, {});
    expect(deep.body).to.deep.equal({ hits: { hits: [{ _id: "x" }] } });
    const without = await t.raw(
      "POST",
      `/${index}/_search?filter_path=-_shards,-took,-timed_out,-hits.max_score,-hits.total,-hits.hits._score,-hits.hits._index`,
      {},
    );
    expect(without.body).to.deep.equal({ hits: { hits: [{ _id: "x", _source: { a: 1 } }] } });
  });
});

describe("es-server: failure injection (test server only)", function () {
  let t: EsTarget;

  before(async () => {
    t = await esTarget();
  });
  after(async () => {
    await t.close();
  });

  it("stopListening refuses connections and keeps documents; resumeListening comes back on the same port", async function () {
    const s = testServerOnly(t, this);
    const index = t.name("outage");
    await t.client.index({ index, id: "1", document: { a: 1 } });
    await s.stopListening();
    try {
      const e = await t.client.get({ index, id: "1" }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).to.be.instanceOf(errors.ConnectionError);
      expect((e as Error).message).to.match(/ECONNREFUSED|ECONNRESET|socket hang up/);
    } finally {
      await s.resumeListening();
    }
    expect(new URL(t.url).port).to.equal(String(s.port));
    expect((await t.client.get({ index, id: "1" }))._source).to.deep.equal({ a: 1 });
  });

  it("failRequests answers the next N matching requests with 429 es_rejected_execution_exception, then serves again", async function () {
    const s = testServerOnly(t, this);
    s.failRequests(2, { status: 429 }, { method: "POST", path: /\/_bulk$/ });
    const bulk = (): Promise<unknown> => t.client.bulk({ operations: [{ index: { _index: t.name("rej"), _id: "1" } }, { a: 1 }] });
    for (let i = 0; i < 2; i++) {
      const e = await bulk().then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).to.be.instanceOf(errors.ResponseError);
      expect((e as errors.ResponseError).statusCode).to.equal(429);
      expect((e as errors.ResponseError).body).to.nested.include({ "error.type": "es_rejected_execution_exception" });
    }
    await bulk();
  });

  it("a 403 cluster_block_exception and a 503, with the type and reason given", async function () {
    const s = testServerOnly(t, this);
    s.failRequests(1, { status: 403, reason: "index [x] blocked by: [FORBIDDEN/8/index write (api)];" });
    const e = await t.client.count().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect((e as errors.ResponseError).statusCode).to.equal(403);
    expect((e as errors.ResponseError).body).to.nested.include({
      "error.type": "cluster_block_exception",
      "error.reason": "index [x] blocked by: [FORBIDDEN/8/index write (api)];",
    });
    s.failRequests(1, { status: 503, type: "master_not_discovered_exception", reason: "no master" });
    const e2 = await t.client.count().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect((e2 as errors.ResponseError).statusCode).to.equal(503);
  });

  it("failBulkItems fails N items of one index and op with 429; the others are written", async function () {
    const s = testServerOnly(t, this);
    const logIdx = t.name("items-log");
    const stateIdx = t.name("items-state");
    s.failBulkItems(1, { status: 429 }, { index: logIdx, op: "create" });
    const r = await t.client.bulk({
      operations: [
        { index: { _index: stateIdx, _id: "s" } },
        { a: 1 },
        { create: { _index: logIdx, _id: "l1" } },
        { a: 1 },
        { create: { _index: logIdx, _id: "l2" } },
        { a: 1 },
      ],
    });
    const statuses = r.items.map((i) => Object.values(i)[0]?.status);
    expect(statuses).to.deep.equal([201, 429, 201]);
    expect(r.errors).to.equal(true);
    expect(Object.values(r.items[1] ?? {})[0]?.error?.type).to.equal("es_rejected_execution_exception");
    expect((await t.client.mget({ index: logIdx, ids: ["l1", "l2"] })).docs.map((d) => "found" in d && d.found)).to.deep.equal([false, true]);
  });

  it("setDelay holds every answer: a client with a short requestTimeout times out", async function () {
    const s = testServerOnly(t, this);
    const quick = new Client({ node: t.url, maxRetries: 0, requestTimeout: 50 });
    s.setDelay(2000);
    try {
      const e = await quick.info().then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).to.be.instanceOf(errors.TimeoutError);
    } finally {
      s.setDelay(0);
      await quick.close();
    }
  });

  it("the request log records method, path, query string and body (NDJSON for a bulk)", async function () {
    const s = testServerOnly(t, this);
    s.clearRequests();
    const index = t.name("logged");
    await t.client.bulk({ refresh: "wait_for", operations: [{ create: { _index: index, _id: "x" } }, { a: 1 }] });
    const req = s.requests.find((r) => r.path === "/_bulk");
    expect(req?.method).to.equal("POST");
    expect(req?.query.refresh).to.equal("wait_for");
    expect(req?.querystring).to.equal("refresh=wait_for");
    expect(
      req?.body
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l) as unknown),
    ).to.deep.equal([{ create: { _index: index, _id: "x" } }, { a: 1 }]);
    expect(req?.headers["content-type"]).to.contain("application/vnd.elasticsearch+x-ndjson");
  });

  it("a server of its own: state is per server, close() frees the port", async () => {
    const s = await startEsServer({ logLimit: 0 });
    const c = new Client({ node: s.url, maxRetries: 0 });
    try {
      await c.index({ index: "own", id: "1", document: { a: 1 } });
      expect(s.requests).to.have.length(0);
      expect(s.state.indices.get("own")?.docs.size).to.equal(1);
    } finally {
      await c.close();
      await s.close();
    }
    expect(s.listening).to.equal(false);
  });
});
