import type { ConfigOf, ConfigSchema } from "../../../core/plugin/api";
import { configToken } from "../../../core/tokens";
import { parseServer } from "./central-server";

export const forwarderSchema = {
  servers: {
    doc: "Central Tantales' line sockets, host:port, in order of preference: results go to the first that answers, fail over to the next, and come back to the first.",
    format: "list",
    default: ["127.0.0.1:2003"],
    validate: (list) => {
      if (list.length === 0) return "must name at least one central server (host:port)";
      for (const s of list) {
        const parsed = parseServer(s);
        if (typeof parsed === "string") return parsed;
      }
      return undefined;
    },
  },
  token: { doc: "The central line input's token (sent as AUTH <token>); empty: none.", format: "string", default: "", sensitive: true },
  tls: {
    doc: "Connect with TLS (the central line input needs tls_cert and tls_key).",
    format: "bool",
    default: false,
  },
  ca_file: {
    doc: "PEM file of the CA that signed the central servers' certificates (empty: the system's CAs); relative to the data dir, or absolute.",
    format: "string",
    default: "",
  },
  tls_verify: { doc: "Verify the central server's certificate and name (off only for a test set-up).", format: "bool", default: true },
  servername: { doc: "Name the central server's certificate must carry (empty: the host of servers).", format: "string", default: "" },
  spool_dir: {
    doc: "Folder of the disk spool, relative to the data dir (empty: spool/<instance id>).",
    format: "data-path",
    default: "",
  },
  spool_max_size: {
    doc: "Most bytes the spool holds; past it the oldest results are dropped (logged and counted).",
    format: "size",
    default: 256 * 1024 * 1024,
    min: 1024 * 1024,
  },
  spool_fsync: {
    doc: "When a spooled batch counts as written: always (after fsync: SYNCED and a stop mean on disk), interval (fsync every second), never (left to the OS).",
    format: ["always", "interval", "never"],
    default: "always",
  },
  sync_every: { doc: "Results sent between two SYNCs (one spool acknowledgement per SYNCED).", format: "integer", default: 1000, min: 1 },
  max_in_flight: { doc: "Batches sent and not yet answered SYNCED at once (pipelining).", format: "integer", default: 4, min: 1 },
  connect_timeout: { doc: "Longest wait for a connection (and its TLS handshake).", format: "duration", default: 5000, min: 1 },
  ack_timeout: {
    doc: "Longest wait for a SYNCED; past it the connection is dropped and counted as a failure (the batch is sent again).",
    format: "duration",
    default: 60_000,
    min: 1,
  },
  reconnect_min_delay: {
    doc: "First wait before a new connection after a failure (doubled per failure, with full jitter).",
    format: "duration",
    default: 500,
    min: 1,
  },
  reconnect_max_delay: { doc: "Longest wait between two connection attempts.", format: "duration", default: 30_000, min: 1 },
  failover_after: { doc: "Failures in a row (refused, timed out, dropped) before the next server is tried.", format: "integer", default: 3, min: 1 },
  failback_interval: {
    doc: "While on another server than the first, how often the first is tried again (0: never come back by itself).",
    format: "duration",
    default: 300_000,
  },
} as const satisfies ConfigSchema;

/** The options as the plugin receives them (durations in milliseconds, sizes in bytes). */
export type ForwarderConfig = ConfigOf<typeof forwarderSchema>;
/** What the plugin's class injects its options with. */
export const FORWARDER_CONFIG = configToken(forwarderSchema);
