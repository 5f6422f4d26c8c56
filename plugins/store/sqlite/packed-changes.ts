import type { CheckState } from "../../../core/state/check-state";
import type { LogEntry } from "../../../core/state/log-entry";

/**
 * A change set as the writer thread receives it (commit-thread.ts). Copying objects between
 * threads (structured clone) costs several times more than copying strings and a buffer of
 * numbers, and it is the main thread that pays: so the states and log lines travel column by
 * column, fixed fields per row, in chunks a loop turn can build in a few ms. The strings
 * travel as one text with their lengths beside it: the clone costs a step per string of a
 * list, one copy for one text.
 */

/** Strings per check row: hostname, check, output, long_output, perf_data, contacts, hostgroups, servicegroups, custom_variables, ack_author, ack_comment. */
export const CHECK_STRINGS = 11;
/** Numbers per check row: state, last_state, last_check, last_state_change, last_hard_state_change, interval, outdated, ack_type (0: none), ack_time, ack_expire_time, downtime_depth. */
export const CHECK_NUMBERS = 11;
/** Strings per log row: entry_id, type, hostname, check, state_type, output, message. */
export const LOG_STRINGS = 7;
/** Numbers per log row: time, class, state, attempt. */
export const LOG_NUMBERS = 4;

/** Rows of one kind, column-packed: `strings.length / S` rows. */
export interface PackedRows {
  readonly strings: string[];
  readonly numbers: Float64Array<ArrayBuffer>;
}

/** PackedRows as they cross to the writer thread: the strings one after the other in `text`, `lengths` of each (both buffers transferred). */
export interface WireRows {
  readonly text: string;
  readonly lengths: Uint32Array<ArrayBuffer>;
  readonly numbers: Float64Array<ArrayBuffer>;
}

/** What postMessage transfers of `w` instead of copying. */
export function transferList(w: WireRows): ArrayBuffer[] {
  return [w.lengths.buffer, w.numbers.buffer];
}

/**
 * Builds a WireRows' strings. Appended (a rope, flattened once by postMessage), not joined:
 * Array.join of a list this long costs more; most strings of a row are empty and cost a slot
 * in `lengths` only.
 */
class StringPacker {
  private text = "";
  private at = 0;
  readonly lengths: Uint32Array<ArrayBuffer>;

  constructor(count: number) {
    this.lengths = new Uint32Array(count);
  }

  add(s: string): void {
    this.lengths[this.at++] = s.length;
    if (s.length > 0) this.text += s;
  }

  rows(numbers: Float64Array<ArrayBuffer>): WireRows {
    return { text: this.text, lengths: this.lengths, numbers };
  }
}

/** The writer thread's side: the strings cut out of the text again. */
export function fromWire(w: WireRows): PackedRows {
  const strings = new Array<string>(w.lengths.length);
  for (let i = 0, at = 0; i < strings.length; i++) {
    const end = at + w.lengths[i]!;
    strings[i] = at === end ? "" : w.text.slice(at, end);
    at = end;
  }
  return { strings, numbers: w.numbers };
}

/** A list or record column sent empty (""): its JSON, as the table stores it. */
function orEmpty(json: string | undefined, empty: string): string {
  return json === undefined || json === "" ? empty : json;
}

/** Most lists are empty: no serializer, and "" on the wire (orEmpty() puts the JSON back). */
function jsonList(list: readonly string[]): string {
  return list.length === 0 ? "" : JSON.stringify(list);
}

function jsonRecord(r: Readonly<Record<string, string>>): string {
  for (const _ in r) return JSON.stringify(r);
  return "";
}

/** Packs states `from`..`to` (exclusive). */
export function packChecks(states: readonly CheckState[], from: number, to: number): WireRows {
  const n = to - from;
  const strings = new StringPacker(n * CHECK_STRINGS);
  const numbers = new Float64Array(n * CHECK_NUMBERS);
  for (let i = 0, ni = 0; i < n; i++) {
    const s = states[from + i]!;
    const a = s.acknowledgement;
    strings.add(s.hostname);
    strings.add(s.check);
    strings.add(s.output);
    strings.add(s.longOutput);
    strings.add(s.perfData);
    strings.add(jsonList(s.contacts));
    strings.add(jsonList(s.hostgroups));
    strings.add(jsonList(s.servicegroups));
    strings.add(jsonRecord(s.customVariables));
    strings.add(a === null ? "" : a.author);
    strings.add(a === null ? "" : a.comment);
    numbers[ni++] = s.state;
    numbers[ni++] = s.lastState;
    numbers[ni++] = s.lastCheck;
    numbers[ni++] = s.lastStateChange;
    numbers[ni++] = s.lastHardStateChange;
    numbers[ni++] = s.interval;
    numbers[ni++] = s.outdated ? 1 : 0;
    numbers[ni++] = a === null ? 0 : a.type;
    numbers[ni++] = a === null ? 0 : a.time;
    numbers[ni++] = a === null ? 0 : a.expireTime;
    numbers[ni++] = s.downtimeDepth;
  }
  return strings.rows(numbers);
}

