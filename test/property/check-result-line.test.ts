/**
 * The one-scan path of PROCESS_*_CHECK_RESULT lines (checkResultFromLine) against the general
 * one (parseExternalCommand + checkResultFromCommand): for every line it takes, the same
 * result or the same refusal; the lines it leaves are the general path's alone.
 */
import { expect } from "chai";
import fc from "fast-check";
import { checkResultFromCommand, checkResultFromLine, parseExternalCommand } from "../../core/model/external-command";
import type { Normalized } from "../../core/model/normalize-result";
import { fcOptions } from "./fc-options";

const TS = 1_764_100_000;
const NOW = TS * 1000 + 5000;

function general(line: string): Normalized {
  const command = parseExternalCommand(line);
  return command.ok ? checkResultFromCommand(command, NOW) : command;
}

const field = fc.oneof(
  fc.constantFrom("", "Host", "host", "web1", "disk", "0", "1", "2", "3", "7", "-1", "abc", " 1", "é", "a\\nb", "x\\\\y", "OK - fine | load=1;2;3", "a;b"),
  fc.string({ maxLength: 12 }).map((s) => s.replace(/\n/g, " ")),
);
const head = fc.oneof(
  fc.constantFrom(`[${TS}] `, "[1] ", "[000000000001] ", "[1234567890123] ", "[] ", `[${TS}]`, ` [${TS}] `, `[${TS}]  `, "[12a] ", `[${TS + 200_000}] `),
  fc.nat({ max: 4_000_000_000 }).map((n) => `[${n}] `),
);
const name = fc.constantFrom(
  "PROCESS_SERVICE_CHECK_RESULT",
  "PROCESS_HOST_CHECK_RESULT",
  "process_service_check_result",
  "PROCESS_HOST_CHECK_RESULTX",
  "ACKNOWLEDGE_HOST_PROBLEM",
);
const line = fc
  .tuple(head, name, fc.array(field, { maxLength: 5 }), fc.boolean())
  .map(([h, n, fields, semicolon]) => `${h}${n}${fields.length > 0 || semicolon ? ";" : ""}${fields.join(";")}`);

describe("checkResultFromLine (the one-scan path of check result lines)", () => {
  it("gives what the general path gives, for every line it takes", () => {
    let taken = 0;
    fc.assert(
      fc.property(line, (l) => {
        const fast = checkResultFromLine(l, NOW);
        if (fast === undefined) return;
        taken++;
        expect(fast).to.deep.equal(general(l), l);
      }),
      fcOptions(3000),
    );
    expect(taken).to.be.above(100, "the generator must reach the fast path");
  });

  it("takes the usual lines, leaves the others to the general path", () => {
    const service = `[${TS}] PROCESS_SERVICE_CHECK_RESULT;web1;disk;2;DISK CRITICAL - 95%|used=95%;80;90\\nlong`;
    const fast = checkResultFromLine(service, NOW);
    expect(fast).to.deep.equal(general(service));
    expect(fast?.ok && [fast.result.hostname, fast.result.check, fast.result.status, fast.result.output, fast.result.longOutput]).to.deep.equal([
      "web1",
      "disk",
      2,
      "DISK CRITICAL - 95%",
      "long",
    ]);
    expect(checkResultFromLine(`[${TS}] PROCESS_HOST_CHECK_RESULT;web1;1`, NOW)).to.deep.equal(general(`[${TS}] PROCESS_HOST_CHECK_RESULT;web1;1`));
    for (const other of [
      `[${TS}] process_service_check_result;web1;disk;0;ok`,
      `[${TS}] PROCESS_SERVICE_CHECK_RESULT;web1;Host;0;ok`,
      `[${TS}] PROCESS_SERVICE_CHECK_RESULT;web1`,
      `[${TS}] ACKNOWLEDGE_HOST_PROBLEM;web1;1;1;1;me;x`,
      `[1234567890123] PROCESS_HOST_CHECK_RESULT;web1;0`,
      ` [${TS}] PROCESS_HOST_CHECK_RESULT;web1;0`,
    ])
      expect(checkResultFromLine(other, NOW), other).to.equal(undefined);
  });
});
