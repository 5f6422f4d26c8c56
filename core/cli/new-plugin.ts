/**
 * `tantale new-plugin <name> --kind input|output|table`: writes a plugin package that builds
 * and passes its own test as it is, from the templates in core/cli/new-plugin/templates/
 * (shipped by npm pack). Its `tantale` dev dependency is a `file:` link to this Tantale.
 */
import fs from "node:fs";
import path from "node:path";
import type { ConfigSchema } from "../plugin/api";
import { installRoot } from "../plugin/peer-resolution";
import { commonSchemaFor } from "../config/common-schema";
import { optionRows } from "./options-table";

export const NEW_PLUGIN_KINDS = ["input", "output", "table"] as const;
export type NewPluginKind = (typeof NEW_PLUGIN_KINDS)[number];

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const TEMPLATES = path.join(installRoot(), "core", "cli", "new-plugin", "templates");

/** Template file (in common/ or the kind's folder) → the file it becomes in the package. */
const COMMON_FILES: Readonly<Record<string, string>> = {
  "package.json.tmpl": "package.json",
  "tsconfig.json.tmpl": "tsconfig.json",
  "gitignore.tmpl": ".gitignore",
  "README.md.tmpl": "README.md",
};
const KIND_FILES: Readonly<Record<string, string>> = {
  "index.ts.tmpl": "src/index.ts",
  "schema.ts.tmpl": "src/schema.ts",
  "check.mjs.tmpl": "test/plugin.test.mjs",
  "example.conf.tmpl": "{{name}}.conf",
};

export class NewPluginError extends Error {}

export interface NewPluginRequest {
  readonly name: string;
  readonly kind: string;
  /** Where the package goes (default: ./tantale-plugin-<name>), relative to `cwd`. */
  readonly dir?: string;
  readonly cwd: string;
}

/** Writes the package; returns its folder and the files written (relative to it). */
export function writePluginPackage(request: NewPluginRequest): { readonly dir: string; readonly files: readonly string[] } {
  const { name, kind } = request;
  if (!NAME.test(name))
    throw new NewPluginError(
      `the name ${JSON.stringify(name)} is not kebab-case (a-z, 0-9 and single dashes, starting with a letter): it is the plugin's name in conf files`,
    );
  if (!(NEW_PLUGIN_KINDS as readonly string[]).includes(kind))
    throw new NewPluginError(`--kind must be one of ${NEW_PLUGIN_KINDS.join(", ")}, not ${JSON.stringify(kind)}`);
  const pkg = `tantale-plugin-${name}`;
  const dir = path.resolve(request.cwd, request.dir ?? pkg);
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0) throw new NewPluginError(`${dir} exists and is not empty: choose another --dir`);

  const vars = variables(name, kind as NewPluginKind, pkg, dir);
  const kindInfo = JSON.parse(fill(fs.readFileSync(path.join(TEMPLATES, kind, "kind.json"), "utf8"), vars)) as { description: string; schema: ConfigSchema };
  vars.description = kindInfo.description;
  vars.schemaEntries = schemaEntries(kindInfo.schema);
  vars.optionsTable = [
    ...optionRows(kindInfo.schema),
    ...(kind === "output" ? optionRows(commonSchemaFor("output")).filter((r) => !(r.key in commonSchemaFor("input"))) : []),
  ]
    .map((r) => `| \`${r.key}\` | \`${r.default}\` | ${r.range === "" ? r.format : `${r.format}, ${r.range}`} | ${r.doc} |`)
    .join("\n");
  vars.commonKeys = kind === "output" ? " (`batch_size`, `flush_interval` and `retry_max_delay` are applied by the core to every output)" : "";
  vars.exampleConf = fill(fs.readFileSync(path.join(TEMPLATES, kind, "example.conf.tmpl"), "utf8"), vars);

  const written: string[] = [];
  const write = (folder: string, files: Readonly<Record<string, string>>) => {
    for (const [template, target] of Object.entries(files)) {
      const rel = fill(target, vars);
      const file = path.join(dir, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, fill(fs.readFileSync(path.join(TEMPLATES, folder, template), "utf8"), vars), { flag: "wx" });
      written.push(rel);
    }
  };
  write("common", COMMON_FILES);
  write(kind, KIND_FILES);
  return { dir, files: written };
}

function variables(name: string, kind: NewPluginKind, pkg: string, dir: string): Record<string, string> {
  const root = installRoot();
  const version = (JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { version: string }).version;
  const [major = 0, minor = 0] = version.split(".").map(Number);
  // The versions whose plugin API this one keeps: up to the next major (0.x: from this minor on).
  const range = major === 0 ? `>=0.${minor}.0 <1` : `>=${major}.${minor}.0 <${major + 1}`;
  const link = path.relative(dir, root).split(path.sep).join("/");
  return {
    name,
    NAME: name.toUpperCase(),
    className: name
      .split("-")
      .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
      .join(""),
    kind,
    package: pkg,
    tantaleRange: range,
    tantaleSpec: `file:${link === "" ? "." : link}`,
  };
}

/** Replaces every `{{key}}`; an unknown key is a bug of the templates. */
function fill(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const value = vars[key];
    if (value === undefined) throw new Error(`template variable {{${key}}} has no value`);
    return value;
  });
}

/** The schema as the lines of a TypeScript object literal. */
function schemaEntries(schema: ConfigSchema): string {
  return Object.entries(schema)
    .map(
      ([key, o]) =>
        `  ${key}: { ${Object.entries(o)
          .map(([k, v]) => `${k}: ${k === "default" && typeof v === "number" && v >= 10_000 ? v.toLocaleString("en").replaceAll(",", "_") : JSON.stringify(v)}`)
          .join(", ")} },`,
    )
    .join("\n");
}
