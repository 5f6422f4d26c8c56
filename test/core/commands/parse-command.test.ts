import { expect } from "chai";
import type { MonitoringCommand, ParsedCommand } from "../../../core/commands/monitoring-command";
import { KNOWN_COMMANDS, parseCommand } from "../../../core/commands/parse-command";
import { parseExternalCommand } from "../../../core/model/external-command";
import type { Rejected } from "../../../core/model/normalize-result";

const TS = 1_764_100_000;
const NOW = TS * 1000 + 5000;
const START = TS + 60;
const END = TS + 3660;
const EXPIRY = 1_800_000_000;

function parse(line: string): ParsedCommand | Rejected {
  const external = parseExternalCommand(line);
  if (!external.ok) return expect.fail(`not an external command line: ${line} (${external.reason})`);
  return parseCommand(external, NOW);
}

/** `[TS] NAME;args` (or `[TS] NAME` without args). */
function cmd(name: string, args?: string): string {
  return args === undefined ? `[${TS}] ${name}` : `[${TS}] ${name};${args}`;
}

function accepted(line: string): ParsedCommand {
  const p = parse(line);
  if (!p.ok) return expect.fail(`rejected: ${line}: ${p.reason}`);
  return p;
}

function rejected(line: string): Rejected {
  const p = parse(line);
  if (p.ok) return expect.fail(`accepted: ${line}: ${JSON.stringify(p.command)}`);
  return p;
}

/** The reason of a malformed command (key malformed_command). */
function malformed(line: string): string {
  const r = rejected(line);
  expect(r.key, line).to.equal("malformed_command");
  return r.reason;
}

const hostTarget = { hostname: "web1", check: "Host" };
const diskTarget = { hostname: "web1", check: "disk" };

/** One good line per command, with the command it must give (results are checked apart: they are built by normalizeResult). */
const GOOD: Readonly<Record<string, { readonly args: string; readonly command?: MonitoringCommand }>> = {
  ACKNOWLEDGE_HOST_PROBLEM: {
    args: "web1;2;1;1;alice;on it",
    command: { kind: "acknowledge", target: hostTarget, sticky: true, notify: true, persistent: true, author: "alice", comment: "on it", expireTime: 0 },
  },
  ACKNOWLEDGE_SVC_PROBLEM: {
    args: "web1;disk;1;0;0;bob;looking",
    command: { kind: "acknowledge", target: diskTarget, sticky: false, notify: false, persistent: false, author: "bob", comment: "looking", expireTime: 0 },
  },
  ACKNOWLEDGE_HOST_PROBLEM_EXPIRE: {
    args: `web1;0;2;1;${EXPIRY};alice;on it`,
    command: { kind: "acknowledge", target: hostTarget, sticky: false, notify: true, persistent: true, author: "alice", comment: "on it", expireTime: EXPIRY },
  },
  ACKNOWLEDGE_SVC_PROBLEM_EXPIRE: {
    args: `web1;disk;2;1;0;${EXPIRY};alice;on it`,
    command: { kind: "acknowledge", target: diskTarget, sticky: true, notify: true, persistent: false, author: "alice", comment: "on it", expireTime: EXPIRY },
  },
  REMOVE_HOST_ACKNOWLEDGEMENT: { args: "web1", command: { kind: "remove-acknowledgement", target: hostTarget } },
  REMOVE_SVC_ACKNOWLEDGEMENT: { args: "web1;disk", command: { kind: "remove-acknowledgement", target: diskTarget } },
  SCHEDULE_HOST_DOWNTIME: {
    args: `web1;${START};${END};1;0;0;alice;maintenance`,
    command: {
      kind: "schedule-downtime",
      withServices: false,
      target: hostTarget,
      startTime: START,
      endTime: END,
      fixed: true,
      triggeredBy: 0,
      duration: 3600,
      author: "alice",
      comment: "maintenance",
    },
  },
  SCHEDULE_HOST_SVC_DOWNTIME: {
    args: `web1;${START};${END};0;3;600;alice;patching`,
    command: {
      kind: "schedule-downtime",
      withServices: true,
      target: hostTarget,
      startTime: START,
      endTime: END,
      fixed: false,
      triggeredBy: 3,
      duration: 600,
      author: "alice",
      comment: "patching",
    },
  },
  SCHEDULE_SVC_DOWNTIME: {
    args: `web1;disk;${START};${END};1;0;0;bob;disk swap`,
    command: {
      kind: "schedule-downtime",
      withServices: false,
      target: diskTarget,
      startTime: START,
      endTime: END,
      fixed: true,
      triggeredBy: 0,
      duration: 3600,
      author: "bob",
      comment: "disk swap",
    },
  },
  DEL_HOST_DOWNTIME: { args: "7", command: { kind: "delete-downtime", id: 7, service: false } },
  DEL_SVC_DOWNTIME: { args: "8", command: { kind: "delete-downtime", id: 8, service: true } },
  ADD_HOST_COMMENT: { args: "web1;1;alice;rack 4", command: { kind: "add-comment", target: hostTarget, persistent: true, author: "alice", comment: "rack 4" } },
  ADD_SVC_COMMENT: { args: "web1;disk;0;bob;slow", command: { kind: "add-comment", target: diskTarget, persistent: false, author: "bob", comment: "slow" } },
  DEL_HOST_COMMENT: { args: "3", command: { kind: "delete-comment", id: 3, service: false } },
  DEL_SVC_COMMENT: { args: "4", command: { kind: "delete-comment", id: 4, service: true } },
  DEL_HOST: { args: "web1", command: { kind: "remove-object", target: hostTarget, withServices: true } },
  DEL_SVC: { args: "web1;disk", command: { kind: "remove-object", target: diskTarget, withServices: false } },
  SCHEDULE_FORCED_HOST_CHECK: { args: `web1;${TS}`, command: { kind: "no-op", target: hostTarget } },
  SCHEDULE_FORCED_SVC_CHECK: { args: `web1;disk;${TS}`, command: { kind: "no-op", target: diskTarget } },
  SCHEDULE_HOST_CHECK: { args: `web1;${TS}`, command: { kind: "no-op", target: hostTarget } },
  SCHEDULE_SVC_CHECK: { args: `web1;disk;${TS}`, command: { kind: "no-op", target: diskTarget } },
  PROCESS_HOST_CHECK_RESULT: { args: "web1;1;PING CRITICAL" },
  PROCESS_SERVICE_CHECK_RESULT: { args: "web1;disk;2;DISK CRITICAL" },
};

