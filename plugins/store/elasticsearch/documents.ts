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
import type { LastIds } from "../../../core/state/change-set";
import type { CheckState } from "../../../core/state/check-state";
import type { Comment } from "../../../core/state/comment";
import type { Downtime } from "../../../core/state/downtime";
import type { LogEntry } from "../../../core/state/log-entry";

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

/** The entry with the id it was written with (read back, never computed again: a log read may fetch a million). */
export function fromLogDocument(d: LogDocument): LogEntry {
  return Object.freeze({
    id: d.id,
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
}

/**
 * Text fields of the log that the mapping indexes only up to this many characters
 * (`ignore_above`, under Lucene's 32766-byte term limit): a condition on `output` or
 * `message` is therefore always checked in Node after fetching, never pushed down.
 */
export const LOG_TEXT_INDEXED_CHARS = 8191;

/** A check's current state as stored: CheckState in snake_case, its node, and `@timestamp` (its last check) for Kibana. */
export interface StateDocument {
  readonly "@timestamp": number; // epoch milliseconds of last_check
  readonly hostname: string;
  readonly check: string;
  readonly state: number;
  readonly last_state: number;
  readonly output: string;
  readonly long_output: string;
  readonly perf_data: string;
  readonly last_check: number;
  readonly last_state_change: number;
  readonly last_hard_state_change: number;
  readonly interval: number;
  readonly contacts: readonly string[];
  readonly hostgroups: readonly string[];
  readonly servicegroups: readonly string[];
  readonly custom_variables: Readonly<Record<string, string>>;
  readonly outdated: boolean;
  readonly acknowledgement: {
    readonly type: 1 | 2;
    readonly author: string;
    readonly comment: string;
    readonly time: number;
    readonly expire_time: number;
  } | null;
  readonly downtime_depth: number;
  /** The Tantale that wrote it: the owner of the host (docs: several Tantales on one cluster). */
  readonly node: string;
}

/**
 * The external version of a state document: its last check in microseconds. Written with
 * `version_type: external_gte`, Elasticsearch refuses (409) a document older than the stored
 * one, also from a spool replay or another Tantale, and accepts an equal one (a command or
 * the freshness check changes a state without a new result).
 */
export function stateVersion(s: Pick<CheckState, "lastCheck">): number {
  return Math.max(0, Math.round(s.lastCheck * 1_000_000));
}

export function toStateDocument(s: CheckState, node: string): StateDocument {
  const a = s.acknowledgement;
  return {
    "@timestamp": Math.round(s.lastCheck * 1000),
    hostname: s.hostname,
    check: s.check,
    state: s.state,
    last_state: s.lastState,
    output: s.output,
    long_output: s.longOutput,
    perf_data: s.perfData,
    last_check: s.lastCheck,
    last_state_change: s.lastStateChange,
    last_hard_state_change: s.lastHardStateChange,
    interval: s.interval,
    contacts: s.contacts,
    hostgroups: s.hostgroups,
    servicegroups: s.servicegroups,
    custom_variables: s.customVariables,
    outdated: s.outdated,
    acknowledgement: a === null ? null : { type: a.type, author: a.author, comment: a.comment, time: a.time, expire_time: a.expireTime },
    downtime_depth: s.downtimeDepth,
    node,
  };
}

export function fromStateDocument(d: StateDocument): CheckState {
  const a = d.acknowledgement;
  return Object.freeze({
    hostname: d.hostname,
    check: d.check,
    state: d.state,
    lastState: d.last_state,
    output: d.output,
    longOutput: d.long_output,
    perfData: d.perf_data,
    lastCheck: d.last_check,
    lastStateChange: d.last_state_change,
    lastHardStateChange: d.last_hard_state_change,
    interval: d.interval,
    contacts: Object.freeze([...d.contacts]),
    hostgroups: Object.freeze([...d.hostgroups]),
    servicegroups: Object.freeze([...d.servicegroups]),
    customVariables: Object.freeze({ ...d.custom_variables }),
    outdated: d.outdated,
    acknowledgement: a === null ? null : Object.freeze({ type: a.type, author: a.author, comment: a.comment, time: a.time, expireTime: a.expire_time }),
    downtimeDepth: d.downtime_depth,
  });
}

/**
 * A downtime, a comment or the id counters of one node, in `<prefix>-records`. Ids are
 * handed out by each Tantale, so the document id carries the node: `<node>/downtime/<id>`,
 * `<node>/comment/<id>`, `<node>/counters`. The record itself is kept whole in `record`
 * (stored, not indexed), with what a search needs beside it.
 */
export interface RecordDocument {
  readonly kind: "downtime" | "comment" | "counters";
  readonly node: string;
  /** The host the record is about; "" for counters. */
  readonly hostname: string;
  readonly check: string;
  readonly record_id: number;
  /** Downtime or Comment as JSON; for counters `{ downtime, comment }` (LastIds). */
  readonly record: Downtime | Comment | LastIds;
}

export function recordDocId(node: string, kind: RecordDocument["kind"], id?: number): string {
  return kind === "counters" ? `${node}/counters` : `${node}/${kind}/${id ?? 0}`;
}
