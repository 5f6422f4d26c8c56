/**
 * Indices, composable index templates and aliases: creation (explicit, or on first write from
 * the matching template of highest priority), deletion, listing and name resolution
 * (comma lists, `*` wildcards, `-excluded`, `_all`, aliases).
 */
import { randomBytes } from "node:crypto";
import { badRequest, EsError, indexNotFound, isObject, unsupported, type Json, type JsonObject } from "./errors";
import { fieldEntries, mergeMappings, validateMapping, type ParsedDoc } from "./mapping";

export interface StoredDoc {
  readonly id: string;
  readonly source: JsonObject;
  readonly version: number;
  readonly seqNo: number;
  readonly primaryTerm: number;
  readonly parsed: ParsedDoc;
  /** Position in the index (Lucene's doc id): a rewritten document moves to the end, as in a segment. */
  readonly docNo: number;
}

/** What a deleted document leaves behind: its version keeps ordering versioned writes (index.gc_deletes). */
export interface Tombstone {
  readonly version: number;
  readonly seqNo: number;
}

export class Index {
  readonly uuid = randomBytes(16).toString("base64url").slice(0, 22);
  readonly creationDate = Date.now();
  readonly docs = new Map<string, StoredDoc>();
  readonly tombstones = new Map<string, Tombstone>();
  readonly primaryTerm = 1;
  /** Bounds of every numeric (and date) field ever written: a search skips an index its range filter cannot match (Elasticsearch's can_match phase). */
  readonly fieldRanges = new Map<string, { min: number; max: number }>();
  nextSeqNo = 0;
  nextDocNo = 0;
  deletedDocs = 0;

  constructor(
    readonly name: string,
    /** Flat settings, `index.` prefixed, string values (as Elasticsearch keeps them). */
    readonly settings: Map<string, string>,
    public mapping: JsonObject,
    readonly aliases: Map<string, JsonObject>,
  ) {}

  noteRanges(doc: ParsedDoc): void {
    for (const [field, terms] of fieldEntries(doc))
      for (const t of terms) {
        if (typeof t !== "number") continue;
        const r = this.fieldRanges.get(field);
        if (!r) this.fieldRanges.set(field, { min: t, max: t });
        else {
          if (t < r.min) r.min = t;
          if (t > r.max) r.max = t;
        }
      }
  }

  get maxResultWindow(): number {
    return Number(this.settings.get("index.max_result_window") ?? 10000);
  }

  settingsObject(): JsonObject {
    const flat = new Map(this.settings);
    flat.set("index.creation_date", String(this.creationDate));
    flat.set("index.uuid", this.uuid);
    flat.set("index.provided_name", this.name);
    flat.set("index.version.created", "8521000");
    if (!flat.has("index.number_of_shards")) flat.set("index.number_of_shards", "1");
    if (!flat.has("index.number_of_replicas")) flat.set("index.number_of_replicas", "1");
    return nestSettings(flat);
  }
}

export interface IndexTemplate {
  readonly index_patterns: string[];
  readonly priority?: number;
  readonly template?: JsonObject;
  readonly composed_of?: string[];
  readonly _meta?: JsonObject;
  readonly version?: number;
}

/** `{ index: { number_of_shards: 1 } }` or `{ "index.number_of_shards": 1 }` → `index.number_of_shards` → "1". */
export function flattenSettings(settings: Json | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (v: Json, prefix: string): void => {
    if (isObject(v)) for (const [k, x] of Object.entries(v)) walk(x, prefix === "" ? k : `${prefix}.${k}`);
    else if (v !== null) out.set(prefix.startsWith("index.") ? prefix : `index.${prefix}`, Array.isArray(v) ? v.map(String).join(",") : String(v));
  };
  if (settings !== undefined) walk(settings, "");
  return out;
}

export function nestSettings(flat: Map<string, string>): JsonObject {
  const root: JsonObject = {};
  for (const [key, value] of [...flat].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const parts = key.split(".");
    let node = root;
    for (const p of parts.slice(0, -1)) {
      if (!isObject(node[p])) node[p] = {};
      node = node[p];
    }
    node[parts[parts.length - 1] as string] = value;
  }
  return root;
}

/** Elasticsearch's simple glob: `*` matches any run of characters, nothing else is special. */
export function globMatch(pattern: string, name: string): boolean {
  const parts = pattern.split("*");
  if (parts.length === 1) return pattern === name;
  const first = parts[0] as string;
  const last = parts[parts.length - 1] as string;
  if (!name.startsWith(first) || name.length < first.length + last.length || !name.endsWith(last)) return false;
  let at = first.length;
  for (const mid of parts.slice(1, -1)) {
    const found = name.indexOf(mid, at);
    if (found < 0 || found + mid.length > name.length - last.length) return false;
    at = found + mid.length;
  }
  return true;
}

const INVALID_CHARS = ["\\", "/", "*", "?", '"', "<", ">", "|", " ", ",", "#", ":"];

