import type { ConfigSchema } from "../../../core/plugin/api";

export const lineSchema = {
  bind: { doc: "Address to listen on (0.0.0.0 or :: for every interface).", format: "host", default: "127.0.0.1" },
  port: { doc: "TCP port to listen on (Tantale's historical port, also Graphite's).", format: "port", default: 2003 },
  allow: { doc: "Clients allowed to connect: IPv4 and IPv6 addresses or CIDRs (empty: everyone); others are disconnected at once.", format: "list", default: [] },
  max_line_bytes: { doc: "Longest line; a longer one is discarded up to its newline and the connection kept.", format: "size", default: 65_536 },
  token: { doc: "When set, the first line of each connection must be AUTH <token>.", format: "string", default: "", sensitive: true },
  idle_timeout: { doc: "A connection that sends nothing for this long is closed (0: never).", format: "duration", default: 120_000 },
  max_connections: { doc: "Most clients connected at once; more are disconnected (0: no limit).", format: "integer", default: 1000 },
} as const satisfies ConfigSchema;

export interface LineConfig {
  readonly bind: string;
  readonly port: number;
  readonly allow: readonly string[];
  readonly max_line_bytes: number;
  readonly token: string;
  /** Milliseconds. */
  readonly idle_timeout: number;
  readonly max_connections: number;
}
