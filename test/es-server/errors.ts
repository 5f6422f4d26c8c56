/**
 * Errors the test server answers with, in Elasticsearch's shape:
 * `{ error: { root_cause: [{ type, reason }], type, reason, ... }, status }`.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export class EsError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly reason: string,
    /** Extra fields of the error object (index, index_uuid, shard, caused_by, ...). */
    readonly extra: JsonObject = {},
    /** When set, the outer error wraps this one as its root cause (search_phase_execution_exception). */
    readonly rootCause?: { type: string; reason: string },
  ) {
    super(`${type}: ${reason}`);
  }

  /** The `error` object of a response body (also used as a bulk item's `error`). */
  toErrorObject(): JsonObject {
    const root = this.rootCause ?? { type: this.type, reason: this.reason };
    return { root_cause: [{ ...root }], type: this.type, reason: this.reason, ...this.extra };
  }

  /** A bulk or mget item's `error`: no root_cause, as Elasticsearch writes them. */
  toItemError(): JsonObject {
    return { type: this.type, reason: this.reason, ...this.extra };
  }

  toBody(): JsonObject {
    return { error: this.toErrorObject(), status: this.status };
  }
}

export const badRequest = (type: string, reason: string, extra: JsonObject = {}): EsError => new EsError(400, type, reason, extra);

/** Something Elasticsearch does that this test server deliberately does not: a loud 400, never a silent pass. */
export const unsupported = (what: string): EsError =>
  new EsError(400, "test_server_unsupported_exception", `${what} is not implemented by the Tantale test server (test/es-server)`);

export const indexNotFound = (name: string): EsError =>
  new EsError(404, "index_not_found_exception", `no such index [${name}]`, {
    "resource.type": "index_or_alias",
    "resource.id": name,
    index_uuid: "_na_",
    index: name,
  });

/** A search failure: Elasticsearch wraps shard-level causes in search_phase_execution_exception. */
export function searchFailure(status: number, type: string, reason: string): EsError {
  return new EsError(status, "search_phase_execution_exception", "all shards failed", { phase: "query", grouped: true, failed_shards: [] }, { type, reason });
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A JSON value as text: scalars as themselves, objects and arrays as JSON (for messages and coercions). */
export function str(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return v.toString();
  if (v === undefined) return "undefined";
  return JSON.stringify(v);
}
