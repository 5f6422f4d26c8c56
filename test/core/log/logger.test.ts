import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { createLogger, type Logger } from "../../../core/log/logger";
import { cleanupTempDirs, makeTempDir } from "../../helpers/temp-dir";

/** The JSON lines a real logger wrote to its file. */
function linesOf(file: string): Record<string, unknown>[] {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe("Logger: message first, or pino's fields first", () => {
  after(cleanupTempDirs);

  it("writes the same line for (msg, fields) and (fields, msg), at every level and in children", () => {
    const file = path.join(makeTempDir(), "log.jsonl");
    const log = createLogger({ level: "trace", file });
    log.info("listening", { port: 2 });
    log.info({ port: 2 }, "listening");
    const child = log.child({ instance: "heartbeat" });
    child.warn("late", { by: 3 });
    child.warn({ by: 3 }, "late");
    for (const level of ["trace", "debug", "error", "fatal"] as const) log[level]({ level_name: level }, `at ${level}`);
    log.debug("no fields");
    const lines = linesOf(file).map(({ time: _time, pid: _pid, ...rest }) => rest);
    expect(lines).to.deep.equal([
      { level: 30, port: 2, msg: "listening" },
      { level: 30, port: 2, msg: "listening" },
      { level: 40, instance: "heartbeat", by: 3, msg: "late" },
      { level: 40, instance: "heartbeat", by: 3, msg: "late" },
      { level: 10, level_name: "trace", msg: "at trace" },
      { level: 20, level_name: "debug", msg: "at debug" },
      { level: 50, level_name: "error", msg: "at error" },
      { level: 60, level_name: "fatal", msg: "at fatal" },
      { level: 20, msg: "no fields" },
    ]);
  });

  it("logs an Error in pino's place as the field err, with its type, message and stack", () => {
    const file = path.join(makeTempDir(), "log.jsonl");
    createLogger({ level: "info", file }).error(new RangeError("disk full"), "write failed");
    const [line] = linesOf(file);
    expect(line).to.include({ msg: "write failed" });
    expect(line!.err).to.include({ type: "RangeError", message: "disk full" });
    expect(String((line!.err as { stack: unknown }).stack)).to.contain("RangeError: disk full");
  });

  it("refuses at compile time a call without a message", () => {
    // Never called: the @ts-expect-error lines fail the build if the types start accepting them.
    const calls = (log: Logger) => {
      // @ts-expect-error pino accepts fields alone; a Tantale log line always has its message
      log.info({ port: 2 });
      // @ts-expect-error two messages
      log.info("a", "b");
    };
    expect(calls).to.be.a("function");
  });
});
