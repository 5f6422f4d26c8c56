import Module from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

/**
 * Packages a plugin shares with the running Tantale instead of bringing its own: the
 * public API (`import { definePlugin } from "tantale"`, and its exported sub-paths), the
 * DI container and its metadata polyfill. They always resolve to the running Tantale's copies, whatever the plugin's
 * folder holds: an author's folder has `tantale` linked for its types and often a
 * tsyringe of its devDependencies, and a second container or API would leave the plugin's
 * classes unknown to Tantale's ("TypeInfo not known"). Nothing else is redirected.
 */
const INSTALL_ROOT = path.resolve(__dirname, "..", "..", "..");
/** The shared packages besides `tantale` itself. */
export const SHARED_PACKAGES: ReadonlySet<string> = new Set(["tsyringe", "reflect-metadata"]);

type ResolveFilename = (request: string, parent: unknown, isMain: boolean, options?: unknown) => string;
interface ModuleInternals {
  _resolveFilename: ResolveFilename;
}

let installed = false;

export function installPeerResolution(): void {
  if (installed) return;
  installed = true;
  const internals = Module as unknown as ModuleInternals;
  const original = internals._resolveFilename;
  // Resolved from Tantale's own package.json: its dependencies, and `tantale` itself
  // (and its exported sub-paths) by self-reference through the exports map.
  const own = Module.createRequire(path.join(INSTALL_ROOT, "package.json"));
  const resolved = new Map<string, string>();
  // ESM plugins resolve through the loader hooks, not through _resolveFilename.
  Module.register(pathToFileURL(path.join(__dirname, "esm-peer-hooks.mjs")), {
    data: { rootPackageUrl: pathToFileURL(path.join(INSTALL_ROOT, "package.json")).href, shared: [...SHARED_PACKAGES] },
  });
  let resolvingOwn = false; // own.resolve() comes back through here
  internals._resolveFilename = function (request, parent, isMain, options) {
    if (resolvingOwn || !isShared(request)) return original.call(this, request, parent, isMain, options);
    let file = resolved.get(request);
    if (file === undefined) {
      resolvingOwn = true;
      try {
        file = own.resolve(request);
      } finally {
        resolvingOwn = false;
      }
      resolved.set(request, file);
    }
    return file;
  };
}

/** `tantale`, `tantale/<exported path>`, or one of SHARED_PACKAGES. */
export function isShared(request: string): boolean {
  return request === "tantale" || request.startsWith("tantale/") || SHARED_PACKAGES.has(request);
}

/** The folder of this Tantale install (where its package.json is). */
export function installRoot(): string {
  return INSTALL_ROOT;
}
