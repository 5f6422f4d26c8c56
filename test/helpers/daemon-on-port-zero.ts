/**
 * The real daemon (`tantale --foreground`) with its line input and Livestatus listener on
 * port 0: the system picks free ports, and the daemon's own "listening" log lines say which.
 * No port is guessed, so nothing races another test for it; a restart gets new ports.
 */
import { ForegroundTantale, type LogLine } from "./tantale-process";

export interface DaemonPorts {
  readonly line: number;
  readonly livestatus: number;
}

/** Conf files for a daemon with the line input, the SQLite store and the Livestatus listener on port 0; `extra` adds or replaces files (its options appended to the same file names). */
export function portZeroConf(extra: { line?: string; livestatus?: string; sqlite?: string; tantale?: string } = {}): Record<string, string> {
  return {
    "line.conf": `port = 0\n${extra.line ?? ""}`,
    "livestatus.conf": `port = 0\n${extra.livestatus ?? ""}`,
    "sqlite.conf": extra.sqlite ?? "",
    ...(extra.tantale === undefined ? {} : { "tantale.conf": extra.tantale }),
  };
}

function portOf(line: LogLine): number {
  const port = line.port;
  if (typeof port !== "number") throw new Error(`log line without a port: ${JSON.stringify(line)}`);
  return port;
}

/** Starts the daemon and waits until it has started; resolves with the ports it listens on. */
export async function startDaemon(conf: string, data: string, timeoutMs = 30_000): Promise<{ t: ForegroundTantale; ports: DaemonPorts }> {
  const t = ForegroundTantale.start(["--conf-dir", conf, "--data-dir", data]);
  try {
    await t.waitForMessage("tantale started", timeoutMs);
    const line = await t.waitForLog((l) => l.instance === "line" && typeof l.port === "number" && l.msg.startsWith("listening on"), 1000);
    const livestatus = await t.waitForLog(
      (l) => l.instance === "livestatus" && typeof l.port === "number" && l.msg.startsWith("livestatus listening on"),
      1000,
    );
    return { t, ports: { line: portOf(line), livestatus: portOf(livestatus) } };
  } catch (err) {
    await t.kill();
    throw err;
  }
}
