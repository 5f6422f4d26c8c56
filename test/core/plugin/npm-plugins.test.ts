import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { container, type InjectionToken } from "tsyringe";
import { PluginLoadError } from "../../../core/errors";
import { PLUGIN_API_VERSION, PLUGIN_KINDS, type ConfigSchema, type Sink } from "../../../core/plugin/api";
import { definePlugin, definitionProblems } from "../../../core/plugin/define";
import { NpmPluginLoader, packageNameFor } from "../../../core/plugin/npm-plugins";
import { SINK } from "../../../core/tokens";
import { REPO_ROOT } from "../../helpers/tantale-process";
import { cleanupTempDirs, makeTempDir } from "../../helpers/temp-dir";

const FIXTURES = path.join(REPO_ROOT, "test", "fixtures", "plugins");
const FIXTURE_MODULES = path.join(FIXTURES, "node_modules");
const CORE_VERSION = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;

/** The PluginLoadError loading `plugin` fails with; fails the test when it loads. */
async function loadFailure(loader: NpmPluginLoader, plugin: string): Promise<PluginLoadError> {
  try {
    const loaded = await loader.load(plugin);
    return expect.fail(`${plugin} loaded from ${loaded.source.type === "npm" ? loaded.source.dir : "?"}`);
  } catch (err) {
    expect(err).to.be.instanceOf(PluginLoadError);
    const e = err as PluginLoadError;
    expect(e.plugin).to.equal(plugin);
    expect(e.message.startsWith(`plugin "${plugin}": `), e.message).to.equal(true);
    return e;
  }
}

/** A plugin dir whose node_modules holds the given packages (name → files, package.json included). */
function makePluginDir(packages: Readonly<Record<string, Readonly<Record<string, string>>>>): string {
  const dir = makeTempDir("tantale-plugins-");
  for (const [pkg, files] of Object.entries(packages)) {
    for (const [name, text] of Object.entries(files)) {
      const file = path.join(dir, "node_modules", pkg, name);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    }
  }
  return dir;
}

function manifest(name: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ name, version: "1.0.0", main: "index.js", peerDependencies: { tantale: "*" }, ...extra });
}

describe("packageNameFor", () => {
  it("prefixes a short name with tantale-plugin-", () => {
    expect(packageNameFor("snmp")).to.equal("tantale-plugin-snmp");
    expect(packageNameFor("slow-file")).to.equal("tantale-plugin-slow-file");
  });

  it("puts the prefix after the scope of a scoped name", () => {
    expect(packageNameFor("@acme/snmp")).to.equal("@acme/tantale-plugin-snmp");
  });

  it("leaves full package names as they are", () => {
    expect(packageNameFor("tantale-plugin-snmp")).to.equal("tantale-plugin-snmp");
    expect(packageNameFor("@acme/tantale-plugin-snmp")).to.equal("@acme/tantale-plugin-snmp");
  });
});

