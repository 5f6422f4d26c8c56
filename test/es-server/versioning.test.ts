/**
 * Versioning of single-document writes, pinned by Elasticsearch's YAML REST tests
 * (rest-api-spec/src/yamlRestTest/resources/rest-api-spec/test/<file>): each `it` names the
 * file and the test it mirrors. Runs against the test server, or a real cluster with TANTALE_ES_URL.
 */
import { expect } from "chai";
import { esTarget, type EsTarget } from "./target";
import { expectStatus, reasons } from "./expect";

describe("es-server: versioning (YAML REST tests index/, create/, delete/)", function () {
  let t: EsTarget;
  let n = 0;
  const idx = (): string => t.name(`ver-${n++}`);

  before(async () => {
    t = await esTarget();
  });
  after(async () => {
    await t.close();
  });

  it("index/12_result.yml 'Index result field': created, then updated", async () => {
    const index = idx();
    expect((await t.client.index({ index, id: "1", document: { foo: "bar" } })).result).to.equal("created");
    expect((await t.client.index({ index, id: "1", document: { foo: "bar" }, op_type: "index" })).result).to.equal("updated");
  });

  it("index/20_optype.yml 'Optype': a second create conflicts, op_type index overwrites (version 2)", async () => {
    const index = idx();
    await t.client.index({ index, id: "1", op_type: "create", document: { foo: "bar" } });
    await expectStatus(t.client.index({ index, id: "1", op_type: "create", document: { foo: "bar" } }), 409, "version_conflict_engine_exception");
    expect((await t.client.index({ index, id: "1", op_type: "index", document: { foo: "bar" } }))._version).to.equal(2);
  });

  it("index/30_cas.yml 'Compare And Swap Sequence Numbers'", async () => {
    const index = idx();
    const first = await t.client.index({ index, id: "1", document: { foo: "bar" } });
    expect(first._version).to.equal(1);
    const got = await t.client.get({ index, id: "1" });
    expect(got._seq_no).to.equal(first._seq_no);
    expect(got._primary_term).to.equal(first._primary_term);
    await expectStatus(t.client.index({ index, id: "1", if_seq_no: 10000, if_primary_term: first._primary_term, document: { foo: "bar2" } }), 409);
    await expectStatus(t.client.index({ index, id: "1", if_seq_no: first._seq_no, if_primary_term: 1000, document: { foo: "bar2" } }), 409);
    const ok = await t.client.index({ index, id: "1", if_seq_no: first._seq_no, if_primary_term: first._primary_term, document: { foo: "bar2" } });
    expect(ok._version).to.equal(2);
  });

  it("index/35_external_version.yml 'External version': equal and lower versions conflict", async () => {
    const index = idx();
    const put = (version: number): Promise<{ _version: number }> =>
      t.client.index({ index, id: "1", document: { foo: "bar" }, version_type: "external", version });
    expect((await put(0))._version).to.equal(0);
    expect((await put(5))._version).to.equal(5);
    const e = await expectStatus(put(5), 409, "version_conflict_engine_exception");
    expect(e.error.reason).to.contain("current version [5] is higher or equal to the one provided [5]");
    await expectStatus(put(0), 409);
    expect((await put(6))._version).to.equal(6);
  });

  it("index/36_external_gte_version.yml 'External GTE version': an equal version is accepted, a lower one conflicts", async () => {
    const index = idx();
    const put = (version: number, foo: string): Promise<{ _version: number }> =>
      t.client.index({ index, id: "1", document: { foo }, version_type: "external_gte", version });
    expect((await put(0, "bar"))._version).to.equal(0);
    expect((await put(5, "bar"))._version).to.equal(5);
    const e = await expectStatus(put(0, "bar"), 409, "version_conflict_engine_exception");
    expect(e.error.reason).to.contain("current version [5] is higher than the one provided [0]");
    expect((await put(5, "bar2"))._version).to.equal(5);
    expect((await t.client.get<{ foo: string }>({ index, id: "1" }))._source?.foo).to.equal("bar2");
    expect((await put(6, "bar2"))._version).to.equal(6);
  });

  it("create/10_with_id.yml 'Create with ID': created at version 1, readable, a second create conflicts", async () => {
    const index = idx();
    const r = await t.client.create({ index, id: "1", document: { foo: "bar" } });
    expect([r._index, r._id, r._version]).to.deep.equal([index, "1", 1]);
    const got = await t.client.get({ index, id: "1" });
    expect([got._index, got._id, got._version]).to.deep.equal([index, "1", 1]);
    expect(got._source).to.deep.equal({ foo: "bar" });
    const e = await expectStatus(t.client.create({ index, id: "1", document: { foo: "bar" } }), 409, "version_conflict_engine_exception");
    expect(e.error.reason).to.contain("document already exists (current version [1])");
  });

  it("create/35_external_version.yml 'External version': create refuses external versioning (400)", async () => {
    const index = idx();
    for (const [id, version] of [
      ["1", 0],
      ["2", 5],
    ] as const) {
      const e = await expectStatus(
        t.client.create({ index, id, document: { foo: "bar" }, version_type: "external", version }),
        400,
        "action_request_validation_exception",
      );
      expect(e.error.reason).to.equal("Validation Failed: 1: create operations only support internal versioning. use index instead;");
    }
  });

  it("delete/12_result.yml 'Delete result field': deleted, then not_found with 404", async () => {
    const index = idx();
    await t.client.index({ index, id: "1", document: { foo: "bar" } });
    expect((await t.client.delete({ index, id: "1" })).result).to.equal("deleted");
    const r = await t.raw("DELETE", `/${index}/_doc/1`);
    expect(r.status).to.equal(404);
    expect((r.body as { result: string }).result).to.equal("not_found");
  });

  it("delete/26_external_gte_version.yml 'External GTE version': the tombstone keeps the version", async () => {
    const index = idx();
    expect((await t.client.index({ index, id: "1", document: { foo: "bar" }, version_type: "external_gte", version: 5 }))._version).to.equal(5);
    await expectStatus(t.client.delete({ index, id: "1", version_type: "external_gte", version: 4 }), 409);
    expect((await t.client.delete({ index, id: "1", version_type: "external_gte", version: 6 }))._version).to.equal(6);
    expect((await t.client.index({ index, id: "1", document: { foo: "bar" }, version_type: "external_gte", version: 6 }))._version).to.equal(6);
    expect((await t.client.delete({ index, id: "1", version_type: "external_gte", version: 6 }))._version).to.equal(6);
  });

  it("our case (Tantale's spool replay): after a delete, an older external_gte version still conflicts", async () => {
    const index = idx();
    await t.client.index({ index, id: "1", document: { foo: "new" }, version_type: "external_gte", version: 10 });
    await t.client.delete({ index, id: "1", version_type: "external_gte", version: 10 });
    await expectStatus(t.client.index({ index, id: "1", document: { foo: "old" }, version_type: "external_gte", version: 9 }), 409);
  });

  it("our case: internal versions go on after a delete (the tombstone's version + 1), each write takes the next _seq_no", async () => {
    const index = idx();
    const a = await t.client.index({ index, id: "1", document: { foo: "bar" } });
    const d = await t.client.delete({ index, id: "1" });
    const b = await t.client.index({ index, id: "1", document: { foo: "bar" } });
    expect([a._version, d._version, b._version]).to.deep.equal([1, 2, 3]);
    expect(b.result).to.equal("created");
    expect(d._seq_no).to.equal((a._seq_no ?? NaN) + 1);
    expect(b._seq_no).to.equal((d._seq_no ?? NaN) + 1);
  });

  it("our case: `version` without version_type (internal) is refused: Elasticsearch 7+ wants if_seq_no/if_primary_term", async () => {
    const index = idx();
    await t.client.index({ index, id: "1", document: { foo: "bar" } });
    const e = await expectStatus(t.client.index({ index, id: "1", document: { foo: "bar" }, version: 1 }), 400, "action_request_validation_exception");
    expect(reasons(e)).to.contain("internal versioning can not be used for optimistic concurrency control");
  });

  it("our case: if_seq_no on a missing document conflicts (409), it does not create", async () => {
    const index = idx();
    await t.client.index({ index, id: "other", document: { foo: "bar" } });
    const e = await expectStatus(t.client.index({ index, id: "1", if_seq_no: 0, if_primary_term: 1, document: { foo: "bar" } }), 409);
    expect(e.error.reason).to.contain("but no document was found");
    await expectStatus(t.client.get({ index, id: "1" }), 404);
  });
});
