/**
 * Test fixture only (imported by the group tables' *.test.ts, never by a plugin): the NagVis
 * map of peer/client-queries.md (host group hg-0, hosts host-000N, services svc-01/svc-02)
 * with the cases its state counts tell apart, and a helper that answers a request text
 * through the query engine as the listener does (parseRequest, then answerQuery).
 */
import { expect } from "chai";
import { HOST_CHECK, type LivestatusTable } from "../../../core";
import { answerQuery, type EngineKit, parseRequest, result, T0, TableRegistry } from "../../../test/helpers/table-kit";

/**
 * | host      | Host check                          | groups named            | svc-01                    | svc-02                                   |
 * | host-0001 | UP, alice                           | hg-0                    | OK, sg-0                  | WARNING, bob, sg-1 + sg-0                |
 * | host-0002 | DOWN, alice, acknowledged (sticky)  | hg-0, hg-1              | CRITICAL, sg-0            | OK, sg-1                                 |
 * | host-0003 | UNREACHABLE, stale                  | hg-0                    | UNKNOWN, stale, sg-0      | WARNING, grace, acknowledged, sg-1 twice |
 * | host-0004 | pending (no Host result)            | hg-0 (by svc-01)        | OK, carol, sg-0           | CRITICAL, carol, sg-1                    |
 * | host-0005 | UP, dave                            | hg-1                    | OK, sg-0                  | OK, sg-1                                 |
 * | host-0006 | UP, erin                            | none                    | OK, no group              |                                          |
 *
 * Results are stamped T0 with a 60 s interval, the stale ones T0 - 120: at T0 + 30
 * (`kit.at(30)`) the others have staleness 0.5, the stale ones 2.5. Contacts not named are `ops`.
 */
export async function writeGroupMap(kit: EngineKit): Promise<void> {
  const stale = T0 - 120;
  await kit.write(
    result("host-0001", HOST_CHECK, 0, { contacts: ["alice"], hostgroups: ["hg-0"] }),
    result("host-0001", "svc-01", 0, { servicegroups: ["sg-0"] }),
    result("host-0001", "svc-02", 1, { contacts: ["bob"], servicegroups: ["sg-1", "sg-0"] }),
    result("host-0002", HOST_CHECK, 1, { contacts: ["alice"], hostgroups: ["hg-0", "hg-1"] }),
    result("host-0002", "svc-01", 2, { servicegroups: ["sg-0"] }),
    result("host-0002", "svc-02", 0, { servicegroups: ["sg-1"] }),
    result("host-0003", HOST_CHECK, 2, { hostgroups: ["hg-0"], timestamp: stale }),
    result("host-0003", "svc-01", 3, { servicegroups: ["sg-0"], timestamp: stale }),
    result("host-0003", "svc-02", 1, { contacts: ["grace"], servicegroups: ["sg-1", "sg-1"] }),
    result("host-0004", "svc-01", 0, { contacts: ["carol"], hostgroups: ["hg-0"], servicegroups: ["sg-0"] }),
    result("host-0004", "svc-02", 2, { contacts: ["carol"], servicegroups: ["sg-1"] }),
    result("host-0005", HOST_CHECK, 0, { contacts: ["dave"], hostgroups: ["hg-1"] }),
    result("host-0005", "svc-01", 0, { servicegroups: ["sg-0"] }),
    result("host-0005", "svc-02", 0, { servicegroups: ["sg-1"] }),
    result("host-0006", HOST_CHECK, 0, { contacts: ["erin"] }),
    result("host-0006", "svc-01", 0),
  );
  const ack = { persistent: false, author: "alice", comment: "on it", expireTime: 0 };
  expect(kit.engine.acknowledge({ hostname: "host-0002", check: HOST_CHECK }, { ...ack, sticky: true }, T0).ok).to.equal(true);
  expect(kit.engine.acknowledge({ hostname: "host-0003", check: "svc-02" }, { ...ack, sticky: false }, T0).ok).to.equal(true);
}

/** The body of the answer to `text` (a request without its final empty line), expecting status 200. */
export async function askTable<Row>(table: LivestatusTable<Row>, text: string, nowSeconds = T0 + 30): Promise<string> {
  const registry = new TableRegistry();
  registry.add(table);
  const request = parseRequest(text.split("\n"), nowSeconds);
  if (request.kind !== "get") return expect.fail("not a GET request");
  // Awaited: answerQuery may answer synchronously or with a promise.
  const answer = await answerQuery(request, registry, nowSeconds, () => nowSeconds * 1000);
  expect(answer.status, answer.body).to.equal(200);
  return answer.body;
}

/** The json body Tantale gives for these rows (compact JSON and a final newline). */
export function jsonBody(rows: readonly unknown[][]): string {
  return `${JSON.stringify(rows)}\n`;
}
