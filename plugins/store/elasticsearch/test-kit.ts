/**
 * What the writer's tests share: a Spool in memory (kept across a store restart, as the disk
 * spool is), pacing that never waits, a cluster behind `@elastic/elasticsearch-mock` that keeps
 * documents and honours what the writer relies on (external_gte versions, create conflicts,
 * deletes of missing documents), with switches for outages and forced item answers.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import Mock, { type MockPattern, type ResolverFn } from "@elastic/elasticsearch-mock";
import { Client, errors } from "@elastic/elasticsearch";
import type { Clock } from "../../../core/clock";
import type { Spool, SpoolOptions, SpoolRecord } from "../../../core/spool/spool";
import { NO_RECORD_CHANGES, type ChangeSet } from "../../../core/state/change-set";
import type { CheckState } from "../../../core/state/check-state";
import { logEntry, type LogEntry } from "../../../core/state/log-entry";
import type { Pacing } from "./backoff";
import type { ElasticsearchConfig } from "./schema";

export const NOW_MS = 1_764_100_000_000;

export const DEFAULT_CONFIG: ElasticsearchConfig = {
  nodes: ["http://localhost:9200"],
  api_key: "",
  username: "",
  password: "",
  ca_file: "",
  tls_verify: true,
  index_prefix: "tantale",
  node_name: "node-a",
  flush_bytes: 5 * 1024 * 1024,
  replay_interval: 0,
  request_timeout: 30_000,
  log_retention: 0,
  spool_max_bytes: 1024 * 1024 * 1024,
  spool_segment_bytes: 16 * 1024 * 1024,
  spool_fsync: "always",
};

export class ManualClock implements Clock {
  constructor(public ms = NOW_MS) {}
  now(): number {
    return this.ms;
  }
}

/** Sleeps resolve at once (noting the delay), unless `hold` is set: then they wait for `release()`. */
export class TestPacing implements Pacing {
  readonly delays: number[] = [];
  hold = false;
  private waiting: (() => void)[] = [];
  constructor(private readonly fixedRandom = 0.5) {}
  random(): number {
    return this.fixedRandom;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.delays.push(ms);
    if (!this.hold || signal?.aborted === true) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      signal?.addEventListener("abort", () => resolve(), { once: true });
    });
  }
  /** Lets every held sleep go. */
  release(): void {
    const w = this.waiting;
    this.waiting = [];
    for (const r of w) r();
  }
  get held(): number {
    return this.waiting.length;
  }
}

/** A Spool in memory; one instance serves successive stores, as a folder on disk would. */
export class MemorySpool implements Spool {
  private records: SpoolRecord[] = [];
  private nextSeq = 1;
  closed = false;
  opened = 0;
  /** The next append rejects with this error (then it is cleared). */
  failNextAppend: Error | undefined;
  /** While set, appends wait for it before they write (an append in flight). */
  appendGate: Promise<void> | undefined;
  options: SpoolOptions | undefined;

