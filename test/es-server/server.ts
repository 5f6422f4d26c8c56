/**
 * An in-process, Elasticsearch-compatible HTTP server for tests: the REST endpoints the
 * Tantale Elasticsearch store uses, documents in memory, and failure injection (refused
 * connections, error statuses for whole requests or single bulk items, delays) plus a request
 * log. See README.md for what it implements and what it does not.
 */
import http from "node:http";
import type net from "node:net";
import { gunzipSync } from "node:zlib";
import { applyFilterPath } from "./filter-path";
import { bulkItem, parseBulk, runWrite, type BulkAction, type OpName } from "./bulk";
import { getDoc, validateOp, validationError, type WriteOp } from "./documents";
import { badRequest, EsError, indexNotFound, isObject, unsupported, type Json, type JsonObject, str } from "./errors";
import { Indices, type Index } from "./indices";
import { checkParams, paramFamily } from "./params";
import { filterSource, sourceFilterOf } from "./query";
import { PointsInTime, runCount, runSearch, type Shard } from "./search";

export const SERVER_VERSION = "8.19.2";

/** A request as received, for assertions. */
export interface LoggedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** The raw query string, without `?`. */
  readonly querystring: string;
  readonly headers: Readonly<http.IncomingHttpHeaders>;
  readonly body: string;
}

/** An injected failure: the status and the error's type and reason (defaults by status). */
export interface Fault {
  readonly status: number;
  readonly type?: string;
  readonly reason?: string;
}

export interface RequestMatch {
  readonly method?: string;
  /** A path prefix or a pattern the path must match. */
  readonly path?: string | RegExp;
}

export interface ItemMatch {
  readonly index?: string | RegExp;
  readonly op?: OpName;
}

export interface EsServerOptions {
  /** Keep the last N requests in `requests` (default 1000; 0 keeps none, for benchmarks). */
  readonly logLimit?: number;
  /** Elasticsearch 8's action.destructive_requires_name: refuse `DELETE /<wildcard>` (default true, as 8.x). */
  readonly destructiveRequiresName?: boolean;
  /** The clock `now` in range queries reads (default Date.now). */
  readonly now?: () => number;
}

export interface EsServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Requests received, oldest first (bounded by logLimit). */
  readonly requests: LoggedRequest[];
  clearRequests(): void;
  /** Answers the next `n` requests matching `match` with `fault` instead of handling them. */
  failRequests(n: number, fault: Fault, match?: RequestMatch): void;
  /** Answers the next `n` bulk items matching `match` with `fault` (the items are not executed). */
  failBulkItems(n: number, fault: Fault, match?: ItemMatch): void;
  /** Delays every answer by `ms` (0 to stop). */
  setDelay(ms: number): void;
  /** Stops accepting connections and cuts open ones: clients meet "connection refused". Documents are kept. */
  stopListening(): Promise<void>;
  /** Listens again on the same port. */
  resumeListening(): Promise<void>;
  readonly listening: boolean;
  /** The server's state, for white-box assertions (indices, templates, documents). */
  readonly state: Indices;
  close(): Promise<void>;
}

interface PendingFault {
  remaining: number;
  readonly fault: Fault;
}

const DEFAULT_TYPES: Readonly<Record<number, [string, string]>> = {
  429: [
    "es_rejected_execution_exception",
    "rejected execution of coordinating operation [coordinating_and_primary_bytes=0, replica_bytes=0, all_bytes=0, coordinating_operation_bytes=0, max_coordinating_and_primary_bytes=0] (injected by the test server)",
  ],
  503: ["unavailable_shards_exception", "[primary shard is not active] (injected by the test server)"],
  403: ["cluster_block_exception", "index blocked by: [FORBIDDEN/8/index write (api)]; (injected by the test server)"],
  500: ["exception", "internal error (injected by the test server)"],
  502: ["exception", "bad gateway (injected by the test server)"],
  504: ["exception", "gateway timeout (injected by the test server)"],
};

function faultError(f: Fault): EsError {
  const [type, reason] = DEFAULT_TYPES[f.status] ?? ["exception", `injected failure (status ${f.status})`];
  return new EsError(f.status, f.type ?? type, f.reason ?? reason);
}

