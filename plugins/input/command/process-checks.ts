import fs from "node:fs";

/** Helpers of the command input's tests: processes that must be gone. */

/** Whether a process is gone (a zombie waiting for its parent to reap it counts as gone). */
export function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.startsWith("Z");
  } catch {
    return true;
  }
}

/** Waits (bounded, generous) until `test` holds: a killed process disappears asynchronously. */
export async function eventually(test: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}
