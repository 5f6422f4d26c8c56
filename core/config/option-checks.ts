import { describeError } from "../errors";
import { isSectionsNode, type ConfigSchema, type OptionCheck, type OptionSchema, type SectionsSchema } from "../plugin/api";

/** An option's range and check, on values that already passed their format. */
export interface OptionFailure {
  readonly key: string;
  readonly message: string;
}

/** A schema node is an option when it has a doc (define.ts refuses options without one). */
export function isOption(node: OptionSchema | ConfigSchema | SectionsSchema): node is OptionSchema {
  return typeof (node as OptionSchema).doc === "string" && !isSectionsNode(node);
}

/**
 * The schema's `min`/`max` and `validate` rules applied to convict's values: what convict's
 * formats cannot say (ranges, entries of a list, options that depend on each other). Keys in
 * `skip` already failed their format and are not checked again; null values (a nullable
 * option left unset) are not checked. `checks: false` applies the ranges only (some value
 * failed its format, and a check may read it).
 */
export function optionFailures(
  schema: ConfigSchema,
  values: Readonly<Record<string, unknown>>,
  skip: ReadonlySet<string>,
  options: { readonly checks: boolean },
): OptionFailure[] {
  const failures: OptionFailure[] = [];
  const walk = (node: ConfigSchema, prefix: string): void => {
    for (const [name, child] of Object.entries(node)) {
      const key = prefix + name;
      // Sections are validated each on its own (validate-options.ts).
      if (isSectionsNode(child)) continue;
      if (!isOption(child)) {
        walk(child, `${key}.`);
        continue;
      }
      if (skip.has(key)) continue;
      const value = valueAt(values, key);
      if (value === null || value === undefined) continue;
      const message = rangeFailure(child, value) ?? (options.checks ? checkFailure(child, value, values) : undefined);
      if (message !== undefined) failures.push({ key, message });
    }
  };
  walk(schema, "");
  return failures;
}

function rangeFailure(option: OptionSchema, value: unknown): string | undefined {
  const range = rangeText(option); // undefined: the option has neither min nor max
  if (typeof value !== "number" || range === undefined) return undefined;
  if ((option.min === undefined || value >= option.min) && (option.max === undefined || value <= option.max)) return undefined;
  return `must be ${range}, got ${inUnit(option, value)}`;
}

function checkFailure(option: OptionSchema, value: unknown, values: Readonly<Record<string, unknown>>): string | undefined {
  if (option.validate === undefined) return undefined;
  try {
    // The format validated the value's type: the check receives what its option declares.
    return (option.validate as OptionCheck<unknown>)(value, values);
  } catch (err) {
    return `could not be checked: ${describeError(err)}`;
  }
}

/** `at least 1`, `at most 10s`, `from 1 to 65535`: an option's range in its own unit, for messages and docs. */
export function rangeText(option: OptionSchema): string | undefined {
  const { min, max } = option;
  if (min !== undefined && max !== undefined) return `from ${inUnit(option, min)} to ${inUnit(option, max)}`;
  if (min !== undefined) return `at least ${inUnit(option, min)}`;
  if (max !== undefined) return `at most ${inUnit(option, max)}`;
  return undefined;
}

const DURATION_UNITS = [
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1000],
] as const;

/** A number as a conf file writes it for this option: `10s` for a duration, `1 byte` for a size. */
export function inUnit(option: OptionSchema, n: number): string {
  if (option.format === "duration") {
    for (const [unit, ms] of DURATION_UNITS) if (n !== 0 && n % ms === 0) return `${n / ms}${unit}`;
    return `${n}ms`;
  }
  if (option.format === "size") return n === 1 ? "1 byte" : `${n} bytes`;
  return String(n);
}

function valueAt(values: Readonly<Record<string, unknown>>, key: string): unknown {
  let node: unknown = values;
  for (const part of key.split(".")) node = typeof node === "object" && node !== null ? (node as Record<string, unknown>)[part] : undefined;
  return node;
}