describe("NpmPluginLoader", () => {
  after(() => cleanupTempDirs());

  const loader = new NpmPluginLoader([FIXTURES]);

  it("searches the plugin dirs first, then Tantale's own folder", () => {
    expect(loader.lookupDirs).to.deep.equal([FIXTURES, REPO_ROOT]);
  });

  describe("loading", () => {
    it("loads the example plugin by its short name", async () => {
      const plugin = await loader.load("example");
      expect(plugin.source).to.deep.equal({
        type: "npm",
        package: "tantale-plugin-example",
        version: "1.0.0",
        dir: path.join(FIXTURE_MODULES, "tantale-plugin-example"),
      });
      expect(plugin.definition.name).to.equal("example");
      expect(plugin.definition.kind).to.equal("input");
      expect(plugin.definition.apiVersion).to.equal(PLUGIN_API_VERSION);
      expect(plugin.definition.create).to.be.a("function");
      expect(Object.keys(plugin.definition.schema)).to.deep.equal(["bind", "port", "greeting"]);
      expect(definitionProblems(plugin.definition)).to.deep.equal([]);
    });

    it("loads the example plugin by its full package name too", async () => {
      const plugin = await loader.load("tantale-plugin-example");
      expect(plugin.source).to.include({ type: "npm", package: "tantale-plugin-example", version: "1.0.0" });
      expect(plugin.definition.name).to.equal("example");
    });

    it("loads a scoped plugin whose default export is transpiled ESM", async () => {
      const plugin = await loader.load("@tantale-test/slow-file");
      expect(plugin.source).to.deep.equal({
        type: "npm",
        package: "@tantale-test/tantale-plugin-slow-file",
        version: "0.3.0",
        dir: path.join(FIXTURE_MODULES, "@tantale-test", "tantale-plugin-slow-file"),
      });
      expect(plugin.definition.name).to.equal("slow-file");
      expect(plugin.definition.kind).to.equal("output");
    });

    it("gives a plugin Tantale's tsyringe and tantale even when its folder holds its own", async () => {
      const plugin = await loader.load("bundled");
      expect(plugin.definition.name).to.equal("bundled");
      expect(plugin.definition.description).to.equal(`Brings its own tsyringe and tantale; runs on tantale ${CORE_VERSION}.`);
      // Constructed by Tantale's container: its @injectable() went to Tantale's tsyringe.
      const sink = { accept: () => undefined } as unknown as Sink;
      const child = container.createChildContainer();
      child.register(SINK, { useValue: sink });
      expect(child.resolve(plugin.definition.create as unknown as InjectionToken<{ sink: Sink }>).sink).to.equal(sink);
    });

    it("loads a plugin installed as a symlink to its author's folder (npm install ../folder)", async () => {
      const author = makeTempDir("tantale-author-");
      fs.cpSync(path.join(FIXTURE_MODULES, "tantale-plugin-bundled"), author, { recursive: true });
      const pluginDir = makeTempDir("tantale-plugins-");
      fs.mkdirSync(path.join(pluginDir, "node_modules"));
      fs.symlinkSync(author, path.join(pluginDir, "node_modules", "tantale-plugin-bundled"), "dir");
      const plugin = await new NpmPluginLoader([pluginDir]).load("bundled");
      expect(plugin.source).to.include({ package: "tantale-plugin-bundled", dir: path.join(pluginDir, "node_modules", "tantale-plugin-bundled") });
      const child = container.createChildContainer();
      child.register(SINK, { useValue: {} as Sink });
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- tsc needs it (a PluginClass union is no InjectionToken to it); the rule's view of the type differs
      expect(() => child.resolve(plugin.definition.create as InjectionToken<unknown>)).not.to.throw();
    });

    it("takes a package from an earlier search dir over a later one", async () => {
      const shadow = makePluginDir({
        "tantale-plugin-example": {
          "package.json": manifest("tantale-plugin-example", { version: "2.0.0" }),
          "index.js": [
            '"use strict";',
            'const { definePlugin } = require("tantale");',
            "class Shadow { async start() {} async stop() {} }",
            'module.exports = definePlugin({ name: "example", kind: "input", description: "shadowing copy", schema: {}, create: Shadow });',
          ].join("\n"),
        },
      });
      const plugin = await new NpmPluginLoader([shadow, FIXTURES]).load("example");
      expect(plugin.source).to.include({ version: "2.0.0", dir: path.join(shadow, "node_modules", "tantale-plugin-example") });
      expect(plugin.definition.description).to.equal("shadowing copy");
    });
  });

  describe("refusals", () => {
    it("says which package it looked for, where, and how to install it, when there is none", async () => {
      const err = await loadFailure(loader, "nosuchplugin");
      expect(err.message).to.include("tantale-plugin-nosuchplugin");
      expect(err.message).to.include("npm install tantale-plugin-nosuchplugin");
      expect(err.message).to.include(FIXTURE_MODULES);
      expect(err.message).to.include(path.join(REPO_ROOT, "node_modules"));
    });

    it("gives the scoped package name of a scoped plugin that is not installed", async () => {
      const err = await loadFailure(loader, "@acme/snmp");
      expect(err.message).to.include("npm install @acme/tantale-plugin-snmp");
    });

    it("refuses a package whose default export is no plugin definition", async () => {
      const err = await loadFailure(loader, "not-a-plugin");
      expect(err.message).to.include("tantale-plugin-not-a-plugin is not a Tantale plugin");
      expect(err.message).to.include("definePlugin");
    });

    it("refuses a plugin built for another plugin API, naming both versions", async () => {
      const err = await loadFailure(loader, "future");
      expect(err.message).to.include("tantale-plugin-future");
      expect(err.message).to.match(/plugin API 99\b/);
      expect(err.message).to.match(new RegExp(`plugin API ${PLUGIN_API_VERSION}\\b`));
      expect(PLUGIN_API_VERSION).to.equal(1);
    });

    it("names the module a plugin fails to find", async () => {
      const err = await loadFailure(loader, "missing-dep");
      expect(err.message).to.include("tantale-plugin-missing-dep failed to load");
      expect(err.message).to.include("a module it needs is missing: tantale-fixture-absent-dependency");
      expect(err.cause).to.be.instanceOf(Error);
    });

    it("refuses a plugin whose tantale range excludes this Tantale, naming both", async () => {
      const err = await loadFailure(loader, "old-core");
      expect(err.message).to.include(`tantale-plugin-old-core@1.0.0 needs tantale >=42.0.0, this is tantale ${CORE_VERSION}`);
    });

    it("refuses a package whose package.json names another package", async () => {
      const dir = makePluginDir({ "tantale-plugin-renamed": { "package.json": manifest("tantale-plugin-other-name"), "index.js": "module.exports = {};" } });
      const err = await loadFailure(new NpmPluginLoader([dir]), "renamed");
      expect(err.message).to.include("package.json of tantale-plugin-renamed names tantale-plugin-other-name");
    });

    it("refuses a package without a loadable entry point", async () => {
      const dir = makePluginDir({ "tantale-plugin-no-main": { "package.json": manifest("tantale-plugin-no-main", { main: "lib/missing.js" }) } });
      const err = await loadFailure(new NpmPluginLoader([dir]), "no-main");
      expect(err.message).to.include("tantale-plugin-no-main has no loadable entry point");
    });

    it("refuses a package whose entry point throws, with the error", async () => {
      const dir = makePluginDir({
        "tantale-plugin-throws": { "package.json": manifest("tantale-plugin-throws"), "index.js": 'throw new Error("boom at import");' },
      });
      const err = await loadFailure(new NpmPluginLoader([dir]), "throws");
      expect(err.message).to.include("tantale-plugin-throws failed to load: boom at import");
    });

    it("refuses a definition of the right API version that is malformed, listing its problems", async () => {
      const dir = makePluginDir({
        "tantale-plugin-malformed": {
          "package.json": manifest("tantale-plugin-malformed"),
          "index.js": 'module.exports = { apiVersion: 1, name: "Mal_Formed", kind: "filter", description: "", schema: {}, create: class {} };',
        },
      });
      const err = await loadFailure(new NpmPluginLoader([dir]), "malformed");
      expect(err.message).to.include("tantale-plugin-malformed exports an invalid plugin definition");
      expect(err.message).to.include("name must be kebab-case");
      expect(err.message).to.include("kind must be one of");
      expect(err.message).to.include("description is required");
    });
  });

  describe("installed", () => {
    it("lists the fixture plugin packages with their folders, scoped ones included", () => {
      const found = loader.installed();
      const expected = [
        "@tantale-test/tantale-plugin-slow-file",
        "tantale-plugin-bundled",
        "tantale-plugin-example",
        "tantale-plugin-future",
        "tantale-plugin-missing-dep",
        "tantale-plugin-not-a-plugin",
        "tantale-plugin-old-core",
      ];
      expect(found).to.deep.include.members(expected.map((pkg) => ({ package: pkg, dir: path.join(FIXTURE_MODULES, pkg) })));
    });

    it("lists only tantale-plugin-* packages, each once", () => {
      const names = loader.installed().map((p) => p.package);
      expect(names).not.to.include("tsyringe");
      for (const name of names) expect(name).to.match(/^(@[^/]+\/)?tantale-plugin-/);
      expect(new Set(names).size).to.equal(names.length);
    });

    it("lists a package present in two search dirs once, from the first", () => {
      const shadow = makePluginDir({ "tantale-plugin-example": { "package.json": manifest("tantale-plugin-example") } });
      const found = new NpmPluginLoader([shadow, FIXTURES]).installed().filter((p) => p.package === "tantale-plugin-example");
      expect(found).to.deep.equal([{ package: "tantale-plugin-example", dir: path.join(shadow, "node_modules", "tantale-plugin-example") }]);
    });

    it("skips search dirs that do not exist", () => {
      const missing = path.join(makeTempDir(), "nowhere");
      const names = new NpmPluginLoader([missing]).installed().map((p) => p.package);
      expect(names).not.to.include("tantale-plugin-example");
    });
  });
});