export function validateIndexName(name: string): void {
  const fail = (why: string): never => {
    throw new EsError(400, "invalid_index_name_exception", `Invalid index name [${name}], ${why}`, { index_uuid: "_na_", index: name });
  };
  if (name !== name.toLowerCase()) fail("must be lowercase");
  if (INVALID_CHARS.some((c) => name.includes(c))) fail(`must not contain the following characters [${INVALID_CHARS.map((c) => `'${c}'`).join(",")}]`);
  if (/^[_\-+]/.test(name)) fail("must not start with '_', '-', or '+'");
  if (name === "." || name === "..") fail("must not be '.' or '..'");
  if (Buffer.byteLength(name) > 255) fail("index name is too long");
}

export interface ResolveOptions {
  readonly ignoreUnavailable?: boolean;
  readonly allowNoIndices?: boolean;
}

export class Indices {
  readonly indices = new Map<string, Index>();
  readonly templates = new Map<string, IndexTemplate>();

  // ---- templates ----

  putTemplate(name: string, body: Json, create: boolean): void {
    if (!isObject(body)) throw badRequest("parse_exception", "request body is required");
    for (const k of Object.keys(body))
      if (
        ![
          "index_patterns",
          "priority",
          "template",
          "composed_of",
          "_meta",
          "version",
          "data_stream",
          "allow_auto_create",
          "ignore_missing_component_templates",
          "deprecated",
        ].includes(k)
      )
        throw badRequest("x_content_parse_exception", `[index_template] unknown field [${k}]`);
    if (body.data_stream !== undefined) throw unsupported("data streams (index template data_stream)");
    const patterns =
      typeof body.index_patterns === "string" ? [body.index_patterns] : Array.isArray(body.index_patterns) ? body.index_patterns.map(String) : [];
    if (patterns.length === 0) throw badRequest("action_request_validation_exception", "Validation Failed: 1: index patterns are missing;");
    if (create && this.templates.has(name)) throw badRequest("illegal_argument_exception", `index template [${name}] already exists`);
    const composed = Array.isArray(body.composed_of) ? body.composed_of.map(String) : [];
    if (composed.length > 0)
      throw badRequest(
        "invalid_index_template_exception",
        `index_template [${name}] invalid, cause [index template [${name}] specifies component templates ${JSON.stringify(composed)} that do not exist]`,
      );
    const t = isObject(body.template) ? body.template : undefined;
    const template: JsonObject = {};
    if (t) {
      for (const k of Object.keys(t))
        if (!["settings", "mappings", "aliases", "lifecycle", "data_stream_options"].includes(k))
          throw badRequest("x_content_parse_exception", `[template] unknown field [${k}]`);
      if (t.settings !== undefined) template.settings = nestSettings(flattenSettings(t.settings));
      if (isObject(t.mappings)) {
        validateMapping(t.mappings);
        template.mappings = t.mappings;
      }
      if (isObject(t.aliases)) template.aliases = normalizeAliases(t.aliases);
      if (t.lifecycle !== undefined) throw unsupported("data stream lifecycle");
    }
    const priority = typeof body.priority === "number" ? body.priority : undefined;
    this.templates.set(name, {
      index_patterns: patterns,
      ...(priority !== undefined ? { priority } : {}),
      ...(t ? { template } : {}),
      composed_of: composed,
      ...(isObject(body._meta) ? { _meta: body._meta } : {}),
      ...(typeof body.version === "number" ? { version: body.version } : {}),
    });
  }

  /** Templates whose name matches a comma list of names or wildcards; throws 404 when a plain name is absent. */
  getTemplates(names: string | undefined): Array<[string, IndexTemplate]> {
    if (names === undefined || names === "" || names === "*") return [...this.templates].sort(([a], [b]) => (a < b ? -1 : 1));
    const out: Array<[string, IndexTemplate]> = [];
    for (const n of names.split(",")) {
      const hits = [...this.templates].filter(([name]) => globMatch(n, name));
      if (hits.length === 0 && !n.includes("*")) throw new EsError(404, "resource_not_found_exception", `index template matching [${n}] not found`);
      for (const h of hits) if (!out.some(([x]) => x === h[0])) out.push(h);
    }
    return out;
  }

  deleteTemplates(names: string): void {
    const victims: string[] = [];
    for (const n of names.split(",")) {
      const hits = [...this.templates.keys()].filter((name) => globMatch(n, name));
      if (hits.length === 0) throw new EsError(404, "resource_not_found_exception", `index_template [${n}] missing`);
      victims.push(...hits);
    }
    for (const v of victims) this.templates.delete(v);
  }

  /** The template a new index takes: the matching one of highest priority. */
  matchTemplate(index: string): IndexTemplate | undefined {
    let best: IndexTemplate | undefined;
    for (const [, t] of [...this.templates].sort(([a], [b]) => (a < b ? -1 : 1)))
      if (t.index_patterns.some((p) => globMatch(p, index)) && (best === undefined || (t.priority ?? 0) > (best.priority ?? 0))) best = t;
    return best;
  }

  // ---- indices ----