  open(options: SpoolOptions): Promise<Spool> {
    this.options = options;
    this.closed = false;
    this.opened++;
    return Promise.resolve(this);
  }
  async append(records: readonly Buffer[]): Promise<void> {
    if (this.closed) throw new Error("spool closed");
    const fail = this.failNextAppend;
    this.failNextAppend = undefined;
    if (fail !== undefined) throw fail;
    await (this.appendGate ?? Promise.resolve());
    for (const data of records) this.records.push({ seq: this.nextSeq++, data: Buffer.from(data) });
  }
  read(options: { readonly after?: number; readonly maxRecords: number; readonly maxBytes?: number }): Promise<readonly SpoolRecord[]> {
    const out: SpoolRecord[] = [];
    let bytes = 0;
    for (const r of this.records) {
      if (options.after !== undefined && r.seq <= options.after) continue;
      if (out.length >= options.maxRecords) break;
      if (out.length > 0 && options.maxBytes !== undefined && bytes + r.data.length > options.maxBytes) break;
      out.push(r);
      bytes += r.data.length;
    }
    return Promise.resolve(out);
  }
  ack(seq: number): Promise<void> {
    this.records = this.records.filter((r) => r.seq > seq);
    return Promise.resolve();
  }
  get pendingRecords(): number {
    return this.records.length;
  }
  get pendingBytes(): number {
    return this.records.reduce((n, r) => n + r.data.length, 0);
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

/** One action line of a bulk body and its document, as the cluster received them. */
export interface ReceivedOp {
  readonly action: "index" | "create" | "delete" | "update";
  readonly meta: { readonly _index: string; readonly _id: string; readonly version?: number; readonly version_type?: string };
  readonly doc?: Record<string, unknown>;
}

interface StoredDoc {
  readonly version: number;
  readonly source: Record<string, unknown>;
}

/** Forced answer of an item: its status and error type (undefined: the cluster decides). */
export type ItemOverride = (op: ReceivedOp, indexInRequest: number, request: number) => { status: number; type?: string; reason?: string } | undefined;

/**
 * A cluster behind the mock: keeps documents per index, applies bulk actions as Elasticsearch
 * does for the ones the writer uses, answers info and the template and index APIs.
 */
export class MockCluster {
  readonly mock = new Mock();
  readonly docs = new Map<string, Map<string, StoredDoc>>();
  readonly templates = new Map<string, Record<string, unknown>>();
  /** Every bulk request, its operations in order. */
  readonly bulks: ReceivedOp[][] = [];
  readonly requests: { method: string; path: string }[] = [];
  /** Every request fails as a refused connection. */
  down = false;
  /** Whole-request status for bulk requests (429, 503...), undefined for none. */
  bulkStatus: number | undefined;
  override: ItemOverride | undefined;
  /** Deleted indices, by name. */
  readonly deletedIndices: string[] = [];

  constructor() {
    // The mock hands one request's method and path as strings (arrays only appear in patterns).
    const guard = (fn: (p: { method: string; path: string; body: unknown; querystring: Record<string, string> }) => object): ResolverFn => {
      return (p: MockPattern) => {
        const method = String(p.method);
        const path = String(p.path);
        this.requests.push({ method, path });
        if (this.down) return new errors.ConnectionError("connect ECONNREFUSED 127.0.0.1:9200");
        // The mock also takes an error instance (the request fails with it), which its types do not say.
        return fn({ method, path, body: p.body, querystring: p.querystring ?? {} }) as Record<string, unknown>;
      };
    };
    this.mock.add(
      { method: "GET", path: "/" },
      guard(() => ({
        name: "mock",
        cluster_name: "mock-cluster",
        cluster_uuid: "x",
        version: {
          number: "8.19.2",
          build_flavor: "default",
          lucene_version: "9.12.0",
          minimum_wire_compatibility_version: "7.17.0",
          minimum_index_compatibility_version: "7.0.0",
        },
        tagline: "You Know, for Search",
      })),
    );
    this.mock.add(
      { method: "GET", path: "/_index_template/:name" },
      guard((p) => {
        const name = decodeURIComponent(p.path.split("/")[2]!);
        const t = this.templates.get(name);
        if (t === undefined)
          return new errors.ResponseError({
            statusCode: 404,
            body: { error: { type: "resource_not_found_exception", reason: `index template matching [${name}] not found` }, status: 404 },
            warnings: null,
            meta: {} as never,
          });
        return { index_templates: [{ name, index_template: t }] };
      }),
    );
    this.mock.add(
      { method: "PUT", path: "/_index_template/:name" },
      guard((p) => {
        this.templates.set(decodeURIComponent(p.path.split("/")[2]!), p.body as Record<string, unknown>);
        return { acknowledged: true };
      }),
    );
    this.mock.add(
      { method: "POST", path: "/_bulk" },
      guard((p) => this.bulk(p.body as Record<string, unknown>[]) as object),
    );
    this.mock.add(
      { method: "GET", path: "/:index" },
      guard((p) => {
        const pattern = decodeURIComponent(p.path.slice(1));
        const re = new RegExp(`^${pattern.split("*").map(escapeRe).join(".*")}$`);
        return Object.fromEntries([...this.docs.keys()].filter((i) => re.test(i)).map((i) => [i, { aliases: {}, mappings: {}, settings: {} }]));
      }),
    );
    this.mock.add(
      { method: "DELETE", path: "/:index" },
      guard((p) => {
        for (const i of decodeURIComponent(p.path.slice(1)).split(",")) {
          this.docs.delete(i);
          this.deletedIndices.push(i);
        }
        return { acknowledged: true };
      }),
    );
  }

  client(): Client {
    return new Client({ node: "http://localhost:9200", Connection: this.mock.getConnection(), maxRetries: 0 });
  }

  /** The Connection class for createClient's overrides. */
  connection(): { Connection: ReturnType<Mock["getConnection"]> } {
    return { Connection: this.mock.getConnection() };
  }

  index(name: string): Map<string, StoredDoc> {
    let m = this.docs.get(name);
    if (m === undefined) {
      m = new Map();
      this.docs.set(name, m);
    }
    return m;
  }

  doc(index: string, id: string): StoredDoc | undefined {
    return this.docs.get(index)?.get(id);
  }

  /** Every operation the cluster received, in order, across bulks. */
  get ops(): ReceivedOp[] {
    return this.bulks.flat();
  }

  private bulk(lines: Record<string, unknown>[]): unknown {
    const ops = parseBulk(lines);
    const request = this.bulks.length;
    this.bulks.push(ops);
    if (this.bulkStatus !== undefined)
      return new errors.ResponseError({
        statusCode: this.bulkStatus,
        body: { error: { type: "es_rejected_execution_exception", reason: "busy" }, status: this.bulkStatus },
        warnings: null,
        meta: {} as never,
      });
    let failed = false;
    const items = ops.map((op, i) => {
      const forced = this.override?.(op, i, request);
      const item = forced !== undefined ? forcedItem(op, forced) : this.apply(op);
      if (item.status >= 300) failed = true;
      return { [op.action]: item };
    });
    return { took: 1, errors: failed, items };
  }

  private apply(op: ReceivedOp): { _index: string; _id: string; status: number; result?: string; error?: unknown } {
    const { _index, _id } = op.meta;
    const docs = this.index(_index);
    const stored = docs.get(_id);
    const base = { _index, _id };
    if (op.action === "delete") {
      if (stored === undefined) return { ...base, status: 404, result: "not_found" };
      docs.delete(_id);
      return { ...base, status: 200, result: "deleted" };
    }
    if (op.action === "create") {
      if (stored !== undefined)
        return { ...base, status: 409, error: { type: "version_conflict_engine_exception", reason: `[${_id}]: version conflict, document already exists` } };
      docs.set(_id, { version: 1, source: op.doc! });
      return { ...base, status: 201, result: "created" };
    }
    if (op.action === "index") {
      if (op.meta.version_type === "external_gte") {
        const v = op.meta.version!;
        if (stored !== undefined && v < stored.version)
          return {
            ...base,
            status: 409,
            error: {
              type: "version_conflict_engine_exception",
              reason: `[${_id}]: version conflict, current version [${stored.version}] is higher than the one provided [${v}]`,
            },
          };
        docs.set(_id, { version: v, source: op.doc! });
        return { ...base, status: stored === undefined ? 201 : 200, result: stored === undefined ? "created" : "updated" };
      }
      docs.set(_id, { version: (stored?.version ?? 0) + 1, source: op.doc! });
      return { ...base, status: stored === undefined ? 201 : 200, result: stored === undefined ? "created" : "updated" };
    }
    return { ...base, status: 400, error: { type: "illegal_argument_exception", reason: `the mock cluster does not do ${op.action}` } };
  }
}

function forcedItem(op: ReceivedOp, f: { status: number; type?: string; reason?: string }): { _index: string; _id: string; status: number; error?: unknown } {
  return {
    _index: op.meta._index,
    _id: op.meta._id,
    status: f.status,
    ...(f.status >= 300 ? { error: { type: f.type ?? "forced", reason: f.reason ?? "forced by the test" } } : {}),
  };
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The bulk body (NDJSON lines, parsed by the mock) as operations. */
export function parseBulk(lines: readonly Record<string, unknown>[]): ReceivedOp[] {
  const ops: ReceivedOp[] = [];
  for (let i = 0; i < lines.length; i++) {
    const [action, meta] = Object.entries(lines[i]!)[0] as [ReceivedOp["action"], ReceivedOp["meta"]];
    if (action === "delete") ops.push({ action, meta });
    else ops.push({ action, meta, doc: lines[++i] });
  }
  return ops;
}

export function state(hostname: string, check: string, overrides: Partial<CheckState> = {}): CheckState {
  return {
    hostname,
    check,
    state: 0,
    lastState: 0,
    output: "OK",
    longOutput: "",
    perfData: "",
    lastCheck: 1_764_100_000,
    lastStateChange: 1_764_000_000,
    lastHardStateChange: 1_764_000_000,
    interval: 60,
    contacts: [],
    hostgroups: [],
    servicegroups: [],
    customVariables: {},
    outdated: false,
    acknowledgement: null,
    downtimeDepth: 0,
    ...overrides,
  };
}

export function alert(hostname: string, check: string, time: number, state = 2): LogEntry {
  return logEntry({
    time,
    class: 1,
    type: "SERVICE ALERT",
    hostname,
    check,
    state,
    stateType: "HARD",
    attempt: 1,
    output: "CRITICAL",
    message: `[${time}] SERVICE ALERT: ${hostname};${check};CRITICAL;HARD;1;CRITICAL`,
  });
}

export function changeSet(parts: Partial<ChangeSet> = {}): ChangeSet {
  return { upserts: [], deletes: [], log: [], downtimes: NO_RECORD_CHANGES, comments: NO_RECORD_CHANGES, lastIds: { downtime: 0, comment: 0 }, ...parts };
}

/**
 * The mock cluster behind a real HTTP server on port 0, answering as Elasticsearch does
 * (x-elastic-product): for tests through the client's real connection. While `down`, every
 * connection is reset.
 */
export async function serveOverHttp(cluster: MockCluster): Promise<{ readonly url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const [pathname, query] = (req.url ?? "/").split("?");
      const ndjson = (req.headers["content-type"] ?? "").includes("x-ndjson");
      const body: unknown =
        text === ""
          ? undefined
          : ndjson
            ? text
                .split("\n")
                .filter((l) => l !== "")
                .map((l) => JSON.parse(l) as unknown)
            : (JSON.parse(text) as unknown);
      const params = {
        method: req.method!,
        path: decodeURIComponent(pathname!),
        querystring: Object.fromEntries(new URLSearchParams(query ?? "")),
        ...(body === undefined ? {} : { body }),
      };
      const resolver = cluster.mock.get(params as MockPattern);
      const answer: unknown =
        resolver === null
          ? new errors.ResponseError({ statusCode: 404, body: { error: "no route" }, warnings: null, meta: {} as never })
          : resolver(params as MockPattern);
      if (answer instanceof errors.ConnectionError) {
        req.socket.destroy();
        return;
      }
      const status = answer instanceof errors.ResponseError ? (answer.statusCode ?? 500) : 200;
      const payload: unknown = answer instanceof errors.ResponseError ? answer.body : answer;
      res.writeHead(status, { "content-type": "application/json", "x-elastic-product": "Elasticsearch" });
      res.end(JSON.stringify(payload));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
