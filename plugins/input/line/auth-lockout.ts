import type { Clock } from "../../../core/clock";

/** Failures further apart than this start the count again. */
const FAILURE_WINDOW_MS = 10 * 60_000;
/** A peer with no failure for this long is forgotten, lock-out history included. */
const FORGET_MS = 60 * 60_000;
/** The longest lock-out, however often a peer fails. */
const MAX_LOCKOUT_MS = 60 * 60_000;
/** Peers remembered at most (the oldest are forgotten first): many addresses cannot grow memory without bound. */
const MAX_PEERS = 10_000;

interface Record {
  failures: number;
  lastFailure: number;
  lockedUntil: number;
  /** Lock-outs so far: each one lasts twice the one before. */
  lockouts: number;
}

/**
 * Slows down token guessing on the line input, per peer address (peerKey): after
 * `maxFailures` wrong `AUTH` lines within 10 minutes the address is locked out for
 * `lockoutMs`, then twice as long after the next `maxFailures`, and so on up to an hour
 * (or `lockoutMs` if longer);
 * while locked out its connections are refused at once. An address with no failure for an
 * hour starts afresh. A right token does not clear the count (a guesser sharing an address
 * with a good sender would get fresh tries each time that sender connects).
 */
export class AuthLockout {
  private readonly peers = new Map<string, Record>();

  constructor(
    private readonly clock: Clock,
    private readonly maxFailures: number,
    private readonly lockoutMs: number,
  ) {}

  get enabled(): boolean {
    return this.maxFailures > 0 && this.lockoutMs > 0;
  }

  /** Milliseconds the peer stays locked out (0: not locked out). */
  lockedFor(key: string): number {
    const r = this.peers.get(key);
    if (r === undefined) return 0;
    return Math.max(0, r.lockedUntil - this.clock.now());
  }

  /** Records a wrong token; returns the lock-out it starts (ms), or 0. */
  failed(key: string): number {
    if (!this.enabled) return 0;
    const now = this.clock.now();
    let r = this.peers.get(key);
    if (r !== undefined && now - Math.max(r.lastFailure, r.lockedUntil) > FORGET_MS) r = undefined;
    if (r === undefined) r = { failures: 0, lastFailure: now, lockedUntil: 0, lockouts: 0 };
    if (now - r.lastFailure > FAILURE_WINDOW_MS) r.failures = 0;
    r.failures++;
    r.lastFailure = now;
    let lockout = 0;
    if (r.failures >= this.maxFailures) {
      lockout = Math.min(this.lockoutMs * 2 ** Math.min(r.lockouts, 30), Math.max(MAX_LOCKOUT_MS, this.lockoutMs));
      r.lockouts++;
      r.failures = 0;
      r.lockedUntil = now + lockout;
    }
    // Re-inserted: the map's order is the order of last failure, the oldest forgotten first.
    this.peers.delete(key);
    this.peers.set(key, r);
    if (this.peers.size > MAX_PEERS) this.peers.delete(this.peers.keys().next().value!);
    return lockout;
  }
}
