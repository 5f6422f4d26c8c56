import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

/** PEM files of a test PKI made with openssl: a CA, a server certificate for 127.0.0.1 and localhost, a client certificate. */
export interface TestPki {
  readonly dir: string;
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
}

function openssl(dir: string, args: readonly string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

/** Makes a fresh CA and certificates signed by it in `dir` (EC P-256: fast to generate). */
export function makeTestPki(dir: string, name = "ca"): TestPki {
  fs.mkdirSync(dir, { recursive: true });
  const f = (n: string) => path.join(dir, `${name}-${n}`);
  openssl(dir, [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-days",
    "2",
    "-subj",
    `/CN=Tantale test ${name}`,
    "-keyout",
    f("ca.key"),
    "-out",
    f("ca.pem"),
  ]);
  const leaf = (who: string, ext: string) => {
    openssl(dir, [
      "req",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-subj",
      `/CN=${who}`,
      "-keyout",
      f(`${who}.key`),
      "-out",
      f(`${who}.csr`),
    ]);
    fs.writeFileSync(f(`${who}.ext`), ext);
    openssl(dir, [
      "x509",
      "-req",
      "-in",
      f(`${who}.csr`),
      "-CA",
      f("ca.pem"),
      "-CAkey",
      f("ca.key"),
      "-CAcreateserial",
      "-days",
      "2",
      "-extfile",
      f(`${who}.ext`),
      "-out",
      f(`${who}.pem`),
    ]);
  };
  leaf("server", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  leaf("client", "extendedKeyUsage=clientAuth\n");
  return {
    dir,
    caCert: f("ca.pem"),
    serverCert: f("server.pem"),
    serverKey: f("server.key"),
    clientCert: f("client.pem"),
    clientKey: f("client.key"),
  };
}
