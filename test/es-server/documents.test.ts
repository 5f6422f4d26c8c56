/**
 * Single-document update, get and mget, pinned by Elasticsearch's YAML REST tests (update/,
 * mget/, get/).
 */
import { expect } from "chai";
import { esTarget, type EsTarget } from "./target";
import { expectStatus } from "./expect";

describe("es-server: update, get, mget (YAML REST tests update/, mget/)", function () {
  let t: EsTarget;
  let n = 0;
  const idx = (): string => t.name(`doc-${n++}`);

  before(async () => {
    t = await esTarget();
  });
  after(async () => {
    await t.close();
  });

  it("update/10_doc.yml 'Partial document': objects are merged, version 2", async () => {
    const index = idx();
    await t.client.index({ index, id: "1", document: { foo: "bar", count: 1, nested: { one: 1, two: 2 } } });
    const r = await t.client.update({ index, id: "1", doc: { foo: "baz", nested: { one: 3 } } });
    expect([r._index, r._id, r._version]).to.deep.equal([index, "1", 2]);
    expect((await t.client.get({ index, id: "1" }))._source).to.deep.equal({ foo: "baz", count: 1, nested: { one: 3, two: 2 } });
  });

  it("update/12_result.yml 'Update result field': created, noop, updated with detect_noop false, updated", async () => {
    const index = idx();
    const up = (doc: object, detect_noop?: boolean): Promise<{ _version: number; result: string }> =>
      t.client.update({ index, id: "1", doc, doc_as_upsert: true, ...(detect_noop === undefined ? {} : { detect_noop }) });
    const seen = [await up({ foo: "bar" }), await up({ foo: "bar" }), await up({ foo: "bar" }, false), await up({ foo: "baz" }, true)];
    expect(seen.map((r) => [r._version, r.result])).to.deep.equal([
      [1, "created"],
      [1, "noop"],
      [2, "updated"],
      [3, "updated"],
    ]);
  });

  it("update/16_noop.yml 'Noop': a noop keeps _seq_no, _version and _primary_term", async () => {
    const index = idx();
    const c = await t.client.index({ index, id: "1", document: { foo: "bar" } });
    expect([c._seq_no, c._version, c._primary_term, c.result]).to.deep.equal([0, 1, 1, "created"]);
    const noop = await t.client.update({ index, id: "1", doc: { foo: "bar" } });
    expect([noop._seq_no, noop._version, noop._primary_term, noop.result]).to.deep.equal([0, 1, 1, "noop"]);
    const forced = await t.client.update({ index, id: "1", doc: { foo: "bar" }, detect_noop: false });
    expect([forced._seq_no, forced._version, forced._primary_term, forced.result]).to.deep.equal([1, 2, 1, "updated"]);
  });

  it("update/22_doc_as_upsert.yml 'Doc as upsert'", async () => {
    const index = idx();
    await t.client.update({ index, id: "1", doc: { foo: "bar", count: 1 }, doc_as_upsert: true });
    expect((await t.client.get({ index, id: "1" }))._source).to.deep.equal({ foo: "bar", count: 1 });
    await t.client.update({ index, id: "1", doc: { count: 2 }, doc_as_upsert: true });
    expect((await t.client.get({ index, id: "1" }))._source).to.deep.equal({ foo: "bar", count: 2 });
  });

  it("update/35_if_seq_no.yml 'Update with if_seq_no'", async () => {
    const index = idx();
    await expectStatus(t.client.update({ index, id: "1", if_seq_no: 1, if_primary_term: 1, doc: { foo: "baz" } }), 404);
    await t.client.index({ index, id: "1", document: { foo: "baz" } });
    await expectStatus(t.client.update({ index, id: "1", if_seq_no: 234, if_primary_term: 1, doc: { foo: "baz" } }), 409);
    await t.client.update({ index, id: "1", if_seq_no: 0, if_primary_term: 1, doc: { foo: "bar" } });
    expect((await t.client.get({ index, id: "1" }))._source).to.deep.equal({ foo: "bar" });
  });

  it("mget/15_ids.yml 'IDs': found and missing documents in order; no ids is a validation error", async () => {
    const index = idx();
    await t.client.indices.create({ index });
    await t.client.index({ index, id: "1", document: { foo: "bar" } });
    await t.client.index({ index, id: "2", document: { foo: "baz" } });
    const r = await t.client.mget({ index, ids: ["1", "3"] });
    const [d0, d1] = r.docs as Array<{ found?: boolean; _index: string; _id: string; _version?: number; _source?: unknown }>;
    expect([d0?.found, d0?._index, d0?._id, d0?._version]).to.deep.equal([true, index, "1", 1]);
    expect(d0?._source).to.deep.equal({ foo: "bar" });
    expect([d1?.found, d1?._index, d1?._id]).to.deep.equal([false, index, "3"]);
    const both = await t.client.mget({ index, ids: ["1", "2"] });
    expect((both.docs as Array<{ _source?: unknown }>).map((d) => d._source)).to.deep.equal([{ foo: "bar" }, { foo: "baz" }]);
    const e = await expectStatus(t.client.mget({ index, ids: [] }), 400, "action_request_validation_exception");
    expect(e.error.reason).to.contain("no documents to get");
  });

  it("mget/12_non_existent_index.yml 'Non-existent index': the item is not found (an error item), others are", async () => {
    const index = idx();
    const absent = idx();
    await t.client.index({ index, id: "1", document: { foo: "bar" } });
    const r = await t.client.mget({ docs: [{ _index: absent, _id: "1" }] });
    const d0 = r.docs[0] as { found?: boolean; _index: string; _id: string; error?: { type: string } };
    expect(d0.found ?? false).to.equal(false);
    expect([d0._index, d0._id]).to.deep.equal([absent, "1"]);
    const ok = await t.client.mget({ docs: [{ _index: index, _id: "1" }] });
    expect((ok.docs[0] as { found: boolean }).found).to.equal(true);
  });

  it("our case (realtime get): a document is readable by id and searchable at once, without a refresh", async () => {
    const index = idx();
    await t.client.index({ index, id: "1", document: { foo: "bar" } });
    expect((await t.client.mget({ index, ids: ["1"] })).docs[0]).to.include({ found: true });
    // a real cluster refreshes within a second; the test server needs none (see README)
    if (t.real) await t.client.indices.refresh({ index });
    expect((await t.client.search({ index })).hits.hits.map((h) => h._id)).to.deep.equal(["1"]);
  });

  it("our case: mget _source filtering per doc and GET _source_includes", async () => {
    const index = idx();
    await t.client.index({ index, id: "1", document: { a: 1, b: { c: 2, d: 3 } } });
    const r = await t.client.mget({ docs: [{ _index: index, _id: "1", _source: ["b.c"] }] });
    expect((r.docs[0] as { _source: unknown })._source).to.deep.equal({ b: { c: 2 } });
    const g = await t.client.get({ index, id: "1", _source_excludes: ["b"] });
    expect(g._source).to.deep.equal({ a: 1 });
  });
});
