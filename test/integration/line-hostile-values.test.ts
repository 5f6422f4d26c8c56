import { expect } from "chai";
import { exchange } from "../helpers/livestatus-client";
import { LineClient, freePort, waitForPort } from "../helpers/net";
import { ForegroundTantale } from "../helpers/tantale-process";
import { cleanupTempDirs, makeConfDir, makeTempDir } from "../helpers/temp-dir";

/** Lines built to hurt the daemon, sent to the real one: each is rejected and logged, the daemon and the good lines stay. */
describe("hostile values on the line socket (real daemon)", function () {
  this.timeout(60_000);
  let t: ForegroundTantale | undefined;
  after(async () => {
    await t?.kill();
    cleanupTempDirs();
  });

  it("rejects a custom field nested 5000 deep and unaddressable names, keeps the good lines around them, keeps running", async () => {
    const line = await freePort();
    const ls = await freePort();
    const conf = makeConfDir({ "line.conf": `port = ${line}\n`, "livestatus.conf": `port = ${ls}\n`, "sqlite.conf": "" });
    t = ForegroundTantale.start(["--conf-dir", conf, "--data-dir", makeTempDir()]);
    await t.waitForMessage("tantale started");
    const now = Math.floor(Date.now() / 1000);
    const good = (host: string) => JSON.stringify({ hostname: host, check: "ping", status: 0, output: "PING OK", timestamp: now });
    const client = await LineClient.connect(line);
    client.send(good("before"));
    client.send(`{"hostname":"h","check":"c","status":0,"x":${"[".repeat(5000)}${"]".repeat(5000)}}`);
    client.send(JSON.stringify({ hostname: "semi;host", check: "c", status: 0 }));
    client.send(JSON.stringify({ hostname: "h", check: "disk\u2028root", status: 0 }));
    client.send(`[${now}] PROCESS_SERVICE_CHECK_RESULT;we\u0085b;disk;0;OK`);
    client.send(good("after"));
    client.send("SYNC");
    expect(await client.next(20_000)).to.match(/^SYNCED/);
    client.close();
    const reasons = t.logs.filter((l) => l.level === 40).map((l) => l.reason);
    expect(reasons).to.deep.equal([
      'custom field "x" nests deeper than 32 levels',
      'hostname must not contain ";" (Livestatus and Nagios commands split on it), got "semi;host"',
      'check must not contain control or line-separator characters (U+2028), got "disk\\u2028root"',
      'hostname must not contain control or line-separator characters (U+0085), got "we\\u0085b"',
    ]);
    await waitForPort(ls);
    expect(await exchange(ls, "GET hosts\nColumns: name\n\n", 20_000)).to.equal("after\nbefore\n");
    expect(t.exitCode).to.equal(undefined);
  });
});
