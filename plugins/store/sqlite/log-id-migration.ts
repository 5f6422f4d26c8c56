import type Database from "better-sqlite3";
import { logEntryId } from "../../../core/state/log-entry";

/**
 * Schema migration 3 (runs inside the migration's transaction): the log gets `entry_id`, the
 * entry's deterministic id (core's logEntryId, the id the engine gives new entries, so a line
 * written before and replayed after the upgrade is the same line), computed for the rows already
 * there; lines written twice before ids existed are kept once. Then the indexes: one UNIQUE on
 * (time, entry_id), which is what makes inserts skip a line already written (the id is a hash of
 * the time among the rest, so the same id never comes with another time) and is also the time
 * index; and the host index ends with (time, entry_id), so that reads of a host ordered by
 * (time, entry_id) need no sort. Version 2's host-and-check index is gone: each index costs a
 * random insert per line (the host index alone makes a commit of log lines cheaper than
 * version 2's three indexes; with it, twice as dear), and a service's lines are found among
 * its host's through the host index.
 *
 * The table is copied rather than altered: rows written once in rowid order, with the id computed
 * by an SQL function during the copy, cost far less than an UPDATE that grows every row in place
 * (a large log migrates at start, within one transaction).
 */
export function addLogEntryIds(db: Database.Database): void {
  db.function("tantale_log_entry_id", { deterministic: true, varargs: true }, (...args: unknown[]) => {
    const [time, klass, type, hostname, check, state, stateType, attempt, output, message] = args as [
      number,
      number,
      string,
      string,
      string,
      number,
      string,
      number,
      string,
      string,
    ];
    return logEntryId({ time, class: klass, type, hostname, check, state, stateType, attempt, output, message });
  });
  db.exec(`
    CREATE TABLE log_v3 (
      id         INTEGER PRIMARY KEY,
      entry_id   TEXT    NOT NULL,
      time       REAL    NOT NULL,
      class      INTEGER NOT NULL,
      type       TEXT    NOT NULL,
      hostname   TEXT    NOT NULL,
      "check"    TEXT    NOT NULL,
      state      INTEGER NOT NULL,
      state_type TEXT    NOT NULL,
      attempt    INTEGER NOT NULL,
      output     TEXT    NOT NULL,
      message    TEXT    NOT NULL
    );
    INSERT INTO log_v3 (id, entry_id, time, class, type, hostname, "check", state, state_type, attempt, output, message)
      SELECT id, tantale_log_entry_id(time, class, type, hostname, "check", state, state_type, attempt, output, message),
             time, class, type, hostname, "check", state, state_type, attempt, output, message
      FROM log ORDER BY id;
    DROP TABLE log;
    ALTER TABLE log_v3 RENAME TO log;
  `);
  const unique = "CREATE UNIQUE INDEX log_time_entry ON log (time, entry_id)";
  try {
    db.exec(unique);
  } catch (err) {
    if (!(err instanceof Error && "code" in err && err.code === "SQLITE_CONSTRAINT_UNIQUE")) throw err;
    // Lines written twice (a retried commit before ids existed): the first one stays.
    db.exec("DELETE FROM log WHERE id NOT IN (SELECT min(id) FROM log GROUP BY time, entry_id)");
    db.exec(unique);
  }
  db.exec("CREATE INDEX log_host_time_entry ON log (hostname, time, entry_id)");
}

/** The indexes of the log after migration 3, by what they serve (log-sql.ts pins them with INDEXED BY). */
export const LOG_INDEX = { time: "log_time_entry", host: "log_host_time_entry" } as const;
