/**
 * Who gets a connection slot when they run out, for a server whose idle clients could
 * otherwise lock everyone else out (a few hundred sockets that connect and say nothing).
 *
 * - `maxConnections` (0: no limit): when every slot is taken, the connection that has been
 *   quiet the longest gives its slot to the newcomer, provided it is between two exchanges
 *   (nothing half-received, nothing being answered, nothing waited for). Only when every
 *   connection is busy is the newcomer refused.
 * - `maxPerPeer` (0: no limit): one address (an IPv6 /64, see peerKey) holds at most this
 *   many; at its limit its own quietest connection makes room, and when all of its
 *   connections are busy the newcomer is refused. So one address can never take the slots
 *   of the others, and an attacker who reconnects only evicts its own connections.
 *
 * The server says how quiet a connection is through `quietSince` (milliseconds since the
 * epoch; undefined: busy). When no connection is quiet, `lastResort` (optional) names the
 * busy ones that may still go, oldest first: for the line input, connections that have not
 * sent one whole line since they connected (a flood of fresh slow-drip connections from
 * the newcomer's own address would otherwise keep every slot busy).
 */
export interface SlotLimits {
  readonly maxConnections: number;
  readonly maxPerPeer: number;
}

export type SlotLimit = "max_connections" | "max_connections_per_peer";

export type Admission<T> =
  | { readonly kind: "admit" }
  /** Admitted in the place of `victim`, the quietest connection (of the peer, or of all), which the server closes. */
  | { readonly kind: "evict"; readonly victim: T; readonly limit: SlotLimit }
  | { readonly kind: "refuse"; readonly limit: SlotLimit };

export class ConnectionSlots<T> {
  /** Open connections and their peer key. */
  private readonly open = new Map<T, string>();
  private readonly perPeer = new Map<string, number>();

  constructor(
    private readonly limits: SlotLimits,
    private readonly quietSince: (conn: T) => number | undefined,
    private readonly lastResort: (conn: T) => number | undefined = () => undefined,
  ) {}

  get size(): number {
    return this.open.size;
  }

  /** How many connections the peer holds now. */
  countOf(key: string): number {
    return this.perPeer.get(key) ?? 0;
  }

  /** Decides on a newcomer from `key`, before it is added. */
  admit(key: string): Admission<T> {
    const { maxConnections, maxPerPeer } = this.limits;
    if (maxPerPeer > 0 && this.countOf(key) >= maxPerPeer) {
      const victim = this.quietest(key);
      return victim === undefined ? { kind: "refuse", limit: "max_connections_per_peer" } : { kind: "evict", victim, limit: "max_connections_per_peer" };
    }
    if (maxConnections > 0 && this.open.size >= maxConnections) {
      const victim = this.quietest(undefined);
      return victim === undefined ? { kind: "refuse", limit: "max_connections" } : { kind: "evict", victim, limit: "max_connections" };
    }
    return { kind: "admit" };
  }

  add(conn: T, key: string): void {
    if (this.open.has(conn)) return;
    this.open.set(conn, key);
    this.perPeer.set(key, this.countOf(key) + 1);
  }

  /** Forgets a connection (closed, or chosen for eviction: its slot is free from now on). Idempotent. */
  remove(conn: T): void {
    const key = this.open.get(conn);
    if (key === undefined) return;
    this.open.delete(conn);
    const n = this.countOf(key) - 1;
    if (n > 0) this.perPeer.set(key, n);
    else this.perPeer.delete(key);
  }

  /** The connection quiet the longest among the peer's (or all), else the oldest last resort. A linear scan: it runs only when slots are full. */
  private quietest(key: string | undefined): T | undefined {
    let best: T | undefined;
    let bestSince = Number.POSITIVE_INFINITY;
    let resort: T | undefined;
    let resortSince = Number.POSITIVE_INFINITY;
    for (const [conn, k] of this.open) {
      if (key !== undefined && k !== key) continue;
      const since = this.quietSince(conn);
      if (since !== undefined) {
        if (since < bestSince) {
          best = conn;
          bestSince = since;
        }
        continue;
      }
      if (best !== undefined) continue;
      const last = this.lastResort(conn);
      if (last !== undefined && last < resortSince) {
        resort = conn;
        resortSince = last;
      }
    }
    return best ?? resort;
  }
}