const CHECK_SCHEDULING = ["SCHEDULE_FORCED_HOST_CHECK", "SCHEDULE_FORCED_SVC_CHECK", "SCHEDULE_HOST_CHECK", "SCHEDULE_SVC_CHECK"];

describe("parseCommand", () => {
  describe("good lines", () => {
    it("the table below covers every known command", () => {
      expect(Object.keys(GOOD).sort()).to.deep.equal([...KNOWN_COMMANDS]);
    });

    for (const [name, good] of Object.entries(GOOD)) {
      if (good.command === undefined) continue;
      it(`${name} gives its typed command, with the line's timestamp`, () => {
        const p = accepted(cmd(name, good.args));
        expect(p.name).to.equal(name);
        expect(p.time).to.equal(TS);
        expect(p.command).to.deep.equal(good.command);
        expect(p.warnings).to.deep.equal([]);
      });
    }

    it("a good line sets nothing aside in extra", () => {
      for (const [name, good] of Object.entries(GOOD)) {
        expect(accepted(cmd(name, good.args)).extra, name).to.deep.equal([]);
      }
    });

    it("reads a lower-case command name as its upper-case one", () => {
      expect(accepted(`[${TS}] del_host;web1`)).to.deep.include({
        name: "DEL_HOST",
        command: { kind: "remove-object", target: hostTarget, withServices: true },
      });
    });

    it("SCHEDULE_*_CHECK reads its <check_time>: not set aside in extra, required, a whole number", () => {
      for (const name of CHECK_SCHEDULING) {
        expect(accepted(cmd(name, GOOD[name]!.args)).extra, name).to.deep.equal([]);
        const target = name.includes("SVC") ? "web1;disk" : "web1";
        expect(malformed(cmd(name, target)), name).to.contain("<check_time> is missing");
        expect(malformed(cmd(name, `${target};abc`)), name).to.contain("<check_time> must be a whole number");
      }
    });

    it("PROCESS_HOST_CHECK_RESULT and PROCESS_SERVICE_CHECK_RESULT give a result stamped with the line's timestamp", () => {
      const host = accepted(cmd("PROCESS_HOST_CHECK_RESULT", "web1;1;PING CRITICAL - 100% loss"));
      if (host.command.kind !== "result") return expect.fail(host.command.kind);
      expect(host.command.result).to.include({ hostname: "web1", check: "Host", status: 1, output: "PING CRITICAL - 100% loss", timestamp: TS });
      expect([host.name, host.time, host.extra, host.warnings]).to.deep.equal(["PROCESS_HOST_CHECK_RESULT", TS, [], []]);
      const service = accepted(cmd("PROCESS_SERVICE_CHECK_RESULT", "web1;disk;2;DISK CRITICAL; 95% used|used=95%"));
      if (service.command.kind !== "result") return expect.fail(service.command.kind);
      expect(service.command.result).to.include({
        hostname: "web1",
        check: "disk",
        status: 2,
        output: "DISK CRITICAL; 95% used",
        perfData: "used=95%",
        timestamp: TS,
      });
    });

    it("PROCESS_*: names go through the same validator as JSON results (controls, U+0085, U+2028, length)", () => {
      for (const [args, key, words] of [
        ["we\u0085b1;disk;0;out", "hostname", "(U+0085)"],
        ["web1;di\u2028sk;0;out", "check", "(U+2028)"],
        ["web1;di\u0007sk;0;out", "check", "(U+0007)"],
        [`${"h".repeat(256)};disk;0;out`, "hostname", "at most 255 characters"],
        [`web1;${"c".repeat(1025)};0;out`, "check", "at most 1024 characters"],
      ] as const) {
        const r = rejected(cmd("PROCESS_SERVICE_CHECK_RESULT", args));
        expect([r.key, r.reason], args).to.satisfy(([k, reason]: [string, string]) => k === key && reason.includes(words));
      }
      expect(rejected(cmd("PROCESS_HOST_CHECK_RESULT", "we\u2029b1;0;out")).reason).to.contain(
        "hostname must not contain control or line-separator characters (U+2029)",
      );
    });

    it("PROCESS_*: passes on normalizeResult's warnings and rejections", () => {
      const odd = accepted(cmd("PROCESS_SERVICE_CHECK_RESULT", "web1;disk;7;weird"));
      if (odd.command.kind !== "result") return expect.fail(odd.command.kind);
      expect(odd.command.result.status).to.equal(3);
      expect(odd.warnings).to.have.length.greaterThan(0);
      expect(rejected(cmd("PROCESS_SERVICE_CHECK_RESULT", "web1;disk;abc;out")).key).to.equal("status");
      expect(rejected(cmd("PROCESS_HOST_CHECK_RESULT", "web1;3;out")).key).to.equal("status");
      expect(rejected(cmd("PROCESS_SERVICE_CHECK_RESULT", "web1;Host;0;out")).reason).to.contain('service "Host" is reserved for the host check');
      expect(malformed(cmd("PROCESS_SERVICE_CHECK_RESULT", "web1;disk"))).to.equal("PROCESS_SERVICE_CHECK_RESULT needs <host>;<service>;<code>;<output>");
      expect(malformed(cmd("PROCESS_HOST_CHECK_RESULT"))).to.equal("PROCESS_HOST_CHECK_RESULT needs <host>;<code>;<output>");
    });
  });

  describe("rejected lines", () => {
    it("an unknown command name is unsupported_command, naming it", () => {
      for (const name of ["RESTART_PROGRAM", "SEND_CUSTOM_HOST_NOTIFICATION", "ACKNOWLEDGE_PROBLEM", "DEL_ALL_HOST_COMMENTS"]) {
        expect(rejected(cmd(name, "web1"))).to.deep.equal({ ok: false, key: "unsupported_command", reason: `unsupported command ${name}` });
      }
      expect(rejected(cmd("PROCESS_FILE", "/etc/passwd;0"))).to.include({ key: "unsupported_command" });
      expect(rejected(cmd("PROCESS_FILE", "/etc/passwd;0")).reason).to.contain("never supported");
    });

    it("too few arguments: says which one is missing, with the command's usage", () => {
      expect(malformed(cmd("SCHEDULE_HOST_DOWNTIME", `web1;${START}`))).to.equal(
        "SCHEDULE_HOST_DOWNTIME needs <host>;<start>;<end>;<fixed>;<trigger_id>;<duration>;<author>;<comment>: <end> is missing",
      );
      expect(malformed(cmd("DEL_HOST"))).to.equal("DEL_HOST needs <host>: <host> is missing");
      expect(malformed(cmd("DEL_SVC", "web1"))).to.equal("DEL_SVC needs <host>;<service>: <service> is missing");
      expect(malformed(cmd("ACKNOWLEDGE_SVC_PROBLEM", "web1;disk;2;1;1;alice"))).to.equal(
        "ACKNOWLEDGE_SVC_PROBLEM needs <host>;<service>;<sticky>;<notify>;<persistent>;<author>;<comment>: <comment> is missing",
      );
    });

    it("too few arguments, for every command: the good line without its last argument is rejected", () => {
      for (const [name, good] of Object.entries(GOOD)) {
        if (name.startsWith("PROCESS_")) continue; // results: normalizeResult's rules
        const parts = good.args.split(";");
        const shorter = parts.length === 1 ? cmd(name) : cmd(name, parts.slice(0, -1).join(";"));
        expect(malformed(shorter), shorter).to.match(new RegExp(`^${name} needs .*: <\\w+> is missing$`));
      }
    });

    it("numbers must be whole, non-negative decimal numbers: abc, 1.5, -1, 1e3, 0x10, + and spaces are refused", () => {
      for (const bad of ["abc", "1.5", "-1", "1e3", "0x10", "+5", " 5", "", "99999999999999999"]) {
        const line = cmd("SCHEDULE_HOST_DOWNTIME", `web1;${bad};${END};1;0;0;alice;x`);
        expect(malformed(line), line).to.equal(`SCHEDULE_HOST_DOWNTIME: <start> must be a whole number of at least 0, got ${JSON.stringify(bad)}`);
      }
      expect(malformed(cmd("SCHEDULE_SVC_DOWNTIME", `web1;disk;${START};${END};1;0;1.5;a;c`))).to.contain("<duration> must be a whole number");
      expect(malformed(cmd("SCHEDULE_SVC_DOWNTIME", `web1;disk;${START};${END};1;-2;0;a;c`))).to.contain("<trigger_id> must be a whole number");
      expect(malformed(cmd("ACKNOWLEDGE_SVC_PROBLEM_EXPIRE", "web1;disk;2;1;1;soon;alice;c"))).to.equal(
        'ACKNOWLEDGE_SVC_PROBLEM_EXPIRE: <end_time> must be a whole number of at least 0, got "soon"',
      );
      expect(malformed(cmd("ADD_HOST_COMMENT", "web1;yes;alice;c"))).to.equal('ADD_HOST_COMMENT: <persistent> must be a whole number from 0 to 2, got "yes"');
    });

    it("ids start at 1: 0, negative and non-numeric ids are refused", () => {
      for (const name of ["DEL_HOST_DOWNTIME", "DEL_SVC_DOWNTIME", "DEL_HOST_COMMENT", "DEL_SVC_COMMENT"]) {
        const what = name.includes("DOWNTIME") ? "downtime_id" : "comment_id";
        expect(malformed(cmd(name, "0")), name).to.equal(`${name}: <${what}> must be a whole number of at least 1, got "0"`);
        expect(malformed(cmd(name, "-3")), name).to.contain(`<${what}> must be a whole number`);
        expect(malformed(cmd(name, "x")), name).to.contain(`<${what}> must be a whole number`);
      }
    });

    it("sticky, notify and persistent are 0, 1 or 2; fixed is 0 or 1", () => {
      expect(malformed(cmd("ACKNOWLEDGE_HOST_PROBLEM", "web1;3;1;1;a;c"))).to.equal(
        'ACKNOWLEDGE_HOST_PROBLEM: <sticky> must be a whole number from 0 to 2, got "3"',
      );
      expect(malformed(cmd("ACKNOWLEDGE_HOST_PROBLEM", "web1;-1;1;1;a;c"))).to.contain("<sticky> must be a whole number from 0 to 2");
      expect(malformed(cmd("ACKNOWLEDGE_SVC_PROBLEM", "web1;disk;2;3;1;a;c"))).to.contain("<notify> must be a whole number from 0 to 2");
      expect(malformed(cmd("ACKNOWLEDGE_SVC_PROBLEM", "web1;disk;2;1;9;a;c"))).to.contain("<persistent> must be a whole number from 0 to 2");
      expect(malformed(cmd("SCHEDULE_HOST_DOWNTIME", `web1;${START};${END};2;0;0;a;c`))).to.equal(
        'SCHEDULE_HOST_DOWNTIME: <fixed> must be a whole number from 0 to 1, got "2"',
      );
      // Only 2 is sticky (Livestatus); notify and persistent are any non-zero.
      const ack = (sticky: string) => accepted(cmd("ACKNOWLEDGE_HOST_PROBLEM", `web1;${sticky};2;2;a;c`)).command;
      expect([ack("0"), ack("1"), ack("2")].map((c) => c.kind === "acknowledge" && c.sticky)).to.deep.equal([false, false, true]);
      expect(ack("0")).to.include({ notify: true, persistent: true });
    });

    it("a downtime's end must come after its start", () => {
      expect(malformed(cmd("SCHEDULE_HOST_DOWNTIME", `web1;${END};${START};1;0;0;a;c`))).to.equal(
        `SCHEDULE_HOST_DOWNTIME: <end> (${START}) must be after <start> (${END})`,
      );
      expect(malformed(cmd("SCHEDULE_SVC_DOWNTIME", `web1;disk;${START};${START};1;0;0;a;c`))).to.equal(
        `SCHEDULE_SVC_DOWNTIME: <end> (${START}) must be after <start> (${START})`,
      );
    });

    it("a flexible downtime needs a duration; a fixed one's duration is its window, whatever was given", () => {
      expect(malformed(cmd("SCHEDULE_HOST_SVC_DOWNTIME", `web1;${START};${END};0;0;0;a;c`))).to.equal(
        "SCHEDULE_HOST_SVC_DOWNTIME: a flexible downtime (fixed 0) needs a <duration> of at least 1 second",
      );
      expect(accepted(cmd("SCHEDULE_SVC_DOWNTIME", `web1;disk;${START};${END};1;0;7;a;c`)).command).to.include({ fixed: true, duration: END - START });
    });

    it("an empty host or service is refused", () => {
      expect(malformed(cmd("ACKNOWLEDGE_HOST_PROBLEM", ";2;1;1;a;c"))).to.equal("ACKNOWLEDGE_HOST_PROBLEM: <host> is empty");
      expect(malformed(cmd("DEL_HOST", ""))).to.equal("DEL_HOST: <host> is empty");
      expect(malformed(cmd("ADD_SVC_COMMENT", "web1;;1;a;c"))).to.equal("ADD_SVC_COMMENT: <service> is empty");
      expect(malformed(cmd("SCHEDULE_SVC_DOWNTIME", `;disk;${START};${END};1;0;0;a;c`))).to.equal("SCHEDULE_SVC_DOWNTIME: <host> is empty");
    });

    it('the service "Host" is the host check: every service command refuses it', () => {
      const lines: Record<string, string> = {
        ACKNOWLEDGE_SVC_PROBLEM: "web1;Host;2;1;1;a;c",
        ACKNOWLEDGE_SVC_PROBLEM_EXPIRE: `web1;Host;2;1;1;${EXPIRY};a;c`,
        REMOVE_SVC_ACKNOWLEDGEMENT: "web1;Host",
        SCHEDULE_SVC_DOWNTIME: `web1;Host;${START};${END};1;0;0;a;c`,
        ADD_SVC_COMMENT: "web1;Host;1;a;c",
        DEL_SVC: "web1;Host",
        SCHEDULE_SVC_CHECK: `web1;Host;${TS}`,
        SCHEDULE_FORCED_SVC_CHECK: `web1;Host;${TS}`,
      };
      for (const [name, args] of Object.entries(lines)) {
        expect(malformed(cmd(name, args)), name).to.equal(`${name}: service "Host" is the host check: use the HOST command`);
      }
    });
  });

  describe("text arguments and extra ones", () => {
    it("a comment keeps every ;, and may be empty; the author may be empty", () => {
      expect(accepted(cmd("ADD_SVC_COMMENT", "web1;disk;1;alice;a;b;;c")).command).to.include({ comment: "a;b;;c" });
      expect(accepted(cmd("SCHEDULE_HOST_DOWNTIME", `web1;${START};${END};1;0;0;alice;step 1; step 2`)).command).to.include({ comment: "step 1; step 2" });
      expect(accepted(cmd("ACKNOWLEDGE_SVC_PROBLEM", "web1;disk;2;1;1;alice;see; ticket")).command).to.include({ comment: "see; ticket", expireTime: 0 });
      expect(accepted(cmd("ADD_HOST_COMMENT", "web1;1;;")).command).to.include({ author: "", comment: "" });
      expect(accepted(cmd("ADD_HOST_COMMENT", "web1;1;alice;a;b")).extra).to.deep.equal([]);
    });

    it("arguments past a non-text command's own land in extra", () => {
      expect(accepted(cmd("REMOVE_HOST_ACKNOWLEDGEMENT", "web1;x;y")).extra).to.deep.equal(["x", "y"]);
      expect(accepted(cmd("REMOVE_SVC_ACKNOWLEDGEMENT", "web1;disk;1")).extra).to.deep.equal(["1"]);
      expect(accepted(cmd("DEL_HOST_DOWNTIME", "7;junk")).extra).to.deep.equal(["junk"]);
      expect(accepted(cmd("DEL_SVC_COMMENT", "4;a;b")).extra).to.deep.equal(["a", "b"]);
      const del = accepted(cmd("DEL_HOST", "web1;"));
      expect([del.command, del.extra]).to.deep.equal([{ kind: "remove-object", target: hostTarget, withServices: true }, [""]]);
      expect(accepted(cmd("DEL_SVC", "web1;disk;1;2")).extra).to.deep.equal(["1", "2"]);
    });

    it("ACKNOWLEDGE with Checkmk's trailing expiry: ;0 (never) and ;<epoch> are taken off the comment", () => {
      const never = accepted(cmd("ACKNOWLEDGE_SVC_PROBLEM", "web1;disk;2;1;1;alice;on it;0")).command;
      expect(never).to.include({ comment: "on it", expireTime: 0 });
      const at = accepted(cmd("ACKNOWLEDGE_HOST_PROBLEM", `web1;2;1;1;alice;on it;${EXPIRY}`)).command;
      expect(at).to.include({ comment: "on it", expireTime: EXPIRY });
      const semis = accepted(cmd("ACKNOWLEDGE_SVC_PROBLEM", `web1;disk;2;1;1;alice;a;b;${EXPIRY}`)).command;
      expect(semis).to.include({ comment: "a;b", expireTime: EXPIRY });
      expect(accepted(cmd("ACKNOWLEDGE_SVC_PROBLEM", "web1;disk;2;1;1;alice;on it;1000000000")).command).to.include({
        comment: "on it",
        expireTime: 1_000_000_000,
      });
    });

    it("ACKNOWLEDGE: a comment ending in ;<small number> or another text keeps it (no expiry)", () => {
      for (const comment of ["ticket;12", "on it;999999999", "on it;", "on it;-5", "on it;1.5", "on it; 0", "1800000000"]) {
        const c = accepted(cmd("ACKNOWLEDGE_SVC_PROBLEM", `web1;disk;2;1;1;alice;${comment}`)).command;
        expect(c, comment).to.include({ comment, expireTime: 0 });
      }
    });

    it("the _EXPIRE variants take the expiry from its own argument and leave the comment whole", () => {
      const c = accepted(cmd("ACKNOWLEDGE_SVC_PROBLEM_EXPIRE", `web1;disk;2;1;1;${EXPIRY};alice;x;1700000000`)).command;
      expect(c).to.include({ comment: "x;1700000000", expireTime: EXPIRY });
      expect(accepted(cmd("ACKNOWLEDGE_HOST_PROBLEM_EXPIRE", "web1;2;1;1;0;alice;x;0")).command).to.include({ comment: "x;0", expireTime: 0 });
      expect(malformed(cmd("ACKNOWLEDGE_HOST_PROBLEM_EXPIRE", `web1;2;1;1;${EXPIRY};alice`))).to.contain("<comment> is missing");
    });
  });
});
