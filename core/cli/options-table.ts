import { isSectionsNode, type ConfigSchema, type OptionSchema } from "../plugin/api";
import { rangeText } from "../config/option-checks";

export interface OptionRow {
  readonly key: string;
  readonly format: string;
  readonly default: string;
  /** `at least 1`, `from 1 to 10`: the option's range in its unit, "" without one. */
  readonly range: string;
  readonly doc: string;
}

/** One row per option of a schema, dotted keys for nested ones. */
export function optionRows(schema: ConfigSchema, prefix = ""): OptionRow[] {
  const rows: OptionRow[] = [];
  for (const [key, node] of Object.entries(schema)) {
    // Named sections: their options as `check.<name>.command` (the dotted form of `[check <name>]` then `command =`).
    if (isSectionsNode(node)) rows.push(...optionRows(node.sections, `${prefix}${key}.<name>.`));
    else if ("doc" in node && typeof node.doc === "string") {
      const o = node as OptionSchema;
      const format = Array.isArray(o.format) ? (o.format as readonly unknown[]).join("|") : String(o.format);
      rows.push({ key: prefix + key, format, default: formatDefault(o), range: rangeText(o) ?? "", doc: o.doc });
    } else rows.push(...optionRows(node as ConfigSchema, `${prefix}${key}.`));
  }
  return rows;
}

/** Durations are kept in milliseconds; show them as a conf file would write them. */
function formatDefault(o: OptionSchema): string {
  const v = o.default;
  if (o.sensitive === true && v !== "") return "(hidden)";
  if (o.format === "duration" && typeof v === "number") {
    for (const [unit, ms] of [
      ["d", 86_400_000],
      ["h", 3_600_000],
      ["m", 60_000],
      ["s", 1000],
    ] as const)
      if (v !== 0 && v % ms === 0) return `${v / ms}${unit}`;
    return `${v}ms`;
  }
  if (Array.isArray(v)) return v.join(", ");
  return v === "" || v === null ? '""' : String(v);
}
