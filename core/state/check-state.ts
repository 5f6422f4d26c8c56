import { HOST_CHECK } from "../model/check-result";

/** Acknowledgement of a problem: 1 normal (gone on any state change), 2 sticky (gone on recovery). */
export interface Acknowledgement {
  readonly type: 1 | 2;
  readonly author: string;
  readonly comment: string;
  /** Seconds since the epoch. */
  readonly time: number;
  /** Seconds since the epoch; 0 = never (Checkmk sends an expiry). */
  readonly expireTime: number;
}

/**
 * The current state of one check (a service, or the host check "Host"): what the
 * Livestatus tables read and what the store persists, one row per (hostname, check).
 * Times are seconds since the epoch; every passive result is a hard state, attempt 1/1.
 */
export interface CheckState {
  readonly hostname: string;
  readonly check: string;
  readonly state: number;
  /** The state before the last state change. */
  readonly lastState: number;
  readonly output: string;
  readonly longOutput: string;
  readonly perfData: string;
  /** Timestamp of the result that set this state. */
  readonly lastCheck: number;
  readonly lastStateChange: number;
  readonly lastHardStateChange: number;
  /** Seconds expected between two results. */
  readonly interval: number;
  readonly contacts: readonly string[];
  readonly hostgroups: readonly string[];
  readonly servicegroups: readonly string[];
  readonly customVariables: Readonly<Record<string, string>>;
  /** Set by the freshness check: no result for freshness_factor × interval. */
  readonly outdated: boolean;
  readonly acknowledgement: Acknowledgement | null;
  /** Active scheduled downtimes covering this check. */
  readonly downtimeDepth: number;
}

export interface CheckKey {
  readonly hostname: string;
  readonly check: string;
}

export function isHostCheck(key: CheckKey): boolean {
  return key.check === HOST_CHECK;
}

/** One string per check, for maps: host names and check names cannot contain NUL. */
export function checkKey(hostname: string, check: string): string {
  return `${hostname}\u0000${check}`;
}
