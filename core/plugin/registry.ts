import { PluginLoadError } from "../errors";
import type { AnyPluginDefinition, ResolvedPlugin } from "./api";
import { definitionProblems } from "./define";
import type { NpmPluginLoader } from "./npm-plugins";

/**
 * name → plugin definition: the static list of built-ins first, then npm packages, which
 * are resolved only when a conf file names one (no scanning at start).
 */
export class PluginRegistry {
  private readonly builtIns = new Map<string, AnyPluginDefinition>();
  private readonly loaded = new Map<string, Promise<ResolvedPlugin>>();

  constructor(
    builtIns: readonly AnyPluginDefinition[],
    private readonly npm: NpmPluginLoader,
  ) {
    for (const def of builtIns) {
      const problems = definitionProblems(def);
      if (problems.length > 0) throw new PluginLoadError(def.name, problems.join("; "));
      if (this.builtIns.has(def.name)) throw new PluginLoadError(def.name, "two built-in plugins have this name");
      this.builtIns.set(def.name, def);
    }
  }

  resolve(name: string): Promise<ResolvedPlugin> {
    const builtIn = this.builtIns.get(name);
    if (builtIn !== undefined) return Promise.resolve({ definition: builtIn, source: { type: "built-in" } });
    let pending = this.loaded.get(name);
    if (pending === undefined) {
      pending = this.npm.load(name);
      this.loaded.set(name, pending);
    }
    return pending;
  }

  listBuiltIns(): readonly AnyPluginDefinition[] {
    return [...this.builtIns.values()];
  }

  /** Built-ins that run without a conf file. */
  defaultEnabled(): readonly AnyPluginDefinition[] {
    return this.listBuiltIns().filter((d) => d.defaultEnabled === true);
  }

  get npmLoader(): NpmPluginLoader {
    return this.npm;
  }
}
