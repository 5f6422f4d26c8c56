import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { parseConf } from "../../../core/config/conf-file";
import { validateOptions } from "../../../core/config/validate-options";
import { optionRows } from "../../../core/cli/options-table";
import { commonSchemaFor } from "../../../core/config/common-schema";
import plugin from "./index";
import { elasticsearchSchema } from "./schema";

const FILE = "elasticsearch.conf";

function validate(text: string): ReturnType<typeof validateOptions> {
  return validateOptions(FILE, parseConf(FILE, text, {}).entries, { ...commonSchemaFor("store"), ...elasticsearchSchema });
}

function problems(text: string): string[] {
  const r = validate(text);
  return r.ok ? [] : r.problems.map((p) => `${p.key ?? "-"}: ${p.message}`);
}

describe("elasticsearch options", () => {
  it("has the defaults the README lists", () => {
    const r = validate("");
    expect(r.ok).to.equal(true);
    if (!r.ok) return;
    expect(r.values).to.deep.include({
      nodes: ["http://localhost:9200"],
      index_prefix: "tantale",
      node_name: "",
      flush_bytes: 5 * 1024 * 1024,
      replay_interval: 0,
      request_timeout: 30_000,
      log_retention: 31,
      spool_max_bytes: 1024 ** 3,
      spool_segment_bytes: 16 * 1024 * 1024,
      spool_fsync: "always",
      tls_verify: true,
    });
    expect(plugin.name).to.equal("elasticsearch");
    expect(plugin.kind).to.equal("store");
  });

  it("refuses what cannot work, at load", () => {
    expect(problems("nodes = es1:9200")).to.deep.equal(['nodes: "es1:9200": the scheme must be http or https']);
    expect(problems("nodes = https://user:pw@es1:9200")).to.deep.equal(['nodes: "es1:9200": credentials go in api_key or username/password, not in the URL']);
    expect(problems("api_key = abc\nusername = u\npassword = p")).to.deep.equal(["api_key: give api_key or username/password, not both"]);
    expect(problems("username = u")).to.deep.equal(["username: needs a password"]);
    expect(problems("index_prefix = Tantale")).to.have.length(1);
    expect(problems("index_prefix = -x")).to.have.length(1);
    expect(problems("node_name = a/b")).to.deep.equal(["node_name: must not hold '/' or white space"]);
    expect(problems("flush_bytes = 1KiB")[0]).to.match(/^flush_bytes: must be /);
    expect(problems("spool_max_bytes = 2MiB\nspool_segment_bytes = 4MiB")).to.deep.equal(["spool_segment_bytes: must not be larger than spool_max_bytes"]);
    expect(problems("spool_fsync = sometimes")).to.have.length(1);
  });

  it("marks the secrets sensitive: never shown in the options table, nor in the errors about them", () => {
    const secret = "pa55-word-xyz";
    const rows = optionRows({ ...elasticsearchSchema, api_key: { ...elasticsearchSchema.api_key, default: secret } });
    expect(rows.find((r) => r.key === "api_key")!.default).to.equal("(hidden)");
    expect(elasticsearchSchema.password.sensitive).to.equal(true);
    // A refused password is named, never printed.
    const text = problems(`password = ${secret}`).join("\n");
    expect(text).to.equal("password: needs a username");
    expect(text).not.to.include(secret);
  });

  it("lists every option in the README's options table", () => {
    const readme = fs.readFileSync(path.join(__dirname, "..", "..", "..", "..", "plugins", "store", "elasticsearch", "README.md"), "utf8");
    for (const key of Object.keys(elasticsearchSchema)) expect(readme, key).to.include(`| \`${key}\` |`);
  });

  it("ships an example conf file that validates, disabled (SQLite stays the default store)", () => {
    for (const file of [
      path.join(__dirname, "..", "..", "..", "..", "conf.d", "elasticsearch.conf"),
      path.join(__dirname, "..", "..", "..", "..", "plugins", "store", "elasticsearch", "elasticsearch.conf"),
    ]) {
      const r = validate(fs.readFileSync(file, "utf8"));
      expect(r.ok, `${file}: ${JSON.stringify(r)}`).to.equal(true);
      if (r.ok && file.includes("conf.d")) expect(r.values.enabled).to.equal(false);
    }
  });
});
