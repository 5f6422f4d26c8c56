/**
 * Document writes and reads with Elasticsearch's versioning: internal versions, `external` and
 * `external_gte` versions, `if_seq_no`/`if_primary_term`, `op_type: create`, partial updates
 * (`doc`, `doc_as_upsert`, `upsert`, noop detection), deletes with tombstones (a deleted
 * document's version keeps ordering later versioned writes, as index.gc_deletes does for 60 s;
 * here for the life of the index). One shard per index: `_seq_no` counts every write of the
 * index from 0, `_primary_term` is always 1.
 */
import { badRequest, EsError, isObject, unsupported, type Json, type JsonObject } from "./errors";
import type { Index, StoredDoc } from "./indices";
import { mergeMappings, parseDocument } from "./mapping";

export type VersionType = "internal" | "external" | "external_gte";

export interface VersionParams {
  readonly version?: number | undefined;
  readonly versionType?: string | undefined;
  readonly ifSeqNo?: number | undefined;
  readonly ifPrimaryTerm?: number | undefined;
}

export interface IndexOp extends VersionParams {
  readonly op: "index" | "create";
  readonly id: string | undefined;
  readonly source: Json;
}

export interface UpdateOp extends VersionParams {
  readonly op: "update";
  readonly id: string;
  readonly body: Json;
  /** `_source` asked on the action line or the URL: the updated document comes back as `get`. */
  readonly sourceWanted?: boolean;
}

export interface DeleteOp extends VersionParams {
  readonly op: "delete";
  readonly id: string;
}

export type WriteOp = IndexOp | UpdateOp | DeleteOp;

/** An item result: the HTTP status and the item object (what a bulk item holds under its op name). */
export interface ItemResult {
  readonly status: number;
  readonly body: JsonObject;
}

/** Request-level checks (Elasticsearch's action_request_validation_exception); the messages of one op, unnumbered. */
export function validateOp(op: WriteOp): string[] {
  const errs: string[] = [];
  const vt = op.versionType ?? "internal";
  if (!["internal", "external", "external_gte"].includes(vt)) {
    if (vt === "force") errs.push("version type [force] may no longer be used");
    else errs.push(`No version type match [${vt}]`);
    return errs;
  }
  if (op.op === "update") {
    if (op.version !== undefined || vt !== "internal")
      errs.push("internal versioning can not be used for optimistic concurrency control. Please use `if_seq_no` and `if_primary_term` instead");
  } else {
    if (op.op === "create" && vt !== "internal") errs.push("create operations only support internal versioning. use index instead");
    else if (vt === "internal" && op.version !== undefined)
      errs.push("internal versioning can not be used for optimistic concurrency control. Please use `if_seq_no` and `if_primary_term` instead");
    else if (vt !== "internal" && (op.version === undefined || op.version < 0))
      errs.push(`illegal version value [${op.version ?? -3}] for version type [${vt.toUpperCase()}]`);
    if (op.op === "create" && op.ifSeqNo !== undefined) errs.push("create operations do not support compare and set. use index instead");
  }
  if (op.ifSeqNo !== undefined && vt !== "internal") errs.push("compare and write operations can not use versioning");
  if (op.ifSeqNo !== undefined && (op.ifPrimaryTerm === undefined || op.ifPrimaryTerm === 0)) errs.push("ifSeqNo is set, but primary term is [0]");
  if (op.ifPrimaryTerm !== undefined && op.ifSeqNo === undefined) errs.push(`ifPrimaryTerm is set to [${op.ifPrimaryTerm}], but ifSeqNo is unassigned`);
  if (op.id !== undefined && Buffer.byteLength(op.id) > 512)
    errs.push(`id [${op.id}] is too long, must be no longer than 512 bytes but was: ${Buffer.byteLength(op.id)}`);
  return errs;
}

export function validationError(messages: string[]): EsError {
  return badRequest("action_request_validation_exception", `Validation Failed: ${messages.map((m, i) => `${i + 1}: ${m};`).join("")}`);
}

