/**
 * The `filter_path` response filter: comma-separated dotted paths, `*` within a key, `**` for
 * any depth, `-path` to exclude. Arrays are transparent (their elements are filtered at the
 * same level), as Elasticsearch does.
 */
import { isObject, type Json } from "./errors";

function keyGlob(pattern: string, key: string): boolean {
  if (!pattern.includes("*")) return pattern === key;
  return new RegExp(
    `^${pattern
      .split("*")
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  ).test(key);
}

/** Does `path` (segments) match pattern segments, fully (`full`) or as a prefix of something that could match? */
function matches(pattern: readonly string[], path: readonly string[]): "full" | "partial" | "none" {
  const go = (pi: number, si: number): "full" | "partial" | "none" => {
    if (si === path.length) return pi === pattern.length || (pi === pattern.length - 1 && pattern[pi] === "**") ? "full" : "partial";
    if (pi === pattern.length) return "none";
    const p = pattern[pi] as string;
    if (p === "**") {
      const skip = go(pi + 1, si);
      if (skip === "full") return "full";
      const eat = go(pi, si + 1);
      if (eat === "full") return "full";
      return skip === "partial" || eat === "partial" ? "partial" : "none";
    }
    return keyGlob(p, path[si] as string) ? go(pi + 1, si + 1) : "none";
  };
  return go(0, 0);
}

export function applyFilterPath(value: Json, filterPath: string): Json {
  const specs = filterPath
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  const includes = specs.filter((s) => !s.startsWith("-")).map((s) => s.split("."));
  const excludes = specs.filter((s) => s.startsWith("-")).map((s) => s.slice(1).split("."));
  type Hit = "full" | "partial" | "none";
  const walk = (v: Json, path: string[], hit: Hit): Json | undefined => {
    if (Array.isArray(v)) {
      const items = v.map((x) => walk(x, path, hit)).filter((x): x is Json => x !== undefined);
      return items.length > 0 || (hit === "full" && v.length === 0) ? items : undefined;
    }
    if (!isObject(v)) return hit === "full" ? v : undefined;
    const out: { [k: string]: Json } = {};
    for (const [k, x] of Object.entries(v)) {
      const p = [...path, k];
      if (excludes.some((e) => matches(e, p) === "full")) continue;
      const inc: Hit =
        hit === "full" || includes.length === 0
          ? "full"
          : includes
              .map((i) => matches(i, p))
              .reduce<Hit>((a, b) => (a === "full" || b === "full" ? "full" : a === "partial" || b === "partial" ? "partial" : "none"), "none");
      if (inc === "none") continue;
      const sub = walk(x, p, inc);
      if (sub !== undefined && (inc === "full" || !isObject(sub) || Object.keys(sub).length > 0)) out[k] = sub;
    }
    return out;
  };
  return walk(value, [], includes.length === 0 ? "full" : "partial") ?? {};
}
