import convict from "convict";
import { isIP } from "node:net";
import path from "node:path";
import { LOG_LEVELS, type LogLevel } from "../log/logger";

/**
 * Tantale's strict value formats for conf files. convict's own coercions are loose
 * (`enabled = no` reads as true, `port = 12abc` as 12), so these replace them: a value
 * either parses whole or stays a string that the validator rejects with what was expected.
 * Plugin schemas name them by string (`format: "port"`).
 */
const TRUE = new Set(["true", "yes", "on", "1"]);
const FALSE = new Set(["false", "no", "off", "0"]);
const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/;
const DURATION_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const SIZE = /^(\d+)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?$/i;
const SIZE_BYTES: Readonly<Record<string, number>> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

function fail(message: string): never {
  throw new Error(message);
}

/** The value each format gives a plugin: what `ConfigOf` maps an option to. */
export interface FormatTypes {
  bool: boolean;
  integer: number;
  /** 0 to 65535. */
  port: number;
  number: number;
  /** Milliseconds. */
  duration: number;
  /** Bytes. */
  size: number;
  list: readonly string[];
  "log-level": LogLevel;
  host: string;
  string: string;
  /** Relative to the data dir ("" for none). */
  "data-path": string;
}
export type FormatName = keyof FormatTypes;
/** The formats whose values are numbers: those an option may bound with `min` and `max`. */
export type NumericFormat = { [F in FormatName]: FormatTypes[F] extends number ? F : never }[FormatName];

export const FORMAT_NAMES = [
  "bool",
  "integer",
  "port",
  "number",
  "duration",
  "size",
  "list",
  "log-level",
  "host",
  "string",
  "data-path",
] as const satisfies readonly FormatName[];
/** The numeric formats, at run time (definePlugin refuses a range on any other). */
export const NUMERIC_FORMATS: readonly FormatName[] = ["integer", "port", "number", "duration", "size"] as const satisfies readonly NumericFormat[];
// Every format has a type and every type a format: a new format is added in both places.
const EVERY_FORMAT_LISTED: Exclude<FormatName, (typeof FORMAT_NAMES)[number]> extends never ? true : false = true;
// eslint-disable-next-line @typescript-eslint/no-meaningless-void-operator -- the check lives in the type; `void` is its one use, which noUnusedLocals needs
void EVERY_FORMAT_LISTED;

let registered = false;

/** Registers the formats with convict (its registry is process-wide; once is enough). */
export function registerFormats(): void {
  if (registered) return;
  registered = true;
  convict.addFormats({
    bool: {
      coerce: (v: string) => (TRUE.has(v.toLowerCase()) ? true : FALSE.has(v.toLowerCase()) ? false : v),
      validate: (v: unknown) => {
        if (typeof v !== "boolean") fail("must be one of true/false/yes/no/on/off/1/0");
      },
    },
    integer: {
      coerce: (v: string) => (INTEGER.test(v.trim()) ? Number(v) : v),
      validate: (v: unknown) => {
        if (typeof v !== "number" || !Number.isSafeInteger(v)) fail("must be a whole number");
      },
    },
    port: {
      coerce: (v: string) => (INTEGER.test(v.trim()) ? Number(v) : v),
      validate: (v: unknown) => {
        if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 65535) fail("must be a TCP port, a whole number from 0 to 65535");
      },
    },
    number: {
      coerce: (v: string) => (NUMBER.test(v.trim()) ? Number(v) : v),
      validate: (v: unknown) => {
        if (typeof v !== "number" || !Number.isFinite(v)) fail("must be a number");
      },
    },
    duration: {
      // A bare number is seconds, as Diamond's intervals; the value becomes milliseconds.
      coerce: (v: string) => {
        const m = DURATION.exec(v.trim());
        return m ? Math.round(Number(m[1]) * DURATION_MS[m[2] ?? "s"]!) : v;
      },
      validate: (v: unknown) => {
        if (typeof v !== "number" || !Number.isFinite(v) || v < 0) fail("must be a duration such as 500ms, 10s, 5m, 1h or 1d (a bare number is seconds)");
      },
    },
    size: {
      coerce: (v: string) => {
        const m = SIZE.exec(v.trim());
        return m ? Number(m[1]) * SIZE_BYTES[(m[2] ?? "b").charAt(0).toLowerCase()]! : v;
      },
      validate: (v: unknown) => {
        if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) fail("must be a size in bytes such as 65536, 64KiB or 10MiB");
      },
    },
    list: {
      coerce: (v: string) => (v.trim() === "" ? [] : v.split(",").map((s) => s.trim())),
      validate: (v: unknown) => {
        if (!Array.isArray(v) || v.some((s) => typeof s !== "string" || s === "")) fail("must be a comma-separated list of non-empty values");
      },
    },
    "log-level": {
      coerce: (v: string) => v.trim().toLowerCase(),
      validate: (v: unknown) => {
        if (typeof v !== "string" || !(LOG_LEVELS as readonly string[]).includes(v)) fail(`must be one of ${LOG_LEVELS.join("/")}`);
      },
    },
    host: {
      validate: (v: unknown) => {
        if (typeof v !== "string" || (isIP(v) === 0 && !/^[A-Za-z0-9.-]+$/.test(v))) fail("must be an IP address or a host name");
      },
    },
    string: {
      validate: (v: unknown) => {
        if (typeof v !== "string") fail("must be a string");
      },
    },
    "data-path": {
      validate: (v: unknown) => {
        if (typeof v !== "string") fail("must be a string");
        const problem = dataPathProblem(v);
        if (problem !== undefined) fail(problem);
      },
    },
  });
}

/**
 * Why `value` cannot name a file inside the data dir ("" is allowed: "none"); undefined when it can.
 * Conf values never make Tantale read or write outside its data dir: an operator who wants a
 * socket in /run links it there. Checked on the text, so `check-config` refuses it too.
 */
export function dataPathProblem(value: string): string | undefined {
  if (value === "") return undefined;
  if (value.includes("\0")) return "must not contain a NUL byte";
  if (path.isAbsolute(value)) return "must be relative to the data dir (absolute paths are refused: link the file into the data dir instead)";
  const normal = path.normalize(value);
  if (normal === ".." || normal.startsWith(`..${path.sep}`)) return "must stay inside the data dir (no leading ..)";
  if (normal === ".") return "must name a file in the data dir";
  return undefined;
}
