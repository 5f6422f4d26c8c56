/**
 * The icinga2 peer of the compare bench: Debian's `icinga2` started by the peer scripts
 * (`icinga2-setup.sh N M PORT`, `stop.sh`, in ../shared/peer by default) with its state in a
 * temp dir of ours (PEER_DIR), so that a peer someone else runs is left alone.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "./bench-net";

/** Why the peer cannot run here, or undefined when it can: icinga2 on the PATH and the setup script in `peerScripts`. */
export function peerUnavailable(peerScripts: string, pathVariable = process.env.PATH ?? ""): string | undefined {
  const setup = path.join(peerScripts, "icinga2-setup.sh");
  if (!fs.existsSync(setup)) return `no icinga2-setup.sh in ${peerScripts} (give the peer scripts' folder with --peer DIR or BENCH_PEER)`;
  const onPath = pathVariable.split(path.delimiter).some((dir) => dir !== "" && fs.existsSync(path.join(dir, "icinga2")));
  if (!onPath) return "icinga2 is not installed (Debian: apt-get install -y --no-install-recommends icinga2 icinga2-bin)";
  return undefined;
}

export class Icinga2Peer {
  private constructor(
    private readonly scripts: string,
    private readonly stateDir: string,
    readonly pid: number,
    readonly livestatusPort: number,
  ) {}

  /** Generates the config for `hosts` × `services`, starts icinga2 and waits until its Livestatus answers (the script's own bounded wait). */
  static async start(scripts: string, hosts: number, services: number): Promise<Icinga2Peer> {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "tantale-compare-icinga2-"));
    const port = await freePort();
    const r = spawnSync(path.join(scripts, "icinga2-setup.sh"), [String(hosts), String(services), String(port)], {
      env: { ...process.env, PEER_DIR: stateDir },
      encoding: "utf8",
      timeout: 330_000,
    });
    const pid = Number(r.stdout.trim().split("\n").pop());
    if (r.status !== 0 || !Number.isInteger(pid) || pid <= 0) {
      new Icinga2Peer(scripts, stateDir, 0, port).stop(); // whatever it started, by its PID file
      throw new Error(`icinga2-setup.sh ${hosts} ${services} ${port} failed (exit ${String(r.status ?? r.signal)}): ${r.stderr.trim().slice(-2000)}`);
    }
    return new Icinga2Peer(scripts, stateDir, pid, port);
  }

  /** Resident memory in bytes of icinga2's largest process (the worker, which holds the objects), and of its process tree. */
  memory(): { largest: number; tree: number } {
    const sizes = [this.pid, ...childrenOf(this.pid)].map(rssBytes);
    return { largest: Math.max(...sizes), tree: sizes.reduce((a, b) => a + b, 0) };
  }

  stop(): void {
    spawnSync(path.join(this.scripts, "stop.sh"), [], { env: { ...process.env, PEER_DIR: this.stateDir }, encoding: "utf8", timeout: 40_000 });
    fs.rmSync(this.stateDir, { recursive: true, force: true });
  }
}

/** VmRSS of a process, in bytes (0 when it is gone). */
export function rssBytes(pid: number): number {
  try {
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return kb === null ? 0 : Number(kb[1]) * 1024;
  } catch {
    return 0;
  }
}

/** Every descendant of `pid`, found through the parent field of /proc/<n>/stat. */
function childrenOf(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.shift()!;
    for (const [child, parent] of parentOf) {
      if (parent !== p) continue;
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}
