/**
 * Mappings as the Tantale store's strict templates use them: `dynamic` (strict, false), type
 * checks with Elasticsearch's coercions, arrays, `ignore_above`, `index: false`, objects with
 * `enabled: false`, date formats; and dynamic mapping when no template applies. These are our
 * cases (no single YAML file covers them); against a real cluster they pin the same behaviour.
 * The 8.8+ error for a value of the wrong type is `document_parsing_exception`; 7.x and
 * 8.0–8.7 answered `mapper_parsing_exception`.
 */
import { expect } from "chai";
import { esTarget, type EsTarget } from "./target";
import { expectStatus, reasons } from "./expect";

describe("es-server: mappings (strict templates, type checks, dynamic mapping)", function () {
  let t: EsTarget;
  let index: string;

  before(async () => {
    t = await esTarget();
    index = t.name("mapping");
    await t.client.indices.create({
      index,
      settings: { number_of_replicas: 0 },
      mappings: {
        dynamic: "strict",
        properties: {
          k: { type: "keyword" },
          txt: { type: "text" },
          l: { type: "long" },
          i: { type: "integer" },
          b: { type: "byte" },
          d: { type: "double" },
          f: { type: "float" },
          bool: { type: "boolean" },
          ms: { type: "date", format: "epoch_millis" },
          sec: { type: "date", format: "epoch_second" },
          iso: { type: "date" },
          hidden: { type: "keyword", index: false },
          nothing: { type: "keyword", index: false, doc_values: false },
          ack: { properties: { author: { type: "keyword" }, time: { type: "date", format: "epoch_second" } } },
          free: { type: "object", dynamic: false },
          blob: { type: "object", enabled: false },
        },
      },
    });
  });
  after(async () => {
    await t.close();
  });

  let id = 0;
  const put = (doc: Record<string, unknown>): Promise<unknown> => t.client.index({ index, id: String(id++), refresh: true, document: doc });
  const count = async (query: object): Promise<number> => (await t.client.count({ index, query })).count;

  it("dynamic strict: an unknown field, at the root or in an object, is strict_dynamic_mapping_exception", async () => {
    const e1 = await expectStatus(put({ k: "a", nope: 1 }), 400, "strict_dynamic_mapping_exception");
    expect(reasons(e1)).to.contain("mapping set to strict, dynamic introduction of [nope] within [_doc] is not allowed");
    const e2 = await expectStatus(put({ ack: { author: "x", comment: "y" } }), 400, "strict_dynamic_mapping_exception");
    expect(reasons(e2)).to.contain("dynamic introduction of [comment] within [ack] is not allowed");
  });

  it("dynamic false: unknown fields are kept in _source, not indexed; enabled false: anything is kept, nothing indexed", async () => {
    await put({ k: "df", free: { anything: "goes", n: 1 }, blob: { deep: [{ x: 1 }, "mixed", 3] } });
    const r = await t.client.search<{ free: unknown; blob: unknown }>({ index, query: { term: { k: "df" } } });
    expect(r.hits.hits[0]?._source?.free).to.deep.equal({ anything: "goes", n: 1 });
    expect(r.hits.hits[0]?._source?.blob).to.deep.equal({ deep: [{ x: 1 }, "mixed", 3] });
    expect(await count({ term: { "free.anything": "goes" } })).to.equal(0);
    await put({ k: "df2", blob: "not even an object" });
  });

  it("numbers: strings are coerced, decimals truncated for integer types, garbage and out-of-range refused", async () => {
    await put({ k: "n1", l: "12", i: 7.9, d: "1.5", f: 0.1 });
    expect(
      await count({ bool: { filter: [{ term: { k: "n1" } }, { term: { l: 12 } }, { term: { i: 7 } }, { range: { d: { gt: 1.4, lt: 1.6 } } }] } }),
    ).to.equal(1);
    const e = await expectStatus(put({ l: "abc" }), 400, "document_parsing_exception");
    expect(reasons(e)).to.contain("failed to parse field [l] of type [long]");
    const r = await expectStatus(put({ b: 300 }), 400, "document_parsing_exception");
    expect(reasons(r)).to.contain("failed to parse field [b] of type [byte]");
    await expectStatus(put({ l: true }), 400, "document_parsing_exception");
    await expectStatus(put({ l: { x: 1 } }), 400, "document_parsing_exception");
  });

  it("keyword: numbers and booleans become strings; an object is refused", async () => {
    await put({ k: 42 });
    await put({ k: true });
    expect(await count({ term: { k: "42" } })).to.equal(1);
    expect(await count({ term: { k: "true" } })).to.equal(1);
    await expectStatus(put({ k: { a: 1 } }), 400, "document_parsing_exception");
  });

  it('boolean: true, false, "true", "false" and "" (false); anything else is refused', async () => {
    await put({ k: "b1", bool: "true" });
    await put({ k: "b2", bool: "" });
    expect(await count({ bool: { filter: [{ terms: { k: ["b1", "b2"] } }, { term: { bool: false } }] } })).to.equal(1);
    await expectStatus(put({ bool: "yes" }), 400, "document_parsing_exception");
    await expectStatus(put({ bool: 1 }), 400, "document_parsing_exception");
  });

  it("dates: epoch_millis, epoch_second with fractions, ISO by default; a bad date is refused", async () => {
    await put({ k: "d1", ms: 1_700_000_000_123, sec: 1_700_000_000.5, iso: "2023-11-14T22:13:20.5Z" });
    expect(
      await count({
        bool: {
          filter: [
            { term: { k: "d1" } },
            { range: { sec: { gte: "1700000000.5", lte: 1_700_000_000.5 } } },
            { range: { ms: { gte: 1_700_000_000_123 } } },
            { range: { iso: { gte: "2023-11-14T22:13:20.500Z", lte: "2023-11-14T22:13:20.500Z" } } },
          ],
        },
      }),
    ).to.equal(1);
    await expectStatus(put({ sec: "yesterday" }), 400, "document_parsing_exception");
    await expectStatus(put({ iso: "14/11/2023" }), 400, "document_parsing_exception");
  });

  it("arrays: every element is checked; a term matches any element", async () => {
    await put({ k: ["arr-a", "arr-b"], l: [1, "2"] });
    expect(await count({ bool: { filter: [{ term: { k: "arr-b" } }, { term: { l: 2 } }] } })).to.equal(1);
    await expectStatus(put({ l: [1, "x"] }), 400, "document_parsing_exception");
  });

  it("an object field given a value is refused; null is accepted anywhere", async () => {
    const e = await expectStatus(put({ ack: "x" }), 400, "document_parsing_exception");
    expect(reasons(e)).to.contain("object mapping for [ack] tried to parse field [ack] as object, but found a concrete value");
    await put({ k: "nulls", ack: null, l: null, txt: null });
    expect(await count({ bool: { filter: [{ term: { k: "nulls" } }, { exists: { field: "ack" } }] } })).to.equal(0);
  });

  it("index: false keeps a keyword searchable through doc values (8.x); without doc values a query is a 400", async () => {
    await put({ k: "h1", hidden: "secret", nothing: "gone" });
    expect(await count({ term: { hidden: "secret" } })).to.equal(1);
    await expectStatus(t.client.count({ index, query: { term: { nothing: "gone" } } }), 400);
  });

  it("text: analysed into lower-case words for match; term sees the words", async () => {
    await put({ k: "t1", txt: "Quick Brown fox" });
    expect(await count({ match: { txt: "brown" } })).to.equal(1);
    expect(await count({ term: { txt: "quick" } })).to.equal(1);
    expect(await count({ term: { txt: "Quick" } })).to.equal(0);
  });

  it("dynamic mapping without a template: strings become text with a .keyword sub-field, numbers long", async () => {
    const dyn = t.name("dynamic");
    await t.client.index({ index: dyn, id: "1", refresh: true, document: { s: "Hello World", n: 3, o: { inner: true } } });
    const m = await t.client.indices.getMapping({ index: dyn });
    expect(m[dyn]?.mappings.properties?.s).to.deep.equal({ type: "text", fields: { keyword: { type: "keyword", ignore_above: 256 } } });
    expect(m[dyn]?.mappings.properties?.n).to.deep.equal({ type: "long" });
    expect(await t.client.count({ index: dyn, query: { term: { "s.keyword": "Hello World" } } }).then((r) => r.count)).to.equal(1);
    await expectStatus(t.client.index({ index: dyn, id: "2", document: { n: "not a number" } }), 400, "document_parsing_exception");
  });
});
