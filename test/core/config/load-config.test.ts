import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { loadConfiguration, type Configuration, type InstanceSpec, type LoadOptions } from "../../../core/config/load-config";
import { ConfigError } from "../../../core/errors";
import { BUILT_IN_PLUGINS } from "../../../plugins";
import { REPO_ROOT } from "../../helpers/tantale-process";
import { cleanupTempDirs, makeConfDir, makeTempDir } from "../../helpers/temp-dir";

const FIXTURE_PLUGINS = path.join(REPO_ROOT, "test", "fixtures", "plugins");
/** A tantale.conf line that makes the fixture npm plugins (example, ...) loadable. */
const PLUGIN_DIR_LINE = `plugin_dir = ${FIXTURE_PLUGINS}\n`;

/**
 * The built-ins a conf file has to name. The ones enabled by default (the Livestatus tables)
 * are left out here so that the instance lists below show only the files; the "enabled by
 * default" tests use the full list.
 */
const NAMED_BUILT_INS = BUILT_IN_PLUGINS.filter((d) => d.defaultEnabled !== true);

function load(confDir: string, extra: Partial<LoadOptions> = {}): Promise<Configuration> {
  return loadConfiguration({ confDir, builtIns: NAMED_BUILT_INS, env: {}, ...extra });
}

/** The ConfigError a conf dir is refused with; fails the test when it loads. */
async function refusal(confDir: string, extra: Partial<LoadOptions> = {}): Promise<ConfigError> {
  let config: Configuration;
  try {
    config = await load(confDir, extra);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return err as ConfigError;
  }
  return expect.fail(`the conf dir loaded: ${config.instances.map((i) => i.id).join(", ")}`);
}

function instance(config: Configuration, id: string): InstanceSpec {
  const spec = config.instances.find((i) => i.id === id);
  if (spec === undefined) return expect.fail(`no instance ${id} among ${config.instances.map((i) => i.id).join(", ")}`);
  return spec;
}

