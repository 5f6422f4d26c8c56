import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import tls from "node:tls";
import { describeError, TantaleError } from "../../../core/errors";
import type { LineConfig } from "./schema";

/**
 * The line input's server: plain TCP, or TLS when tls_cert and tls_key are set (client
 * certificates required when tls_ca is). Files are read now, relative to the data dir, so a
 * missing or unreadable one fails the start naming it. Either way a connection reaches
 * `onConnection` paused (TLS: once its handshake is done), as the input expects.
 */
export function createLineServer(
  config: LineConfig,
  dataDir: string,
  onConnection: (socket: net.Socket) => void,
  onTlsError: (err: Error) => void,
): net.Server {
  // Half-open: `printf '...\nSYNC\n' | nc -q1` sends FIN at once and still waits for SYNCED.
  if (config.tls_cert === "" && config.tls_key === "") return net.createServer({ pauseOnConnect: true, allowHalfOpen: true }, onConnection);
  const read = (key: "tls_cert" | "tls_key" | "tls_ca"): Buffer => {
    const file = path.resolve(dataDir, config[key]);
    try {
      return fs.readFileSync(file);
    } catch (err) {
      throw new TantaleError(`${key} ${file}: ${describeError(err)}`, { cause: err });
    }
  };
  const ca = config.tls_ca === "" ? undefined : read("tls_ca");
  const server = tls.createServer(
    {
      cert: read("tls_cert"),
      key: read("tls_key"),
      ca,
      requestCert: ca !== undefined,
      rejectUnauthorized: ca !== undefined,
      allowHalfOpen: true,
      // A client that starts no handshake holds a slot no longer than a line may take.
      handshakeTimeout: config.line_timeout > 0 ? config.line_timeout : 120_000,
    },
    (socket) => {
      socket.pause();
      onConnection(socket);
    },
  );
  server.on("tlsClientError", onTlsError);
  return server;
}

/** tls_cert and tls_key go together; tls_ca needs them. */
export function tlsProblem(_value: string, config: Readonly<Record<string, unknown>>): string | undefined {
  const cert = config.tls_cert !== "";
  const key = config.tls_key !== "";
  if (cert !== key) return "tls_cert and tls_key must be set together";
  if (config.tls_ca !== "" && !cert) return "tls_ca needs tls_cert and tls_key";
  return undefined;
}
