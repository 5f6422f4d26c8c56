import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { REPO_ROOT } from "../helpers/tantale-process";

/** Every .ts file below `dir`, relative to the repo. */
function sources(dir: string): string[] {
  return fs.readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    return e.isDirectory() ? sources(rel) : e.name.endsWith(".ts") ? [rel] : [];
  });
}

/** The module specifiers a file imports or re-exports. */
function specifiers(file: string): string[] {
  const text = fs.readFileSync(path.join(REPO_ROOT, file), "utf8");
  return [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+"([^"]+)"/gm)].map((m) => m[1]!);
}

/**
 * The built-in tables are written as a third-party table would be: core only through the
 * package entry (core/index.ts), no tsyringe (defineTable keeps the wiring in core).
 */
describe("the built-in table plugins use only the public API", () => {
  const files = sources(path.join("plugins", "table"));

  it("finds the table plugins' sources", () => {
    expect(files.length).to.be.greaterThan(40);
  });

  it("imports core only through the package entry, and no package but test tools", () => {
    const offenders: string[] = [];
    for (const file of files) {
      for (const spec of specifiers(file)) {
        if (!spec.startsWith(".")) {
          if (!["chai", "node:fs", "node:path"].includes(spec)) offenders.push(`${file}: ${spec}`);
          continue;
        }
        const target = path.relative(REPO_ROOT, path.resolve(REPO_ROOT, path.dirname(file), spec));
        if (target.startsWith(`core${path.sep}`)) offenders.push(`${file}: ${spec}`);
      }
    }
    expect(offenders, "imports to replace by the package entry (core/index.ts)").to.deep.equal([]);
  });
});
