import type { CheckState, HostState, LivestatusValue } from "../../../core";
import type { HostRows } from "./host-rows";
import { type HostView, worseState } from "./host-view";
import { byCodeUnit } from "./sorted-keys";

/** A service with its host's view: a servicegroup member (the shape of a services table row). */
export interface ServiceMember {
  readonly host: HostView;
  readonly service: CheckState;
}

/** What the group columns count over services (every stored service has been checked). */
export interface ServiceCounts {
  readonly total: number;
  /** Services per state: OK, WARNING, CRITICAL, UNKNOWN. */
  readonly byState: readonly number[];
  /** Checkmk's order: CRITICAL is worst, then UNKNOWN, WARNING, OK; 0 without services. */
  readonly worst: number;
}

/** What the hostgroup columns count over the member hosts. */
export interface HostGroupSummary {
  /** Checked hosts per state: UP, DOWN, UNREACHABLE (pending hosts are not counted here). */
  readonly hostsByState: readonly number[];
  /** Hosts whose Host check has not come (has_been_checked 0). */
  readonly pending: number;
  /** Checkmk's order for hosts: DOWN is worst, then UNREACHABLE, UP; 0 without hosts. */
  readonly worstHost: number;
  /** Over every service of every member host. */
  readonly services: ServiceCounts;
}

/** Checkmk's host order: DOWN (1) beats everything, then UNREACHABLE (2), then UP (0). */
export function worseHostState(a: number, b: number): boolean {
  if (a === 0) return false;
  if (b === 0) return true;
  return a === 1 && b !== 1;
}

/** Counts per state and the worst state over services (ServiceCounts of the group columns). */
export function countServices(services: Iterable<CheckState>): ServiceCounts {
  const byState = [0, 0, 0, 0];
  let total = 0;
  let worst = 0;
  for (const s of services) {
    total++;
    byState[s.state] = (byState[s.state] ?? 0) + 1;
    if (worseState(s.state, worst)) worst = s.state;
  }
  return { total, byState, worst };
}

/**
 * A host group as one query sees it: the hosts naming it in any of their results (Host check
 * or services), sorted by name. The members are loaded on first use, so that a query asking
 * only for the group's name (hostsbygroup's `hostgroup_name`) never scans every host.
 */
export class HostGroupView {
  private membersMemo: readonly HostView[] | undefined;
  private summaryMemo: HostGroupSummary | undefined;
  private lists: Map<string, readonly LivestatusValue[]> | undefined;

  constructor(
    readonly name: string,
    private readonly load: () => readonly HostView[],
  ) {}

  members(): readonly HostView[] {
    return (this.membersMemo ??= this.load());
  }

  /**
   * A list column's value built from the members once per view: in hostsbygroup every row
   * of the group would otherwise rebuild the same `hostgroup_members` list.
   */
  membersList(column: string, build: (members: readonly HostView[]) => readonly LivestatusValue[]): readonly LivestatusValue[] {
    this.lists ??= new Map();
    let value = this.lists.get(column);
    if (value === undefined) this.lists.set(column, (value = build(this.members())));
    return value;
  }

  summary(): HostGroupSummary {
    if (this.summaryMemo === undefined) {
      const hostsByState = [0, 0, 0];
      const byState = [0, 0, 0, 0];
      let pending = 0;
      let worstHost = 0;
      let total = 0;
      let worst = 0;
      for (const h of this.members()) {
        const check = h.check;
        if (check === undefined) pending++;
        else {
          hostsByState[check.state] = (hostsByState[check.state] ?? 0) + 1;
          if (worseHostState(check.state, worstHost)) worstHost = check.state;
        }
        const s = h.summary();
        total += s.total;
        s.byState.forEach((n, state) => (byState[state] = (byState[state] ?? 0) + n));
        if (worseState(s.worst, worst)) worst = s.worst;
      }
      this.summaryMemo = { hostsByState, pending, worstHost, services: { total, byState, worst } };
    }
    return this.summaryMemo;
  }

  /** AuthUser, Checkmk's loose rule: the group is visible to whoever sees any of its hosts. */
  visibleTo(user: string): boolean {
    return this.members().some((h) => h.visibleTo(user));
  }
}

/**
 * A service group as one query sees it: the services whose last result names it, sorted by
 * host name then description, loaded on first use.
 */
export class ServiceGroupView {
  private membersMemo: readonly ServiceMember[] | undefined;
  private countsMemo: ServiceCounts | undefined;
  private lists: Map<string, readonly LivestatusValue[]> | undefined;

  constructor(
    readonly name: string,
    private readonly load: () => readonly ServiceMember[],
  ) {}

  members(): readonly ServiceMember[] {
    return (this.membersMemo ??= this.load());
  }

  /**
   * A list column's value built from the members once per view: in servicesbygroup every row
   * of the group would otherwise rebuild the same `servicegroup_members` list.
   */
  membersList(column: string, build: (members: readonly ServiceMember[]) => readonly LivestatusValue[]): readonly LivestatusValue[] {
    this.lists ??= new Map();
    let value = this.lists.get(column);
    if (value === undefined) this.lists.set(column, (value = build(this.members())));
    return value;
  }

