/**
 * Issue 11 on a real daemon: a hostile regex and oversized filter requests are answered
 * (200 at once, or 400 naming the limit), never a 500, and another client's query is
 * answered meanwhile.
 */
import { expect } from "chai";
import { MAX_FILTER_DEPTH } from "../../core/livestatus/query/filter-stack";
import { MAX_HEADER_LINES } from "../../core/livestatus/protocol/request-parser";
import { LivestatusClient } from "../helpers/livestatus-client";
import { startDaemon, portZeroConf } from "../helpers/daemon-on-port-zero";
import { LineClient } from "../helpers/net";
import type { ForegroundTantale } from "../helpers/tantale-process";
import { cleanupTempDirs, makeConfDir, makeTempDir } from "../helpers/temp-dir";

const FIXED16 = "OutputFormat: json\nResponseHeader: fixed16\nKeepAlive: on\n\n";

describe("Livestatus request limits on a running daemon (issue 11)", function () {
  this.timeout(60_000);
  let t: ForegroundTantale;
  let ls: number;

  before(async () => {
    const started = await startDaemon(makeConfDir(portZeroConf()), makeTempDir());
    t = started.t;
    ls = started.ports.livestatus;
    const client = await LineClient.connect(started.ports.line);
    const now = Math.floor(Date.now() / 1000);
    client.send(JSON.stringify({ hostname: "web1", check: "redos", status: 0, output: `${"a".repeat(40)}!`, timestamp: now, interval: 60 }));
    client.send(JSON.stringify({ hostname: "web1", check: "disk", status: 2, output: "DISK CRITICAL - disk full", timestamp: now, interval: 60 }));
    client.send("SYNC");
    expect(await client.next()).to.match(/^SYNCED/);
    client.close();
  });
  after(async () => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
    await t?.kill();
    cleanupTempDirs();
  });

  async function ask(request: string): Promise<{ status: number; body: string }> {
    const c = await LivestatusClient.connect(ls);
    try {
      c.send(request);
      const { status, body } = await c.answer(15_000);
      return { status, body };
    } finally {
      c.destroy();
    }
  }

  it("Filter: plugin_output ~ ^(a+)+$ against 40 a's then ! is answered at once, and so is GET status on another connection", async () => {
    const hostile = await LivestatusClient.connect(ls);
    const other = await LivestatusClient.connect(ls);
    try {
      hostile.send(`GET services\nColumns: description\nFilter: plugin_output ~ ^(a+)+$\n${FIXED16}`);
      other.send(`GET status\nColumns: program_version\n${FIXED16}`);
      // JavaScript's backtracking held the event loop for over 60 s here; the bounds are only far below that.
      const [a, b] = await Promise.all([hostile.answer(10_000), other.answer(10_000)]);
      expect(a).to.deep.include({ status: 200, body: "[]\n" });
      expect(b.status).to.equal(200);
      const match = await ask(`GET services\nColumns: description\nFilter: plugin_output ~~ ^(A+)+!$\n${FIXED16}`);
      expect(match).to.deep.equal({ status: 200, body: '[["redos"]]\n' });
    } finally {
      hostile.destroy();
      other.destroy();
    }
  });

  it("a regex RE2 refuses is a 400 naming the header, and the connection goes on", async () => {
    const c = await LivestatusClient.connect(ls);
    try {
      c.send(`GET services\nColumns: description\nFilter: plugin_output ~ (disk) \\1\n${FIXED16}`);
      const refused = await c.answer();
      expect(refused.status).to.equal(400);
      expect(refused.body).to.match(/^Filter: invalid regular expression '\(disk\) \\1': invalid escape sequence: \\1\n$/);
      c.send(`GET services\nColumns: description\nFilter: plugin_output ~~ DISK\\s+full\n${FIXED16}`);
      expect(await c.answer()).to.deep.include({ status: 200, body: '[["disk"]]\n' });
    } finally {
      c.destroy();
    }
  });

  it("50,000 Negate: lines get a 400 naming the limit, not a 500", async () => {
    const a = await ask(`GET services\nColumns: description\nFilter: state = 2\n${"Negate:\n".repeat(50_000)}${FIXED16}`);
    expect(a.status).to.equal(400);
    expect(a.body).to.contain(`more than the limit of ${MAX_HEADER_LINES}`);
  });

  it(`a request just under ${MAX_HEADER_LINES} header lines is answered; filters ${MAX_FILTER_DEPTH + 1} levels deep get a 400`, async () => {
    // Header lines besides the wide filters: Columns, the last Filter, Or and FIXED16's three.
    const filters = MAX_HEADER_LINES - 6;
    const wide = Array.from({ length: filters }, (_, i) => `Filter: description = svc-${i}\n`).join("");
    const a = await ask(`GET services\nColumns: description\n${wide}Filter: description = disk\nOr: ${filters + 1}\n${FIXED16}`);
    expect(a).to.deep.equal({ status: 200, body: '[["disk"]]\n' });
    let deep = "Filter: state = 2\n";
    for (let i = 1; i <= MAX_FILTER_DEPTH; i++) deep += `Filter: state = ${i + 2}\nOr: 2\n`;
    const d = await ask(`GET services\nColumns: description\n${deep}${FIXED16}`);
    expect(d).to.deep.equal({ status: 400, body: `Or: filters nested more than ${MAX_FILTER_DEPTH} levels deep\n` });
  });
});
