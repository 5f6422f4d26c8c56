/**
 * Composable index templates and index management, pinned by Elasticsearch's YAML REST tests
 * (indices.put_index_template/10_basic.yml) and by what the Tantale store and its retention
 * job need: auto-creation from the template of highest priority, listing daily indices,
 * deleting them by name.
 */
import { expect } from "chai";
import { esTarget, testServerOnly, type EsTarget } from "./target";
import { expectStatus } from "./expect";

describe("es-server: index templates and indices (YAML REST tests indices.put_index_template/)", function () {
  let t: EsTarget;

  before(async () => {
    t = await esTarget();
  });
  after(async () => {
    await t.close();
  });

  it("indices.put_index_template/10_basic.yml 'Put index template': settings come back as strings under index", async () => {
    const name = t.name("tpl-basic");
    await t.client.indices.putIndexTemplate({
      name,
      index_patterns: `${name}-*`,
      template: { settings: { number_of_shards: 1, number_of_replicas: 0 }, mappings: { properties: { field: { type: "keyword" } } } },
    });
    const r = await t.client.indices.getIndexTemplate({ name });
    const tpl = r.index_templates[0];
    expect(tpl?.name).to.equal(name);
    expect(tpl?.index_template.index_patterns).to.deep.equal([`${name}-*`]);
    expect(tpl?.index_template.template?.settings?.index).to.deep.equal({ number_of_shards: "1", number_of_replicas: "0" });
    expect(tpl?.index_template.template?.mappings).to.deep.equal({ properties: { field: { type: "keyword" } } });
  });

  it("indices.put_index_template/10_basic.yml 'Put index template with 'create' flag': a second create is a 400", async () => {
    const name = t.name("tpl-create");
    await t.client.indices.putIndexTemplate({ name, index_patterns: `${name}-*`, template: { settings: { number_of_shards: 1, number_of_replicas: 0 } } });
    await expectStatus(
      t.client.indices.putIndexTemplate({ name, create: true, index_patterns: `${name}-*`, template: { settings: { number_of_shards: 1 } } }),
      400,
    );
  });

  it("indices.put_index_template/10_basic.yml 'Put index template without index_patterns': 400", async () => {
    const r = await t.raw("PUT", `/_index_template/${t.name("tpl-empty")}`, {});
    expect(r.status).to.equal(400);
  });

  it("indices.put_index_template/10_basic.yml 'Delete multiple templates'", async () => {
    const [foo, bar, baz] = ["foo", "bar", "baz"].map((x) => t.name(`tpl-${x}`)) as [string, string, string];
    for (const name of [foo, bar, baz])
      await t.client.indices.putIndexTemplate({ name, index_patterns: `${name}-*`, template: { settings: { number_of_shards: 1, number_of_replicas: 0 } } });
    for (const name of [bar, baz, foo]) expect((await t.client.indices.getIndexTemplate({ name })).index_templates[0]?.name).to.equal(name);
    await t.client.indices.deleteIndexTemplate({ name: `${foo},${bar}` });
    await expectStatus(t.client.indices.getIndexTemplate({ name: foo }), 404);
    await expectStatus(t.client.indices.getIndexTemplate({ name: bar }), 404);
    expect((await t.client.indices.getIndexTemplate({ name: baz })).index_templates[0]?.name).to.equal(baz);
  });

  it("our case: the first write creates the index from the matching template of highest priority (mappings, settings, aliases, _meta kept)", async () => {
    const base = t.name("auto");
    await t.client.indices.putIndexTemplate({
      name: `${base}-low`,
      index_patterns: [`${base}-*`],
      priority: 100,
      template: { mappings: { properties: { x: { type: "long" } } } },
    });
    await t.client.indices.putIndexTemplate({
      name: `${base}-high`,
      index_patterns: [`${base}-log-*`],
      priority: 200,
      _meta: { managed_by: "tantale", version: 3 },
      template: {
        settings: { number_of_replicas: 0 },
        mappings: { dynamic: "strict", properties: { x: { type: "keyword" } } },
        aliases: { [`${base}-log`]: {} },
      },
    });
    expect((await t.client.indices.getIndexTemplate({ name: `${base}-high` })).index_templates[0]?.index_template._meta).to.deep.equal({
      managed_by: "tantale",
      version: 3,
    });
    const day = `${base}-log-2026.12.03`;
    await t.client.index({ index: day, id: "1", document: { x: "a" } });
    const got = await t.client.indices.get({ index: day });
    expect(got[day]?.mappings?.dynamic).to.equal("strict");
    expect(got[day]?.mappings?.properties?.x).to.deep.equal({ type: "keyword" });
    expect(got[day]?.settings?.index?.number_of_replicas).to.equal("0");
    expect(Object.keys(got[day]?.aliases ?? {})).to.deep.equal([`${base}-log`]);
    await expectStatus(t.client.index({ index: day, id: "2", document: { y: 1 } }), 400, "strict_dynamic_mapping_exception");
    // the other index takes the lower template
    await expectStatus(t.client.index({ index: `${base}-other`, id: "1", document: { x: "not a number" } }), 400, "document_parsing_exception");
  });

  it("our case (retention job): list daily indices by pattern, delete by name; a wildcard delete is refused (8.x action.destructive_requires_name)", async () => {
    const base = t.name("ret");
    await t.client.indices.putIndexTemplate({ name: base, index_patterns: [`${base}-*`], template: { settings: { number_of_replicas: 0 } } });
    for (const d of ["2026.11.01", "2026.11.02", "2026.11.03"]) await t.client.index({ index: `${base}-${d}`, document: { a: 1 } });
    const rows = (await t.client.cat.indices({ index: `${base}-*`, format: "json", h: "index,docs.count" })) as Array<{ index: string; "docs.count": string }>;
    expect(rows.map((r) => r.index).sort()).to.deep.equal([`${base}-2026.11.01`, `${base}-2026.11.02`, `${base}-2026.11.03`]);
    if (t.real) await t.client.indices.refresh({ index: `${base}-*` });
    expect(rows.every((r) => r["docs.count"] === "1" || t.real)).to.equal(true);
    const listed = await t.client.indices.get({ index: `${base}-*` });
    expect(Object.keys(listed).sort()).to.deep.equal(rows.map((r) => r.index).sort());
    const e = await expectStatus(t.client.indices.delete({ index: `${base}-*` }), 400, "illegal_argument_exception");
    expect(e.error.reason).to.equal("Wildcard expressions or all indices are not allowed");
    await t.client.indices.delete({ index: `${base}-2026.11.01,${base}-2026.11.02` });
    expect(Object.keys(await t.client.indices.get({ index: `${base}-*` }))).to.deep.equal([`${base}-2026.11.03`]);
    expect(await t.client.indices.exists({ index: `${base}-2026.11.01` })).to.equal(false);
    expect(await t.client.indices.exists({ index: `${base}-2026.11.03` })).to.equal(true);
    await expectStatus(t.client.indices.delete({ index: `${base}-2026.11.01` }), 404, "index_not_found_exception");
  });

  it("our case: PUT /<index> twice is resource_already_exists_exception; invalid names are refused", async () => {
    const index = t.name("twice");
    await t.client.indices.create({ index });
    await expectStatus(t.client.indices.create({ index }), 400, "resource_already_exists_exception");
    await expectStatus(t.client.indices.create({ index: t.name("UPPER") }), 400, "invalid_index_name_exception");
  });

  it("our case: searching a missing concrete index is a 404, a wildcard matching nothing is an empty answer", async () => {
    await expectStatus(t.client.search({ index: t.name("absent") }), 404, "index_not_found_exception");
    const r = await t.client.search({ index: `${t.name("absent")}-*` });
    expect(r.hits.hits).to.deep.equal([]);
  });

  it("test server: cluster health answers, yellow while an index wants replicas on one node", async function () {
    testServerOnly(t, this);
    const h = await t.client.cluster.health();
    expect(["green", "yellow"]).to.include(h.status);
    expect(await t.client.ping()).to.equal(true);
  });

  it("test server: the template's data_stream is not implemented, and says so (400)", async function () {
    testServerOnly(t, this);
    await expectStatus(
      t.client.indices.putIndexTemplate({ name: t.name("ds"), index_patterns: ["ds-*"], data_stream: {} }),
      400,
      "test_server_unsupported_exception",
    );
  });
});
