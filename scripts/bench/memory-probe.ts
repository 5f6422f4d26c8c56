/**
 * Preloaded into the daemon by the scale benchmark (`node --expose-gc -r memory-probe.js`):
 * on SIGUSR2 it collects garbage and writes process.memoryUsage() as JSON to
 * BENCH_MEMORY_FILE, so the benchmark reads the daemon's own heap and RSS, not its own.
 */
import fs from "node:fs";

const file = process.env.BENCH_MEMORY_FILE;
if (file !== undefined && file !== "") {
  process.on("SIGUSR2", () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const tmp = `${file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(process.memoryUsage()));
    fs.renameSync(tmp, file);
  });
}
