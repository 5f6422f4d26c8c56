import fs from "node:fs/promises";
import path from "node:path";
import { syncDir } from "./segment-file";

/**
 * The spool's ack position: every record up to this seq is gone (delivered, or dropped to
 * stay under the cap). Kept in a small JSON file replaced atomically (temp file, rename,
 * fsync of the folder), so that a restart neither replays what was acknowledged nor reuses
 * the seqs of segments already deleted.
 */
export const ACK_FILE = "acked.json";
const TEMP_FILE = `${ACK_FILE}.tmp`;

export interface AckState {
  readonly acked: number;
}

/** The stored position; `undefined` when there is none yet. Throws on a file that is not one. */
export async function readAckState(dir: string): Promise<AckState | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path.join(dir, ACK_FILE), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  const parsed: unknown = JSON.parse(text);
  const acked = (parsed as { acked?: unknown } | null)?.acked;
  if (typeof acked !== "number" || !Number.isSafeInteger(acked) || acked < 0) throw new Error(`no ack position in ${ACK_FILE}: ${text.slice(0, 100)}`);
  return { acked };
}

/** Removes a temp file left by a process killed while writing the state (the state it replaced is still whole). */
export async function removeStaleTemp(dir: string): Promise<void> {
  await fs.rm(path.join(dir, TEMP_FILE), { force: true });
}

/** Replaces the stored position; `durable`: fsync the file and the folder (else a power loss may undo it, a crash not). */
export async function writeAckState(dir: string, state: AckState, mode: number, durable: boolean): Promise<void> {
  const temp = path.join(dir, TEMP_FILE);
  const handle = await fs.open(temp, "w", mode);
  try {
    await handle.chmod(mode); // open's mode is filtered by the umask
    await handle.writeFile(`${JSON.stringify(state)}\n`);
    if (durable) await handle.datasync();
  } finally {
    await handle.close();
  }
  await fs.rename(temp, path.join(dir, ACK_FILE));
  if (durable) await syncDir(dir);
}
