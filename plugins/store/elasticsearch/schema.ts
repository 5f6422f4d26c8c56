import type { ConfigOf, ConfigSchema } from "../../../core/plugin/api";
import { configToken } from "../../../core/tokens";

export const SPOOL_FSYNC_MODES = ["always", "interval", "never"] as const;

/** An index name part: Elasticsearch wants lower case, no `\ / * ? " < > | , #`, space or `:`, and no leading `-`, `_` or `+`. */
const INDEX_PREFIX = /^[a-z0-9][a-z0-9._-]*$/;

export const elasticsearchSchema = {
  nodes: {
    doc: "URLs of the cluster's nodes (http:// or https://), tried in turn; a request goes to another node when one is down.",
    format: "list",
    default: ["http://localhost:9200"],
    validate: (nodes) => {
      if (nodes.length === 0) return "must name at least one node";
      for (const n of nodes) {
        let url: URL;
        try {
          url = new URL(n);
        } catch {
          return `${JSON.stringify(n)} is not a URL (such as https://es1:9200)`;
        }
        if (url.protocol !== "http:" && url.protocol !== "https:") return `${JSON.stringify(n)}: the scheme must be http or https`;
        if (url.username !== "" || url.password !== "") return `${JSON.stringify(url.host)}: credentials go in api_key or username/password, not in the URL`;
      }
      return undefined;
    },
  },
  api_key: {
    doc: "API key (the base64 `id:key` Elasticsearch shows as `encoded`); empty: none. Not with username.",
    format: "string",
    default: "",
    sensitive: true,
    validate: (key, config) => (key !== "" && config.username !== "" ? "give api_key or username/password, not both" : undefined),
  },
  username: {
    doc: "User for basic authentication; empty: none.",
    format: "string",
    default: "",
    validate: (user, config) => (user !== "" && config.password === "" ? "needs a password" : undefined),
  },
  password: {
    doc: "Password of username.",
    format: "string",
    default: "",
    sensitive: true,
    validate: (password, config) => (password !== "" && config.username === "" ? "needs a username" : undefined),
  },
  ca_file: {
    doc: "PEM file of the CA that signed the cluster's certificate (https nodes); relative to the data dir; empty: the system's CAs.",
    format: "string",
    default: "",
  },
  tls_verify: {
    doc: "Check the cluster's certificate and name (https nodes). false only for a test cluster: anyone on the path can read and change the data.",
    format: "bool",
    default: true,
  },
  index_prefix: {
    doc: "Indices are <prefix>-state, <prefix>-records and <prefix>-log-YYYY.MM.DD; every Tantale sharing the cluster's state uses the same prefix.",
    format: "string",
    default: "tantale",
    validate: (prefix) =>
      INDEX_PREFIX.test(prefix) && prefix.length <= 200 ? undefined : "must be lower case letters, digits, '.', '_' or '-', starting with a letter or digit",
  },
  node_name: {
    doc: "Which Tantale wrote a document (its `node` field, and the owner of its downtimes and comments); empty: this machine's host name.",
    format: "string",
    default: "",
    validate: (name) => (/[/\s]/.test(name) ? "must not hold '/' or white space" : undefined),
  },
  flush_bytes: {
    doc: "Largest bulk request: a commit bigger than this is sent as several requests, in order.",
    format: "size",
    default: 5 * 1024 * 1024,
    min: 64 * 1024,
    max: 100 * 1024 * 1024,
  },
  replay_interval: {
    doc: "Pause between two bulk requests of a spool replay, so that a cluster that just came back is not flooded; 0: none.",
    format: "duration",
    default: 0,
    max: 60_000,
  },
  request_timeout: {
    doc: "Longest wait for one request; a bulk that times out counts as the cluster away (it is written again later: writes are idempotent).",
    format: "duration",
    default: 30_000,
    min: 100,
  },
  log_retention: {
    doc: "Days of log kept: daily log indices older than this are deleted at start and then daily; 0 keeps them all.",
    format: "integer",
    default: 31,
    min: 0,
    max: 36_500,
  },
  spool_max_bytes: {
    doc: "Cap of the disk spool that keeps commits while the cluster is away; past it the oldest are dropped (logged, counted).",
    format: "size",
    default: 1024 * 1024 * 1024,
    min: 1024 * 1024,
  },
  spool_segment_bytes: {
    doc: "Size of one spool file: the spool grows and shrinks by whole files.",
    format: "size",
    default: 16 * 1024 * 1024,
    min: 64 * 1024,
    validate: (segment, config) =>
      typeof config.spool_max_bytes === "number" && segment > config.spool_max_bytes ? "must not be larger than spool_max_bytes" : undefined,
  },
  spool_fsync: {
    doc: "When spooled commits reach the disk: always (survives a power loss), interval (every second), never (left to the OS; survives a crash of Tantale).",
    format: SPOOL_FSYNC_MODES,
    default: "always",
  },
} as const satisfies ConfigSchema;

/** The options as the plugin receives them (durations in milliseconds, sizes in bytes). */
export type ElasticsearchConfig = ConfigOf<typeof elasticsearchSchema>;
/** What the plugin's class injects its options with. */
export const ELASTICSEARCH_CONFIG = configToken(elasticsearchSchema);
