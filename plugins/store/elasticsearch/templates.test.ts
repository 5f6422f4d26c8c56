import { expect } from "chai";
import { RecordingLogger } from "../../../test/core/pipeline/support";
import { indexNames, LOG_TEXT_INDEXED_CHARS, toLogDocument, toStateDocument } from "./documents";
import { indexTemplates, installTemplates, TEMPLATE_VERSION } from "./templates";
import { alert, MockCluster, state } from "./test-kit";

const names = indexNames("acme");

type Props = Record<string, Record<string, unknown>>;
function properties(name: string): Props {
  const t = indexTemplates(names).find((x) => x.name === name)!;
  return (t.body.template.mappings as { properties: Props }).properties;
}

describe("elasticsearch index templates", () => {
  it("has one composable template per index kind, with strict mappings and a version", () => {
    const ts = indexTemplates(names);
    expect(ts.map((t) => [t.name, t.body.index_patterns])).to.deep.equal([
      ["acme-state", ["acme-state"]],
      ["acme-records", ["acme-records"]],
      ["acme-log", ["acme-log-*"]],
    ]);
    for (const t of ts) {
      expect(t.body._meta).to.deep.equal({ managed_by: "tantale", version: TEMPLATE_VERSION });
      expect(t.body.template.mappings).to.include({ dynamic: "strict" });
      expect(t.body.priority).to.be.greaterThan(100);
    }
  });

  it("maps every field the writer sends, and no other (strict: an unmapped field would be refused)", () => {
    const stateDoc = toStateDocument(state("h", "c", { acknowledgement: { type: 1, author: "a", comment: "c", time: 1, expireTime: 0 } }), "n");
    expect(Object.keys(properties("acme-state")).sort()).to.deep.equal(Object.keys(stateDoc).sort());
    expect(Object.keys(properties("acme-state").acknowledgement!.properties as Props).sort()).to.deep.equal(Object.keys(stateDoc.acknowledgement!).sort());
    expect(Object.keys(properties("acme-log")).sort()).to.deep.equal(Object.keys(toLogDocument(alert("h", "c", 1), "n")).sort());
    expect(Object.keys(properties("acme-records")).sort()).to.deep.equal(["check", "hostname", "kind", "node", "record", "record_id"]);
  });

  it("uses keywords for what is searched, ignore_above on long texts, and stored-only objects for custom variables and records", () => {
    const log = properties("acme-log");
    for (const f of ["hostname", "check", "type", "state_type", "id", "node"]) expect(log[f], f).to.deep.equal({ type: "keyword" });
    expect(log.output).to.deep.equal({ type: "keyword", ignore_above: LOG_TEXT_INDEXED_CHARS });
    expect(log.message).to.deep.equal({ type: "keyword", ignore_above: 8191 });
    expect(log.time).to.deep.equal({ type: "double" });
    const st = properties("acme-state");
    expect(st.custom_variables).to.deep.equal({ type: "object", enabled: false });
    expect(st.output).to.deep.equal({ type: "keyword", ignore_above: 8191 });
    expect(st.long_output).to.deep.equal({ type: "keyword", index: false, doc_values: false });
    expect(properties("acme-records").record).to.deep.equal({ type: "object", enabled: false });
  });

  it("installs missing templates, leaves current ones, upgrades older ones and keeps newer ones, logging each change", async () => {
    const cluster = new MockCluster();
    const client = cluster.client();
    const log = new RecordingLogger();
    const first = await installTemplates(client, names, log, 1000);
    expect([...first.values()]).to.deep.equal(["installed", "installed", "installed"]);
    expect(cluster.templates.get("acme-log")).to.deep.equal(indexTemplates(names)[2]!.body);

    const puts = () => cluster.requests.filter((r) => r.method === "PUT").length;
    expect(puts()).to.equal(3);
    const again = await installTemplates(client, names, log, 1000);
    expect([...again.values()]).to.deep.equal(["current", "current", "current"]);
    expect(puts()).to.equal(3);

    cluster.templates.set("acme-state", { _meta: { version: TEMPLATE_VERSION - 1 } });
    cluster.templates.set("acme-log", { _meta: { version: TEMPLATE_VERSION + 1 } });
    log.entries.length = 0;
    const third = await installTemplates(client, names, log, 1000);
    expect(Object.fromEntries(third)).to.deep.equal({ "acme-state": "upgraded", "acme-records": "current", "acme-log": "newer" });
    expect(puts()).to.equal(4);
    expect(log.entries.map((e) => [e.level, e.msg, e.fields.template])).to.deep.equal([
      ["info", "index template upgraded: it applies to indices created from now on", "acme-state"],
      ["warn", "index template written by a newer Tantale: left as it is", "acme-log"],
    ]);
  });
});
