/**
 * The Elasticsearch client of the store, and how its errors are told apart.
 *
 * The client is `@elastic/elasticsearch` 8.x on purpose: it sends
 * `compatible-with=8` headers, which 8.x servers take as their own and 9.x servers accept
 * through REST compatibility; a 9.x client's `compatible-with=9` is refused by 8.x servers
 * (400 media_type_header_exception). OpenSearch fails the client's product check
 * (ProductNotSupportedError): it is not supported.
 */
import fs from "node:fs";
import path from "node:path";
import type * as Elasticsearch from "@elastic/elasticsearch";
import type { Client, ClientOptions } from "@elastic/elasticsearch";
import type { ElasticsearchConfig } from "./schema";

export type { Client } from "@elastic/elasticsearch";

/**
 * The client package (with apache-arrow and OpenTelemetry under it) costs a daemon about 8 MiB of
 * heap and 30 MiB of RSS once loaded: only a daemon with an Elasticsearch store loads it.
 */
function clientClass(): typeof Elasticsearch.Client {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, synchronously (createClient is synchronous)
  return (require("@elastic/elasticsearch") as typeof Elasticsearch).Client;
}

/** Options of the client that tests replace (the mock's Connection). */
export type ClientOverrides = Pick<ClientOptions, "Connection">;

export function createClient(config: ElasticsearchConfig, dataDir: string, overrides: ClientOverrides = {}): Client {
  const options: ClientOptions = {
    nodes: [...config.nodes],
    requestTimeout: config.request_timeout,
    // The transport retries a failed request on another node (one node down is no outage);
    // waiting and retrying on a cluster that is away is the store's own (backoff, then the spool).
    maxRetries: Math.max(0, config.nodes.length - 1),
    // Sniffing replaces the configured URLs by the nodes' published addresses, which behind
    // a load balancer, a proxy or in containers are not reachable.
    sniffOnStart: false,
    sniffInterval: false,
    sniffOnConnectionFault: false,
    name: "tantale",
    ...overrides,
  };
  if (config.api_key !== "") options.auth = { apiKey: config.api_key };
  else if (config.username !== "") options.auth = { username: config.username, password: config.password };
  if (config.ca_file !== "" || !config.tls_verify) {
    options.tls = { rejectUnauthorized: config.tls_verify };
    if (config.ca_file !== "") options.tls.ca = readCa(path.resolve(dataDir, config.ca_file));
  }
  return new (clientClass())(options);
}

function readCa(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`ca_file ${file} cannot be read: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * The error means the cluster cannot be reached at all (refused, reset, DNS, TLS, a timeout,
 * every node marked dead): the store spools. By name, not instanceof: a plugin's tests and
 * the store may load two copies of the client package.
 */
export function isUnreachable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return err.name === "ConnectionError" || err.name === "TimeoutError" || err.name === "NoLivingConnectionsError";
}

/** The HTTP status of a whole-request error answered by the cluster (ResponseError), else undefined. */
export function responseStatus(err: unknown): number | undefined {
  if (!(err instanceof Error) || err.name !== "ResponseError") return undefined;
  const status = (err as Error & { statusCode?: unknown }).statusCode;
  return typeof status === "number" ? status : undefined;
}

/**
 * A whole request answered with this status may pass if retried: overloaded (429), a node or
 * proxy in trouble (5xx), a timeout (408), or credentials and blocks an operator fixes
 * (401, 403: a read-only cluster after its disk filled). The store retries, then spools.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 401 || status === 403 || status === 408 || status === 429 || status >= 500;
}

/** What a failed request was, in one line for the log (never the request's body or credentials). */
export function describeEsError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const status = responseStatus(err);
  if (status === undefined) return `${err.name}: ${err.message}`;
  const body = (err as Error & { body?: unknown }).body;
  const error = typeof body === "object" && body !== null ? (body as { error?: unknown }).error : undefined;
  if (typeof error === "object" && error !== null) {
    const { type, reason } = error as { type?: unknown; reason?: unknown };
    return `HTTP ${status} ${String(type)}: ${String(reason)}`;
  }
  return `HTTP ${status}: ${err.message}`;
}
