import { expect } from "chai";
import { systemClock } from "../../../core/clock";
import { LivestatusServer } from "../../../core/livestatus/protocol/livestatus-server";
import { silentLogger } from "../../../core/log/logger";
import { ChangeNotifier } from "../../../core/state/change-feed";
import { LivestatusClient } from "../../helpers/livestatus-client";
import { testHost, testTables, type TestTables } from "./engine-table";

/**
 * Wait queries woken by change notices: the poll interval is set to a minute, so only a
 * notice can make the server look at the condition again within these tests.
 */
describe("Wait queries and change notices (a server that polls once a minute)", () => {
  let tables: TestTables;
  let changes: ChangeNotifier;
  let server: LivestatusServer;
  let client: LivestatusClient;

  beforeEach(async () => {
    tables = testTables();
    changes = new ChangeNotifier();
    server = new LivestatusServer({
      tables: tables.registry,
      onCommand: () => undefined,
      log: silentLogger(),
      clock: systemClock,
      waitPollMs: 60_000,
      changes,
    });
    await server.listen({ tcp: { host: "127.0.0.1", port: 0 } });
    client = await LivestatusClient.connect(server.port!);
  });

  afterEach(async () => {
    client.destroy();
    await server.stop();
  });

  const waitForDown = (trigger: string): string =>
    `GET hosts\nWaitObject: web1\nWaitCondition: state = 1\nWaitTrigger: ${trigger}\nWaitTimeout: 30000\nColumns: name state\nFilter: name = web1\n\n`;

  it("looks at the condition again on a notice of the trigger's kind, and answers once it holds", async () => {
    client.send(waitForDown("state"));
    await client.silentFor(150);
    changes.notify("state"); // the condition does not hold yet: the wait goes on
    await client.silentFor(150);
    tables.hosts.set(testHost("web1", { state: 1 }));
    await client.silentFor(150); // changed without a notice: not seen before the next poll
    changes.notify("state");
    expect(await client.rest()).to.equal("web1;1\n");
  });

  it("is not woken by a notice of another kind; WaitTrigger all takes any", async () => {
    tables.hosts.set(testHost("web1", { state: 1 }));
    client.send(waitForDown("downtime")); // holds already: answered at once
    expect(await client.rest()).to.equal("web1;1\n");

    tables.hosts.set(testHost("web1", { state: 0 }));
    const second = await LivestatusClient.connect(server.port!);
    try {
      second.send(waitForDown("comment"));
      await second.silentFor(150);
      tables.hosts.set(testHost("web1", { state: 1 }));
      changes.notify("check");
      await second.silentFor(200);
      changes.notify("comment");
      expect(await second.rest()).to.equal("web1;1\n");
    } finally {
      second.destroy();
    }

    tables.hosts.set(testHost("web1", { state: 0 }));
    const third = await LivestatusClient.connect(server.port!);
    try {
      third.send(waitForDown("all"));
      await third.silentFor(150);
      tables.hosts.set(testHost("web1", { state: 1 }));
      changes.notify("program");
      expect(await third.rest()).to.equal("web1;1\n");
    } finally {
      third.destroy();
    }
  });
});
