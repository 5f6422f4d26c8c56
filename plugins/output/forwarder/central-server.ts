import { isIP } from "node:net";

/** One central Tantale's line socket. */
export interface CentralServer {
  readonly host: string;
  readonly port: number;
  /** As written in `servers` (host:port, [v6]:port): how logs name it. */
  readonly label: string;
}

/** `host:port` or `[v6]:port` → the server, or why it is not one. */
export function parseServer(text: string): CentralServer | string {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text.trim());
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (m === null || host === undefined) return `"${text}" is not host:port (an IPv6 address in brackets: [::1]:2003)`;
  if (m[1] !== undefined && isIP(host) !== 6) return `"${text}": ${host} is not an IPv6 address`;
  if (!(port >= 1 && port <= 65535)) return `"${text}": the port must be from 1 to 65535`;
  return { host, port, label: text.trim() };
}
