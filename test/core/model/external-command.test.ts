import { expect } from "chai";
import { checkResultFromCommand, parseExternalCommand, type ExternalCommand } from "../../../core/model/external-command";
import type { Normalized } from "../../../core/model/normalize-result";

const NOW = 1_700_000_100_000;

function parsed(line: string): ExternalCommand {
  const c = parseExternalCommand(line);
  if (!c.ok) throw new Error(`did not parse: ${c.reason}`);
  return c;
}

function result(line: string): Normalized {
  return checkResultFromCommand(parsed(line), NOW);
}

function rejection(line: string): string {
  const c = parseExternalCommand(line);
  if (!c.ok) return c.reason;
  const r = checkResultFromCommand(c, NOW);
  if (r.ok) throw new Error(`accepted: ${line}`);
  return r.reason;
}

describe("parseExternalCommand", () => {
  it("splits [timestamp] NAME;args, upper-casing the name", () => {
    expect(parseExternalCommand("[1700000000] process_service_check_result;a;b;0;out")).to.deep.equal({
      ok: true,
      timestamp: 1_700_000_000,
      name: "PROCESS_SERVICE_CHECK_RESULT",
      rawArgs: "a;b;0;out",
    });
    expect(parseExternalCommand("[5] RESTART_PROGRAM")).to.deep.equal({ ok: true, timestamp: 5, name: "RESTART_PROGRAM", rawArgs: undefined });
    expect(parseExternalCommand("[5] SAVE_STATE;")).to.deep.include({ rawArgs: "" });
  });

  it("rejects what Nagios would misread, saying what is wrong", () => {
    const reason = (line: string) => {
      const c = parseExternalCommand(line);
      expect(c.ok, line).to.equal(false);
      return c.ok ? "" : c.reason;
    };
    expect(reason("[1700000000]PROCESS_HOST_CHECK_RESULT;h;0;x")).to.contain("a space must follow ]");
    expect(reason("[abc] PROCESS_HOST_CHECK_RESULT;h;0;x")).to.contain("timestamp must be 1 to 12 digits");
    expect(reason("[1700000000000] PROCESS_HOST_CHECK_RESULT;h;0;x")).to.contain("timestamp must be 1 to 12 digits");
    expect(reason("junk [1] X")).to.contain("expected [<epoch seconds>]");
    expect(reason("[1] PROCESS HOST;h")).to.contain("command name");
    expect(reason("[1] ")).to.contain("command name");
    expect(parseExternalCommand("[1] X;a").ok ? "parsed" : "").to.equal("parsed");
  });
});

