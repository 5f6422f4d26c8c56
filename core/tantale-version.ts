import fs from "node:fs";
import path from "node:path";
import { installRoot } from "./plugin/peer-resolution";

let version: string | undefined;

/** This Tantale's version, from its package.json (read once). */
export function tantaleVersion(): string {
  version ??= (JSON.parse(fs.readFileSync(path.join(installRoot(), "package.json"), "utf8")) as { version?: string }).version ?? "0.0.0";
  return version;
}
