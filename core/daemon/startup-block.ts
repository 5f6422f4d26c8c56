import type { Endpoint } from "../plugin/api";
import type { InstanceView } from "../plugin/host";
import type { LogRecord, PrettyBlock } from "../log/pretty";

/** The message of the start-up line: tests, the testing kit and scripts wait for it. */
export const STARTED_MESSAGE = "tantale started";

/** The fields of the start-up line: what runs and where it listens, in one line of the JSON log. */
export interface StartupFields {
  readonly version: string;
  readonly conf_dir: string;
  readonly data_dir: string;
  /** The store instance's id, or null: the state is in memory only. */
  readonly store: string | null;
  readonly instances: number;
  readonly enabled: readonly InstanceView[];
}

export function startupFields(what: { version: string; confDir: string; dataDir: string; instances: readonly InstanceView[] }): StartupFields {
  return {
    version: what.version,
    conf_dir: what.confDir,
    data_dir: what.dataDir,
    store: what.instances.find((i) => i.kind === "store")?.id ?? null,
    instances: what.instances.length,
    enabled: what.instances,
  };
}

const PHRASES: Readonly<Record<Endpoint["role"], string>> = { listen: "listens on", read: "reads", write: "writes", send: "sends to" };

function endpointText(e: Endpoint): string {
  return `${PHRASES[e.role]} ${e.address}${e.note === undefined ? "" : ` (${e.note})`}`;
}

/**
 * The start-up line as a person reads it (pretty logs):
 *
 *     tantale 0.1.0 started: conf dir /etc/tantale/conf.d, data dir /var/lib/tantale
 *       store     sqlite: writes /var/lib/tantale/tantale.db
 *       input     line: listens on 127.0.0.1:2003 (JSON and Nagios lines)
 *       listener  livestatus: listens on 127.0.0.1:6557
 *       tables    columns, commands, comments, ... (16)
 *
 * An instance named otherwise than its plugin shows both (`archive (file)`). Tables are one
 * line: GUIs need them all, and they listen nowhere.
 */
export function startupText(f: StartupFields): string {
  const lines = [`tantale ${f.version} started: conf dir ${f.conf_dir}, data dir ${f.data_dir}`];
  const row = (label: string, text: string) => lines.push(`  ${label.padEnd(9)} ${text}`);
  if (f.store === null) row("store", "none: the state is kept in memory only, and lost at a stop");
  const tables: string[] = [];
  for (const i of f.enabled) {
    const name = i.id === i.plugin ? i.id : `${i.id} (${i.plugin})`;
    if (i.kind === "table" && i.endpoints.length === 0) {
      tables.push(name);
      continue;
    }
    const source = i.source === "built-in" ? "" : ` [${i.source}]`;
    row(i.kind, `${name}${source}${i.endpoints.length === 0 ? "" : `: ${i.endpoints.map(endpointText).join(", ")}`}`);
  }
  if (tables.length > 0) row("tables", `${tables.join(", ")} (${tables.length})`);
  return lines.join("\n");
}

function isStartupLine(line: LogRecord): line is LogRecord & StartupFields {
  return line.msg === STARTED_MESSAGE && Array.isArray(line.enabled) && typeof line.version === "string";
}

/** Pretty logs show the start-up line as its block, without repeating its fields. */
export const startupBlock: PrettyBlock = (line) =>
  isStartupLine(line) ? { text: startupText(line), shown: ["version", "conf_dir", "data_dir", "store", "instances", "enabled"] } : undefined;