function shards(index: Index): JsonObject {
  const replicas = Number(index.settings.get("index.number_of_replicas") ?? 1);
  return { total: 1 + replicas, successful: 1, failed: 0 };
}

function conflict(index: Index, id: string, reason: string): EsError {
  return new EsError(409, "version_conflict_engine_exception", `[${id}]: version conflict, ${reason}`, {
    index_uuid: index.uuid,
    shard: "0",
    index: index.name,
  });
}

function missing(index: Index, id: string): EsError {
  return new EsError(404, "document_missing_exception", `[${id}]: document missing`, { index_uuid: index.uuid, shard: "0", index: index.name });
}

/** Error item body, as a bulk item carries it. */
export function errorItem(index: string, id: string | undefined, e: EsError): ItemResult {
  return { status: e.status, body: { _index: index, _id: id ?? null, status: e.status, error: e.toItemError() } };
}

/** The version a versioned write gets, or the conflict it meets (compare-and-set and version checks). */
function checkVersion(index: Index, id: string, op: VersionParams & { op: string }, current: StoredDoc | undefined): number {
  const tomb = current ? undefined : index.tombstones.get(id);
  const currentVersion = current?.version ?? tomb?.version;
  if (op.ifSeqNo !== undefined) {
    if (!current) throw conflict(index, id, `required seqNo [${op.ifSeqNo}], primary term [${op.ifPrimaryTerm ?? 0}]. but no document was found`);
    if (current.seqNo !== op.ifSeqNo || current.primaryTerm !== op.ifPrimaryTerm)
      throw conflict(
        index,
        id,
        `required seqNo [${op.ifSeqNo}], primary term [${op.ifPrimaryTerm ?? 0}]. current document has seqNo [${current.seqNo}] and primary term [${current.primaryTerm}]`,
      );
  }
  const vt = op.versionType ?? "internal";
  if (vt === "external" || vt === "external_gte") {
    const given = op.version as number;
    if (currentVersion !== undefined) {
      if (vt === "external" && given <= currentVersion)
        throw conflict(index, id, `current version [${currentVersion}] is higher or equal to the one provided [${given}]`);
      if (vt === "external_gte" && given < currentVersion)
        throw conflict(index, id, `current version [${currentVersion}] is higher than the one provided [${given}]`);
    }
    return given;
  }
  if (op.op === "create" && current) throw conflict(index, id, `document already exists (current version [${current.version}])`);
  return (currentVersion ?? 0) + 1;
}

type Parsed = ReturnType<typeof parseDocument>;

function store(index: Index, id: string, source: JsonObject, version: number, parsed: Parsed): StoredDoc {
  const { doc, mappingUpdate } = parsed;
  if (mappingUpdate) index.mapping = mergeMappings(index.mapping, mappingUpdate);
  index.noteRanges(doc);
  const stored: StoredDoc = { id, source, version, seqNo: index.nextSeqNo++, primaryTerm: index.primaryTerm, parsed: doc, docNo: index.nextDocNo++ };
  if (index.docs.has(id)) index.deletedDocs++;
  index.docs.delete(id); // re-inserted last: a rewritten document is a new Lucene document
  index.docs.set(id, stored);
  index.tombstones.delete(id);
  return stored;
}

function success(index: Index, d: { id: string; version: number; seqNo: number }, result: string, status: number): ItemResult {
  return {
    status,
    body: { _index: index.name, _id: d.id, _version: d.version, result, _shards: shards(index), _seq_no: d.seqNo, _primary_term: index.primaryTerm, status },
  };
}

let autoIdCounter = 0;

/** A time-based id of the shape Elasticsearch generates (20 URL-safe characters). */
export function autoId(): string {
  const buf = Buffer.alloc(15);
  buf.writeUIntBE(Date.now(), 0, 6);
  buf.writeUInt32BE(autoIdCounter++ >>> 0, 6);
  buf.writeUIntBE(Math.floor(Math.random() * 0xffffffffff), 10, 5);
  return buf.toString("base64url");
}