describe("loadConfiguration", () => {
  after(() => cleanupTempDirs());

  describe("discovery", () => {
    it("makes one instance of every *.conf file, in file-name order", async () => {
      const dir = makeConfDir({
        // neither the creation order nor its reverse is the sorted order
        "mid.conf": "plugin = file\n",
        "zeta.conf": "plugin = internal\n",
        "alpha.conf": "plugin = internal\n",
        "internal.conf": "",
      });
      const config = await load(dir);
      expect(config.instances.map((i) => i.id)).to.deep.equal(["alpha", "internal", "mid", "zeta"]);
      expect(config.disabled).to.deep.equal([]);
      for (const spec of config.instances) expect(spec.file).to.equal(path.join(dir, `${spec.id}.conf`));
    });

    it("sorts by name whatever order the folder lists its files in", async () => {
      const dir = makeConfDir({ "b.conf": "plugin = file\n", "c.conf": "plugin = file\n", "a.conf": "plugin = file\n" });
      // some file systems list entries sorted already: hand them over in reverse to see the sort
      const original = fs.readdirSync;
      const reversed = ((p: fs.PathLike, ...rest: unknown[]) => {
        const names = (original as (...a: unknown[]) => string[])(p, ...rest);
        return p === dir ? [...names].sort().reverse() : names;
      }) as typeof fs.readdirSync;
      fs.readdirSync = reversed;
      try {
        const config = await load(dir);
        expect(config.instances.map((i) => i.id)).to.deep.equal(["a", "b", "c"]);
      } finally {
        fs.readdirSync = original;
      }
    });

    it("ignores dotfiles and files with other extensions, even when they are not valid", async () => {
      const dir = makeConfDir({
        "file.conf": "",
        ".hidden.conf": "this is no conf line\n",
        "README.txt": "this is no conf line\n",
        "file.conf.bak": "this is no conf line\n",
        "internal.conf.disabled": "garbage\n",
        conf: "garbage\n",
      });
      const config = await load(dir);
      expect(config.instances.map((i) => i.id)).to.deep.equal(["file"]);
    });

    it("loads an empty conf dir into no instances and the daemon defaults", async () => {
      const config = await load(makeTempDir());
      expect(config.instances).to.deep.equal([]);
      expect(config.disabled).to.deep.equal([]);
      expect(config.daemon).to.deep.equal({
        log_level: "info",
        log_format: "auto",
        queue_size: 100_000,
        shutdown_timeout: 30_000,
        start_timeout: 30_000,
        plugin_dir: "",
        freshness_factor: 2,
        freshness_check_interval: 1000,
        state_batch_size: 20_000,
        state_flush_interval: 0,
        summary_interval: 60_000,
        data_access: "private",
      });
    });

    it("refuses a conf dir that does not exist, naming it", async () => {
      const missing = path.join(makeTempDir(), "no-such-conf.d");
      const err = await refusal(missing);
      expect(err.problems).to.have.length(1);
      expect(err.problems[0]!.file).to.equal(missing);
      expect(err.message).to.include(missing);
      expect(err.message).to.include("cannot read the conf dir");
    });
  });

  describe("plugin of an instance", () => {
    it("defaults `plugin` to the file's name without .conf", async () => {
      const config = await load(makeConfDir({ "internal.conf": "interval = 10s\n" }));
      const spec = instance(config, "internal");
      expect(spec.plugin.definition.name).to.equal("internal");
      expect(spec.plugin.definition.kind).to.equal("input");
      expect(spec.plugin.source).to.deep.equal({ type: "built-in" });
      expect(spec.settings).to.deep.equal({ plugin: "internal", enabled: true, log_level: null });
      expect(spec.options).to.deep.include({ interval: 10_000 });
    });

    it("runs the plugin named by `plugin =` in a file of another name", async () => {
      const config = await load(makeConfDir({ "other.conf": "plugin = file\npath = other.jsonl\nfsync = on\n" }));
      const spec = instance(config, "other");
      expect(spec.plugin.definition.name).to.equal("file");
      expect(spec.plugin.definition.kind).to.equal("output");
      expect(spec.settings.plugin).to.equal("file");
      expect(spec.options).to.deep.equal({ path: "other.jsonl", fsync: true });
    });

    it("runs two instances of one plugin side by side", async () => {
      const config = await load(makeConfDir({ "a.conf": "plugin = file\npath = a.jsonl\n", "b.conf": "plugin = file\npath = b.jsonl\n" }));
      expect(config.instances.map((i) => [i.id, i.plugin.definition.name, i.options.path])).to.deep.equal([
        ["a", "file", "a.jsonl"],
        ["b", "file", "b.jsonl"],
      ]);
    });

    it("gives a plugin its defaults for the options a file leaves out", async () => {
      const config = await load(makeConfDir({ "file.conf": "# nothing but a comment\n" }));
      expect(instance(config, "file").options).to.deep.equal({ path: "results.jsonl", fsync: false });
    });

    it("takes an instance log level", async () => {
      const config = await load(makeConfDir({ "file.conf": "log_level = DEBUG\n" }));
      expect(instance(config, "file").settings.log_level).to.equal("debug");
    });

    it("expands environment variables from the given environment", async () => {
      const config = await load(makeConfDir({ "file.conf": "path = ${OUT_DIR}/${OUT_NAME:-results.jsonl}\n" }), { env: { OUT_DIR: "spool" } });
      expect(instance(config, "file").options.path).to.equal("spool/results.jsonl");
    });

    it("loads an npm plugin from the plugin_dir of tantale.conf", async () => {
      const config = await load(makeConfDir({ "tantale.conf": PLUGIN_DIR_LINE, "example.conf": "port = 4567\ngreeting = hi\n" }));
      const spec = instance(config, "example");
      expect(spec.plugin.source).to.include({ type: "npm", package: "tantale-plugin-example", version: "1.0.0" });
      expect(spec.options).to.deep.equal({ bind: "127.0.0.1", port: 4567, greeting: "hi" });
      expect(config.daemon.plugin_dir).to.equal(FIXTURE_PLUGINS);
    });
  });

  describe("enabled", () => {
    it("puts an instance with enabled = false in `disabled`, not in `instances`", async () => {
      const config = await load(makeConfDir({ "file.conf": "enabled = false\n", "internal.conf": "" }));
      expect(config.disabled).to.deep.equal(["file"]);
      expect(config.instances.map((i) => i.id)).to.deep.equal(["internal"]);
    });

    it("reads enabled with the bool format (no, off, 0 disable; yes enables)", async () => {
      const config = await load(
        makeConfDir({
          "a.conf": "plugin = file\nenabled = no\n",
          "b.conf": "plugin = file\nenabled = OFF\n",
          "c.conf": "plugin = file\nenabled = 0\n",
          "d.conf": "plugin = file\nenabled = yes\n",
        }),
      );
      expect(config.disabled).to.deep.equal(["a", "b", "c"]);
      expect(config.instances.map((i) => i.id)).to.deep.equal(["d"]);
    });
  });

  describe("tantale.conf", () => {
    it("holds the daemon settings and is no instance", async () => {
      const dir = makeConfDir({
        "tantale.conf": "log_level = debug\nqueue_size = 500\nshutdown_timeout = 5s\nstart_timeout = 1m\n",
        "file.conf": "",
      });
      const config = await load(dir);
      expect(config.daemon).to.deep.equal({
        log_level: "debug",
        log_format: "auto",
        queue_size: 500,
        shutdown_timeout: 5000,
        start_timeout: 60_000,
        plugin_dir: "",
        freshness_factor: 2,
        freshness_check_interval: 1000,
        state_batch_size: 20_000,
        state_flush_interval: 0,
        summary_interval: 60_000,
        data_access: "private",
      });
      expect(config.instances.map((i) => i.id)).to.deep.equal(["file"]);
      expect(config.disabled).to.deep.equal([]);
    });

    it("refuses instance keys such as plugin in tantale.conf", async () => {
      const dir = makeConfDir({ "tantale.conf": "plugin = file\n" });
      const err = await refusal(dir);
      expect(err.problems).to.have.length(1);
      expect(err.problems[0]).to.include({ file: path.join(dir, "tantale.conf"), line: 1, key: "plugin" });
      expect(err.problems[0]!.message).to.include("unknown option");
    });

    it("resolves a relative plugin_dir against the conf dir (../plugins.d is beside it)", async () => {
      const root = makeTempDir();
      fs.symlinkSync(FIXTURE_PLUGINS, path.join(root, "plugins.d"), "dir");
      const confDir = path.join(root, "conf.d");
      fs.mkdirSync(confDir);
      fs.writeFileSync(path.join(confDir, "tantale.conf"), "plugin_dir = ../plugins.d\n");
      fs.writeFileSync(path.join(confDir, "example.conf"), "");
      const config = await load(confDir);
      expect(config.registry.npmLoader.lookupDirs[0]).to.equal(path.join(root, "plugins.d"));
      expect(instance(config, "example").plugin.source).to.include({
        type: "npm",
        dir: path.join(root, "plugins.d", "node_modules", "tantale-plugin-example"),
      });
    });

    it("lets the overrides win over tantale.conf, key by key", async () => {
      const dir = makeConfDir({ "tantale.conf": "log_level = debug\nqueue_size = 10\n" });
      const config = await load(dir, { overrides: { log_level: "warn" } });
      expect(config.daemon.log_level).to.equal("warn");
      expect(config.daemon.queue_size).to.equal(10);
    });

    it("lets a plugin_dir override make npm plugins loadable", async () => {
      const dir = makeConfDir({ "example.conf": "" });
      const config = await load(dir, { overrides: { plugin_dir: FIXTURE_PLUGINS } });
      expect(instance(config, "example").plugin.source).to.include({ type: "npm", package: "tantale-plugin-example" });
    });
  });

  describe("errors", () => {
    it("names the file, line and key of an unknown key, and says it is unknown", async () => {
      const dir = makeConfDir({ "file.conf": "path = x.jsonl\n\ncolour = red\n" });
      const err = await refusal(dir);
      const file = path.join(dir, "file.conf");
      expect(err.problems).to.have.length(1);
      expect(err.problems[0]).to.include({ file, line: 3, key: "colour" });
      expect(err.message).to.include(`${file}:3: colour: unknown option`);
    });

    it("names the file, line and key of a bad value, and what was expected", async () => {
      const dir = makeConfDir({ "file.conf": "# the file output\nfsync = maybe\n" });
      const err = await refusal(dir);
      const file = path.join(dir, "file.conf");
      expect(err.problems).to.have.length(1);
      expect(err.problems[0]).to.include({ file, line: 2, key: "fsync" });
      expect(err.message).to.include(`${file}:2: fsync: must be one of true/false/yes/no/on/off/1/0`);
      expect(err.message).to.include('"maybe"');
    });

    it("names a bad value of tantale.conf", async () => {
      const dir = makeConfDir({ "tantale.conf": "queue_size = lots\n" });
      const err = await refusal(dir);
      expect(err.message).to.include(`${path.join(dir, "tantale.conf")}:1: queue_size: must be a whole number`);
    });

    it("names the syntax problems of a file", async () => {
      const dir = makeConfDir({ "file.conf": "path = a\npath = b\nno equals sign\n" });
      const err = await refusal(dir);
      const file = path.join(dir, "file.conf");
      expect(err.message).to.include(`${file}:2: path: duplicated key (first set on line 1)`);
      expect(err.message).to.include(`${file}:3: expected "key = value"`);
    });

    it("names a missing environment variable", async () => {
      const dir = makeConfDir({ "file.conf": "path = ${TANTALE_TEST_NOT_SET}\n" });
      const err = await refusal(dir, { env: {} });
      expect(err.message).to.include(`${path.join(dir, "file.conf")}:1: path: environment variable TANTALE_TEST_NOT_SET is not set`);
    });

    it("names an unknown plugin given by `plugin =` and says how to install it", async () => {
      const dir = makeConfDir({ "probe.conf": "# a probe\nplugin = nosuchthing\n" });
      const err = await refusal(dir);
      const file = path.join(dir, "probe.conf");
      expect(err.problems).to.have.length(1);
      expect(err.problems[0]).to.include({ file, line: 2, key: "plugin" });
      expect(err.message).to.include(`${file}:2: plugin: plugin "nosuchthing"`);
      expect(err.message).to.include("npm install tantale-plugin-nosuchthing");
    });

    it("names an unknown plugin taken from the file name", async () => {
      const dir = makeConfDir({ "snmp.conf": "community = public\n" });
      const err = await refusal(dir);
      expect(err.problems).to.have.length(1);
      expect(err.problems[0]).to.include({ file: path.join(dir, "snmp.conf"), key: "plugin" });
      expect(err.message).to.include('plugin "snmp"');
      expect(err.message).to.include("npm install tantale-plugin-snmp");
    });

    for (const name of ["Upper.conf", "with space.conf", "-dash.conf", "_under.conf", "dotted.name.conf"]) {
      it(`refuses the instance file name ${JSON.stringify(name)}, saying what an id may hold`, async () => {
        const dir = makeConfDir({ [name]: "plugin = file\n", "file.conf": "" });
        const err = await refusal(dir);
        expect(err.problems).to.have.length(1);
        expect(err.problems[0]!.file).to.equal(path.join(dir, name));
        expect(err.message).to.include(path.join(dir, name));
        expect(err.message).to.include("lower case letters, digits, - and _");
      });
    }

    it("accepts ids of digits, - and _", async () => {
      const config = await load(makeConfDir({ "0.conf": "plugin = file\n", "a-b_c.conf": "plugin = file\n" }));
      expect(config.instances.map((i) => i.id)).to.deep.equal(["0", "a-b_c"]);
    });

    it("refuses the output keys in an input, as unknown", async () => {
      const dir = makeConfDir({ "internal.conf": "interval = 5s\nbatch_size = 10\n" });
      const err = await refusal(dir);
      expect(err.problems).to.have.length(1);
      expect(err.problems[0]).to.include({ file: path.join(dir, "internal.conf"), line: 2, key: "batch_size" });
      expect(err.problems[0]!.message).to.include("unknown option");
    });

    it("refuses the options of another plugin", async () => {
      // `interval` is an option of internal, not of file
      const dir = makeConfDir({ "file.conf": "interval = 5s\n" });
      const err = await refusal(dir);
      expect(err.problems[0]).to.include({ key: "interval", line: 1 });
    });

    it("reports every problem of every file at once", async () => {
      const dir = makeConfDir({
        "tantale.conf": "queue_size = many\n",
        "a.conf": "plugin = file\nfsync = maybe\n",
        "b.conf": "plugin = internal\ninterval = soon\nbogus = 1\n",
        "c.conf": "plugin = nosuchthing\n",
        "good.conf": "plugin = file\n",
      });
      const err = await refusal(dir);
      const where = err.problems.map((p) => `${path.basename(p.file)}:${p.line ?? "?"}:${p.key ?? "?"}`).sort();
      expect(where).to.deep.equal(["a.conf:2:fsync", "b.conf:2:interval", "b.conf:3:bogus", "c.conf:1:plugin", "tantale.conf:1:queue_size"]);
      for (const name of ["tantale.conf", "a.conf", "b.conf", "c.conf"]) expect(err.message).to.include(path.join(dir, name));
      expect(err.message).not.to.include(path.join(dir, "good.conf"));
      // one problem per line of the message
      expect(err.message.split("\n")).to.have.length(err.problems.length);
    });

    it("checks the files of disabled instances too", async () => {
      const dir = makeConfDir({ "file.conf": "enabled = false\nfsync = maybe\n" });
      const err = await refusal(dir);
      expect(err.problems[0]).to.include({ key: "fsync", line: 2 });
    });
  });

  describe("port conflicts", () => {
    it("refuses two instances of the example plugin on one port and bind, naming both files", async () => {
      const dir = makeConfDir({
        "tantale.conf": PLUGIN_DIR_LINE,
        "one.conf": "plugin = example\nport = 47011\n",
        "two.conf": "plugin = example\n# same port\nport = 47011\n",
      });
      const err = await refusal(dir);
      const one = path.join(dir, "one.conf");
      const two = path.join(dir, "two.conf");
      expect(err.problems).to.have.length(1);
      expect(err.problems[0]).to.include({ file: two, line: 3, key: "port" });
      expect(err.message).to.include(`${two}:3: port: port 47011 is already used by ${one}`);
      expect(err.message).to.include("expected a port no other instance listens on");
    });

    it("counts a wildcard bind as overlapping any address", async () => {
      const dir = makeConfDir({
        "tantale.conf": PLUGIN_DIR_LINE,
        "one.conf": "plugin = example\nbind = 0.0.0.0\nport = 47012\n",
        "two.conf": "plugin = example\nbind = 127.0.0.1\nport = 47012\n",
      });
      const err = await refusal(dir);
      expect(err.problems).to.have.length(1);
      expect(err.problems[0]).to.include({ file: path.join(dir, "two.conf"), key: "port" });
    });

    it("accepts one port on two distinct addresses, distinct ports, port 0 twice, and a disabled twin", async () => {
      const dir = makeConfDir({
        "tantale.conf": PLUGIN_DIR_LINE,
        "a.conf": "plugin = example\nbind = 127.0.0.1\nport = 47013\n",
        "b.conf": "plugin = example\nbind = 127.0.0.2\nport = 47013\n",
        "c.conf": "plugin = example\nport = 47014\n",
        "d.conf": "plugin = example\nport = 0\n",
        "e.conf": "plugin = example\nport = 0\n",
        "f.conf": "plugin = example\nport = 47014\nenabled = false\n",
      });
      const config = await load(dir);
      expect(config.instances.map((i) => i.id)).to.deep.equal(["a", "b", "c", "d", "e"]);
      expect(config.disabled).to.deep.equal(["f"]);
    });
  });

  describe("fingerprint", () => {
    async function fingerprintOf(fileText: string, id = "file"): Promise<string> {
      const config = await load(makeConfDir({ [`${id}.conf`]: fileText }));
      return instance(config, id).fingerprint;
    }

    it("is unchanged when only comments, blank lines and spacing change", async () => {
      const before = await fingerprintOf("path = out.jsonl\nfsync = yes\n");
      const after = await fingerprintOf("# the file output\n\n  path=out.jsonl   \n; durable\nfsync    =   yes\n\n# end\n");
      expect(after).to.equal(before);
    });

    it("is unchanged when the same values are spelled another way or in another order", async () => {
      const before = await fingerprintOf("path = out.jsonl\nfsync = yes\nflush_interval = 1s\n");
      const after = await fingerprintOf('fsync = TRUE\nflush_interval = 1000ms\npath = "out.jsonl"\n');
      expect(after).to.equal(before);
    });

    it("changes when a plugin option changes", async () => {
      const before = await fingerprintOf("path = out.jsonl\nfsync = yes\n");
      expect(await fingerprintOf("path = other.jsonl\nfsync = yes\n")).not.to.equal(before);
      expect(await fingerprintOf("path = out.jsonl\nfsync = no\n")).not.to.equal(before);
    });

    it("changes when an output setting or the log level changes", async () => {
      const before = await fingerprintOf("path = out.jsonl\n");
      expect(await fingerprintOf("path = out.jsonl\nbatch_size = 10\n")).not.to.equal(before);
      expect(await fingerprintOf("path = out.jsonl\nlog_level = debug\n")).not.to.equal(before);
    });

    it("differs between two plugins given the same text", async () => {
      expect(await fingerprintOf("", "file")).not.to.equal(await fingerprintOf("", "internal"));
    });

    it("does not depend on the conf dir or the instance id", async () => {
      const a = await load(makeConfDir({ "one.conf": "plugin = file\npath = x\n" }));
      const b = await load(makeConfDir({ "two.conf": "plugin = file\npath = x\n" }));
      expect(instance(a, "one").fingerprint).to.equal(instance(b, "two").fingerprint);
    });
  });

  describe("reserved keys", () => {
    it("puts batch_size, flush_interval and retry_max_delay of an output in spec.output, not in its options", async () => {
      const config = await load(makeConfDir({ "file.conf": "path = x.jsonl\nbatch_size = 50\nflush_interval = 2s\nretry_max_delay = 1m\n" }));
      const spec = instance(config, "file");
      expect(spec.output).to.deep.equal({ batch_size: 50, flush_interval: 2000, retry_max_delay: 60_000 });
      expect(spec.options).to.deep.equal({ path: "x.jsonl", fsync: false });
    });

    it("gives an output the default batching", async () => {
      const config = await load(makeConfDir({ "file.conf": "" }));
      expect(instance(config, "file").output).to.deep.equal({ batch_size: 1000, flush_interval: 1000, retry_max_delay: 30_000 });
    });

    it("gives an input no output settings", async () => {
      const config = await load(makeConfDir({ "internal.conf": "" }));
      expect(instance(config, "internal").output).to.equal(undefined);
    });

    it("keeps plugin, enabled and log_level out of the plugin's options", async () => {
      const config = await load(makeConfDir({ "mine.conf": "plugin = file\nenabled = yes\nlog_level = warn\n" }));
      const spec = instance(config, "mine");
      expect(Object.keys(spec.options).sort()).to.deep.equal(["fsync", "path"]);
      expect(spec.settings).to.deep.equal({ plugin: "file", enabled: true, log_level: "warn" });
      expect(Object.isFrozen(spec.options)).to.equal(true);
    });

    it("refuses a bad value of a reserved key with its line", async () => {
      const dir = makeConfDir({ "file.conf": "batch_size = 12abc\n" });
      const err = await refusal(dir);
      expect(err.problems).to.have.length(1);
      expect(err.problems[0]).to.include({ file: path.join(dir, "file.conf"), line: 1, key: "batch_size" });
      expect(err.problems[0]!.message).to.include("must be a whole number");
    });
  });

  describe("plugins enabled by default (the Livestatus tables)", () => {
    const withDefaults = (files: Record<string, string>) => loadConfiguration({ confDir: makeConfDir(files), builtIns: BUILT_IN_PLUGINS, env: {} });

    it("run without a conf file, under their own name", async () => {
      const config = await withDefaults({ "file.conf": "" });
      const defaults = BUILT_IN_PLUGINS.filter((d) => d.defaultEnabled === true).map((d) => d.name);
      expect(defaults).to.include.members(["hosts", "services"]);
      expect(config.instances.map((i) => i.id)).to.have.members(["file", ...defaults]);
    });

    it("are turned off by a file of their name with enabled = false", async () => {
      const config = await withDefaults({ "hosts.conf": "enabled = false\n" });
      expect(config.instances.map((i) => i.id)).to.not.include("hosts");
      expect(config.instances.map((i) => i.id)).to.include("services");
      expect(config.disabled).to.deep.equal(["hosts"]);
    });
  });
});
