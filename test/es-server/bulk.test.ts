/**
 * `_bulk`, pinned by Elasticsearch's YAML REST tests (bulk/, update/) and by the cases the
 * Tantale store depends on (per-item results, external_gte, op_type create, strict mappings).
 */
import { expect } from "chai";
import { esTarget, testServerOnly, type EsTarget } from "./target";
import { expectStatus } from "./expect";

interface Item {
  readonly _index: string;
  readonly _id: string | null;
  readonly _version?: number;
  readonly result?: string;
  readonly status: number;
  readonly _seq_no?: number;
  readonly _primary_term?: number;
  readonly error?: { readonly type: string; readonly reason: string };
}
type BulkItem = Partial<Record<"index" | "create" | "update" | "delete", Item>>;

function item(i: BulkItem | undefined): Item {
  const v = i && Object.values(i)[0];
  if (!v) throw new Error(`no item: ${JSON.stringify(i)}`);
  return v;
}

describe("es-server: bulk (YAML REST tests bulk/, update/35_if_seq_no)", function () {
  let t: EsTarget;
  let n = 0;
  const idx = (): string => t.name(`bulk-${n++}`);

  before(async () => {
    t = await esTarget();
  });
  after(async () => {
    await t.close();
  });

  it("bulk/10_basic.yml 'Array of objects': two documents, then count 2", async () => {
    const index = idx();
    await t.client.bulk({
      refresh: true,
      operations: [{ index: { _index: index, _id: "test_id" } }, { f1: "v1", f2: 42 }, { index: { _index: index, _id: "test_id2" } }, { f1: "v2", f2: 47 }],
    });
    expect((await t.client.count({ index })).count).to.equal(2);
  });

  it("bulk/10_basic.yml 'Empty _id' and 'Empty _id with op_type create': a per-item 400, the others created", async () => {
    const index = idx();
    const r = await t.client.bulk({
      refresh: true,
      operations: [
        { index: { _index: index, _id: "" } },
        { f: 1 },
        { index: { _index: index, _id: "id" } },
        { f: 2 },
        { index: { _index: index } },
        { f: 3 },
        { create: { _index: index } },
        { f: 4 },
        { index: { _index: index, op_type: "create" } },
        { f: 5 },
      ],
    });
    expect(r.errors).to.equal(true);
    const items = r.items.map((i) => item(i as BulkItem));
    expect(items[0]?.status).to.equal(400);
    expect(items[0]?.error?.type).to.equal("illegal_argument_exception");
    expect(items[0]?.error?.reason).to.equal("if _id is specified it must not be empty");
    expect(items.slice(1).map((i) => i.result)).to.deep.equal(["created", "created", "created", "created"]);
    expect(Object.keys(r.items[4] as object)).to.deep.equal(["create"]);
    expect((await t.client.count({ index })).count).to.equal(4);
  });

  it("bulk/10_basic.yml 'empty action': a malformed action line fails the whole request", async () => {
    const index = idx();
    const body = `{"index": {"_index": "${index}", "_id": "test_id"}}\n{"f1": "v1", "f2": 42}\n{}\n`;
    const r = await t.raw("POST", "/_bulk", body, { "content-type": "application/json", accept: "application/json" });
    expect(r.status).to.equal(400);
    expect(JSON.stringify(r.body)).to.match(/Malformed action\/metadata line \[3\], expected FIELD_NAME but found \[END_OBJECT\]/);
  });

  it("bulk/10_basic.yml 'Return item-level error when no write index defined for an alias'", async () => {
    const a = idx();
    const b = idx();
    const alias = t.name("bulk-alias");
    await t.client.indices.create({ index: a, aliases: { [alias]: {} } });
    await t.client.indices.create({ index: b, aliases: { [alias]: {} } });
    const r = await t.client.bulk({ operations: [{ index: { _index: alias } }, { field: "test" }] });
    expect(r.errors).to.equal(true);
    const it0 = item(r.items[0] as BulkItem);
    expect(it0.status).to.equal(400);
    expect(it0.error?.type).to.equal("illegal_argument_exception");
    expect(it0.error?.reason).to.contain(`no write index is defined for alias [${alias}]`);
  });

  it("bulk/10_basic.yml 'When setting require_alias flag per request'", async () => {
    const backing = idx();
    const alias = t.name("bulk-require-alias");
    const missing = idx();
    const created = idx();
    await t.client.indices.create({ index: backing, aliases: { [alias]: {} } });
    const r = await t.client.bulk({
      refresh: true,
      operations: [
        { index: { _index: missing, require_alias: true } },
        { f: 1 },
        { index: { _index: created } },
        { f: 2 },
        { index: { _index: alias, require_alias: true } },
        { f: 3 },
        { create: { _index: alias } },
        { f: 4 },
      ],
    });
    expect(r.errors).to.equal(true);
    const items = r.items.map((i) => item(i as BulkItem));
    expect(items[0]?.status).to.equal(404);
    expect(items[0]?.error?.type).to.equal("index_not_found_exception");
    expect(items[0]?.error?.reason).to.equal(`no such index [${missing}] and [require_alias] request flag is [true] and [${missing}] is not an alias`);
    expect(items.slice(1).map((i) => i.result)).to.deep.equal(["created", "created", "created"]);
    await expectStatus(t.client.indices.get({ index: missing }), 404);
  });

  it("bulk/10_basic.yml 'When setting require_alias flag': the request flag, overridden per item", async () => {
    const backing = idx();
    const alias = t.name("bulk-require-alias-2");
    const missing = idx();
    const created = idx();
    await t.client.indices.create({ index: backing, aliases: { [alias]: {} } });
    const r = await t.client.bulk({
      refresh: true,
      require_alias: true,
      operations: [
        { index: { _index: missing } },
        { f: 1 },
        { index: { _index: created, require_alias: false } },
        { f: 2 },
        { index: { _index: alias } },
        { f: 3 },
      ],
    });
    expect(r.errors).to.equal(true);
    const items = r.items.map((i) => item(i as BulkItem));
    expect(items[0]?.status).to.equal(404);
    expect(items[0]?.error?.type).to.equal("index_not_found_exception");
    expect(items.slice(1).map((i) => i.result)).to.deep.equal(["created", "created"]);
    await expectStatus(t.client.indices.get({ index: missing }), 404);
  });

  it("bulk/80_cas.yml 'Compare And Swap Sequence Numbers'", async () => {
    const index = idx();
    const first = await t.client.index({ index, id: "1", document: { foo: "bar" } });
    const bad = await t.client.bulk({
      operations: [{ index: { _index: index, _id: "1", if_seq_no: 10000, if_primary_term: first._primary_term } }, { foo: "bar2" }],
    });
    expect(bad.errors).to.equal(true);
    expect(item(bad.items[0] as BulkItem).status).to.equal(409);
    expect(item(bad.items[0] as BulkItem).error?.type).to.equal("version_conflict_engine_exception");
    const good = await t.client.bulk({
      operations: [{ index: { _index: index, _id: "1", if_seq_no: first._seq_no, if_primary_term: first._primary_term } }, { foo: "bar2" }],
    });
    expect(good.errors).to.equal(false);
    expect(item(good.items[0] as BulkItem).status).to.equal(200);
  });

  it("update/35_if_seq_no.yml 'Update with if_seq_no' (bulk part): a stale if_seq_no is a 409 item", async () => {
    const index = idx();
    await t.client.index({ index, id: "1", document: { foo: "baz" } });
    const r = await t.client.bulk({ operations: [{ update: { _index: index, _id: "1", if_seq_no: 100, if_primary_term: 200 } }, { doc: { foo: "baz" } }] });
    expect(r.errors).to.equal(true);
    expect(item(r.items[0] as BulkItem).status).to.equal(409);
  });

  it("our case (state documents): external_gte in a bulk keeps the newest, per item, with every item's fields", async () => {
    const index = idx();
    const r = await t.client.bulk({
      operations: [
        { index: { _index: index, _id: "a", version: 200, version_type: "external_gte" } },
        { state: 2 },
        { index: { _index: index, _id: "a", version: 100, version_type: "external_gte" } },
        { state: 0 },
        { index: { _index: index, _id: "a", version: 200, version_type: "external_gte" } },
        { state: 1 },
        { delete: { _index: index, _id: "nope" } },
      ],
    });
    const items = r.items.map((i) => item(i as BulkItem));
    expect(items.map((i) => i.status)).to.deep.equal([201, 409, 200, 404]);
    expect(items.map((i) => i.result)).to.deep.equal(["created", undefined, "updated", "not_found"]);
    expect(items[1]?.error?.type).to.equal("version_conflict_engine_exception");
    for (const i of [items[0], items[2]]) {
      expect(i).to.include.keys("_index", "_id", "_version", "result", "status", "_seq_no", "_primary_term");
      expect(i?._version).to.equal(200);
    }
    // a delete of a missing document is not an error of the bulk
    expect(r.errors).to.equal(true);
    expect((await t.client.get<{ state: number }>({ index, id: "a" }))._source?.state).to.equal(1);
  });

  it("our case (log documents): op_type create with a deterministic id is written once, the replay is a 409 item", async () => {
    const index = idx();
    const ops = [{ create: { _index: index, _id: "entry-1" } }, { line: 1 }];
    const first = await t.client.bulk({ operations: ops });
    const again = await t.client.bulk({ operations: ops });
    expect(item(first.items[0] as BulkItem).status).to.equal(201);
    expect(item(again.items[0] as BulkItem).status).to.equal(409);
    expect(item(again.items[0] as BulkItem).error?.type).to.equal("version_conflict_engine_exception");
    expect((await t.client.count({ index })).count).to.equal(1);
  });

  it("our case: a strict mapping refuses one item (400), its neighbours are written", async () => {
    const index = idx();
    await t.client.indices.create({ index, mappings: { dynamic: "strict", properties: { host: { type: "keyword" }, n: { type: "long" } } } });
    const r = await t.client.bulk({
      operations: [
        { index: { _index: index, _id: "1" } },
        { host: "a", n: 1 },
        { index: { _index: index, _id: "2" } },
        { host: "b", typo: 1 },
        { index: { _index: index, _id: "3" } },
        { host: "c", n: "three" },
        { index: { _index: index, _id: "4" } },
        { host: "d", n: 4 },
      ],
    });
    const items = r.items.map((i) => item(i as BulkItem));
    expect(items.map((i) => i.status)).to.deep.equal([201, 400, 400, 201]);
    expect(items[1]?.error?.type).to.equal("strict_dynamic_mapping_exception");
    expect(items[1]?.error?.reason).to.contain("mapping set to strict, dynamic introduction of [typo] within [_doc] is not allowed");
    expect(items[2]?.error?.type).to.equal("document_parsing_exception");
    expect(items[2]?.error?.reason).to.contain("failed to parse field [n] of type [long] in document with id '3'");
    expect((await t.client.count({ index })).count).to.equal(2);
  });

  it("our case: bulk update with a partial doc, doc_as_upsert and a missing document", async () => {
    const index = idx();
    const r = await t.client.bulk({
      operations: [
        { update: { _index: index, _id: "1" } },
        { doc: { a: 1, b: { c: 1 } }, doc_as_upsert: true },
        { update: { _index: index, _id: "1" } },
        { doc: { b: { d: 2 } } },
        { update: { _index: index, _id: "1" } },
        { doc: { a: 1 } },
        { update: { _index: index, _id: "2" } },
        { doc: { a: 1 } },
      ],
    });
    const items = r.items.map((i) => item(i as BulkItem));
    expect(items.map((i) => [i.status, i.result])).to.deep.equal([
      [201, "created"],
      [200, "updated"],
      [200, "noop"],
      [404, undefined],
    ]);
    expect(items[3]?.error?.type).to.equal("document_missing_exception");
    expect((await t.client.get({ index, id: "1" }))._source).to.deep.equal({ a: 1, b: { c: 1, d: 2 } });
  });

  it("our case: an external version on a create fails the whole bulk request (validation)", async () => {
    const index = idx();
    const e = await expectStatus(
      t.client.bulk({ operations: [{ create: { _index: index, _id: "1", version: 3, version_type: "external" } }, { a: 1 }] }),
      400,
      "action_request_validation_exception",
    );
    expect(e.error.reason).to.contain("create operations only support internal versioning. use index instead");
  });

  it("test server: a scripted update is refused with a 400 item (no Painless here)", async function () {
    testServerOnly(t, this);
    const index = idx();
    const r = await t.client.bulk({ operations: [{ update: { _index: index, _id: "1" } }, { script: { source: "ctx._source.n += 1" }, upsert: { n: 0 } }] });
    const it0 = item(r.items[0] as BulkItem);
    expect(it0.status).to.equal(400);
    expect(it0.error?.type).to.equal("test_server_unsupported_exception");
  });
});
