import fs from "node:fs";
import Module from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import semver from "semver";
import { PluginLoadError, describeError } from "../errors";
import { PLUGIN_API_VERSION, type AnyPluginDefinition, type ResolvedPlugin } from "./api";
import { definitionProblems } from "./define";
import { installPeerResolution, installRoot } from "./peer-resolution";

export const PACKAGE_PATTERN = /^(@[a-z0-9][a-z0-9._-]*\/)?tantale-plugin-[a-z0-9][a-z0-9._-]*$/;

/**
 * The npm package names a `plugin =` value may mean: `snmp` → `tantale-plugin-snmp`,
 * `@acme/snmp` → `@acme/tantale-plugin-snmp`; full package names stand as they are.
 */
export function packageNameFor(plugin: string): string {
  if (PACKAGE_PATTERN.test(plugin)) return plugin;
  const scoped = /^(@[a-z0-9][a-z0-9._-]*)\/(.+)$/.exec(plugin);
  return scoped ? `${scoped[1]!}/tantale-plugin-${scoped[2]!}` : `tantale-plugin-${plugin}`;
}

interface PackageJson {
  readonly name?: string;
  readonly version?: string;
  readonly keywords?: readonly string[];
  readonly peerDependencies?: Readonly<Record<string, string>>;
}

/** Finds, checks and imports npm plugin packages, looked up in the plugin dir first, then beside Tantale. */
export class NpmPluginLoader {
  private readonly coreVersion: string;

  constructor(private readonly searchDirs: readonly string[]) {
    this.coreVersion = (JSON.parse(fs.readFileSync(path.join(installRoot(), "package.json"), "utf8")) as PackageJson).version ?? "0.0.0";
  }

  /** Every folder searched, in order, for the error message of a plugin not found. */
  get lookupDirs(): readonly string[] {
    return [...this.searchDirs, installRoot()];
  }

  async load(plugin: string): Promise<ResolvedPlugin> {
    const pkg = packageNameFor(plugin);
    const dir = this.findPackage(pkg);
    if (dir === undefined) {
      throw new PluginLoadError(
        plugin,
        `no built-in plugin of that name and no npm package ${pkg} in ${this.lookupDirs.map((d) => path.join(d, "node_modules")).join(" or ")}; install it with: npm install ${pkg}`,
      );
    }
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as PackageJson;
    this.checkManifest(plugin, pkg, manifest);
    // Its `tantale`, tsyringe and reflect-metadata are the running Tantale's, whatever its folder
    // holds (an author's folder links `tantale` and has tsyringe among its devDependencies).
    const req = Module.createRequire(path.join(dir, "package.json"));
    const definition = await this.importDefinition(plugin, pkg, req);
    return { definition, source: { type: "npm", package: pkg, version: manifest.version ?? "0.0.0", dir } };
  }

  /** npm plugin packages present in the searched folders (the only time Tantale scans). */
  installed(): { readonly package: string; readonly dir: string }[] {
    const found = new Map<string, string>();
    for (const base of this.lookupDirs) {
      const nm = path.join(base, "node_modules");
      for (const entry of safeReaddir(nm)) {
        const names = entry.startsWith("@") ? safeReaddir(path.join(nm, entry)).map((n) => `${entry}/${n}`) : [entry];
        for (const name of names) if (PACKAGE_PATTERN.test(name) && !found.has(name)) found.set(name, path.join(nm, name));
      }
    }
    return [...found].map(([pkg, dir]) => ({ package: pkg, dir }));
  }

  private findPackage(pkg: string): string | undefined {
    for (const base of this.lookupDirs) {
      // The same folders Node itself walks from `base`: base/node_modules, its parent's, ...
      const candidates = Module.createRequire(path.join(base, "package.json")).resolve.paths(pkg) ?? [];
      for (const nm of candidates) {
        const dir = path.join(nm, pkg);
        if (fs.existsSync(path.join(dir, "package.json"))) return dir;
      }
    }
    return undefined;
  }

  private checkManifest(plugin: string, pkg: string, manifest: PackageJson): void {
    if (manifest.name !== pkg) throw new PluginLoadError(plugin, `package.json of ${pkg} names ${String(manifest.name)}`);
    const range = manifest.peerDependencies?.tantale;
    if (range !== undefined && !semver.satisfies(this.coreVersion, range, { includePrerelease: true })) {
      throw new PluginLoadError(plugin, `${pkg}@${String(manifest.version)} needs tantale ${range}, this is tantale ${this.coreVersion}`);
    }
  }

  private async importDefinition(plugin: string, pkg: string, req: NodeJS.Require): Promise<AnyPluginDefinition> {
    installPeerResolution();
    let entry: string;
    try {
      entry = req.resolve(pkg);
    } catch (err) {
      throw new PluginLoadError(plugin, `${pkg} has no loadable entry point (package.json "main"/"exports"): ${describeError(err)}`, { cause: err });
    }
    let mod: unknown;
    try {
      mod = await import(pathToFileURL(entry).href);
    } catch (err) {
      const missing = /Cannot find (?:module|package) '([^']+)'/.exec(describeError(err));
      const why = missing ? `a module it needs is missing: ${missing[1]!} (run npm install in its folder)` : describeError(err);
      throw new PluginLoadError(plugin, `${pkg} failed to load: ${why}`, { cause: err });
    }
    const candidate = pickCandidate(mod);
    if (candidate === undefined) {
      throw new PluginLoadError(plugin, `${pkg} is not a Tantale plugin: its default export is no plugin definition (made with definePlugin)`);
    }
    if (candidate.apiVersion !== PLUGIN_API_VERSION) {
      throw new PluginLoadError(
        plugin,
        `${pkg} is built for plugin API ${String(candidate.apiVersion)}, this Tantale speaks plugin API ${PLUGIN_API_VERSION}; install a version of the plugin made for it`,
      );
    }
    const problems = definitionProblems(candidate);
    if (problems.length > 0) throw new PluginLoadError(plugin, `${pkg} exports an invalid plugin definition: ${problems.join("; ")}`);
    const definition = candidate as unknown as AnyPluginDefinition;
    return definition;
  }
}

function defaultExport(mod: unknown): unknown {
  return (mod as { default?: unknown } | null)?.default;
}

/** CommonJS `module.exports = def`, transpiled `export default def`, or native ESM. */
function pickCandidate(mod: unknown): { readonly apiVersion: unknown } | undefined {
  const d = defaultExport(mod);
  for (const candidate of [d, defaultExport(d)]) {
    if (typeof candidate === "object" && candidate !== null && "apiVersion" in candidate && "create" in candidate) return candidate;
  }
  return undefined;
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
}
