import net from "node:net";

/** Who may connect to a listener (the line input's and the diamond input's allow), and how a peer is named in the log. */

/** `host:port` for the log, IPv6 addresses in brackets; `?` for what the socket no longer knows. */
export function peerOf(address: string | undefined, port: number | undefined): string {
  const a = address ?? "?";
  return `${a.includes(":") ? `[${a}]` : a}:${port ?? "?"}`;
}

/** One entry of the allow option, parsed; or why it is none (the schema refuses it with that). */
function parseEntry(entry: string): { address: string; type: "ipv4" | "ipv6"; prefix: number | undefined } | string {
  const slash = entry.indexOf("/");
  const address = slash < 0 ? entry : entry.slice(0, slash);
  const family = net.isIP(address);
  if (family === 0) return `"${entry}" is not an IP address or CIDR`;
  const type = family === 4 ? "ipv4" : "ipv6";
  if (slash < 0) return { address, type, prefix: undefined };
  const bits = entry.slice(slash + 1);
  const prefix = Number(bits);
  if (!/^\d{1,3}$/.test(bits) || prefix > (family === 4 ? 32 : 128)) return `"${entry}" has a bad prefix length`;
  return { address, type, prefix };
}

/** Why the allow option's entries cannot be used (the first bad one), or undefined. */
export function allowProblem(entries: readonly string[]): string | undefined {
  for (const entry of entries) {
    const parsed = parseEntry(entry);
    if (typeof parsed === "string") return parsed;
  }
  return undefined;
}

/**
 * The allow option as a predicate on a peer address: addresses and CIDRs, IPv4 and IPv6.
 * An IPv4-mapped IPv6 peer (`::ffff:127.0.0.1`, from a socket bound to `::`) matches the
 * IPv4 entries. Empty: everyone. The schema refused bad entries (allowProblem); one that
 * comes here anyway throws, naming it.
 */
export function allowList(entries: readonly string[]): (address: string | undefined) => boolean {
  if (entries.length === 0) return () => true;
  const list = new net.BlockList();
  for (const entry of entries) {
    const parsed = parseEntry(entry);
    if (typeof parsed === "string") throw new Error(`allow: ${parsed}`);
    if (parsed.prefix === undefined) list.addAddress(parsed.address, parsed.type);
    else list.addSubnet(parsed.address, parsed.prefix, parsed.type);
  }
  return (address) => {
    if (address === undefined) return false;
    const family = net.isIP(address);
    if (family === 0) return false;
    try {
      if (family === 4) return list.check(address, "ipv4");
      const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
      if (mapped !== null && list.check(mapped[1]!, "ipv4")) return true;
      return list.check(address, "ipv6");
    } catch {
      return false; // a zone id (fe80::1%eth0) BlockList does not take
    }
  };
}
