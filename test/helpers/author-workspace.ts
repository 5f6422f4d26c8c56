/**
 * What the third-party plugin tests share: the blocks of the README's "Writing a plugin"
 * section (files, shell steps, requests and answers, each marked by an HTML comment before
 * its fence), and a shell that runs a step as an author would, with `tantale` on the PATH,
 * `TANTALE` set to this repo, and npm preferring its cache.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "./tantale-process";

export interface MarkedBlock {
  /** The marker's first word: `file`, `step`, `livestatus-request`, ... */
  readonly kind: string;
  /** What follows the marker's colon, up to the first space or parenthesis: a path, a step name. */
  readonly arg: string;
  readonly text: string;
}

/** The marked fenced blocks of the README section that starts with `heading`, in order. */
export function readmeBlocks(heading = "## Writing a plugin"): MarkedBlock[] {
  const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
  const start = readme.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README.md has no section ${heading}`);
  const next = readme.indexOf("\n## ", start + heading.length + 2);
  const section = readme.slice(start, next < 0 ? undefined : next);
  const blocks: MarkedBlock[] = [];
  for (const m of section.matchAll(/<!-- ([a-z-]+)(?::\s*([^\s()]+))?[^>]*-->\n```[a-z]*\n([\s\S]*?)```/g)) {
    blocks.push({ kind: m[1]!, arg: m[2] ?? "", text: m[3]! });
  }
  return blocks;
}

/** The one block of `kind` (and `arg`); throws when there is none or more than one. */
export function block(blocks: readonly MarkedBlock[], kind: string, arg?: string): string {
  const found = blocks.filter((b) => b.kind === kind && (arg === undefined || b.arg === arg));
  if (found.length !== 1) throw new Error(`README: ${found.length} blocks marked ${kind}${arg === undefined ? "" : `: ${arg}`}`);
  return found[0]!.text;
}

export interface StepResult {
  readonly status: number | null;
  readonly output: string;
}

/**
 * The environment of an author's shell: `tantale` is this repo's bin, `TANTALE` this repo;
 * npm prefers its cache (the registry is asked only for what it lacks) and is quiet.
 * `offline` forbids the registry altogether: what installing a plugin must not need.
 */
export function authorEnv(options: { offline?: boolean } = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: [path.join(REPO_ROOT, "bin"), path.dirname(process.execPath), process.env.PATH ?? ""].join(path.delimiter),
    TANTALE: REPO_ROOT,
    npm_config_prefer_offline: "true",
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_update_notifier: "false",
    npm_config_loglevel: "warn",
    ...(options.offline === true ? { npm_config_offline: "true" } : {}),
  };
}

/** Runs a shell step (bash, stopping at the first failing line) in `cwd`; resolves with its status and output. */
export function runStep(script: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<StepResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-euo", "pipefail", "-c", script], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, output });
    });
  });
}

/** Runs a step and fails with its output unless it exits 0. */
export async function mustRun(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  const r = await runStep(script, cwd, env);
  if (r.status !== 0) throw new Error(`step failed (exit ${String(r.status)}) in ${cwd}:\n${script}\n--- output:\n${r.output}`);
  return r.output;
}

/** Writes `text` to `dir/rel`, creating folders. */
export function writeFile(dir: string, rel: string, text: string): void {
  const file = path.join(dir, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

/** Polls `probe` every 50 ms until it returns something other than undefined, or fails after `timeoutMs`. */
export async function poll<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > until) throw new Error(`${what}: not seen in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