function matchText(m: string | RegExp | undefined, text: string, prefix: boolean): boolean {
  if (m === undefined) return true;
  if (typeof m === "string") return prefix ? text.startsWith(m) : text === m;
  return m.test(text);
}

function mediaVersion(header: string | undefined): number | undefined {
  const m = /compatible-with\s*=\s*(\d+)/.exec(header ?? "");
  return m ? Number(m[1]) : undefined;
}

interface Answer {
  readonly status: number;
  readonly body?: Json;
  /** Plain text (the _cat APIs without format=json). */
  readonly text?: string;
}

const ok = (body: Json, status = 200): Answer => ({ status, body });

function bytesOf(i: Index): number {
  let n = 0;
  for (const d of i.docs.values()) n += JSON.stringify(d.source).length;
  return n;
}

function humanBytes(n: number): string {
  if (n < 1024) return `${n}b`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)}kb`;
  return `${(n / 1024 / 1024).toFixed(1)}mb`;
}

class Handler {
  readonly indices = new Indices();
  readonly pits = new PointsInTime();
  readonly itemFaults: Array<PendingFault & { match: ItemMatch }> = [];

  constructor(private readonly opts: Required<Pick<EsServerOptions, "destructiveRequiresName" | "now">>) {}

  route(method: string, segs: string[], q: Record<string, string>, rawBody: string): Answer {
    const body = (): Json | undefined => {
      if (rawBody.trim() === "") return undefined;
      try {
        return JSON.parse(rawBody) as Json;
      } catch (e) {
        throw badRequest("x_content_parse_exception", `[1:1] Failed to parse request body: ${(e as Error).message}`);
      }
    };
    const [a, b, c] = segs;
    const n = segs.length;
    const M = (...ms: string[]): boolean => ms.includes(method);

    if (n === 0) {
      if (M("GET", "HEAD")) return ok(this.info());
      throw this.noHandler(method, segs);
    }
    if (a === "_cluster" && b === "health" && M("GET")) return ok(this.health(c));
    if (a === "_index_template") {
      if (n === 2 && M("PUT", "POST")) {
        this.indices.putTemplate(b as string, body() ?? null, q.create === "true");
        return ok({ acknowledged: true });
      }
      if (n <= 2 && M("GET", "HEAD"))
        return ok({ index_templates: this.indices.getTemplates(b).map(([name, t]) => ({ name, index_template: t as unknown as JsonObject })) });
      if (n === 2 && M("DELETE")) {
        this.indices.deleteTemplates(b as string);
        return ok({ acknowledged: true });
      }
    }
    if (a === "_cat" && b === "indices" && M("GET")) return this.catIndices(c, q);
    if (a === "_alias" && M("GET")) return ok(this.aliases(undefined, b));
    if (a === "_mapping" && M("GET")) return ok(this.mappings(undefined));
    if (a === "_refresh" && M("POST", "GET")) return ok(this.refresh(undefined));
    if (a === "_bulk" && M("POST", "PUT")) return this.bulk(undefined, q, rawBody);
    if (a === "_mget" && M("POST", "GET")) return ok(this.mget(undefined, body(), q));
    if (a === "_search" && M("POST", "GET")) return ok(this.search(undefined, body(), q));
    if (a === "_count" && M("POST", "GET")) return ok(runCount(this.shards(undefined, q), body(), this.opts.now(), q));
    if (a === "_pit" && M("DELETE")) return this.closePit(body());
    if (a?.startsWith("_")) throw this.noHandler(method, segs);

    // /<index>...
    const index = a as string;
    if (n === 1) {
      if (M("PUT")) {
        this.indices.create(index, body());
        return ok({ acknowledged: true, shards_acknowledged: true, index });
      }
      if (M("HEAD")) return this.indices.resolve(index).length > 0 || this.indices.indices.has(index) ? ok(null) : { status: 404 };
      if (M("GET")) return ok(this.getIndices(index, q));
      if (M("DELETE")) {
        this.indices.delete(index, this.opts.destructiveRequiresName);
        return ok({ acknowledged: true });
      }
    }
    switch (b) {
      case "_alias":
      case "_aliases":
        if (M("GET")) return ok(this.aliases(index, c));
        break;
      case "_mapping":
        if (M("GET")) return ok(this.mappings(index));
        break;
      case "_settings":
        if (M("GET")) return ok(Object.fromEntries(this.indices.resolve(index).map((i) => [i.name, { settings: i.settingsObject() }])));
        break;
      case "_refresh":
        if (M("POST", "GET")) return ok(this.refresh(index));
        break;
      case "_bulk":
        if (M("POST", "PUT")) return this.bulk(index, q, rawBody);
        break;
      case "_mget":
        if (M("POST", "GET")) return ok(this.mget(index, body(), q));
        break;
      case "_search":
        if (M("POST", "GET")) return ok(this.search(index, body(), q));
        break;
      case "_count":
        if (M("POST", "GET")) return ok(runCount(this.shards(index, q), body(), this.opts.now(), q));
        break;
      case "_pit":
        if (M("POST")) return this.openPit(index, q);
        break;
      case "_doc":
      case "_create":
      case "_update":
      case "_source":
        return this.single(method, index, b, c, q, body);
      default:
        if (b !== undefined && !b.startsWith("_")) throw unsupported(`the path /${segs.join("/")} (mapping types were removed in 8.x)`);
    }
    throw this.noHandler(method, segs);
  }

  private noHandler(method: string, segs: string[]): EsError {
    return new EsError(
      400,
      "illegal_argument_exception",
      `no handler found for uri [/${segs.join("/")}] and method [${method}] (or not implemented by the test server)`,
    );
  }

  private info(): JsonObject {
    return {
      name: "tantale-es-test-server",
      cluster_name: "tantale-test",
      cluster_uuid: "tantale-test-cluster-uuid0",
      version: {
        number: SERVER_VERSION,
        build_flavor: "default",
        build_type: "tar",
        build_hash: "0000000000000000000000000000000000000000",
        build_date: "2025-01-01T00:00:00.000Z",
        build_snapshot: false,
        lucene_version: "9.12.2",
        minimum_wire_compatibility_version: "7.17.0",
        minimum_index_compatibility_version: "7.0.0",
      },
      tagline: "You Know, for Search",
    };
  }

  private health(index: string | undefined): JsonObject {
    const list = index === undefined ? [...this.indices.indices.values()] : this.indices.resolve(index);
    // one node: replicas can never be assigned, so an index that wants them is yellow
    const yellow = list.some((i) => Number(i.settings.get("index.number_of_replicas") ?? 1) > 0);
    const unassigned = list.reduce((s, i) => s + Number(i.settings.get("index.number_of_replicas") ?? 1), 0);
    return {
      cluster_name: "tantale-test",
      status: yellow ? "yellow" : "green",
      timed_out: false,
      number_of_nodes: 1,
      number_of_data_nodes: 1,
      active_primary_shards: list.length,
      active_shards: list.length,
      relocating_shards: 0,
      initializing_shards: 0,
      unassigned_shards: unassigned,
      unassigned_primary_shards: 0,
      delayed_unassigned_shards: 0,
      number_of_pending_tasks: 0,
      number_of_in_flight_fetch: 0,
      task_max_waiting_in_queue_millis: 0,
      active_shards_percent_as_number: list.length === 0 ? 100 : (100 * list.length) / (list.length + unassigned),
    };
  }

  private catIndices(pattern: string | undefined, q: Record<string, string>): Answer {
    const list = this.indices.resolve(pattern ?? "*", { ignoreUnavailable: false });
    const rows = list.map((i): Record<string, string> => {
      const bytes = bytesOf(i);
      const size = q.bytes === "b" ? str(bytes) : humanBytes(bytes);
      const replicas = i.settings.get("index.number_of_replicas") ?? "1";
      return {
        health: Number(replicas) > 0 ? "yellow" : "green",
        status: "open",
        index: i.name,
        uuid: i.uuid,
        pri: i.settings.get("index.number_of_shards") ?? "1",
        rep: replicas,
        "docs.count": str(i.docs.size),
        "docs.deleted": str(i.deletedDocs),
        "store.size": size,
        "pri.store.size": size,
        "dataset.size": size,
        "creation.date": str(i.creationDate),
      };
    });
    const cols = q.h
      ? q.h.split(",")
      : ["health", "status", "index", "uuid", "pri", "rep", "docs.count", "docs.deleted", "store.size", "pri.store.size", "dataset.size"];
    if (q.s) {
      const [col, dir] = (q.s.split(",")[0] as string).split(":") as [string, string | undefined];
      rows.sort((x, y) => ((x[col] ?? "") < (y[col] ?? "") ? -1 : (x[col] ?? "") > (y[col] ?? "") ? 1 : 0) * (dir === "desc" ? -1 : 1));
    }
    const picked = rows.map((r) => Object.fromEntries(cols.map((col) => [col, r[col] ?? null])));
    if (q.format === "json") return ok(picked);
    if (q.format !== undefined) throw unsupported(`_cat format [${q.format}]`);
    const lines = picked.map((r) => cols.map((col) => r[col] ?? "").join(" "));
    if (q.v !== undefined) lines.unshift(cols.join(" "));
    return { status: 200, text: lines.map((l) => `${l}\n`).join("") };
  }

  private aliases(index: string | undefined, name: string | undefined): JsonObject {
    const out: JsonObject = {};
    for (const i of this.indices.resolve(index)) {
      const picked = [...i.aliases].filter(
        ([a]) => name === undefined || name.split(",").some((p) => p === a || (p.includes("*") && new RegExp(`^${p.replace(/\*/g, ".*")}$`).test(a))),
      );
      if (name !== undefined && picked.length === 0) continue;
      out[i.name] = { aliases: Object.fromEntries(picked) };
    }
    if (name !== undefined && Object.keys(out).length === 0 && !name.includes("*"))
      throw new EsError(404, "aliases_not_found_exception", `aliases [${name}] missing`, { "resource.type": "aliases", "resource.id": name });
    return out;
  }

  private mappings(index: string | undefined): JsonObject {
    return Object.fromEntries(this.indices.resolve(index).map((i) => [i.name, { mappings: i.mapping }]));
  }

  private getIndices(expr: string, q: Record<string, string>): JsonObject {
    const list = this.indices.resolve(expr, { ignoreUnavailable: q.ignore_unavailable === "true" });
    return Object.fromEntries(list.map((i) => [i.name, { aliases: Object.fromEntries(i.aliases), mappings: i.mapping, settings: i.settingsObject() }]));
  }

  private refresh(index: string | undefined): JsonObject {
    // Documents are searchable as soon as they are written: a refresh has nothing to do.
    const n = this.indices.resolve(index).length;
    return { _shards: { total: n * 2, successful: n, failed: 0 } };
  }

  private shards(index: string | undefined, q: Record<string, string>): Shard[] {
    return this.indices
      .resolve(index, { ignoreUnavailable: q.ignore_unavailable === "true", allowNoIndices: q.allow_no_indices !== "false" })
      .map((i) => ({ index: i, docs: i.docs.values() }));
  }

  private search(index: string | undefined, body: Json | undefined, q: Record<string, string>): JsonObject {
    const pit = isObject(body) && isObject(body.pit) ? body.pit : undefined;
    if (pit) {
      if (index !== undefined)
        throw badRequest(
          "action_request_validation_exception",
          "Validation Failed: 1: [indices] cannot be used with point in time. Do not specify any index with point in time.;",
        );
      const id = str(pit.id);
      const shards = this.pits.get(id).map((s) => ({ index: s.index, docs: s.docs }));
      const { pit: _unused, ...rest } = body as JsonObject;
      return runSearch(shards, rest, { query: q, now: this.opts.now(), pitId: id });
    }
    // a fresh iterator per shard: runSearch walks each once
    return runSearch(this.shards(index, q), body, { query: q, now: this.opts.now() });
  }

  private openPit(index: string, q: Record<string, string>): Answer {
    if (q.keep_alive === undefined) throw badRequest("action_request_validation_exception", "Validation Failed: 1: [keep_alive] is not specified;");
    const list = this.indices.resolve(index, { ignoreUnavailable: q.ignore_unavailable === "true" });
    const id = this.pits.open(list);
    return ok({ id, _shards: { total: list.length, successful: list.length, skipped: 0, failed: 0 } });
  }

  private closePit(body: Json | undefined): Answer {
    if (!isObject(body) || typeof body.id !== "string")
      throw badRequest("action_request_validation_exception", "Validation Failed: 1: no point-in-time id specified;");
    const freed = this.pits.close(body.id);
    return { status: freed ? 200 : 404, body: { succeeded: true, num_freed: freed ? 1 : 0 } };
  }

  private mget(index: string | undefined, body: Json | undefined, q: Record<string, string>): JsonObject {
    const b = isObject(body) ? body : {};
    let items: Array<{ index: string | undefined; id: string; source: Json | undefined }> = [];
    if (Array.isArray(b.docs))
      items = b.docs.map((d) =>
        isObject(d) ? { index: d._index === undefined ? index : str(d._index), id: str(d._id), source: d._source } : { index, id: "", source: undefined },
      );
    else if (Array.isArray(b.ids)) items = b.ids.map((id) => ({ index, id: str(id), source: undefined }));
    if (items.length === 0) throw badRequest("action_request_validation_exception", "Validation Failed: 1: no documents to get;");
    const missingIndex = items.findIndex((i) => i.index === undefined);
    if (missingIndex >= 0) throw badRequest("action_request_validation_exception", `Validation Failed: 1: index is missing for doc ${missingIndex};`);
    const docs = items.map((it): JsonObject => {
      const name = it.index as string;
      const target = this.indices.indices.get(name) ?? this.indices.aliasIndices(name)?.[0];
      if (!target) return { _index: name, _id: it.id, error: indexNotFound(name).toErrorObject() };
      const got = getDoc(target, it.id);
      if (got.found === true) {
        const filter = sourceFilterOf(it.source ?? q._source, q._source_includes, q._source_excludes);
        const src = filterSource(got._source as JsonObject, filter);
        const { _source: _omit, ...rest } = got;
        return src === undefined ? rest : { ...rest, _source: src };
      }
      return got;
    });
    return { docs };
  }

  private bulk(index: string | undefined, q: Record<string, string>, rawBody: string): Answer {
    if (q.pipeline !== undefined) throw unsupported("ingest pipelines");
    if (q.routing !== undefined) throw unsupported("routing");
    const started = Date.now();
    const actions = parseBulk(rawBody, { index, requireAlias: q.require_alias === "true", source: q._source === "true" });
    const items = actions.map((action) => {
      const fault = this.takeItemFault(action);
      if (fault) {
        const e = faultError(fault);
        return bulkItem(action.name, {
          status: e.status,
          body: { _index: action.index ?? null, _id: action.op.id ?? null, status: e.status, error: e.toItemError() },
        });
      }
      return bulkItem(action.name, runWrite(this.indices, action));
    });
    const errors = items.some((it) => {
      const body = Object.values(it)[0] as JsonObject;
      return body.error !== undefined;
    });
    return ok({ errors, took: Date.now() - started, items });
  }

  private takeItemFault(action: BulkAction): Fault | undefined {
    for (const f of this.itemFaults) {
      if (f.remaining <= 0) continue;
      if (f.match.op !== undefined && f.match.op !== action.name) continue;
      if (!matchText(f.match.index, action.index ?? "", false)) continue;
      f.remaining--;
      return f.fault;
    }
    return undefined;
  }

  /** PUT/POST /<index>/_doc/<id>, POST /<index>/_doc, PUT/POST /<index>/_create/<id>, POST /<index>/_update/<id>, GET/HEAD/DELETE /<index>/_doc/<id>, GET /<index>/_source/<id>. */
  private single(method: string, index: string, kind: string, id: string | undefined, q: Record<string, string>, body: () => Json | undefined): Answer {
    const versioning = {
      version: q.version === undefined ? undefined : Number(q.version),
      versionType: q.version_type,
      ifSeqNo: q.if_seq_no === undefined ? undefined : Number(q.if_seq_no),
      ifPrimaryTerm: q.if_primary_term === undefined ? undefined : Number(q.if_primary_term),
    };
    if (q.routing !== undefined) throw unsupported("routing");
    if (q.pipeline !== undefined) throw unsupported("ingest pipelines");
    if ((kind === "_doc" || kind === "_source") && (method === "GET" || method === "HEAD") && id !== undefined) {
      const target = this.indices.indices.get(index) ?? this.indices.aliasIndices(index)?.[0];
      if (!target) throw indexNotFound(index);
      const got = getDoc(target, id);
      if (got.found !== true) {
        if (kind === "_source") throw new EsError(404, "resource_not_found_exception", `Document not found [${index}]/[${id}]`);
        return { status: 404, body: got };
      }
      const filter = sourceFilterOf(q._source, q._source_includes, q._source_excludes);
      const src = filterSource(got._source as JsonObject, filter);
      if (kind === "_source") return ok(src ?? {});
      const { _source: _omit, ...rest } = got;
      return ok(src === undefined ? rest : { ...rest, _source: src });
    }
    let op: WriteOp;
    let name: OpName;
    if (kind === "_doc" && method === "DELETE" && id !== undefined) {
      op = { op: "delete", id, ...versioning };
      name = "delete";
    } else if (kind === "_update" && method === "POST" && id !== undefined) {
      op = { op: "update", id, body: body() ?? null, sourceWanted: q._source === "true", ...versioning };
      name = "update";
    } else if (
      (kind === "_doc" && (method === "PUT" || method === "POST")) ||
      (kind === "_create" && (method === "PUT" || method === "POST") && id !== undefined)
    ) {
      if (kind === "_doc" && method === "PUT" && id === undefined) throw this.noHandler(method, [index, kind]);
      const create = kind === "_create" || q.op_type === "create";
      op = { op: create ? "create" : "index", id, source: body() ?? null, ...versioning };
      name = create ? "create" : "index";
    } else throw this.noHandler(method, [index, kind, ...(id === undefined ? [] : [id])]);
    const errs = validateOp(op);
    if (errs.length > 0) throw validationError(errs);
    const r = runWrite(this.indices, { name, index, op, requireAlias: q.require_alias === "true" });
    if (isObject(r.body.error)) {
      const e = r.body.error;
      throw new EsError(r.status, str(e.type), str(e.reason), Object.fromEntries(Object.entries(e).filter(([k]) => k !== "type" && k !== "reason")));
    }
    const { status: _s, ...rest } = r.body;
    const refreshed: JsonObject = q.refresh === "true" || q.refresh === "" ? { forced_refresh: true } : {};
    return { status: r.status, body: { ...rest, ...refreshed } };
  }
}

export async function startEsServer(options: EsServerOptions = {}): Promise<EsServer> {
  const handler = new Handler({ destructiveRequiresName: options.destructiveRequiresName ?? true, now: options.now ?? Date.now });
  const logLimit = options.logLimit ?? 1000;
  const requests: LoggedRequest[] = [];
  const requestFaults: Array<PendingFault & { match: RequestMatch }> = [];
  let delayMs = 0;
  const sockets = new Set<net.Socket>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void respond(req, res, Buffer.concat(chunks));
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.keepAliveTimeout = 60_000;

  async function respond(req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer): Promise<void> {
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", "http://localhost");
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) if (!(k in query)) query[k] = v;
    let text: string;
    try {
      text = (req.headers["content-encoding"] ?? "").includes("gzip") ? gunzipSync(raw).toString("utf8") : raw.toString("utf8");
    } catch {
      text = "";
    }
    const logged: LoggedRequest = { method, path: url.pathname, query, querystring: url.search.replace(/^\?/, ""), headers: req.headers, body: text };
    if (logLimit > 0) {
      requests.push(logged);
      if (requests.length > logLimit) requests.splice(0, requests.length - logLimit);
    }
    const accept = req.headers.accept;
    const contentType = req.headers["content-type"];
    const compat = mediaVersion(accept) ?? mediaVersion(contentType);
    const headers: Record<string, string> = {
      "X-Elastic-Product": "Elasticsearch",
      "content-type": compat !== undefined ? `application/vnd.elasticsearch+json;compatible-with=${compat}` : "application/json; charset=UTF-8",
    };
    let answer: Answer;
    try {
      const av = mediaVersion(accept);
      const cv = mediaVersion(contentType);
      // REST compatibility: a version asked on one header must be asked, the same, on the other (Content-Type counts with a body)
      const hasBody = raw.length > 0 && contentType !== undefined;
      const mismatch =
        (av !== undefined && cv !== undefined && av !== cv) ||
        (av !== undefined && cv === undefined && hasBody) ||
        (cv !== undefined && av === undefined && accept !== undefined && accept !== "*/*");
      if (mismatch)
        throw new EsError(400, "media_type_header_exception", "Invalid media-type value on headers [Accept, Content-Type]", {
          caused_by: {
            type: "status_exception",
            reason: `A compatible version is required on both Content-Type and Accept headers if either one has requested a compatible version and the compatible versions must match. Accept=${accept ?? ""}, Content-Type=${contentType ?? ""}`,
          },
        });
      if ((av !== undefined && av !== 7 && av !== 8) || (cv !== undefined && cv !== 7 && cv !== 8)) {
        const which =
          av !== undefined && av !== 7 && av !== 8
            ? `Accept version must be either version 8 or 7, but found ${av}. Accept=${accept ?? ""}`
            : `Content-Type version must be either version 8 or 7, but found ${cv ?? ""}. Content-Type=${contentType ?? ""}`;
        throw new EsError(400, "media_type_header_exception", "Invalid media-type value on headers [Accept, Content-Type]", {
          caused_by: { type: "status_exception", reason: which },
        });
      }
      const fault = requestFaults.find(
        (f) => f.remaining > 0 && (f.match.method === undefined || f.match.method === method) && matchText(f.match.path, url.pathname, true),
      );
      if (fault) {
        fault.remaining--;
        throw faultError(fault.fault);
      }
      const segs = url.pathname
        .split("/")
        .filter((s) => s !== "")
        .map((s) => decodeURIComponent(s));
      checkParams(paramFamily(method, segs), url.pathname, query);
      answer = handler.route(method, segs, query, text);
    } catch (e) {
      if (e instanceof EsError) answer = { status: e.status, body: e.toBody() };
      else answer = { status: 500, body: new EsError(500, "exception", `test server failure: ${(e as Error).stack ?? str(e)}`).toBody() };
    }
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    if (answer.status === 429) headers["retry-after"] = "1";
    let payload = "";
    if (answer.text !== undefined) {
      headers["content-type"] = "text/plain; charset=UTF-8";
      payload = answer.text;
    } else if (answer.body !== undefined) {
      const body = query.filter_path !== undefined && answer.status < 400 ? applyFilterPath(answer.body, query.filter_path) : answer.body;
      payload = JSON.stringify(body);
    }
    if (method === "HEAD") {
      res.writeHead(answer.status, { ...headers, "content-length": "0" });
      res.end();
      return;
    }
    res.writeHead(answer.status, { ...headers, "content-length": str(Buffer.byteLength(payload)) });
    res.end(payload);
  }

  const listen = (port: number): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
  await listen(0);
  const port = (server.address() as net.AddressInfo).port;
  let listening = true;

  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (!listening) {
        resolve();
        return;
      }
      listening = false;
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    clearRequests: () => void requests.splice(0),
    failRequests(n, fault, match = {}) {
      requestFaults.push({ remaining: n, fault, match });
    },
    failBulkItems(n, fault, match = {}) {
      handler.itemFaults.push({ remaining: n, fault, match });
    },
    setDelay(ms) {
      delayMs = ms;
    },
    stopListening: stop,
    async resumeListening() {
      if (listening) return;
      await listen(port);
      listening = true;
    },
    get listening() {
      return listening;
    },
    state: handler.indices,
    close: stop,
  };
}