/** Writes the upsert parameters of packed check row `row` into `out` at `at` (CHECK_COLUMNS order, 22 values). */
export function checkParamsInto(p: PackedRows, row: number, out: unknown[], at: number): void {
  const s = p.strings;
  const n = p.numbers;
  const si = row * CHECK_STRINGS;
  const ni = row * CHECK_NUMBERS;
  const acked = n[ni + 7]! !== 0;
  out[at] = s[si];
  out[at + 1] = s[si + 1];
  out[at + 2] = n[ni];
  out[at + 3] = n[ni + 1];
  out[at + 4] = s[si + 2];
  out[at + 5] = s[si + 3];
  out[at + 6] = s[si + 4];
  out[at + 7] = n[ni + 2];
  out[at + 8] = n[ni + 3];
  out[at + 9] = n[ni + 4];
  out[at + 10] = n[ni + 5];
  out[at + 11] = orEmpty(s[si + 5], "[]");
  out[at + 12] = orEmpty(s[si + 6], "[]");
  out[at + 13] = orEmpty(s[si + 7], "[]");
  out[at + 14] = orEmpty(s[si + 8], "{}");
  out[at + 15] = n[ni + 6];
  out[at + 16] = acked ? n[ni + 7] : null;
  out[at + 17] = acked ? s[si + 9] : null;
  out[at + 18] = acked ? s[si + 10] : null;
  out[at + 19] = acked ? n[ni + 8] : null;
  out[at + 20] = acked ? n[ni + 9] : null;
  out[at + 21] = n[ni + 10];
}

export function packLog(entries: readonly LogEntry[]): WireRows {
  const strings = new StringPacker(entries.length * LOG_STRINGS);
  const numbers = new Float64Array(entries.length * LOG_NUMBERS);
  let ni = 0;
  for (const e of entries) {
    strings.add(e.id);
    strings.add(e.type);
    strings.add(e.hostname);
    strings.add(e.check);
    strings.add(e.stateType);
    strings.add(e.output);
    strings.add(e.message);
    numbers[ni++] = e.time;
    numbers[ni++] = e.class;
    numbers[ni++] = e.state;
    numbers[ni++] = e.attempt;
  }
  return strings.rows(numbers);
}

/** The INSERT_LOG parameters of packed log row `row` (LOG_COLUMNS order). */
export function logParamsOf(p: PackedRows, row: number): unknown[] {
  const s = p.strings;
  const n = p.numbers;
  const si = row * LOG_STRINGS;
  const ni = row * LOG_NUMBERS;
  return [s[si], n[ni], n[ni + 1], s[si + 1], s[si + 2], s[si + 3], n[ni + 2], s[si + 4], n[ni + 3], s[si + 5], s[si + 6]];
}

/** Joins the chunks of one commit into one set of rows. */
export function concatRows(parts: readonly PackedRows[], numbersPerRow: number, stringsPerRow: number): PackedRows {
  if (parts.length === 1) return parts[0]!;
  let rows = 0;
  for (const p of parts) rows += p.strings.length / stringsPerRow;
  const strings = new Array<string>(rows * stringsPerRow);
  const numbers = new Float64Array(rows * numbersPerRow);
  let si = 0;
  let ni = 0;
  for (const p of parts) {
    for (const v of p.strings) strings[si++] = v;
    numbers.set(p.numbers, ni);
    ni += p.numbers.length;
  }
  return { strings, numbers };
}

/**
 * Check rows in (hostname, check) order: neighbouring rows of the clustered table are then
 * written together instead of one page per row (measured 3× faster). Sorted by the writer
 * thread, so that the main thread never spends its turn sorting a large set.
 */
export function checkOrder(p: PackedRows): Uint32Array {
  const s = p.strings;
  const rows = s.length / CHECK_STRINGS;
  const order = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) order[i] = i;
  order.sort((x, y) => {
    const hx = s[x * CHECK_STRINGS]!;
    const hy = s[y * CHECK_STRINGS]!;
    if (hx !== hy) return hx < hy ? -1 : 1;
    const cx = s[x * CHECK_STRINGS + 1]!;
    const cy = s[y * CHECK_STRINGS + 1]!;
    return cx < cy ? -1 : cx > cy ? 1 : 0;
  });
  return order;
}