  counts(): ServiceCounts {
    return (this.countsMemo ??= countServices(this.members().map((m) => m.service)));
  }
}

/** A service's groups as its result names them: duplicates dropped, sorted. */
export function serviceGroupNames(service: CheckState): readonly string[] {
  const names = service.servicegroups;
  if (names.length === 0) return names;
  if (names.length === 1) return names;
  return [...new Set(names)].sort(byCodeUnit);
}

/**
 * The groups of one query, derived from the results: a host's groups are the union of the
 * `hostgroups` of its Host check and its services' results (HostView.groups()), a service's
 * groups the `servicegroups` of its result. Memberships are built on first use by one pass
 * over every host (and its services), O(hosts + services); the host views are shared by the
 * query's rows and its groups, so what a view computes (service counts, groups) is computed once.
 * With an AuthUser, only the hosts and services it may see are members: a group none of
 * whose members it sees does not exist for it.
 */
export class GroupIndex {
  private readonly views = new Map<string, HostView>();
  private readonly hostGroupViews = new Map<string, HostGroupView>();
  private readonly serviceGroupViews = new Map<string, ServiceGroupView>();
  private hostMembers: Map<string, HostView[]> | undefined;
  private serviceMembers: Map<string, ServiceMember[]> | undefined;

  constructor(
    private readonly hosts: HostRows,
    /** Seconds since the epoch, taken once per query. */
    readonly now: number,
    /** The query's AuthUser: groups then have only the members it may see (Checkmk's group columns do the same). */
    private readonly user?: string,
  ) {}

  /** The query's view of a host (one per host, shared by every row and group naming it). */
  view(entry: HostState): HostView {
    let v = this.views.get(entry.name);
    if (v === undefined) this.views.set(entry.name, (v = this.hosts.view(entry, this.now)));
    return v;
  }

  /** The host group of that name (its members are looked up only when asked for). */
  hostGroup(name: string): HostGroupView {
    let g = this.hostGroupViews.get(name);
    if (g === undefined) this.hostGroupViews.set(name, (g = new HostGroupView(name, () => this.hostMemberMap().get(name) ?? [])));
    return g;
  }

  /** The service group of that name (its members are looked up only when asked for). */
  serviceGroup(name: string): ServiceGroupView {
    let g = this.serviceGroupViews.get(name);
    if (g === undefined) this.serviceGroupViews.set(name, (g = new ServiceGroupView(name, () => this.serviceMemberMap().get(name) ?? [])));
    return g;
  }

  /** Every host group some result names, sorted by name. */
  hostGroups(): HostGroupView[] {
    return [...this.hostMemberMap().keys()].sort(byCodeUnit).map((name) => this.hostGroup(name));
  }

  /** Every service group some result names, sorted by name. */
  serviceGroups(): ServiceGroupView[] {
    return [...this.serviceMemberMap().keys()].sort(byCodeUnit).map((name) => this.serviceGroup(name));
  }

  /** Group name → member hosts; hosts are visited sorted, so each list is sorted. */
  private hostMemberMap(): Map<string, HostView[]> {
    if (this.hostMembers === undefined) {
      const map = new Map<string, HostView[]>();
      // The host's groups as HostView.groups() has them, without building and sorting each
      // host's list: hosts come one after the other, so a host already added to a group is
      // that group's last member.
      const user = this.user;
      for (const entry of this.hosts.entries({})) {
        if (user !== undefined && !this.view(entry).visibleTo(user)) continue;
        let host: HostView | undefined;
        const add = (groups: readonly string[]): void => {
          for (const g of groups) {
            const list = map.get(g);
            if (list === undefined) map.set(g, [(host ??= this.view(entry))]);
            else if (host === undefined || list[list.length - 1] !== host) list.push((host ??= this.view(entry)));
          }
        };
        if (entry.hostCheck !== undefined) add(entry.hostCheck.hostgroups);
        for (const s of entry.services.values()) add(s.hostgroups);
      }
      this.hostMembers = map;
    }
    return this.hostMembers;
  }

  /** Group name → member services; hosts and their services are visited sorted, so each list is sorted. */
  private serviceMemberMap(): Map<string, ServiceMember[]> {
    if (this.serviceMembers === undefined) {
      const map = new Map<string, ServiceMember[]>();
      const user = this.user;
      for (const entry of this.hosts.entries({})) {
        const host = this.view(entry);
        const hostVisible = user === undefined || host.visibleTo(user);
        for (const service of host.services()) {
          if (!hostVisible && !service.contacts.includes(user)) continue; // serviceVisibleTo's rule, with the host's part decided once
          for (const g of serviceGroupNames(service)) {
            const member = { host, service };
            const list = map.get(g);
            if (list === undefined) map.set(g, [member]);
            else list.push(member);
          }
        }
      }
      this.serviceMembers = map;
    }
    return this.serviceMembers;
  }
}
