/**
 * The Wait headers (docs/livestatus.md §2.5): a test that says whether `WaitCondition` holds for
 * the `WaitObject` row now, and the `WaitTrigger` whose change notices (ChangeFeed) make the
 * connection look again at once. Multisite sends them after a command ("answer once the
 * check result has arrived"); the server re-evaluates the test on each notice of the
 * trigger's kind (and every waitPollMs) until it holds or `WaitTimeout` runs out, then
 * answers the query normally. A bare WaitTrigger (no condition) waits for one notice.
 */
import type { ChangeKind } from "../../state/change-feed";
import { compileFilter, type ColumnLookup } from "../query/filter";
import { LivestatusError } from "./livestatus-error";
import { columnLookup } from "../query/query-engine";
import type { GetQuery } from "./query";
import type { LivestatusTable, TableRegistry } from "../query/table-registry";

export interface WaitPlan {
  /** True once the condition holds (re-read from the table on every call); undefined for a bare WaitTrigger. */
  readonly holds: (() => boolean) | undefined;
  /** The kind of change that wakes the wait: a ChangeKind, or "all". */
  readonly trigger: ChangeKind | "all";
  /** Milliseconds; 0 = no timeout (the connection's idle timeout still bounds the wait). */
  readonly timeoutMs: number;
}

/**
 * @returns undefined when there is nothing to wait for: no Wait headers, no WaitCondition
 *   (without trigger events a bare WaitTrigger would only ever time out), or an unknown
 *   table (answerQuery answers the 404).
 * @throws LivestatusError 400 for a bad WaitCondition column or operand, 452 for a
 *   condition without WaitObject on a table whose rows have keys (Checkmk: "missing
 *   WaitObject"; only keyless tables such as status have a default object, their first row).
 */
export function planWait(query: GetQuery, registry: TableRegistry): WaitPlan | undefined {
  const wait = query.wait;
  if (wait === undefined) return undefined;
  const trigger = wait.trigger as ChangeKind | "all"; // the parser let only WAIT_TRIGGERS through
  if (wait.condition === undefined) return { holds: undefined, trigger, timeoutMs: wait.timeoutMs };
  const table = registry.get(query.table);
  if (table === undefined) return undefined;
  const lookup = columnLookup(table);
  const condition = compileFilter(wait.condition, lookup, query.timezoneOffset, "WaitCondition");
  const objects = wait.object === undefined ? defaultObject(table) : objectRows(table, lookup, wait.object);
  return {
    holds: () => {
      for (const row of objects()) if (condition(row)) return true;
      return false;
    },
    trigger,
    timeoutMs: wait.timeoutMs,
  };
}

function defaultObject(table: LivestatusTable): () => Iterable<unknown> {
  if (table.keyColumns.length > 0) throw new LivestatusError(452, "missing WaitObject");
  return function* () {
    for (const row of table.rows({})) {
      yield row;
      return;
    }
  };
}

/**
 * The rows the object names. Its first key column holds the object name (a host name on
 * hosts). On a table that also has a `description` column (services), the object is
 * `<host>;<description>` or, as the protocol first had it, `<host> <description>` (Checkmk
 * accepts both; `;` first, because host names may hold spaces). An object that does not
 * exist yet is not an error: for a passive daemon it appears with its first result, which
 * may be exactly what the client waits for.
 */
function objectRows(table: LivestatusTable, lookup: ColumnLookup<unknown>, object: string): () => Iterable<unknown> {
  const keyColumn = table.keyColumns[0] === undefined ? undefined : lookup(table.keyColumns[0]);
  if (keyColumn === undefined) throw new LivestatusError(452, `WaitObject: table '${table.spec.name}' has no objects to wait for`);
  const found = lookup("description");
  const description = found === keyColumn ? undefined : found;
  let key = object;
  let wanted = "";
  if (description !== undefined) {
    const cut = object.includes(";") ? object.indexOf(";") : object.indexOf(" ");
    if (cut < 0) throw new LivestatusError(452, `WaitObject: expected <host>;<description>, got '${object}'`);
    key = object.slice(0, cut);
    wanted = object.slice(cut + 1);
  }
  const keys = new Set([key]);
  return function* () {
    for (const row of table.rows({ keys })) {
      // rows() may give more than the hint: the hint is an index, not a filter.
      if (keyColumn.get(row) !== key) continue;
      if (description !== undefined && description.get(row) !== wanted) continue;
      yield row;
    }
  };
}
