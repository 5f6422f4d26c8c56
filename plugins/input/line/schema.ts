import type { ConfigOf, ConfigSchema } from "../../../core/plugin/api";
import { configToken } from "../../../core/tokens";
import { tlsProblem } from "./listen-server";
import { allowProblem } from "./peer-access";

export const lineSchema = {
  bind: { doc: "Address to listen on (0.0.0.0 or :: for every interface).", format: "host", default: "127.0.0.1" },
  port: { doc: "TCP port to listen on (Tantale's historical port, also Graphite's).", format: "port", default: 2003 },
  allow: {
    doc: "Clients allowed to connect: IPv4 and IPv6 addresses or CIDRs (empty: everyone); others are disconnected at once.",
    format: "list",
    default: [],
    validate: allowProblem,
  },
  max_line_bytes: { doc: "Longest line; a longer one is discarded up to its newline and the connection kept.", format: "size", default: 65_536, min: 1 },
  token: { doc: "When set, the first line of each connection must be AUTH <token>.", format: "string", default: "", sensitive: true },
  idle_timeout: { doc: "A connection that sends nothing for this long is closed (0: never).", format: "duration", default: 120_000 },
  line_timeout: {
    doc: "A line begun and not ended (no newline) after this long, or no line at all this long after connecting, closes the connection (0: never).",
    format: "duration",
    default: 10_000,
  },
  max_connections: {
    doc: "Most clients connected at once; when full, the connection quiet the longest (nothing pending) is closed to let a newcomer in, and only when every one is busy is the newcomer disconnected (0: no limit).",
    format: "integer",
    default: 1000,
    min: 0,
  },
  max_connections_per_peer: {
    doc: "Most connections from one address (an IPv6 /64) at once; at the limit its own quietest connection makes room, or the newcomer is disconnected (0: no limit).",
    format: "integer",
    default: 500,
    min: 0,
  },
  auth_max_failures: {
    doc: "Wrong AUTH tokens from one address within 10 minutes before it is locked out (0: never locked out).",
    format: "integer",
    default: 5,
    min: 0,
  },
  auth_lockout: {
    doc: "How long an address is locked out (its connections refused) after auth_max_failures wrong tokens; doubled at each further lock-out, up to 1h (0: never locked out).",
    format: "duration",
    default: 60_000,
  },
  tls_cert: {
    doc: "PEM certificate (chain) of the TLS listener; with tls_key, the socket speaks TLS only. Relative to the data dir, or absolute.",
    format: "string",
    default: "",
  },
  // One check of the three together (on tls_key, so that a mismatch is reported once).
  tls_key: { doc: "PEM private key of tls_cert.", format: "string", default: "", validate: tlsProblem },
  tls_ca: {
    doc: "PEM CA file: when set, clients must present a certificate it signed (empty: no client certificate asked).",
    format: "string",
    default: "",
  },
} as const satisfies ConfigSchema;

/** The options as the plugin receives them (durations in milliseconds, sizes in bytes). */
export type LineConfig = ConfigOf<typeof lineSchema>;
/** What the plugin's class injects its options with. */
export const LINE_CONFIG = configToken(lineSchema);
