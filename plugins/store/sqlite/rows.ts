import type { Acknowledgement, CheckState } from "../../../core/state/check-state";
import { COMMENT_ENTRY, type Comment, type CommentEntryType } from "../../../core/state/comment";
import type { Downtime } from "../../../core/state/downtime";
import type { LogEntry } from "../../../core/state/log-entry";
import type { CheckRow, CommentRow, DowntimeRow, LogRow } from "./tables";

/** Appends the upsert parameters of one state (booleans and objects have no SQLite type). */
export function pushCheckParams(out: unknown[], s: CheckState): void {
  const a = s.acknowledgement;
  out.push(
    s.hostname,
    s.check,
    s.state,
    s.lastState,
    s.output,
    s.longOutput,
    s.perfData,
    s.lastCheck,
    s.lastStateChange,
    s.lastHardStateChange,
    s.interval,
    jsonList(s.contacts),
    jsonList(s.hostgroups),
    jsonList(s.servicegroups),
    JSON.stringify(s.customVariables),
    s.outdated ? 1 : 0,
    a === null ? null : a.type,
    a === null ? null : a.author,
    a === null ? null : a.comment,
    a === null ? null : a.time,
    a === null ? null : a.expireTime,
    s.downtimeDepth,
  );
}

/** Most lists are empty: skip the serializer for them. */
function jsonList(list: readonly string[]): string {
  return list.length === 0 ? "[]" : JSON.stringify(list);
}

export function logParams(e: LogEntry): unknown[] {
  return [e.id, e.time, e.class, e.type, e.hostname, e.check, e.state, e.stateType, e.attempt, e.output, e.message];
}

/** Check names remembered for sharing, at most: past it (a store of mostly distinct names) new ones are kept as read. */
const SHARED_CHECK_NAMES = 65_536;

/**
 * Turns the rows of one read back into states. Most checks carry the same contacts, groups
 * and custom variables, so each distinct JSON text is parsed once and its (frozen) value
 * shared: faster loads and less memory for large states. Names are shared too (SQLite
 * hands a new string per row): a host's name by all its checks (rows come in key order),
 * a check's name ("disk_root") by every host that has it, and empty texts are the one "".
 */
export class CheckRowReader {
  private readonly lists = new Map<string, readonly string[]>();
  private readonly records = new Map<string, Readonly<Record<string, string>>>();
  private readonly checkNames = new Map<string, string>();
  private lastHostname = "";

  read(r: CheckRow): CheckState {
    const [
      rowHostname,
      check,
      state,
      lastState,
      output,
      longOutput,
      perfData,
      lastCheck,
      lastStateChange,
      lastHardStateChange,
      interval,
      contacts,
      hostgroups,
      servicegroups,
      customVariables,
      outdated,
      ackType,
      ackAuthor,
      ackComment,
      ackTime,
      ackExpireTime,
      downtimeDepth,
    ] = r;
    let acknowledgement: Acknowledgement | null = null;
    if (ackType !== null) {
      if ((ackType !== 1 && ackType !== 2) || ackAuthor === null || ackComment === null || ackTime === null || ackExpireTime === null) {
        throw new Error(`${where(r, "ack_*")}: incomplete acknowledgement`);
      }
      acknowledgement = { type: ackType, author: ackAuthor, comment: ackComment, time: ackTime, expireTime: ackExpireTime };
    }
    if (rowHostname !== this.lastHostname) this.lastHostname = rowHostname;
    const hostname = this.lastHostname;
    return {
      hostname,
      check: this.checkName(check),
      state,
      lastState,
      output: output === "" ? "" : output,
      longOutput: longOutput === "" ? "" : longOutput,
      perfData: perfData === "" ? "" : perfData,
      lastCheck,
      lastStateChange,
      lastHardStateChange,
      interval,
      contacts: this.list(r, contacts, "contacts"),
      hostgroups: this.list(r, hostgroups, "hostgroups"),
      servicegroups: this.list(r, servicegroups, "servicegroups"),
      customVariables: this.record(r, customVariables),
      outdated: outdated !== 0,
      acknowledgement,
      downtimeDepth,
    };
  }

  private checkName(name: string): string {
    const shared = this.checkNames.get(name);
    if (shared !== undefined) return shared;
    if (this.checkNames.size < SHARED_CHECK_NAMES) this.checkNames.set(name, name);
    return name;
  }

  private list(r: CheckRow, text: string, column: string): readonly string[] {
    let v = this.lists.get(text);
    if (v === undefined) {
      const parsed = parseJson(r, text, column);
      if (!Array.isArray(parsed) || !parsed.every((s) => typeof s === "string")) throw new Error(`${where(r, column)}: not a JSON list of strings`);
      v = Object.freeze(parsed);
      this.lists.set(text, v);
    }
    return v;
  }

  private record(r: CheckRow, text: string): Readonly<Record<string, string>> {
    let v = this.records.get(text);
    if (v === undefined) {
      const parsed = parseJson(r, text, "custom_variables");
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed) || !Object.values(parsed).every((s) => typeof s === "string")) {
        throw new Error(`${where(r, "custom_variables")}: not a JSON object of strings`);
      }
      v = Object.freeze(parsed as Record<string, string>);
      this.records.set(text, v);
    }
    return v;
  }
}

/**
 * The id is read, not computed again: the row was written with its entry's id (or given it by
 * migration 3). Not frozen (the type is readonly): a read builds up to max_rows of them.
 */
export function rowToLogEntry(r: LogRow): LogEntry {
  const [id, time, klass, type, hostname, check, state, stateType, attempt, output, message] = r;
  return { id, time, class: klass, type, hostname, check, state, stateType, attempt, output, message };
}

export function downtimeParams(d: Downtime): unknown[] {
  return [d.id, d.hostname, d.check, d.author, d.comment, d.entryTime, d.startTime, d.endTime, d.fixed ? 1 : 0, d.duration, d.triggeredBy, d.activeSince];
}

/** Frozen: the engine shares records between its maps and replaces them rather than changing them. */
export function rowToDowntime(r: DowntimeRow): Downtime {
  const [id, hostname, check, author, comment, entryTime, startTime, endTime, fixed, duration, triggeredBy, activeSince] = r;
  return Object.freeze({ id, hostname, check, author, comment, entryTime, startTime, endTime, fixed: fixed !== 0, duration, triggeredBy, activeSince });
}

export function commentParams(c: Comment): unknown[] {
  return [c.id, c.hostname, c.check, c.author, c.comment, c.entryTime, c.entryType, c.persistent ? 1 : 0, c.expireTime];
}

const ENTRY_TYPES: ReadonlySet<number> = new Set(Object.values(COMMENT_ENTRY));

export function rowToComment(r: CommentRow): Comment {
  const [id, hostname, check, author, comment, entryTime, entryType, persistent, expireTime] = r;
  if (!ENTRY_TYPES.has(entryType)) throw new Error(`comments row ${id} column entry_type: ${entryType} is not a comment entry type`);
  return Object.freeze({ id, hostname, check, author, comment, entryTime, entryType: entryType as CommentEntryType, persistent: persistent !== 0, expireTime });
}

/** Where a bad value is, for the error (only built when there is one). */
function where(r: CheckRow, column: string): string {
  return `checks row (${JSON.stringify(r[0])}, ${JSON.stringify(r[1])}) column ${column}`;
}

function parseJson(r: CheckRow, text: string, column: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`${where(r, column)}: not JSON`, { cause: err });
  }
}
