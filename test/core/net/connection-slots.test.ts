import { expect } from "chai";
import { ConnectionSlots } from "../../../core/net/connection-slots";
import { peerKey } from "../../../core/net/peer-key";

interface Conn {
  readonly name: string;
  /** undefined: busy. */
  quiet: number | undefined;
}

function slots(maxConnections: number, maxPerPeer: number): ConnectionSlots<Conn> {
  return new ConnectionSlots<Conn>({ maxConnections, maxPerPeer }, (c) => c.quiet);
}

describe("connection slots", () => {
  it("admits below the limits, evicts the quietest idle connection at max_connections, refuses when all are busy", () => {
    const s = slots(3, 0);
    const a: Conn = { name: "a", quiet: 300 };
    const b = { name: "b", quiet: 100 };
    const c = { name: "c", quiet: undefined };
    for (const [conn, key] of [
      [a, "p1"],
      [b, "p2"],
      [c, "p3"],
    ] as const) {
      expect(s.admit(key)).to.deep.equal({ kind: "admit" });
      s.add(conn, key);
    }
    expect(s.admit("p4")).to.deep.equal({ kind: "evict", victim: b, limit: "max_connections" });
    s.remove(b);
    const d: Conn = { name: "d", quiet: 400 };
    s.add(d, "p4");
    a.quiet = undefined;
    expect(s.admit("p5")).to.deep.equal({ kind: "evict", victim: d, limit: "max_connections" });
    d.quiet = undefined;
    expect(s.admit("p5")).to.deep.equal({ kind: "refuse", limit: "max_connections" });
  });

  it("at a peer's limit evicts that peer's quietest, never another's; refuses when the peer's are busy", () => {
    const s = slots(0, 2);
    const other = { name: "other", quiet: 1 };
    const mine1: Conn = { name: "mine1", quiet: 50 };
    const mine2: Conn = { name: "mine2", quiet: 20 };
    s.add(other, "10.0.0.9");
    s.add(mine1, "10.0.0.1");
    s.add(mine2, "10.0.0.1");
    expect(s.admit("10.0.0.1")).to.deep.equal({ kind: "evict", victim: mine2, limit: "max_connections_per_peer" });
    mine1.quiet = undefined;
    mine2.quiet = undefined;
    expect(s.admit("10.0.0.1")).to.deep.equal({ kind: "refuse", limit: "max_connections_per_peer" });
    expect(s.admit("10.0.0.9")).to.deep.equal({ kind: "admit" });
    s.remove(mine1);
    s.remove(mine1); // idempotent
    expect([s.size, s.countOf("10.0.0.1")]).to.deep.equal([2, 1]);
  });
});

describe("connection slots' last resort", () => {
  it("is used only when no connection is quiet, oldest first, and within the peer at its limit", () => {
    const resort = new Map<string, number>([
      ["fresh1", 10],
      ["fresh2", 5],
    ]);
    const s = new ConnectionSlots<Conn>(
      { maxConnections: 3, maxPerPeer: 0 },
      (c) => c.quiet,
      (c) => resort.get(c.name),
    );
    const quiet: Conn = { name: "quiet", quiet: 99 };
    const fresh1: Conn = { name: "fresh1", quiet: undefined };
    const fresh2: Conn = { name: "fresh2", quiet: undefined };
    s.add(fresh1, "p");
    s.add(quiet, "p");
    s.add(fresh2, "p");
    expect(s.admit("q")).to.deep.equal({ kind: "evict", victim: quiet, limit: "max_connections" });
    quiet.quiet = undefined;
    expect(s.admit("q")).to.deep.equal({ kind: "evict", victim: fresh2, limit: "max_connections" });
  });
});

describe("peerKey", () => {
  it("counts IPv4 (and IPv4-mapped) peers by address, IPv6 peers by /64, the rest as one", () => {
    expect(peerKey("10.0.0.7")).to.equal("10.0.0.7");
    expect(peerKey("::ffff:10.0.0.7")).to.equal("10.0.0.7");
    expect(peerKey("2001:db8:1:2:aaaa::1")).to.equal("2001:db8:1:2::/64");
    expect(peerKey("2001:0db8:0001:0002:ffff:ffff:ffff:ffff")).to.equal("2001:db8:1:2::/64");
    expect(peerKey("2001:db8::1")).to.equal("2001:db8:0:0::/64");
    expect(peerKey("::1")).to.equal("0:0:0:0::/64");
    expect(peerKey("fe80::1%eth0")).to.equal("fe80:0:0:0::/64");
    expect(peerKey("64:ff9b::192.0.2.1")).to.equal("64:ff9b:0:0::/64");
    expect(peerKey(undefined)).to.equal("?");
  });
});
