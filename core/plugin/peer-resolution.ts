import Module from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

/**
 * Packages a plugin shares with the running Tantale instead of bringing its own: the
 * public API (`import { definePlugin } from "tantale"`), the DI container and its metadata
 * polyfill. A plugin installed where none of them resolve (a git clone of Tantale, a
 * plugin dir) gets Tantale's copies; a plugin that has its own copy keeps it, and the
 * loader's tsyringe check refuses it.
 */
const INSTALL_ROOT = path.resolve(__dirname, "..", "..", "..");
const API_ENTRY = path.join(INSTALL_ROOT, "dist", "core", "index.js");
const SHARED = new Set(["tsyringe", "reflect-metadata"]);

type ResolveFilename = (request: string, parent: unknown, isMain: boolean, options?: unknown) => string;
interface ModuleInternals { _resolveFilename: ResolveFilename }

let installed = false;

export function installPeerResolution(): void {
  if (installed) return;
  installed = true;
  const internals = Module as unknown as ModuleInternals;
  const original = internals._resolveFilename;
  const own = Module.createRequire(path.join(INSTALL_ROOT, "package.json"));
  // ESM plugins resolve through the loader hooks, not through _resolveFilename.
  Module.register(pathToFileURL(path.join(__dirname, "esm-peer-hooks.mjs")), {
    data: { apiUrl: pathToFileURL(API_ENTRY).href, rootPackageUrl: pathToFileURL(path.join(INSTALL_ROOT, "package.json")).href },
  });
  internals._resolveFilename = function (request, parent, isMain, options) {
    try {
      return original.call(this, request, parent, isMain, options);
    } catch (err) {
      if (request === "tantale") return API_ENTRY;
      if (SHARED.has(request)) return own.resolve(request);
      throw err;
    }
  };
}

/** The folder of this Tantale install (where its package.json is). */
export function installRoot(): string {
  return INSTALL_ROOT;
}
