import Module from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

/**
 * Packages a plugin shares with the running Tantale instead of bringing its own: the
 * public API (`import { definePlugin } from "tantale"`), the DI container and its metadata
 * polyfill. They always resolve to the running Tantale's copies, whatever the plugin's
 * folder holds: an author's folder has `tantale` linked for its types and often a
 * tsyringe of its devDependencies, and a second container or API would leave the plugin's
 * classes unknown to Tantale's ("TypeInfo not known"). Nothing else is redirected.
 */
const INSTALL_ROOT = path.resolve(__dirname, "..", "..", "..");
const API_ENTRY = path.join(INSTALL_ROOT, "dist", "core", "index.js");
/** The shared packages besides `tantale` itself. */
export const SHARED_PACKAGES: ReadonlySet<string> = new Set(["tsyringe", "reflect-metadata"]);

type ResolveFilename = (request: string, parent: unknown, isMain: boolean, options?: unknown) => string;
interface ModuleInternals { _resolveFilename: ResolveFilename }

let installed = false;

export function installPeerResolution(): void {
  if (installed) return;
  installed = true;
  const internals = Module as unknown as ModuleInternals;
  const original = internals._resolveFilename;
  const own = Module.createRequire(path.join(INSTALL_ROOT, "package.json"));
  const shared = new Map([...SHARED_PACKAGES].map((name) => [name, own.resolve(name)]));
  // ESM plugins resolve through the loader hooks, not through _resolveFilename.
  Module.register(pathToFileURL(path.join(__dirname, "esm-peer-hooks.mjs")), {
    data: { apiUrl: pathToFileURL(API_ENTRY).href, rootPackageUrl: pathToFileURL(path.join(INSTALL_ROOT, "package.json")).href, shared: [...SHARED_PACKAGES] },
  });
  internals._resolveFilename = function (request, parent, isMain, options) {
    if (request === "tantale") return API_ENTRY;
    return shared.get(request) ?? original.call(this, request, parent, isMain, options);
  };
}

/** The folder of this Tantale install (where its package.json is). */
export function installRoot(): string {
  return INSTALL_ROOT;
}
