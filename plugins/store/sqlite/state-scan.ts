import fs from "node:fs";
import Database from "better-sqlite3";
import type { CheckState } from "../../../core/state/check-state";
import type { StateScan } from "../../../core/store/state-store";
import { CheckRowReader, rowToComment, rowToDowntime } from "./rows";
import { SCHEMA_VERSION, SELECT_CHECKS, SELECT_COMMENTS, SELECT_DOWNTIMES, type CheckRow, type CommentRow, type DowntimeRow } from "./tables";

const EMPTY_SCAN: StateScan = Object.freeze({ downtimes: [], comments: [], checks: [], close: () => undefined });

/**
 * The committed state of a SQLite store file read as it is consumed (`tantale dump`): a
 * read-only connection of its own in one read transaction (WAL: a running daemon keeps
 * committing meanwhile), the checks walked in the primary key's (hostname, check) order,
 * which needs no sort, so memory stays flat however large the file. A missing file or one
 * without a schema yet is empty. `fail` wraps an error with the file and the operation.
 */
export function scanSqliteState(file: string, busyTimeoutMs: number, host: string | undefined, fail: (err: unknown) => Error): StateScan {
  if (!fs.existsSync(file)) return EMPTY_SCAN;
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, timeout: busyTimeoutMs });
    const version = db.pragma("user_version", { simple: true });
    if (version === 0) {
      db.close();
      return EMPTY_SCAN;
    }
    if (version !== SCHEMA_VERSION) throw new Error(`schema version ${String(version)}, this Tantale reads version ${SCHEMA_VERSION}`);
    // One snapshot for the annotations and the checks, held until close().
    db.exec("BEGIN");
    const ofHost = <T extends { hostname: string }>(list: T[]) => (host === undefined ? list : list.filter((x) => x.hostname === host));
    const downtimes = ofHost(db.prepare<[], DowntimeRow>(SELECT_DOWNTIMES).raw(true).all().map(rowToDowntime));
    const comments = ofHost(db.prepare<[], CommentRow>(SELECT_COMMENTS).raw(true).all().map(rowToComment));
    const rows =
      host === undefined
        ? db.prepare<[], CheckRow>(`${SELECT_CHECKS} ORDER BY hostname, "check"`).raw(true).iterate()
        : db.prepare<[string], CheckRow>(`${SELECT_CHECKS} WHERE hostname = ? ORDER BY "check"`).raw(true).iterate(host);
    const open = db;
    return {
      downtimes,
      comments,
      checks: readChecks(rows, fail),
      close: () => {
        // An iterator left unfinished still holds the statement: return() ends it before the connection closes.
        rows.return?.();
        if (open.open) open.close();
      },
    };
  } catch (err) {
    db?.close();
    throw fail(err);
  }
}

/** A reader per host: its cache of parsed lists (contacts, groups) stays as small as one host's. */
function* readChecks(rows: IterableIterator<CheckRow>, fail: (err: unknown) => Error): Generator<CheckState> {
  let reader = new CheckRowReader();
  let host: string | undefined;
  for (;;) {
    let next: IteratorResult<CheckRow>;
    try {
      next = rows.next();
    } catch (err) {
      throw fail(err);
    }
    if (next.done === true) return;
    if (next.value[0] !== host) {
      host = next.value[0];
      reader = new CheckRowReader();
    }
    yield reader.read(next.value);
  }
}
