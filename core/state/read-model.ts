import { HOST_CHECK } from "../model/check-result";
import { checkKey, type CheckKey, type CheckState } from "./check-state";

/** A host: known from its first result of any kind, pending until its Host check arrives. */
export interface HostEntry {
  readonly name: string;
  hostCheck: CheckState | undefined;
  readonly services: Map<string, CheckState>;
  /** Bumped on every change to `services` (a state replaced, added or removed): readers keep what they derive from it until it moves. */
  version: number;
}

/**
 * The current state of every check, as queries read it: indexed by host (one host's
 * services cost O(its services)), with the counters and versions readers cache against,
 * and the index of acknowledgements that expire (kept with the states it derives from).
 * No rules here: the engine's parts decide what to put; this keeps the indexes consistent.
 */
export class ReadModel {
  private readonly hosts = new Map<string, HostEntry>();
  private checks = 0;
  private hostsVersionCounter = 0;
  /** checkKey → expiry time of the acknowledgements that expire: the timer looks at these only. */
  readonly expiringAcks = new Map<string, number>();

  get hostCount(): number {
    return this.hosts.size;
  }

  get checkCount(): number {
    return this.checks;
  }

  /** Bumped whenever a host appears or is removed: readers keep their sorted host lists until it moves. */
  get hostsVersion(): number {
    return this.hostsVersionCounter;
  }

  host(name: string): HostEntry | undefined {
    return this.hosts.get(name);
  }

  allHosts(): IterableIterator<HostEntry> {
    return this.hosts.values();
  }

  *allChecks(): IterableIterator<CheckState> {
    for (const h of this.hosts.values()) {
      if (h.hostCheck !== undefined) yield h.hostCheck;
      yield* h.services.values();
    }
  }

  get(hostname: string, check: string): CheckState | undefined {
    const h = this.hosts.get(hostname);
    return h === undefined ? undefined : check === HOST_CHECK ? h.hostCheck : h.services.get(check);
  }

  /** The host entry of a known object (a host, pending or not, or one of its services); undefined otherwise. */
  entryOf(target: CheckKey): HostEntry | undefined {
    const entry = this.hosts.get(target.hostname);
    return entry !== undefined && (target.check === HOST_CHECK || entry.services.has(target.check)) ? entry : undefined;
  }

  /** Adds or replaces a check's state (its host appears with its first check). */
  put(s: CheckState): void {
    if (s.acknowledgement !== null || this.expiringAcks.size > 0) this.trackExpiry(s);
    let h = this.hosts.get(s.hostname);
    if (h === undefined) {
      h = { name: s.hostname, hostCheck: undefined, services: new Map(), version: 0 };
      this.hosts.set(s.hostname, h);
      this.hostsVersionCounter++;
    }
    if (s.check === HOST_CHECK) {
      if (h.hostCheck === undefined) this.checks++;
      h.hostCheck = s;
    } else {
      if (!h.services.has(s.check)) this.checks++;
      h.services.set(s.check, s);
      h.version++;
    }
  }

  /** Takes a check out (a removal, or a rollback of its first result); its host stays until `deleteHostIfEmpty`. */
  unput(hostname: string, check: string): void {
    const entry = this.hosts.get(hostname);
    if (entry === undefined) return;
    if (check === HOST_CHECK) {
      if (entry.hostCheck === undefined) return;
      entry.hostCheck = undefined;
    } else {
      if (!entry.services.delete(check)) return;
      entry.version++;
    }
    this.checks--;
    this.expiringAcks.delete(checkKey(hostname, check));
  }

  /** A host exists while it has a check: removes it once it has none; whether it did. */
  deleteHostIfEmpty(name: string): boolean {
    const entry = this.hosts.get(name);
    if (entry === undefined || entry.hostCheck !== undefined || entry.services.size > 0) return false;
    this.hosts.delete(name);
    this.hostsVersionCounter++;
    return true;
  }

  /** Keeps expiringAcks in step with a check's acknowledgement (every state goes through put()). */
  private trackExpiry(s: CheckState): void {
    const expireTime = s.acknowledgement?.expireTime ?? 0;
    if (expireTime > 0) this.expiringAcks.set(checkKey(s.hostname, s.check), expireTime);
    else if (this.expiringAcks.size > 0) this.expiringAcks.delete(checkKey(s.hostname, s.check));
  }
}
