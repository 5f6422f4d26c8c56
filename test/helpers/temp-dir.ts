import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** A fresh folder under the OS temp dir, removed by `cleanupTempDirs()` (call it in an after hook). */
const created: string[] = [];

export function makeTempDir(prefix = "tantale-test-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export function cleanupTempDirs(): void {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** Writes `files` (name → text) into a new conf dir and returns its path. */
export function makeConfDir(files: Readonly<Record<string, string>>): string {
  const dir = makeTempDir("tantale-conf-");
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}
