import type Database from "better-sqlite3";
import { logEntryId } from "../../../core/state/log-entry";

/** Rows read and updated per step: bounds the memory of migrating a large log. */
const BATCH = 10_000;

type OldLogRow = readonly [
  rowid: number,
  time: number,
  klass: number,
  type: string,
  hostname: string,
  check: string,
  state: number,
  stateType: string,
  attempt: number,
  output: string,
  message: string,
];

/**
 * Schema migration 3 (runs inside the migration's transaction): the log gets `entry_id`, the
 * entry's deterministic id (core's logEntryId, the id the engine gives new entries, so a line
 * written before and replayed after the upgrade is the same line), filled in for the rows already
 * there; lines written twice before ids existed are kept once. Then the indexes: one UNIQUE on
 * (time, entry_id), which is what makes inserts skip a line already written (the id is a hash of
 * the time among the rest, so the same id never comes with another time) and is also the time
 * index; and the host indexes end with (time, entry_id), so that reads ordered by (time, entry_id)
 * need no sort.
 */
export function addLogEntryIds(db: Database.Database): void {
  // ADD COLUMN ... NOT NULL needs a default; every insert gives the id.
  db.exec(`ALTER TABLE log ADD COLUMN entry_id TEXT NOT NULL DEFAULT ''`);
  const select = db
    .prepare<
      [number, number],
      OldLogRow
    >(`SELECT id, time, class, type, hostname, "check", state, state_type, attempt, output, message FROM log WHERE id > ? ORDER BY id LIMIT ?`)
    .raw(true);
  const update = db.prepare<[string, number]>("UPDATE log SET entry_id = ? WHERE id = ?");
  // better-sqlite3 cannot write while a read iterates on the same connection: read a batch, then write it.
  let after = Number.NEGATIVE_INFINITY;
  for (;;) {
    const rows = select.all(after, BATCH);
    for (const [rowid, time, klass, type, hostname, check, state, stateType, attempt, output, message] of rows) {
      update.run(logEntryId({ time, class: klass, type, hostname, check, state, stateType, attempt, output, message }), rowid);
    }
    const last = rows.at(-1);
    if (last === undefined || rows.length < BATCH) break;
    after = last[0];
  }
  db.exec(`
    DELETE FROM log WHERE id NOT IN (SELECT min(id) FROM log GROUP BY time, entry_id);
    DROP INDEX IF EXISTS log_time;
    DROP INDEX IF EXISTS log_host_time;
    DROP INDEX IF EXISTS log_host_check_time;
    CREATE UNIQUE INDEX log_time_entry ON log (time, entry_id);
    CREATE INDEX log_host_time_entry ON log (hostname, time, entry_id);
    CREATE INDEX log_host_check_time_entry ON log (hostname, "check", time, entry_id);
  `);
}

/** The indexes of the log after migration 3, by what they serve (log-sql.ts pins them with INDEXED BY). */
export const LOG_INDEX = { time: "log_time_entry", host: "log_host_time_entry", hostCheck: "log_host_check_time_entry" } as const;
