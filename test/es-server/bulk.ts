/**
 * `_bulk` and the single-document write endpoints share one path: an op (index, create,
 * update, delete) with its versioning parameters, run against its target index, answering an
 * item (status and body). Bulk parsing follows Elasticsearch's NDJSON rules.
 */
import { badRequest, EsError, isObject, unsupported, type Json, type JsonObject, str } from "./errors";
import { errorItem, executeDelete, executeIndex, executeUpdate, validateOp, validationError, type ItemResult, type WriteOp } from "./documents";
import type { Indices } from "./indices";

export type OpName = "index" | "create" | "update" | "delete";

export interface BulkAction {
  readonly name: OpName;
  readonly index: string | undefined;
  readonly op: WriteOp;
  readonly requireAlias: boolean;
}

const META_KEYS = new Set([
  "_index",
  "_id",
  "version",
  "version_type",
  "if_seq_no",
  "if_primary_term",
  "require_alias",
  "retry_on_conflict",
  "_source",
  "op_type",
  "routing",
  "pipeline",
  "dynamic_templates",
  "list_executed_pipelines",
  "require_data_stream",
]);

function num(v: Json | undefined, what: string, line: number): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === "number" ? v : Number(v);
  if (!Number.isFinite(n)) throw badRequest("illegal_argument_exception", `Malformed action/metadata line [${line}], [${what}] must be a number`);
  return n;
}

/** Parses an NDJSON bulk body into actions; request-level problems throw (400 for the whole request). */
export function parseBulk(text: string, defaults: { index: string | undefined; requireAlias: boolean; source: boolean }): BulkAction[] {
  if (text.length > 0 && !text.endsWith("\n")) throw badRequest("illegal_argument_exception", "The bulk request must be terminated by a newline [\\n]");
  const lines = text.split("\n");
  const actions: BulkAction[] = [];
  const validation: string[] = [];
  let i = 0;
  const json = (at: number): Json => {
    try {
      return JSON.parse(lines[at] as string) as Json;
    } catch (e) {
      throw badRequest("x_content_parse_exception", `[${at + 1}:1] Unexpected character in line ${at + 1}: ${(e as Error).message}`);
    }
  };
  while (i < lines.length) {
    if ((lines[i] as string).trim() === "") {
      i++;
      continue;
    }
    const lineNo = i + 1;
    const action = json(i);
    if (!isObject(action))
      throw badRequest(
        "illegal_argument_exception",
        `Malformed action/metadata line [${lineNo}], expected START_OBJECT or END_OBJECT but found [VALUE_STRING]`,
      );
    const names = Object.keys(action);
    if (names.length === 0)
      throw badRequest("illegal_argument_exception", `Malformed action/metadata line [${lineNo}], expected FIELD_NAME but found [END_OBJECT]`);
    const name = names[0] as string;
    if (!["index", "create", "update", "delete"].includes(name))
      throw badRequest(
        "illegal_argument_exception",
        `Malformed action/metadata line [${lineNo}], expected one of [create, delete, index, update] but found [${name}]`,
      );
    const meta = action[name];
    if (!isObject(meta))
      throw badRequest("illegal_argument_exception", `Malformed action/metadata line [${lineNo}], expected START_OBJECT but found [${JSON.stringify(meta)}]`);
    for (const k of Object.keys(meta)) {
      if (!META_KEYS.has(k)) throw badRequest("illegal_argument_exception", `Action/metadata line [${lineNo}] contains an unknown parameter [${k}]`);
      if (["routing", "pipeline", "dynamic_templates"].includes(k)) throw unsupported(`the bulk parameter [${k}]`);
    }
    i++;
    let opName = name as OpName;
    if (opName === "index" && str(meta.op_type ?? "index") === "create") opName = "create";
    const index = meta._index === undefined ? defaults.index : str(meta._index);
    if (index === undefined) validation.push("index is missing");
    const id = meta._id === undefined || meta._id === null ? undefined : str(meta._id);
    const versioning = {
      version: num(meta.version, "version", lineNo),
      versionType: meta.version_type === undefined ? undefined : str(meta.version_type),
      ifSeqNo: num(meta.if_seq_no, "if_seq_no", lineNo),
      ifPrimaryTerm: num(meta.if_primary_term, "if_primary_term", lineNo),
    };
    let op: WriteOp;
    if (opName === "delete") {
      if (id === undefined) validation.push("id is missing");
      op = { op: "delete", id: id ?? "", ...versioning };
    } else {
      if (i >= lines.length || (lines[i] as string).trim() === "")
        throw badRequest("illegal_argument_exception", `The bulk request must be terminated by a newline [\\n]`);
      const doc = json(i);
      i++;
      if (opName === "update") {
        if (id === undefined) validation.push("id is missing");
        op = { op: "update", id: id ?? "", body: doc, sourceWanted: meta._source === true || defaults.source, ...versioning };
      } else op = { op: opName, id, source: doc, ...versioning };
    }
    validation.push(...validateOp(op));
    actions.push({ name: opName, index, op, requireAlias: meta.require_alias === true || (meta.require_alias === undefined && defaults.requireAlias) });
  }
  if (validation.length > 0) throw validationError(validation);
  if (actions.length === 0) throw badRequest("action_request_validation_exception", "Validation Failed: 1: no requests added;");
  return actions;
}

/** Runs one write: resolves (or auto-creates) the target index and applies the op; errors become error items. */
export function runWrite(indices: Indices, action: BulkAction): ItemResult {
  const name = action.index as string;
  const id = action.op.id;
  try {
    if (action.requireAlias && indices.aliasIndices(name) === undefined)
      throw new EsError(404, "index_not_found_exception", `no such index [${name}] and [require_alias] request flag is [true] and [${name}] is not an alias`, {
        index: name,
      });
    // a delete never creates its index; index, create and update do (from the matching template)
    if (action.op.op === "delete" && !indices.indices.has(name) && indices.aliasIndices(name) === undefined)
      throw new EsError(404, "index_not_found_exception", `no such index [${name}]`, {
        "resource.type": "index_expression",
        "resource.id": name,
        index_uuid: "_na_",
        index: name,
      });
    const index = indices.writeTarget(name);
    try {
      switch (action.op.op) {
        case "index":
        case "create":
          return executeIndex(index, action.op);
        case "update":
          return executeUpdate(index, action.op);
        case "delete":
          return executeDelete(index, action.op);
      }
    } catch (e) {
      if (e instanceof EsError) return errorItem(index.name, id, e);
      throw e;
    }
  } catch (e) {
    if (e instanceof EsError) return errorItem(name, id, e);
    throw e;
  }
}

export function bulkItem(name: OpName, r: ItemResult): JsonObject {
  return { [name]: r.body };
}
