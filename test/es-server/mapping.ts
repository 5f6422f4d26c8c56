/**
 * Mappings: validating a mapping, parsing a document against it (type checks, `dynamic`,
 * `ignore_above`, `index`, dynamic mapping updates) into the values a query sees.
 *
 * Errors are Elasticsearch 8.8+'s: `strict_dynamic_mapping_exception` for an unknown field
 * under `dynamic: strict`, `document_parsing_exception` for a value of the wrong type
 * (Elasticsearch 7.x and 8.0–8.7 called it `mapper_parsing_exception`). Reasons lack the
 * `[line:col]` prefix a real cluster writes before them: match on the type, or on the reason's
 * text after that prefix.
 */
import { parseDate, DEFAULT_DATE_FORMAT } from "./dates";
import { badRequest, isObject, unsupported, EsError, type Json, type JsonObject, str } from "./errors";

export type Dynamic = "true" | "false" | "strict";

export interface FieldType {
  readonly type: "keyword" | "text" | "long" | "integer" | "short" | "byte" | "double" | "float" | "half_float" | "boolean" | "date";
  readonly path: string;
  readonly ignoreAbove: number | undefined;
  readonly searchable: boolean; // index or doc_values
  readonly docValues: boolean;
  readonly format: string;
  readonly coerce: boolean;
  readonly ignoreMalformed: boolean;
  readonly nullValue: Json | undefined;
}

/** A value as indexed: keyword/text terms are strings, numbers and dates numbers (dates in ms), booleans booleans. */
export type Term = string | number | boolean;

/**
 * Indexed values by field path (multi-fields as `field.sub`): one value as itself, several as
 * an array. A plain object (documents of one mapping share its shape) keeps a million log
 * documents within a test's heap; read it with `someTerm`, `termsOf` and `fieldEntries`.
 */
export type ParsedDoc = Readonly<Record<string, Term | Term[]>>;

export function someTerm(doc: ParsedDoc, path: string, pred: (t: Term) => boolean): boolean {
  const v = doc[path];
  if (v === undefined) return false;
  if (!Array.isArray(v)) return pred(v);
  for (const t of v) if (pred(t)) return true;
  return false;
}

