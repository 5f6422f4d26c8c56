import { inject, injectable } from "tsyringe";
import type { Clock } from "../../../core/clock";
import type { ColumnSpec } from "../../../core/livestatus/column";
import type { LivestatusTable, RowHint, TableRegistry } from "../../../core/livestatus/table-registry";
import type { TablePlugin } from "../../../core/plugin/api";
import { checkKey, type Acknowledgement, type CheckState } from "../../../core/state/check-state";
import type { StateEngine } from "../../../core/state/state-engine";
import { CLOCK, STATE_ENGINE, TABLES } from "../../../core/tokens";
import { int, string, time } from "../common/columns";
import { HostRows } from "../common/host-rows";
import { HostView } from "../common/host-view";
import { objectColumns, objectVisibleTo, type ObjectRow } from "../common/object-columns";
import { byCodeUnit } from "../common/sorted-keys";
import { TableRegistration } from "../common/table-registration";

/** Nagios' comment entry types; every comment Tantale has is an acknowledgement's. */
const ACKNOWLEDGEMENT_COMMENT = 4;
/** Nagios' comment types (the reverse of the downtime types). */
const HOST_COMMENT = 1;
const SERVICE_COMMENT = 2;

/** One row of the comments table: the comment of an acknowledged check. */
export interface CommentRow extends ObjectRow {
  /** The acknowledged check: the host's `Host` check for a host's comment, else the service. */
  readonly check: CheckState;
  readonly ack: Acknowledgement;
}

/**
 * The id of the acknowledgement comment of a check: a 53-bit hash (cyrb53) of the host name
 * and the service description (the `Host` check for a host), so that it is the same on every
 * query, after a restart and for a new acknowledgement of the same check, as the
 * DEL_*_COMMENT commands and GUI links need, without a counter to persist. Never 0 (no comment),
 * always a safe integer (exact in JSON and in every client's number type).
 */
export function acknowledgementCommentId(hostname: string, check: string): number {
  const text = checkKey(hostname, check);
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  const id = 4294967296 * (h2 & 0x1fffff) + (h1 >>> 0);
  return id === 0 ? 1 : id;
}

/**
 * The comments table's own columns (livestatus.md §4.9, Checkmk's TableComments), then the
 * host's columns as `host_*` and the service's as `service_*`.
 */
export function commentColumns(): ColumnSpec<CommentRow>[] {
  return [
    int("id", "Comment id: a hash of the host name and service description, the same after a restart and for a new acknowledgement of the check", (r) => acknowledgementCommentId(r.check.hostname, r.check.check)),
    string("author", "Who acknowledged the problem", (r) => r.ack.author),
    string("comment", "The acknowledgement's comment", (r) => r.ack.comment),
    int("entry_type", "1 user, 2 downtime, 3 flapping, 4 acknowledgement: always 4 (every comment is an acknowledgement's)", () => ACKNOWLEDGEMENT_COMMENT),
    time("entry_time", "Time of the acknowledgement", (r) => r.ack.time),
    int("expires", "1 when the acknowledgement expires at expire_time, 0 when it does not", (r) => (r.ack.expireTime > 0 ? 1 : 0)),
    time("expire_time", "When the acknowledgement expires; 0 never", (r) => r.ack.expireTime),
    int("persistent", "Whether the comment is kept beyond its acknowledgement: always 0 (it ends with the acknowledgement)", () => 0),
    int("source", "0 internal, 1 external (a command): always 1", () => 1),
    int("type", "1 host comment, 2 service comment", (r) => (r.service === undefined ? HOST_COMMENT : SERVICE_COMMENT)),
    int("is_service", "0 for a host's comment, 1 for a service's", (r) => (r.service === undefined ? 0 : 1)),
    ...objectColumns<CommentRow>(),
  ];
}

export const COMMENT_COLUMNS: readonly ColumnSpec<CommentRow>[] = Object.freeze(commentColumns());

/**
 * The Livestatus `comments` table over the state engine: one row per acknowledged check,
 * sorted by host name, the host's comment first, then by service description. The hint
 * names hosts (`host_name = X`): only their checks are looked at.
 */
export function commentsTable(engine: StateEngine, clock: Clock): LivestatusTable<CommentRow> {
  const hosts = new HostRows(engine);
  return {
    spec: { name: "comments", prefix: "comment_", columns: COMMENT_COLUMNS },
    keyColumns: ["host_name"],
    *rows(hint: RowHint): Iterable<CommentRow> {
      const now = clock.now() / 1000;
      for (const entry of hosts.entries(hint)) {
        const hostAck = entry.hostCheck?.acknowledgement ?? null;
        const acked: CheckState[] = [];
        for (const s of entry.services.values()) if (s.acknowledgement !== null) acked.push(s);
        if (hostAck === null && acked.length === 0) continue;
        const host = new HostView(entry, now);
        if (hostAck !== null) yield { host, service: undefined, check: entry.hostCheck!, ack: hostAck };
        acked.sort((a, b) => byCodeUnit(a.check, b.check));
        for (const service of acked) yield { host, service, check: service, ack: service.acknowledgement! };
      }
    },
    visibleTo: objectVisibleTo,
  };
}

/** The `comments` table plugin: adds the table to the registry while it runs. */
@injectable()
export class CommentsTable implements TablePlugin {
  private readonly registration: TableRegistration<CommentRow>;

  constructor(@inject(TABLES) tables: TableRegistry, @inject(STATE_ENGINE) engine: StateEngine, @inject(CLOCK) clock: Clock) {
    this.registration = new TableRegistration(tables, commentsTable(engine, clock));
  }

  /** The table as the registry serves it (for tests and tools). */
  get table(): LivestatusTable<CommentRow> {
    return this.registration.table;
  }

  async start(): Promise<void> {
    this.registration.start();
  }

  async stop(): Promise<void> {
    this.registration.stop();
  }
}