export function executeIndex(index: Index, op: IndexOp): ItemResult {
  if (op.id === "") throw badRequest("illegal_argument_exception", "if _id is specified it must not be empty");
  const id = op.id ?? autoId();
  if (!isObject(op.source)) throw badRequest("document_parsing_exception", "failed to parse: the document must be a JSON object");
  const parsed = parseDocument(op.source, index.mapping, id); // mapping errors come before version checks, as on the primary shard
  const current = index.docs.get(id);
  const version = checkVersion(index, id, op, current);
  const stored = store(index, id, op.source, version, parsed);
  return success(index, stored, current ? "updated" : "created", current ? 200 : 201);
}

/** `doc` merged into `source`: objects recursively, anything else replaced. */
function deepMerge(source: JsonObject, doc: JsonObject): JsonObject {
  const out: JsonObject = { ...source };
  for (const [k, v] of Object.entries(doc)) {
    const old = out[k];
    out[k] = isObject(old) && isObject(v) ? deepMerge(old, v) : v;
  }
  return out;
}

function deepEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

export function executeUpdate(index: Index, op: UpdateOp): ItemResult {
  const body = op.body;
  if (!isObject(body)) throw badRequest("action_request_validation_exception", "Validation Failed: 1: script or doc is missing;");
  for (const k of Object.keys(body))
    if (!["doc", "doc_as_upsert", "upsert", "detect_noop", "_source", "scripted_upsert", "script"].includes(k))
      throw badRequest("x_content_parse_exception", `[UpdateRequest] unknown field [${k}]`);
  if (body.script !== undefined || body.scripted_upsert === true) throw unsupported("scripted updates (Painless)");
  if (!isObject(body.doc)) throw badRequest("action_request_validation_exception", "Validation Failed: 1: script or doc is missing;");
  const wantSource = op.sourceWanted === true || body._source === true;
  const current = index.docs.get(op.id);
  if (!current) {
    if (op.ifSeqNo !== undefined) throw missing(index, op.id);
    const upsert = body.doc_as_upsert === true ? body.doc : isObject(body.upsert) ? body.upsert : undefined;
    if (upsert === undefined) throw missing(index, op.id);
    const parsed = parseDocument(upsert, index.mapping, op.id);
    const version = (index.tombstones.get(op.id)?.version ?? 0) + 1;
    const stored = store(index, op.id, upsert, version, parsed);
    return withGet(success(index, stored, "created", 201), stored, wantSource);
  }
  checkVersion(index, op.id, op, current);
  const merged = deepMerge(current.source, body.doc);
  if (body.detect_noop !== false && deepEqual(merged, current.source)) {
    const r = success(index, current, "noop", 200);
    return withGet({ status: 200, body: { ...r.body, _shards: { total: 0, successful: 0, failed: 0 } } }, current, wantSource);
  }
  const parsed = parseDocument(merged, index.mapping, op.id);
  const stored = store(index, op.id, merged, current.version + 1, parsed);
  return withGet(success(index, stored, "updated", 200), stored, wantSource);
}

function withGet(r: ItemResult, d: StoredDoc, want: boolean): ItemResult {
  if (!want) return r;
  return { status: r.status, body: { ...r.body, get: { _seq_no: d.seqNo, _primary_term: d.primaryTerm, found: true, _source: d.source } } };
}

export function executeDelete(index: Index, op: DeleteOp): ItemResult {
  const current = index.docs.get(op.id);
  const version = checkVersion(index, op.id, op, current);
  const seqNo = index.nextSeqNo++;
  if (current) {
    index.docs.delete(op.id);
    index.deletedDocs++;
  }
  index.tombstones.set(op.id, { version, seqNo });
  return success(index, { id: op.id, version, seqNo }, current ? "deleted" : "not_found", current ? 200 : 404);
}

/** GET /<index>/_doc/<id> and mget items: realtime, whatever the refresh. */
export function getDoc(index: Index, id: string): JsonObject {
  const d = index.docs.get(id);
  if (!d) return { _index: index.name, _id: id, found: false };
  return { _index: index.name, _id: id, _version: d.version, _seq_no: d.seqNo, _primary_term: d.primaryTerm, found: true, _source: d.source };
}