describe("checkResultFromCommand", () => {
  it("builds a service result; the output keeps its ; and is unescaped and split", () => {
    const r = result("[1700000000] PROCESS_SERVICE_CHECK_RESULT;web1;disk /;1;DISK WARNING; 80% used | used=80%\\nlong 1\\nC:\\\\temp");
    expect(r.ok).to.equal(true);
    if (!r.ok) return;
    expect(r.result).to.deep.include({
      hostname: "web1",
      check: "disk /",
      status: 1,
      output: "DISK WARNING; 80% used",
      perfData: "used=80%",
      longOutput: "long 1\nC:\\temp",
      timestamp: 1_700_000_000,
      interval: 60,
    });
    expect(Object.isFrozen(r.result)).to.equal(true);
  });

  it("builds a host result with check Host", () => {
    const r = result("[1700000000] PROCESS_HOST_CHECK_RESULT;web1;1;PING CRITICAL");
    expect(r.ok && r.result).to.deep.include({ hostname: "web1", check: "Host", status: 1, output: "PING CRITICAL" });
  });

  it("takes an absent or empty output as empty (as Nagios does)", () => {
    for (const line of [
      "[1700000000] PROCESS_HOST_CHECK_RESULT;h;0",
      "[1700000000] PROCESS_HOST_CHECK_RESULT;h;0;",
      "[1700000000] PROCESS_SERVICE_CHECK_RESULT;h;s;0",
    ]) {
      const r = result(line);
      expect(r.ok && r.result.output, line).to.equal("");
    }
  });

  it("never reads a non-numeric code as 0 (atoi): it rejects it", () => {
    expect(rejection("[1700000000] PROCESS_SERVICE_CHECK_RESULT;h;s;abc;out")).to.equal('status must be an integer, got "abc"');
    expect(rejection("[1700000000] PROCESS_SERVICE_CHECK_RESULT;h;s;2x;out")).to.equal('status must be an integer, got "2x"');
    expect(rejection("[1700000000] PROCESS_SERVICE_CHECK_RESULT;h;s;;out")).to.equal('status must be an integer, got ""');
  });

  it("maps a service code outside 0..3 to UNKNOWN with a warning, rejects a host code outside 0..2", () => {
    const r = result("[1700000000] PROCESS_SERVICE_CHECK_RESULT;h;s;7;out");
    expect(r.ok && r.result.status).to.equal(3);
    expect(r.ok && r.warnings).to.deep.equal(["status 7 is outside 0..3, taken as 3 UNKNOWN"]);
    expect(rejection("[1700000000] PROCESS_HOST_CHECK_RESULT;h;3;out")).to.equal("host status must be 0, 1 or 2, got 3");
  });

  it("rejects missing fields, empty names, the service Host and bad timestamps", () => {
    expect(rejection("[1700000000] PROCESS_SERVICE_CHECK_RESULT;h;s")).to.contain("needs <host>;<service>;<code>;<output>");
    expect(rejection("[1700000000] PROCESS_SERVICE_CHECK_RESULT")).to.contain("needs <host>;<service>;<code>;<output>");
    expect(rejection("[1700000000] PROCESS_HOST_CHECK_RESULT;h")).to.contain("needs <host>;<code>;<output>");
    expect(rejection("[1700000000] PROCESS_SERVICE_CHECK_RESULT;;s;0;x")).to.equal("hostname must not be empty");
    expect(rejection("[1700000000] PROCESS_SERVICE_CHECK_RESULT;h;;0;x")).to.equal("check must not be empty");
    expect(rejection("[1700000000] PROCESS_SERVICE_CHECK_RESULT;h;Host;0;x")).to.contain("reserved for the host check");
    expect(rejection("[0] PROCESS_HOST_CHECK_RESULT;h;0;x")).to.equal("timestamp must be positive, got 0");
    expect(rejection("[999999999999] PROCESS_HOST_CHECK_RESULT;h;0;x")).to.contain("more than a day ahead");
  });

  it("checks names with the JSON results' validator: no controls, U+0085 or U+2028, bounded length", () => {
    expect(rejection("[1700000000] PROCESS_SERVICE_CHECK_RESULT;h\u0085x;s;0;x")).to.contain(
      "hostname must not contain control or line-separator characters (U+0085)",
    );
    expect(rejection("[1700000000] PROCESS_SERVICE_CHECK_RESULT;h;s\rx;0;x")).to.contain(
      "check must not contain control or line-separator characters (U+000D)",
    );
    expect(rejection("[1700000000] PROCESS_HOST_CHECK_RESULT;h\u2028;0;x")).to.contain("(U+2028)");
    expect(rejection(`[1700000000] PROCESS_HOST_CHECK_RESULT;${"h".repeat(20_000)};0;x`)).to.equal("hostname must be at most 255 characters, got 20000");
  });

  it("rejects every other command by name, PROCESS_FILE for good", () => {
    const r = checkResultFromCommand(parsed("[1700000000] ACKNOWLEDGE_SVC_PROBLEM;h;s;1;1;1;me;x"), NOW);
    expect(r).to.deep.equal({ ok: false, key: "unsupported_command", reason: "unsupported command ACKNOWLEDGE_SVC_PROBLEM" });
    expect(rejection("[1700000000] PROCESS_FILE;/etc/shadow;0")).to.contain("unsupported command PROCESS_FILE (never supported");
    expect(rejection(`[1700000000] ${"X".repeat(500)}`)).to.have.length.below(100);
  });
});