describe("definePlugin and definitionProblems", () => {
  class Dummy {
    // definePlugin checks at compile time that the class takes its schema's options.
    constructor(readonly config: { readonly port: number; readonly mode: "a" | "b" }) {}
    async start(): Promise<void> {}
    async stop(): Promise<void> {}
  }
  const valid = {
    name: "my-plugin2",
    kind: "input",
    description: "A test plugin.",
    schema: {
      port: { doc: "a port", format: "port", default: 0 },
      mode: { doc: "a mode", format: ["a", "b"], default: "a" },
      tls: { ca_file: { doc: "CA", format: "string", default: "" } },
    },
    create: Dummy,
  } as const;

  /** definePlugin's error for `overrides` applied to a valid definition. */
  function defineError(overrides: Record<string, unknown>): TypeError {
    try {
      definePlugin({ ...valid, ...overrides });
    } catch (err) {
      expect(err).to.be.instanceOf(TypeError);
      return err as TypeError;
    }
    return expect.fail("the definition was accepted");
  }

  function problemsOf(overrides: Record<string, unknown>): string[] {
    return definitionProblems({ ...valid, apiVersion: PLUGIN_API_VERSION, ...overrides });
  }

  function withSchema(schema: ConfigSchema | Record<string, unknown>): string[] {
    return problemsOf({ schema });
  }

  it("accepts a valid definition, frozen and with the current API version", () => {
    const def = definePlugin(valid);
    expect(def.apiVersion).to.equal(PLUGIN_API_VERSION);
    expect(def.name).to.equal("my-plugin2");
    expect(Object.isFrozen(def)).to.equal(true);
    expect(definitionProblems(def)).to.deep.equal([]);
  });

  for (const name of ["Bad", "bad_name", "-bad", "bad-", "bad--name", "1bad", "", "my plugin"]) {
    it(`rejects the name ${JSON.stringify(name)}`, () => {
      const err = defineError({ name });
      expect(err.message).to.include(`invalid plugin definition "${name}"`);
      expect(err.message).to.include("name must be kebab-case");
    });
  }

  it("rejects a name that is no string", () => {
    expect(problemsOf({ name: 42 })).to.deep.equal(["name must be kebab-case"]);
  });

  it("rejects an unknown kind, listing the kinds", () => {
    const err = defineError({ kind: "filter" });
    expect(err.message).to.include(`kind must be one of ${PLUGIN_KINDS.join(", ")}`);
    for (const kind of PLUGIN_KINDS) expect(problemsOf({ kind })).to.deep.equal([]);
  });

  it("rejects a missing description and a create that is no class", () => {
    expect(problemsOf({ description: "" })).to.deep.equal(["description is required"]);
    expect(problemsOf({ create: {} })).to.deep.equal(["create must be a class"]);
  });

  it("rejects an apiVersion that is no number", () => {
    expect(problemsOf({ apiVersion: "1" })).to.deep.equal(["apiVersion must be a number"]);
  });

  it("rejects something that is no object", () => {
    expect(definitionProblems(null)).to.deep.equal(["not an object"]);
    expect(definitionProblems("plugin")).to.deep.equal(["not an object"]);
  });

  it("rejects a schema that is no object", () => {
    expect(problemsOf({ schema: null })).to.deep.equal(["schema must be an object"]);
  });

  it("rejects an option without a doc", () => {
    expect(withSchema({ port: { format: "port", default: 0 } })).to.deep.equal(["option port needs a doc"]);
    expect(withSchema({ port: { doc: "", format: "port", default: 0 } })).to.deep.equal(["option port needs a doc"]);
    const err = defineError({ schema: { port: { format: "port", default: 0 } } });
    expect(err.message).to.include("option port needs a doc");
  });

  it("rejects an option without a default", () => {
    expect(withSchema({ port: { doc: "a port", format: "port" } })).to.deep.equal(["option port needs a default"]);
  });

  it("rejects an unknown format, listing the known ones", () => {
    const problems = withSchema({ email: { doc: "an address", format: "email", default: "" } });
    expect(problems).to.have.length(1);
    expect(problems[0]).to.include('option email has format "email"');
    expect(problems[0]).to.include("bool, integer, port");
    expect(withSchema({ email: { doc: "an address", default: "" } })[0]).to.include("option email has format undefined");
  });

  it("names nested options by their dotted key", () => {
    expect(withSchema({ tls: { ca_file: { format: "string", default: "" } } })).to.deep.equal(["option tls.ca_file needs a doc"]);
  });

  for (const key of ["plugin", "enabled", "log_level", "batch_size", "flush_interval", "retry_max_delay"]) {
    it(`rejects the reserved key ${key}`, () => {
      const problems = withSchema({ [key]: { doc: "mine", format: "string", default: "" } });
      expect(problems).to.deep.equal([`option ${key} is reserved for the core`]);
      expect(defineError({ schema: { [key]: { doc: "mine", format: "string", default: "" } } }).message).to.include(`option ${key} is reserved for the core`);
    });
  }

  it("allows a reserved name inside a section", () => {
    expect(withSchema({ tls: { enabled: { doc: "use TLS", format: "bool", default: false } } })).to.deep.equal([]);
  });

  it("lists every problem, joined in definePlugin's message", () => {
    const err = defineError({
      name: "Bad",
      kind: "filter",
      schema: { batch_size: { doc: "x", format: "integer", default: 1 }, x: { default: 1, format: "integer" } },
    });
    expect(err.message).to.include("name must be kebab-case; kind must be one of");
    expect(err.message).to.include("option batch_size is reserved for the core");
    expect(err.message).to.include("option x needs a doc");
  });
});
