import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { REPO_ROOT } from "../helpers/tantale-process";

/** The protocol notes that code comments cite by name: each is docs/<name>. */
const CITED_DOCS = ["livestatus.md", "inputs.md", "client-queries.md", "reference-answers.md"];
const SOURCE_DIRS = ["core", "plugins", "test", "scripts"];
const SOURCE_FILE = /\.(ts|mts|cts|js|mjs|cjs)$/;

/** A section number after a doc's name: `§4.5`, `§ 2`, or a bare dotted `1.4` ("inputs.md 1.4 and 2.1"). */
const SECTION = String.raw`(?:§\s?\d+(?:\.\d+)*|\d+\.\d+)`;
const CITATION = new RegExp(String.raw`\b(${CITED_DOCS.map((d) => d.replace(".", String.raw`\.`)).join("|")})((?:(?:\s|,\s?|\s(?:and|or)\s)${SECTION})*)`, "g");

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules") files.push(...sourceFiles(full));
    } else if (SOURCE_FILE.test(entry.name)) files.push(full);
  }
  return files;
}

/** Every `<doc> §N` cited in the sources, with where. */
function citations(): { doc: string; section: string | undefined; where: string }[] {
  const found: { doc: string; section: string | undefined; where: string }[] = [];
  for (const file of SOURCE_DIRS.flatMap((d) => sourceFiles(path.join(REPO_ROOT, d)))) {
    const lines = fs.readFileSync(file, "utf8").split("\n");
    lines.forEach((line, i) => {
      for (const m of line.matchAll(CITATION)) {
        const where = `${path.relative(REPO_ROOT, file)}:${i + 1}`;
        const sections = [...(m[2] ?? "").matchAll(/\d+(?:\.\d+)*/g)].map((s) => s[0]);
        if (sections.length === 0) found.push({ doc: m[1]!, section: undefined, where });
        for (const section of sections) found.push({ doc: m[1]!, section, where });
      }
    });
  }
  return found;
}

describe("docs/: every protocol note cited in code is in the repo", () => {
  const cited = citations();

  it("finds the citations (the scan works)", () => {
    expect(cited.filter((c) => c.doc === "livestatus.md" && c.section !== undefined).length).to.be.above(10);
  });

  it("has docs/<name> for every note cited, with a numbered heading for every section cited", () => {
    const missing: string[] = [];
    for (const { doc, section, where } of cited) {
      const file = path.join(REPO_ROOT, "docs", doc);
      if (!fs.existsSync(file)) {
        missing.push(`${where}: docs/${doc} does not exist`);
        continue;
      }
      if (section === undefined) continue;
      const heading = new RegExp(String.raw`^#{1,6} ${section.replace(/\./g, String.raw`\.`)}\.? `, "m");
      if (!heading.test(fs.readFileSync(file, "utf8"))) missing.push(`${where}: docs/${doc} has no heading "${section}"`);
    }
    expect(missing, missing.join("\n")).to.deep.equal([]);
  });
});
