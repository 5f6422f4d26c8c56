import {
  type CheckState,
  type Comment,
  type Downtime,
  hostContacts,
  type HostState,
  type LivestatusValue,
  type ObjectRecord,
  type StateView,
} from "../../../core";
import { SortedKeys, byCodeUnit } from "./sorted-keys";

/** What the host columns count over the host's services (every stored service has been checked). */
export interface ServiceSummary {
  readonly total: number;
  /** Services per state: OK, WARNING, CRITICAL, UNKNOWN. */
  readonly byState: readonly number[];
  /** Checkmk's order: CRITICAL is worst, then UNKNOWN, WARNING, OK. */
  readonly worst: number;
  /** Problems acknowledged or in downtime, and the others. */
  readonly handled: number;
  readonly unhandled: number;
}

/** Where a view reads its host's downtimes and comments: the state engine. */
export type HostRecordSource = Pick<StateView, "downtimesOfHost" | "commentsOfHost">;

/** A host's records by check (the `Host` check or a service description), each list by id. */
type RecordsByCheck<T> = ReadonlyMap<string, readonly T[]>;

const NO_RECORDS: RecordsByCheck<never> = new Map();
const EMPTY: readonly never[] = Object.freeze([]);

/** Groups records (sorted by id) by their check; the lists stay sorted. */
function byCheck<T extends ObjectRecord>(records: readonly T[]): RecordsByCheck<T> {
  if (records.length === 0) return NO_RECORDS;
  const out = new Map<string, T[]>();
  for (const r of records) {
    const list = out.get(r.check);
    if (list === undefined) out.set(r.check, [r]);
    else list.push(r);
  }
  return out;
}

/** Sorted service names per host, kept across queries (keyed by the host's services map, which lives as long as the host). */
const serviceOrder = new WeakMap<ReadonlyMap<string, CheckState>, SortedKeys>();

/** A host's groups as last computed, by its sorted services list (a new list once any service changes), with the Host check state they were read with. */
const groupsKept = new WeakMap<readonly CheckState[], { readonly check: CheckState | undefined; readonly groups: readonly string[] }>();

/**
 * A host's services sorted by description: the same array while the host's services stand
 * (its version), a new one once any is added, removed or gets a new state.
 */
export function sortedServices(entry: HostState): readonly CheckState[] {
  const map = entry.services;
  let order = serviceOrder.get(map);
  if (order === undefined) serviceOrder.set(map, (order = new SortedKeys()));
  return order.values(map, entry.version);
}

/** Checkmk's `worse()`: CRITICAL beats everything, otherwise the higher state number. */
export function worseState(a: number, b: number): boolean {
  return a === 2 ? b !== 2 : b !== 2 && a > b;
}

function sortedUnion(lists: Iterable<readonly string[]>): string[] {
  const all = new Set<string>();
  for (const l of lists) for (const x of l) all.add(x);
  return [...all].sort(byCodeUnit);
}

/**
 * One host as a row of one query: the engine's entry, the query's clock (every row of an
 * answer has the same "now", so staleness filters and columns agree) and what is derived
 * from its services, computed on first use and shared by the host's service rows: the
 * services table joins every host column, and an all-columns query would otherwise count a
 * host's services once per service.
 */
export class HostView {
  private servicesMemo: readonly CheckState[] | undefined;
  private summaryMemo: ServiceSummary | undefined;
  private groupsMemo: readonly string[] | undefined;
  private contactsMemo: readonly string[] | undefined;
  /** Created on first use: most queries ask for no service list. */
  private lists: Map<string, readonly LivestatusValue[]> | undefined;
  /** Values of host columns read for this query, by the column's slot (joinedOnce): every service row of the host reads the same. */
  private columnValues: LivestatusValue[] | undefined;
  /** Read on first use, once for the host and all its services: most queries ask for no downtime or comment column. */
  private downtimesMemo: RecordsByCheck<Downtime> | undefined;
  private commentsMemo: RecordsByCheck<Comment> | undefined;