export function termsOf(doc: ParsedDoc, path: string): readonly Term[] {
  const v = doc[path];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

export function fieldEntries(doc: ParsedDoc): Array<[string, readonly Term[]]> {
  return Object.keys(doc).map((k) => [k, termsOf(doc, k)]);
}

const NUMERIC = new Set(["long", "integer", "short", "byte", "double", "float", "half_float"]);
const LEAF_TYPES = new Set(["keyword", "text", "boolean", "date", ...NUMERIC]);
const COMMON_PARAMS = new Set(["type", "index", "doc_values", "store", "meta", "fields", "boost", "copy_to"]);
const PARAMS: Readonly<Record<string, ReadonlySet<string>>> = {
  keyword: new Set([
    "ignore_above",
    "null_value",
    "norms",
    "eager_global_ordinals",
    "similarity",
    "index_options",
    "split_queries_on_whitespace",
    "time_series_dimension",
  ]),
  text: new Set([
    "analyzer",
    "search_analyzer",
    "search_quote_analyzer",
    "norms",
    "similarity",
    "index_options",
    "fielddata",
    "position_increment_gap",
    "term_vector",
    "eager_global_ordinals",
    "index_phrases",
    "index_prefixes",
  ]),
  boolean: new Set(["null_value"]),
  date: new Set(["format", "null_value", "ignore_malformed", "locale"]),
  number: new Set(["null_value", "coerce", "ignore_malformed", "time_series_metric", "time_series_dimension"]),
};
const RANGES: Readonly<Record<string, readonly [number, number]>> = {
  byte: [-128, 127],
  short: [-32768, 32767],
  integer: [-2147483648, 2147483647],
  long: [-(2 ** 63), 2 ** 63], // Long.MIN/MAX as a double holds them
};
const ARTICLE: Readonly<Record<string, string>> = { byte: "a byte", short: "a short", integer: "an integer", long: "a long" };

/** Checks a mapping (root or object) before it is stored: types and parameters this server knows. */
export function validateMapping(m: JsonObject, path = ""): void {
  if (path === "") {
    for (const k of Object.keys(m)) {
      if (k === "dynamic_templates") {
        if (Array.isArray(m[k]) && m[k].length > 0) throw unsupported("dynamic_templates");
      } else if (
        !["properties", "dynamic", "_meta", "_source", "date_detection", "numeric_detection", "dynamic_date_formats", "enabled", "_routing"].includes(k)
      )
        throw badRequest("mapper_parsing_exception", `Root mapping definition has unsupported parameters:  [${k} : ${JSON.stringify(m[k])}]`);
    }
  }
  const dyn = m.dynamic;
  if (dyn !== undefined && !["true", "false", "strict", true, false].includes(dyn as string | boolean)) {
    if (dyn === "runtime") throw unsupported("dynamic: runtime");
    throw badRequest("mapper_parsing_exception", `Failed to parse mapping: Could not convert [dynamic] to boolean`);
  }
  const props = m.properties;
  if (props === undefined) return;
  if (!isObject(props)) throw badRequest("mapper_parsing_exception", `Failed to parse mapping: properties must be a map type`);
  for (const [name, def] of Object.entries(props)) {
    const full = path === "" ? name : `${path}.${name}`;
    if (!isObject(def)) throw badRequest("mapper_parsing_exception", `Expected map for property [fields] on field [${full}] but got a class java.lang.String`);
    const type =
      def.type === undefined ? (def.properties !== undefined || def.enabled !== undefined || def.dynamic !== undefined ? "object" : "object") : def.type;
    if (type === "object") {
      for (const k of Object.keys(def))
        if (!["type", "properties", "dynamic", "enabled", "subobjects"].includes(k))
          throw badRequest("mapper_parsing_exception", `unknown parameter [${k}] on mapper [${full}] of type [object]`);
      validateMapping(def, full);
      continue;
    }
    if (typeof type !== "string" || !LEAF_TYPES.has(type)) {
      if (
        typeof type === "string" &&
        [
          "nested",
          "flattened",
          "wildcard",
          "ip",
          "scaled_float",
          "unsigned_long",
          "date_nanos",
          "constant_keyword",
          "match_only_text",
          "geo_point",
          "binary",
          "alias",
        ].includes(type)
      )
        throw unsupported(`field type [${type}] (field [${full}])`);
      throw badRequest("mapper_parsing_exception", `No handler for type [${str(type)}] declared on field [${full}]`);
    }
    const allowed = PARAMS[NUMERIC.has(type) ? "number" : type] ?? new Set<string>();
    for (const k of Object.keys(def))
      if (!COMMON_PARAMS.has(k) && !allowed.has(k))
        throw badRequest("mapper_parsing_exception", `unknown parameter [${k}] on mapper [${full}] of type [${type}]`);
    if (def.fields !== undefined) {
      if (!isObject(def.fields)) throw badRequest("mapper_parsing_exception", `Expected map for property [fields] on field [${full}]`);
      validateMapping({ properties: def.fields }, full);
    }
  }
}

/** Merges `b` into `a` (template then request, or dynamic updates); a type change is refused as Elasticsearch does. */
export function mergeMappings(a: JsonObject, b: JsonObject, path = ""): JsonObject {
  const out: JsonObject = { ...a };
  for (const [k, v] of Object.entries(b)) {
    if (k === "properties" && isObject(v) && isObject(a.properties)) {
      const props: JsonObject = { ...a.properties };
      for (const [name, def] of Object.entries(v)) {
        const old = props[name];
        const full = path === "" ? name : `${path}.${name}`;
        if (isObject(old) && isObject(def)) {
          const ot = typeOf(old);
          const nt = typeOf(def);
          if (ot !== nt) throw badRequest("illegal_argument_exception", `mapper [${full}] cannot be changed from type [${ot}] to [${nt}]`);
          props[name] = mergeMappings(old, def, full);
        } else props[name] = def;
      }
      out.properties = props;
    } else if (k === "fields" && isObject(v) && isObject(a.fields)) {
      out.fields = mergeMappings({ properties: a.fields }, { properties: v }, path).properties ?? {};
    } else if (k === "_meta" && isObject(v) && isObject(a._meta)) out._meta = { ...a._meta, ...v };
    else out[k] = v;
  }
  return out;
}

function typeOf(def: JsonObject): string {
  return typeof def.type === "string" ? def.type : "object";
}

function dynamicOf(m: JsonObject, inherited: Dynamic): Dynamic {
  const d = m.dynamic;
  if (d === undefined) return inherited;
  return str(d) as Dynamic;
}

/** Looks a field up by dotted path in a root mapping: a leaf (or multi-field) type, an object, or nothing. */
export function lookupField(mapping: JsonObject, path: string): { kind: "leaf"; field: FieldType } | { kind: "object"; def: JsonObject } | undefined {
  const parts = path.split(".");
  let node: JsonObject = mapping;
  for (let i = 0; i < parts.length; i++) {
    const props = isObject(node.properties) ? node.properties : isObject(node.fields) ? node.fields : undefined;
    const next = props?.[parts[i] as string];
    if (!isObject(next)) return undefined;
    node = next;
    if (i === parts.length - 1) return typeOf(node) === "object" ? { kind: "object", def: node } : { kind: "leaf", field: fieldType(node, path) };
  }
  return undefined;
}

function fieldType(def: JsonObject, path: string): FieldType {
  const type = typeOf(def) as FieldType["type"];
  const indexed = def.index !== false && def.index !== "false";
  const docValues = def.doc_values !== false && def.doc_values !== "false" && type !== "text";
  return {
    type,
    path,
    ignoreAbove: typeof def.ignore_above === "number" ? def.ignore_above : def.ignore_above !== undefined ? Number(def.ignore_above) : undefined,
    // Since 8.x keyword, numeric, date and boolean fields with doc values stay searchable with index: false.
    searchable: indexed || docValues,
    docValues,
    format: typeof def.format === "string" ? def.format : DEFAULT_DATE_FORMAT,
    coerce: def.coerce !== false,
    ignoreMalformed: def.ignore_malformed === true,
    nullValue: def.null_value,
  };
}

/** A simple stand-in for the standard analyzer: lower-cased runs of letters and digits. */
export function analyze(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}_]+(?:['.][\p{L}\p{N}_]+)*/gu) ?? [];
}

function preview(v: Json): string {
  if (isObject(v))
    return `{${Object.entries(v)
      .map(([k, x]) => `${k}=${typeof x === "object" ? JSON.stringify(x) : str(x)}`)
      .join(", ")}}`;
  return str(v);
}

class DocumentParser {
  readonly fields: Record<string, Term | Term[]> = {};
  /** Fields added by dynamic mapping, as a mapping fragment to merge. */
  readonly added: JsonObject = {};
  private changed = false;

  constructor(private readonly id: string) {}

  get mappingUpdate(): JsonObject | undefined {
    return this.changed ? this.added : undefined;
  }

  private typeError(f: { path: string; type: string }, v: Json, cause: string): EsError {
    return badRequest(
      "document_parsing_exception",
      `failed to parse field [${f.path}] of type [${f.type}] in document with id '${this.id}'. Preview of field's value: '${preview(v)}'`,
      {
        caused_by: { type: "illegal_argument_exception", reason: cause },
      },
    );
  }

  private add(path: string, t: Term): void {
    const v = this.fields[path];
    if (v === undefined) this.fields[path] = t;
    else if (Array.isArray(v)) v.push(t);
    else this.fields[path] = [v, t];
  }

  parseObject(obj: JsonObject, mapping: JsonObject, path: string, dynamic: Dynamic, update: JsonObject, dateDetection: boolean): void {
    for (const [rawKey, value] of Object.entries(obj)) {
      if (rawKey === "") throw badRequest("document_parsing_exception", `field name cannot be an empty string`);
      // "a.b": v is the same as { a: { b: v } }
      if (rawKey.includes(".")) {
        const [key, ...rest] = rawKey.split(".") as [string, ...string[]];
        let nested: Json = value;
        for (const part of rest.reverse()) nested = { [part]: nested };
        this.parseObject({ [key]: nested }, mapping, path, dynamic, update, dateDetection);
        continue;
      }
      const key = rawKey;
      const full = path === "" ? key : `${path}.${key}`;
      const props = isObject(mapping.properties) ? mapping.properties : undefined;
      let def = props?.[key];
      if (!isObject(def)) {
        const pending = isObject(update.properties) ? update.properties[key] : undefined;
        if (isObject(pending)) def = pending;
      }
      if (!isObject(def)) {
        if (value === null || (Array.isArray(value) && value.every((x) => x === null))) continue;
        if (dynamic === "strict")
          throw new EsError(
            400,
            "strict_dynamic_mapping_exception",
            `mapping set to strict, dynamic introduction of [${key}] within [${path === "" ? "_doc" : path}] is not allowed`,
          );
        if (dynamic === "false") continue; // kept in _source, not indexed
        def = this.dynamicMapping(value, dateDetection);
        if (def === undefined) continue;
        if (!isObject(update.properties)) update.properties = {};
        update.properties[key] = def;
        this.changed = true;
      }
      this.parseValue(value, def, full, dynamic, update, key, dateDetection);
    }
  }

  private dynamicMapping(value: Json, dateDetection: boolean): JsonObject | undefined {
    const sample = Array.isArray(value) ? value.flat(Infinity as 1).find((x) => x !== null) : value;
    if (sample === undefined || sample === null) return undefined;
    if (isObject(sample)) return { properties: {} };
    if (typeof sample === "boolean") return { type: "boolean" };
    if (typeof sample === "number") return { type: Number.isInteger(sample) ? "long" : "float" };
    if (typeof sample === "string") {
      if (dateDetection && /^\d{4}[-/]\d{2}[-/]\d{2}/.test(sample) && parseDate(sample.replace(/\//g, "-"), "date_optional_time") !== undefined)
        return { type: "date" };
      return { type: "text", fields: { keyword: { type: "keyword", ignore_above: 256 } } };
    }
    return undefined;
  }

  private parseValue(value: Json, def: JsonObject, path: string, dynamic: Dynamic, update: JsonObject, key: string, dateDetection: boolean): void {
    if (Array.isArray(value)) {
      for (const v of value) this.parseValue(v, def, path, dynamic, update, key, dateDetection);
      return;
    }
    if (typeOf(def) === "object") {
      if (def.enabled === false) return; // stored in _source only, never parsed
      if (value === null) return;
      if (!isObject(value))
        throw badRequest("document_parsing_exception", `object mapping for [${path}] tried to parse field [${key}] as object, but found a concrete value`);
      let sub = isObject(update.properties) ? update.properties[key] : undefined;
      if (!isObject(sub)) {
        sub = {};
        if (!isObject(update.properties)) update.properties = {};
        update.properties[key] = sub;
      }
      this.parseObject(value, def, path, dynamicOf(def, dynamic), sub, dateDetection);
      return;
    }
    const f = fieldType(def, path);
    this.leaf(f, value);
    if (isObject(def.fields))
      for (const [sub, subDef] of Object.entries(def.fields)) if (isObject(subDef)) this.leaf(fieldType(subDef, `${path}.${sub}`), value);
  }

  private leaf(f: FieldType, raw: Json): void {
    const value = raw === null ? (f.nullValue ?? null) : raw;
    if (value === null) return;
    if (isObject(value)) throw this.typeError(f, value, `Cannot parse an object as a value of [${f.type}]`);
    if (Array.isArray(value)) return;
    const indexed = f.searchable;
    switch (f.type) {
      case "keyword": {
        const s = str(value);
        if (f.ignoreAbove !== undefined && s.length > f.ignoreAbove) return; // kept in _source, not indexed
        if (indexed) this.add(f.path, s);
        return;
      }
      case "text":
        if (indexed) for (const t of analyze(str(value))) this.add(f.path, t);
        return;
      case "boolean": {
        let b: boolean;
        if (value === true || value === "true") b = true;
        else if (value === false || value === "false" || value === "") b = false;
        else throw this.typeError(f, value, `Failed to parse value [${str(value)}] as only [true] or [false] are allowed.`);
        if (indexed) this.add(f.path, b);
        return;
      }
      case "date": {
        const t = typeof value === "boolean" ? undefined : parseDate(value, f.format);
        if (t === undefined) {
          if (f.ignoreMalformed) return;
          throw this.typeError(f, value, `failed to parse date field [${str(value)}] with format [${f.format}]`);
        }
        if (indexed) this.add(f.path, t);
        return;
      }
      default: {
        const n = this.number(f, value);
        if (n !== undefined && indexed) this.add(f.path, n);
      }
    }
  }

  private number(f: FieldType, value: string | number | boolean): number | undefined {
    const fail = (cause: string): undefined => {
      if (f.ignoreMalformed) return undefined;
      throw this.typeError(f, value, cause);
    };
    if (typeof value === "boolean") {
      fail(`Current token (VALUE_${str(value).toUpperCase()}) not numeric, can not use numeric value accessors`);
      return;
    }
    if (typeof value === "string" && !f.coerce) {
      fail(`Cannot coerce string [${value}] to a number: coerce is disabled`);
      return;
    }
    const n = typeof value === "number" ? value : value.trim() === "" ? NaN : Number(value);
    if (!Number.isFinite(n)) {
      fail(`For input string: "${str(value)}"`);
      return;
    }
    const range = RANGES[f.type];
    if (range) {
      if (!Number.isInteger(n) && !f.coerce) {
        fail(`Value [${n}] has a decimal part`);
        return;
      }
      const i = Math.trunc(n);
      if (i < range[0] || i > range[1]) {
        fail(`Value [${str(value)}] is out of range for ${ARTICLE[f.type] ?? f.type}`);
        return;
      }
      return i;
    }
    return f.type === "float" || f.type === "half_float" ? Math.fround(n) : n;
  }
}

/**
 * Parses a document's `_source` against the index mapping. Returns the indexed values and,
 * when dynamic mapping added fields, the mapping fragment to merge into the index.
 */
export function parseDocument(source: Json, mapping: JsonObject, id: string): { doc: ParsedDoc; mappingUpdate: JsonObject | undefined } {
  if (!isObject(source)) throw badRequest("document_parsing_exception", `failed to parse: the document must be a JSON object`);
  const p = new DocumentParser(id);
  p.parseObject(source, mapping, "", dynamicOf(mapping, "true"), p.added, mapping.date_detection !== false);
  return { doc: p.fields, mappingUpdate: p.mappingUpdate };
}
