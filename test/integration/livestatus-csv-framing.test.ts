import { expect } from "chai";
import { exchange } from "../helpers/livestatus-client";
import { startDaemon, portZeroConf } from "../helpers/daemon-on-port-zero";
import { LineClient } from "../helpers/net";
import type { ForegroundTantale } from "../helpers/tantale-process";
import { cleanupTempDirs, makeConfDir, makeTempDir } from "../helpers/temp-dir";

/**
 * What a sender puts in an output cannot forge rows or fields of a Livestatus csv answer:
 * results sent over the line socket to the real daemon, queried over its Livestatus port.
 */
describe("csv answers keep their framing whatever the outputs hold (real daemon, line socket, Livestatus)", function () {
  this.timeout(60_000);
  let t: ForegroundTantale | undefined;
  let ls: number;
  const now = Math.floor(Date.now() / 1000);

  before(async () => {
    const started = await startDaemon(makeConfDir(portZeroConf()), makeTempDir());
    t = started.t;
    ls = started.ports.livestatus;
    const client = await LineClient.connect(started.ports.line);
    const send = (o: object) => client.send(JSON.stringify({ timestamp: now, interval: 60, ...o }));
    send({ hostname: "web1", check: "disk", status: 0, output: "ok\nline2\nvictim;svc;2;FAKE ROW" });
    send({ hostname: "web1", check: "load", status: 1, output: "LOAD WARNING; 9.1 | load1=9.1;5;10\r\nper core\\n: 2.3" });
    send({ hostname: "victim", check: "svc", status: 0, output: "fine" });
    client.send(`[${now}] PROCESS_SERVICE_CHECK_RESULT;web1;nagios;2;CRIT\\nsecond;line\\nvictim;svc;0;FORGED`);
    client.send("SYNC");
    expect(await client.next(20_000)).to.match(/^SYNCED/);
    client.close();
  });
  after(async () => {
    await t?.kill();
    cleanupTempDirs();
  });

  it("csv: one row per service, outputs' newlines as \\n and ; as \\;", async () => {
    const body = await exchange(ls, "GET services\nColumns: host_name description state plugin_output long_plugin_output perf_data\n\n", 20_000);
    const rows = body.split("\n");
    expect(rows.pop()).to.equal(""); // the body ends with the dataset separator
    expect(rows).to.have.length(4);
    expect(rows.map((r) => r.split(/(?<!\\);/))).to.deep.equal([
      ["victim", "svc", "0", "fine", "", ""],
      ["web1", "disk", "0", "ok", "line2\\nvictim\\;svc\\;2\\;FAKE ROW", ""],
      ["web1", "load", "1", "LOAD WARNING\\; 9.1", "per core\\\\n: 2.3", "load1=9.1\\;5\\;10"],
      ["web1", "nagios", "2", "CRIT", "second\\;line\\nvictim\\;svc\\;0\\;FORGED", ""],
    ]);
  });

  it("CSV (RFC 4180): newlines stay inside the quoted fields, one record per service", async () => {
    const body = await exchange(
      ls,
      "GET services\nColumns: host_name description long_plugin_output\nFilter: host_name = web1\nFilter: description = disk\nOutputFormat: CSV\n\n",
      20_000,
    );
    expect(body).to.equal('"web1","disk","line2\nvictim;svc;2;FAKE ROW"\r\n');
  });

  it("json: the values as they were sent", async () => {
    const body = await exchange(ls, "GET services\nColumns: long_plugin_output\nFilter: description = disk\nOutputFormat: json\n\n", 20_000);
    expect(JSON.parse(body)).to.deep.equal([["line2\nvictim;svc;2;FAKE ROW"]]);
  });
});
