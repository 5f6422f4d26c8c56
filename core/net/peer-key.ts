import net from "node:net";

/**
 * The key under which per-address limits count a peer (connection slots, failed AUTH):
 * an IPv4 address as it is (an IPv4-mapped IPv6 peer, `::ffff:10.0.0.7`, as its IPv4
 * address), an IPv6 address by its /64, since one host or customer usually holds a whole
 * /64 and could rotate addresses inside it at will. Anything else (a unix socket, an
 * address the socket no longer knows) is one key per listener: `local` or `?`.
 */
export function peerKey(address: string | undefined): string {
  if (address === undefined || address === "") return "?";
  const zone = address.indexOf("%");
  const bare = zone < 0 ? address : address.slice(0, zone);
  const family = net.isIP(bare);
  if (family === 4) return bare;
  if (family !== 6) return "?";
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(bare);
  if (mapped !== null) return mapped[1]!;
  return `${ipv6Groups(bare).slice(0, 4).join(":")}::/64`;
}

/** The 8 groups of an IPv6 address (lower case, no leading zeros), `::` expanded; a trailing dotted IPv4 part counts as two groups. */
function ipv6Groups(address: string): string[] {
  const dotted = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  let text = address.toLowerCase();
  if (dotted !== null) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const gap = text.indexOf("::");
  const split = (part: string): string[] => (part === "" ? [] : part.split(":"));
  const groups =
    gap < 0
      ? split(text)
      : [
          ...split(text.slice(0, gap)),
          ...Array<string>(8 - split(text.slice(0, gap)).length - split(text.slice(gap + 2)).length).fill("0"),
          ...split(text.slice(gap + 2)),
        ];
  return groups.map((g) => Number.parseInt(g, 16).toString(16));
}
