import type { Configuration } from "../config/load-config";
import { HOST_CHECK } from "../model/check-result";
import type { CheckState } from "../state/check-state";
import type { Comment } from "../state/comment";
import type { Downtime } from "../state/downtime";
import type { StateScan, StoredState } from "../store/state-store";
import { openOfflineStore } from "./offline-store";

/** Where dump writes its text: resolves once more may be written (the reader's pace). */
export type DumpWrite = (chunk: string) => Promise<void>;

/** Lines are written in chunks of about this many characters: one write per line would be a system call each. */
const CHUNK_CHARS = 64 * 1024;

/**
 * Writes what the configured store has committed (without starting it, so a running daemon
 * keeps its store): one JSON line per host, then per service of that host, then per
 * downtime and comment of the host or its services, by id:
 * `{"type":"host","hostname":…,"has_been_checked":1,…}`, `{"type":"service",…}`,
 * `{"type":"downtime",…}`, `{"type":"comment",…}`.
 * A host known only from its services is pending: has_been_checked 0.
 * A store with scanState() (SQLite) is read as it is written, one host at a time, hosts in
 * code point order: memory stays flat however large the store. Another store is loaded whole.
 */
export async function writeDump(config: Configuration, dataDir: string, host: string | undefined, write: DumpWrite): Promise<void> {
  const { store } = openOfflineStore(config, dataDir, "nothing to dump");
  const out = new ChunkedWriter(write);
  try {
    if (store.scanState !== undefined) await writeScan(store.scanState(host), out);
    else await writeLoaded(await store.load(), host, out);
    await out.flush();
  } finally {
    await store.stop().catch(() => undefined);
  }
}

/** The lines of one host: the host, its services by name, then its downtimes and comments by id. */
function hostLines(name: string, checks: readonly CheckState[], downtimes: readonly Downtime[], comments: readonly Comment[]): string[] {
  const hostCheck = checks.find((c) => c.check === HOST_CHECK);
  const lines = [
    JSON.stringify(hostCheck === undefined ? { type: "host", hostname: name, has_been_checked: 0 } : { type: "host", has_been_checked: 1, ...hostCheck }),
  ];
  for (const s of checks.filter((c) => c.check !== HOST_CHECK).sort((a, b) => (a.check < b.check ? -1 : 1)))
    lines.push(JSON.stringify({ type: "service", ...s }));
  for (const d of [...downtimes].sort((a, b) => a.id - b.id)) lines.push(JSON.stringify({ type: "downtime", ...d }));
  for (const c of [...comments].sort((a, b) => a.id - b.id)) lines.push(JSON.stringify({ type: "comment", ...c }));
  return lines;
}

function byHost<T extends { hostname: string }>(list: readonly T[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const x of list) {
    let l = map.get(x.hostname);
    if (l === undefined) map.set(x.hostname, (l = []));
    l.push(x);
  }
  return map;
}

/** Holds one host's checks at a time: the scan gives them together. */
async function writeScan(scan: StateScan, out: ChunkedWriter): Promise<void> {
  try {
    const downtimes = byHost(scan.downtimes);
    const comments = byHost(scan.comments);
    let current: string | undefined;
    let checks: CheckState[] = [];
    const flushHost = async (name: string) => out.lines(hostLines(name, checks, downtimes.get(name) ?? [], comments.get(name) ?? []));
    for (const c of scan.checks) {
      if (c.hostname !== current) {
        if (current !== undefined) await flushHost(current);
        current = c.hostname;
        checks = [];
      }
      checks.push(c);
    }
    if (current !== undefined) await flushHost(current);
  } finally {
    scan.close();
  }
}

async function writeLoaded(state: StoredState, host: string | undefined, out: ChunkedWriter): Promise<void> {
  const checks = byHost(host === undefined ? state.checks : state.checks.filter((c) => c.hostname === host));
  const downtimes = byHost(state.downtimes);
  const comments = byHost(state.comments);
  for (const name of [...checks.keys()].sort(byCodePoint))
    await out.lines(hostLines(name, checks.get(name)!, downtimes.get(name) ?? [], comments.get(name) ?? []));
}

/** The order of scanState's hosts (SQLite's BINARY collation: UTF-8 bytes), which differs from JavaScript's UTF-16 sort past U+FFFF. */
function byCodePoint(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

class ChunkedWriter {
  private pending: string[] = [];
  private size = 0;
  constructor(private readonly write: DumpWrite) {}

  async lines(lines: readonly string[]): Promise<void> {
    for (const l of lines) {
      this.pending.push(l);
      this.size += l.length + 1;
    }
    if (this.size >= CHUNK_CHARS) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const chunk = `${this.pending.join("\n")}\n`;
    this.pending = [];
    this.size = 0;
    await this.write(chunk);
  }
}
