/**
 * Where the pinned cases run: a real cluster when TANTALE_ES_URL is set (uniquely prefixed
 * indices and templates, deleted afterwards), the in-process test server otherwise. Each case
 * writes its names through `name()` so that both work the same.
 */
import { randomBytes } from "node:crypto";
import { Client } from "@elastic/elasticsearch";
import { startEsServer, type EsServer } from "./server";

export interface RawAnswer {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON when the answer is JSON, else the text. */
  readonly body: unknown;
}

export interface EsTarget {
  readonly url: string;
  readonly client: Client;
  /** True against a real cluster (TANTALE_ES_URL). */
  readonly real: boolean;
  /** The test server, when the cases run against it. */
  readonly server: EsServer | undefined;
  /** A unique index or template name of this run. */
  name(base: string): string;
  /** A raw HTTP request, for cases about the wire; JSON bodies are serialised, strings sent as they are. */
  raw(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<RawAnswer>;
  /** Deletes what this run created (indices by name: 8.x refuses wildcard deletes) and stops the test server. */
  close(): Promise<void>;
}

const ES_JSON = "application/vnd.elasticsearch+json; compatible-with=8";

export function realClusterUrl(): string | undefined {
  const url = process.env.TANTALE_ES_URL;
  return url === undefined || url === "" ? undefined : url;
}

export async function esTarget(): Promise<EsTarget> {
  const realUrl = realClusterUrl();
  const server = realUrl === undefined ? await startEsServer() : undefined;
  const url = realUrl ?? (server as EsServer).url;
  const apiKey = process.env.TANTALE_ES_API_KEY;
  const client = new Client({ node: url, maxRetries: 0, requestTimeout: 30_000, ...(apiKey ? { auth: { apiKey } } : {}) });
  const prefix = `tantale-test-${randomBytes(4).toString("hex")}-`;
  const authHeader: Record<string, string> = apiKey ? { authorization: `ApiKey ${apiKey}` } : {};

  const raw = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<RawAnswer> => {
    const text = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
    const res = await fetch(new URL(path, url), {
      method,
      headers: { accept: ES_JSON, ...(text !== undefined ? { "content-type": ES_JSON } : {}), ...authHeader, ...headers },
      ...(text !== undefined ? { body: text } : {}),
    });
    const answer = await res.text();
    let parsed: unknown = answer;
    if ((res.headers.get("content-type") ?? "").includes("json") && answer !== "") parsed = JSON.parse(answer);
    return { status: res.status, headers: res.headers, body: parsed };
  };

  return {
    url,
    client,
    real: realUrl !== undefined,
    server,
    name: (base) => `${prefix}${base}`,
    raw,
    async close() {
      try {
        if (realUrl !== undefined) {
          const rows = (await client.cat.indices({ index: `${prefix}*`, format: "json", h: "index" })) as Array<{ index?: string }>;
          const names = rows.map((r) => r.index).filter((n): n is string => n !== undefined);
          if (names.length > 0) await client.indices.delete({ index: names.join(",") });
          const templates = await client.indices.getIndexTemplate({ name: `${prefix}*` }).catch(() => ({ index_templates: [] }));
          for (const t of templates.index_templates) await client.indices.deleteIndexTemplate({ name: t.name });
        }
      } finally {
        await client.close();
        await server?.close();
      }
    },
  };
}

/** Mocha `this.skip()` for a case only the test server can run (failure injection, its own refusals). */
export function testServerOnly(t: EsTarget, ctx: Mocha.Context): EsServer {
  if (!t.server) ctx.skip();
  return t.server;
}

/** Mocha `this.skip()` for a case the test server cannot honour: it runs against a real cluster only. */
export function realClusterOnly(t: EsTarget, ctx: Mocha.Context): void {
  if (!t.real) ctx.skip();
}
