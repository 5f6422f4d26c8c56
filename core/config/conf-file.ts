import type { ConfigProblem } from "../errors";

/** One `key = value` line of a conf file, with where it came from. */
export interface ConfEntry {
  readonly key: string;
  readonly value: string;
  readonly line: number;
}

export interface ParsedConf {
  readonly file: string;
  readonly entries: ReadonlyMap<string, ConfEntry>;
  readonly problems: readonly ConfigProblem[];
}

const KEY = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*$/;
/** `[check disk_root]`: a named section (SectionsSchema); its keys follow until the next header. */
const SECTION = /^\[\s*([a-z_][a-z0-9_]*)\s+([A-Za-z0-9_][A-Za-z0-9_-]*)\s*\]$/;
const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Parses Diamond-style `key = value` text, with optional `[<kind> <name>]` section headers:
 * the keys after a header are `<kind>.<name>.<key>` (the plugin's SectionsSchema gives them
 * meaning), so options of the instance itself come before the first header. Only full-line `#` and `;` comments exist,
 * because check outputs and threshold expressions contain both characters. The value is
 * split at the first `=`, trimmed, unquoted when wrapped in double quotes, and `${VAR}` /
 * `${VAR:-default}` are taken from the environment (for secrets kept out of conf files).
 */
export function parseConf(file: string, text: string, env: NodeJS.ProcessEnv = process.env): ParsedConf {
  const entries = new Map<string, ConfEntry>();
  const problems: ConfigProblem[] = [];
  const lines = text.split(/\r?\n/);
  /** The current section's key prefix (`check.disk_root.`), "" before the first header. */
  let prefix = "";
  const sections = new Map<string, number>();
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const raw = lines[i]!.trim();
    if (raw === "" || raw.startsWith("#") || raw.startsWith(";")) continue;
    if (raw.startsWith("[")) {
      const m = SECTION.exec(raw);
      if (m === null) {
        problems.push({ file, line, message: `expected a section header "[<kind> <name>]" (name: letters, digits, _ and -), got ${JSON.stringify(cut(raw))}` });
        prefix = "\0"; // the keys that follow belong to no section: skipped, not taken for the instance's own
        continue;
      }
      prefix = `${m[1]}.${m[2]}.`;
      const first = sections.get(prefix);
      if (first !== undefined) problems.push({ file, line, message: `section [${m[1]} ${m[2]}] is already defined on line ${first}` });
      else sections.set(prefix, line);
      continue;
    }
    if (prefix === "\0") continue;
    const eq = raw.indexOf("=");
    if (eq < 0) {
      problems.push({ file, line, message: `expected "key = value", got ${JSON.stringify(cut(raw))}` });
      continue;
    }
    const ownKey = raw.slice(0, eq).trim();
    if (!KEY.test(ownKey)) {
      problems.push({ file, line, key: prefix + (ownKey || "(empty)"), message: "not a valid key (lower case letters, digits, _ and . only)" });
      continue;
    }
    const key = prefix + ownKey;
    const previous = entries.get(key);
    if (previous !== undefined) {
      problems.push({ file, line, key, message: `duplicated key (first set on line ${previous.line})` });
      continue;
    }
    const expanded = expandEnv(unquote(raw.slice(eq + 1).trim()), env);
    if (typeof expanded !== "string") {
      problems.push({ file, line, key, message: `environment variable ${expanded.missing} is not set and has no default` });
      continue;
    }
    entries.set(key, { key, value: expanded, line });
  }
  problems.push(...sectionClashes(file, entries));
  return { file, entries, problems };
}

/** `path = a` beside `path.x = 1`: one key cannot be both a value and a group of options. */
function sectionClashes(file: string, entries: ReadonlyMap<string, ConfEntry>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const entry of entries.values()) {
    const parts = entry.key.split(".");
    for (let i = 1; i < parts.length; i++) {
      const prefix = entries.get(parts.slice(0, i).join("."));
      if (prefix !== undefined)
        problems.push({
          file,
          line: entry.line,
          key: entry.key,
          message: `${prefix.key} is set as a value on line ${prefix.line}, so it cannot also hold options`,
        });
    }
  }
  return problems;
}

function unquote(v: string): string {
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
}

function expandEnv(v: string, env: NodeJS.ProcessEnv): string | { missing: string } {
  let missing: string | undefined;
  const out = v.replace(ENV_REF, (_m, name: string, fallback: string | undefined) => {
    const value = env[name];
    if (value !== undefined && (value !== "" || fallback === undefined)) return value;
    if (fallback !== undefined) return fallback;
    missing ??= name;
    return "";
  });
  return missing === undefined ? out : { missing };
}

function cut(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** Turns dotted keys (`tls.ca_file`) into the nested object convict expects. */
export function toNested(entries: Iterable<ConfEntry>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const { key, value } of entries) {
    const parts = key.split(".");
    let node = root;
    for (const part of parts.slice(0, -1)) {
      const next = node[part];
      if (typeof next === "object" && next !== null) node = next as Record<string, unknown>;
      else node = node[part] = {};
    }
    node[parts[parts.length - 1]!] = value;
  }
  return root;
}
