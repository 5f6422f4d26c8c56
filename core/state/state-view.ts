import type { LogPage, LogQuery } from "../store/log-query";
import type { CheckState } from "./check-state";
import type { Comment } from "./comment";
import type { Downtime } from "./downtime";

/** A host as readers see it: known from its first result of any kind, pending until its Host check arrives. */
export interface HostState {
  readonly name: string;
  /** The Host check's state; undefined while the host is pending. */
  readonly hostCheck: CheckState | undefined;
  /** The host's services by description. The map lives as long as the host: readers may key caches on it. */
  readonly services: ReadonlyMap<string, CheckState>;
  /** Bumped on every change to `services`: readers keep what they derive from it until it moves. */
  readonly version: number;
}

/**
 * What a query table may read of the state: the current state of every host and service,
 * their downtimes and comments, and the log through the store. Read-only, so that a table
 * (built-in or third-party) cannot change what it serves; the state engine implements it.
 */
export interface StateView {
  readonly hostCount: number;
  /** Bumped whenever a host appears or is removed: readers keep their sorted host lists until it moves. */
  readonly hostsVersion: number;
  host(name: string): HostState | undefined;
  allHosts(): IterableIterator<HostState>;
  /** Every Host check and service state, host by host. */
  allChecks(): IterableIterator<CheckState>;
  /** The log lines the query asks for, read from the store (none without a store). */
  readLog(query: LogQuery): Promise<LogPage>;
  /** The downtimes of a host and of its services, by id. */
  downtimesOfHost(hostname: string): readonly Downtime[];
  allDowntimes(): readonly Downtime[];
  /** The comments of a host and of its services, by id. */
  commentsOfHost(hostname: string): readonly Comment[];
  allComments(): readonly Comment[];
}