  create(name: string, body: Json | undefined): Index {
    validateIndexName(name);
    if (this.indices.has(name)) {
      const existing = this.indices.get(name) as Index;
      throw new EsError(400, "resource_already_exists_exception", `index [${name}/${existing.uuid}] already exists`, {
        index_uuid: existing.uuid,
        index: name,
      });
    }
    if (this.aliasIndices(name) !== undefined) throw badRequest("invalid_index_name_exception", `Invalid index name [${name}], already exists as alias`);
    const req = isObject(body) ? body : {};
    for (const k of Object.keys(req))
      if (!["settings", "mappings", "aliases"].includes(k)) throw badRequest("parse_exception", `unknown key [${k}] for create index`);
    const tpl = this.matchTemplate(name)?.template ?? {};
    const settings = flattenSettings(tpl.settings);
    for (const [k, v] of flattenSettings(req.settings)) settings.set(k, v);
    let mapping: JsonObject = isObject(tpl.mappings) ? tpl.mappings : {};
    if (isObject(req.mappings)) {
      validateMapping(req.mappings);
      mapping = mergeMappings(mapping, req.mappings);
    }
    const aliases = new Map<string, JsonObject>(Object.entries(normalizeAliases(isObject(tpl.aliases) ? tpl.aliases : {})) as Array<[string, JsonObject]>);
    for (const [a, def] of Object.entries(normalizeAliases(isObject(req.aliases) ? req.aliases : {}))) aliases.set(a, def as JsonObject);
    for (const a of aliases.keys())
      if (this.indices.has(a))
        throw badRequest("invalid_alias_name_exception", `Invalid alias name [${a}]: an index or data stream exists with the same name as the alias`);
    const index = new Index(name, settings, mapping, aliases);
    this.indices.set(name, index);
    return index;
  }

  /** Indices an alias points to, or undefined when no index has that alias. */
  aliasIndices(alias: string): Index[] | undefined {
    const hits = [...this.indices.values()].filter((i) => i.aliases.has(alias));
    return hits.length > 0 ? hits : undefined;
  }

  /** The index a write to `name` goes to: the index, an alias' write index, or a new index from its template. */
  writeTarget(name: string): Index {
    const direct = this.indices.get(name);
    if (direct) return direct;
    const viaAlias = this.aliasIndices(name);
    if (viaAlias) {
      const writers = viaAlias.filter((i) => i.aliases.get(name)?.is_write_index === true);
      if (writers.length === 1) return writers[0] as Index;
      if (viaAlias.length === 1 && viaAlias[0]?.aliases.get(name)?.is_write_index !== false) return viaAlias[0] as Index;
      throw badRequest(
        "illegal_argument_exception",
        `no write index is defined for alias [${name}]. The write index may be explicitly disabled using is_write_index=false or the alias points to multiple indices without one being designated as a write index`,
      );
    }
    return this.create(name, undefined);
  }

  /** Resolves an index expression (comma list, wildcards, aliases, `-exclusions`) to indices, in name order. */
  resolve(expr: string | undefined, opts: ResolveOptions = {}): Index[] {
    const parts = expr === undefined || expr === "" ? ["_all"] : expr.split(",");
    const picked = new Set<Index>();
    for (const raw of parts) {
      const part = raw.trim();
      if (part.startsWith("-") && picked.size > 0) {
        for (const i of [...picked]) if (globMatch(part.slice(1), i.name)) picked.delete(i);
        continue;
      }
      if (part === "_all" || part === "*") {
        for (const i of this.indices.values()) picked.add(i);
        continue;
      }
      if (part.includes("*")) {
        for (const i of this.indices.values()) if (globMatch(part, i.name) || [...i.aliases.keys()].some((a) => globMatch(part, a))) picked.add(i);
        continue;
      }
      const direct = this.indices.get(part);
      const viaAlias = direct ? [direct] : this.aliasIndices(part);
      if (!viaAlias) {
        if (opts.ignoreUnavailable) continue;
        throw indexNotFound(part);
      }
      for (const i of viaAlias) picked.add(i);
    }
    if (picked.size === 0 && opts.allowNoIndices === false) throw indexNotFound(expr ?? "_all");
    return [...picked].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  delete(expr: string, destructiveRequiresName: boolean): void {
    for (const part of expr.split(","))
      if (destructiveRequiresName && (part.includes("*") || part === "_all"))
        throw badRequest("illegal_argument_exception", "Wildcard expressions or all indices are not allowed");
    const victims = this.resolve(expr);
    for (const part of expr.split(",")) if (!part.includes("*") && part !== "_all" && !this.indices.has(part)) throw indexNotFound(part);
    for (const v of victims) this.indices.delete(v.name);
  }
}

function normalizeAliases(aliases: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [name, def] of Object.entries(aliases)) {
    const d = isObject(def) ? def : {};
    if (d.filter !== undefined) throw unsupported(`alias filters (alias [${name}])`);
    if (d.routing !== undefined || d.index_routing !== undefined || d.search_routing !== undefined) throw unsupported(`alias routing (alias [${name}])`);
    out[name] = d;
  }
  return out;
}
