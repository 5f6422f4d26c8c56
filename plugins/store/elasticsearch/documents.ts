/**
 * The documents the Elasticsearch store writes, and the names of their indices: shared by
 * the writer, the loader and the log reader, so that the three agree on one shape.
 *
 * - `<prefix>-state`: one document per check (the current state), id = stateDocId.
 * - `<prefix>-records`: downtimes, comments and the id counters of each Tantale (node).
 * - `<prefix>-log-YYYY.MM.DD`: the log, one index per UTC day of the entry's time, id = the
 *   entry's deterministic id (created once: a second create is a 409, "already written").
 */
import { createHash } from "node:crypto";
import { logEntry, type LogEntry } from "../../../core/state/log-entry";

export interface IndexNames {
  readonly state: string;
  readonly records: string;
  /** Pattern that matches every daily log index, for searches and the template. */
  readonly logPattern: string;
  /** The daily log index of an entry time (seconds). */
  logIndex(time: number): string;
}

export function indexNames(prefix: string): IndexNames {
  return {
    state: `${prefix}-state`,
    records: `${prefix}-records`,
    logPattern: `${prefix}-log-*`,
    logIndex: (time) => `${prefix}-log-${new Date(Math.floor(time * 1000)).toISOString().slice(0, 10).replaceAll("-", ".")}`,
  };
}

/** The id of a check's state document: host names and check names may hold any character but NUL. */
export function stateDocId(hostname: string, check: string): string {
  return createHash("sha1").update(`${hostname}\u0000${check}`).digest("base64url");
}

/** A log entry as stored: the entry's fields (snake_case), `@timestamp` for Kibana, and the node that wrote it. */
export interface LogDocument {
  readonly "@timestamp": number; // epoch milliseconds
  readonly id: string;
  readonly time: number; // seconds, with fractions
  readonly class: number;
  readonly type: string;
  readonly hostname: string;
  readonly check: string;
  readonly state: number;
  readonly state_type: string;
  readonly attempt: number;
  readonly output: string;
  readonly message: string;
  readonly node: string;
}

export function toLogDocument(e: LogEntry, node: string): LogDocument {
  return {
    "@timestamp": Math.round(e.time * 1000),
    id: e.id,
    time: e.time,
    class: e.class,
    type: e.type,
    hostname: e.hostname,
    check: e.check,
    state: e.state,
    state_type: e.stateType,
    attempt: e.attempt,
    output: e.output,
    message: e.message,
    node,
  };
}

export function fromLogDocument(d: LogDocument): LogEntry {
  const e = logEntry({
    time: d.time,
    class: d.class,
    type: d.type,
    hostname: d.hostname,
    check: d.check,
    state: d.state,
    stateType: d.state_type,
    attempt: d.attempt,
    output: d.output,
    message: d.message,
  });
  // The stored id is the one the entry was written with (an id scheme may change between versions).
  return e.id === d.id ? e : Object.freeze({ ...e, id: d.id });
}

/**
 * Text fields of the log that the mapping indexes only up to this many characters
 * (`ignore_above`, under Lucene's 32766-byte term limit): a condition on `output` or
 * `message` is therefore always checked in Node after fetching, never pushed down.
 */
export const LOG_TEXT_INDEXED_CHARS = 8191;