  constructor(
    readonly entry: HostState,
    /** Seconds since the epoch, taken once per query. */
    readonly now: number,
    private readonly records: HostRecordSource,
  ) {}

  get name(): string {
    return this.entry.name;
  }

  /** The Host check's state; undefined while the host is pending. */
  get check(): CheckState | undefined {
    return this.entry.hostCheck;
  }

  /** The services, sorted by description. */
  services(): readonly CheckState[] {
    this.servicesMemo ??= sortedServices(this.entry);
    return this.servicesMemo;
  }

  summary(): ServiceSummary {
    if (this.summaryMemo === undefined) {
      const byState = [0, 0, 0, 0];
      let worst = 0;
      let handled = 0;
      for (const s of this.services()) {
        byState[s.state] = (byState[s.state] ?? 0) + 1;
        if (worseState(s.state, worst)) worst = s.state;
        if (s.state !== 0 && (s.acknowledgement !== null || s.downtimeDepth > 0)) handled++;
      }
      const problems = this.services().length - (byState[0] ?? 0);
      this.summaryMemo = { total: this.services().length, byState, worst, handled, unhandled: problems - handled };
    }
    return this.summaryMemo;
  }

  /** Host groups named by any result of the host (its Host check and its services), sorted. */
  groups(): readonly string[] {
    if (this.groupsMemo === undefined) {
      const check = this.check;
      const services = this.services();
      // Kept between queries while the services (their sorted list) and the Host check are the same states.
      const kept = groupsKept.get(services);
      if (kept !== undefined && kept.check === check) this.groupsMemo = kept.groups;
      else {
        const lists = services.map((s) => s.hostgroups);
        if (check !== undefined) lists.push(check.hostgroups);
        this.groupsMemo = sortedUnion(lists);
        groupsKept.set(services, { check, groups: this.groupsMemo });
      }
    }
    return this.groupsMemo;
  }

  /** The host's contacts (hostContacts: of its services while it is pending). */
  contacts(): readonly string[] {
    this.contactsMemo ??= hostContacts(this.entry);
    return this.contactsMemo;
  }

  /**
   * A list column's value derived from the services, built once per view: each service row
   * of the host would otherwise rebuild the same `host_services_with_info` list.
   */
  servicesList(column: string, build: (services: readonly CheckState[]) => readonly LivestatusValue[]): readonly LivestatusValue[] {
    this.lists ??= new Map();
    let value = this.lists.get(column);
    if (value === undefined) this.lists.set(column, (value = build(this.services())));
    return value;
  }

  /**
   * The downtimes of one check of the host (`Host` or a service), by id. The host's records
   * are grouped once per view, so that the service rows of a host with many downtimes (one per
   * service after SCHEDULE_HOST_SVC_DOWNTIME) do not each scan all of them.
   */
  downtimesOf(check: string): readonly Downtime[] {
    this.downtimesMemo ??= byCheck(this.records.downtimesOfHost(this.name));
    return this.downtimesMemo.get(check) ?? EMPTY;
  }

  /** The comments of one check of the host, by id (grouped once per view, as the downtimes). */
  commentsOf(check: string): readonly Comment[] {
    this.commentsMemo ??= byCheck(this.records.commentsOfHost(this.name));
    return this.commentsMemo.get(check) ?? EMPTY;
  }

  /**
   * The value of one of the host's columns for this query, read once: slot `i` is the
   * column's own (joinedOnce). A view is one host in one query (one clock): the value
   * cannot differ from one service row to the next.
   */
  columnValue(i: number, get: (view: HostView) => LivestatusValue): LivestatusValue {
    const values = (this.columnValues ??= []);
    let value = values[i];
    if (value === undefined) values[i] = value = get(this);
    return value;
  }

  /** AuthUser on hosts: a contact of the host (every contact is also a contact group of its name). */
  visibleTo(user: string): boolean {
    return this.contacts().includes(user);
  }
}
