/**
 * Property tests of the external command parser (issue 11, "Prove it"): any command line
 * gives a typed command or a refusal (400 malformed_command / unsupported_command, or a
 * result's own rule) and never throws; a well-formed command written out as a line parses
 * back to the same command.
 */
import { expect } from "chai";
import fc from "fast-check";
import type { MonitoringCommand } from "../../core/commands/monitoring-command";
import { KNOWN_COMMANDS, parseCommand } from "../../core/commands/parse-command";
import { HOST_CHECK } from "../../core/model/check-result";
import { parseExternalCommand } from "../../core/model/external-command";
import { fcOptions } from "./fc-options";

const TS = 1_764_100_000;
const NOW = TS * 1000 + 5000;
/** The keys a refusal may carry: the parser's own, and normalizeResult's rules for PROCESS_*_CHECK_RESULT. */
const REFUSAL_KEYS = new Set(["malformed_command", "unsupported_command", "hostname", "check", "status", "output", "timestamp", "interval"]);

/** One argument: numbers of every shape, words, empty, Host, text with blanks and non-ASCII. */
const arg = fc.oneof(
  fc.integer({ min: -5, max: 5 }).map(String),
  fc.integer({ min: 0, max: 2_000_000_000 }).map(String),
  fc.constantFrom("", "Host", "host", "web1", "disk", "0x1", "1e3", " 1", "99999999999999999", "-0", "abc", "é"),
  fc.string({ maxLength: 10 }).map((s) => s.replace(/[\n;]/g, " ")),
);

const commandLine = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.tuple(fc.constantFrom(...KNOWN_COMMANDS), fc.array(arg, { maxLength: 10 })).map(([name, args]) => `[${TS}] ${[name, ...args].join(";")}`),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...KNOWN_COMMANDS.map((n) => n.toLowerCase()), "PROCESS_FILE", "NOSUCH", "A"), fc.array(arg, { maxLength: 4 }))
      .map(([name, args]) => `[${TS}] ${[name, ...args].join(";")}`),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom("[", "[1]", "[1] ", `[${TS}]`, "[1234567890123] ", "[-1] ", " [1] "), fc.string({ maxLength: 30 }))
      .map(([a, b]) => a + b),
  },
);

function parseLine(line: string) {
  const external = parseExternalCommand(line);
  return external.ok ? parseCommand(external, NOW) : external;
}

describe("property: external command parser", () => {
  it("gives a command or a refusal with a known key and a message for any line, and never throws", () => {
    fc.assert(
      fc.property(commandLine, (line) => {
        const parsed = parseLine(line);
        if (parsed.ok) return;
        expect(REFUSAL_KEYS.has(parsed.key), `key ${parsed.key}: ${parsed.reason}`).to.equal(true);
        expect(parsed.reason).to.be.a("string").and.not.equal("");
        // A reason is one line (it goes into a log line and a Livestatus error body).
        expect(parsed.reason, "reason on one line").not.to.match(/[\r\n]/);
      }),
      fcOptions(5000),
    );
  });

  // Names that every line format can carry (no `;`, no control characters: those are refused, see issue 11).
  const name = fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/).filter((n) => n !== HOST_CHECK);
  const author = fc.stringMatching(/^[A-Za-z0-9 _.@-]{0,12}$/);
  /** Comments may hold `;` (the last argument takes the rest of the line). */
  const comment = fc.string({ unit: fc.constantFrom("a", "B", "1", " ", ";", ":", "|", "é", "€", "\\", "!"), maxLength: 20 });
  const flag = fc.boolean();
  const time = fc.integer({ min: 1_000_000_000, max: 2_000_000_000 });
  const id = fc.integer({ min: 1, max: 1_000_000 });
  const target = (kind: "host" | "svc") =>
    kind === "host" ? name.map((h) => ({ hostname: h, check: HOST_CHECK })) : fc.tuple(name, name).map(([h, s]) => ({ hostname: h, check: s }));
  const targetArgs = (t: { hostname: string; check: string }): string[] => (t.check === HOST_CHECK ? [t.hostname] : [t.hostname, t.check]);
  const n = (b: boolean): string => (b ? "1" : "0");

  /** A command and the line that carries it. */
  const wellFormed: fc.Arbitrary<{ line: string; command: MonitoringCommand }> = fc.constantFrom("host" as const, "svc" as const).chain((kind) => {
    const HS = kind === "host" ? "HOST" : "SVC";
    return fc.oneof(
      fc
        .tuple(target(kind), flag, flag, flag, author, comment, fc.oneof(fc.constant(0), time), fc.boolean())
        .map(([t, sticky, notify, persistent, a, c, expiry, explicit]) => {
          // The plain command takes a trailing `;<0 or epoch>` as Checkmk's expiry: written always, so that a comment ending in digits stays the comment.
          const line = explicit
            ? `ACKNOWLEDGE_${HS}_PROBLEM_EXPIRE;${[...targetArgs(t), sticky ? "2" : "0", n(notify), n(persistent), expiry, a, c].join(";")}`
            : `ACKNOWLEDGE_${HS}_PROBLEM;${[...targetArgs(t), sticky ? "2" : "1", n(notify), n(persistent), a, `${c};${expiry}`].join(";")}`;
          return { line, command: { kind: "acknowledge" as const, target: t, sticky, notify, persistent, author: a, comment: c, expireTime: expiry } };
        }),
      target(kind).map((t) => ({
        line: `REMOVE_${HS}_ACKNOWLEDGEMENT;${targetArgs(t).join(";")}`,
        command: { kind: "remove-acknowledgement" as const, target: t },
      })),
      fc
        .tuple(
          target(kind),
          time,
          fc.integer({ min: 1, max: 1_000_000 }),
          flag,
          fc.integer({ min: 0, max: 1000 }),
          fc.integer({ min: 1, max: 100_000 }),
          author,
          comment,
          fc.boolean(),
        )
        .map(([t, start, length, fixed, trigger, duration, a, c, withServices]) => {
          const name = kind === "svc" ? "SCHEDULE_SVC_DOWNTIME" : withServices ? "SCHEDULE_HOST_SVC_DOWNTIME" : "SCHEDULE_HOST_DOWNTIME";
          const line = `${name};${[...targetArgs(t), start, start + length, n(fixed), trigger, duration, a, c].join(";")}`;
          return {
            line,
            command: {
              kind: "schedule-downtime" as const,
              withServices: name === "SCHEDULE_HOST_SVC_DOWNTIME",
              target: t,
              startTime: start,
              endTime: start + length,
              fixed,
              triggeredBy: trigger,
              duration: fixed ? length : duration,
              author: a,
              comment: c,
            },
          };
        }),
      id.map((i) => ({ line: `DEL_${HS}_DOWNTIME;${i}`, command: { kind: "delete-downtime" as const, id: i, service: kind === "svc" } })),
      fc.tuple(target(kind), flag, author, comment).map(([t, persistent, a, c]) => ({
        line: `ADD_${HS}_COMMENT;${[...targetArgs(t), n(persistent), a, c].join(";")}`,
        command: { kind: "add-comment" as const, target: t, persistent, author: a, comment: c },
      })),
      id.map((i) => ({ line: `DEL_${HS}_COMMENT;${i}`, command: { kind: "delete-comment" as const, id: i, service: kind === "svc" } })),
      target(kind).map((t) => ({
        line: `DEL_${kind === "host" ? "HOST" : "SVC"};${targetArgs(t).join(";")}`,
        command: { kind: "remove-object" as const, target: t, withServices: kind === "host" },
      })),
      fc.tuple(target(kind), time, fc.boolean()).map(([t, at, forced]) => ({
        line: `SCHEDULE_${forced ? "FORCED_" : ""}${HS}_CHECK;${[...targetArgs(t), at].join(";")}`,
        command: { kind: "no-op" as const, target: t },
      })),
    );
  });

  it("parses a well-formed command written out as a line back to the same command", () => {
    fc.assert(
      fc.property(wellFormed, ({ line, command }) => {
        const parsed = parseLine(`[${TS}] ${line}`);
        if (!parsed.ok) return expect.fail(`refused: ${line}: ${parsed.reason}`);
        expect(parsed.command).to.deep.equal(command);
        expect(parsed.time).to.equal(TS);
        expect(parsed.extra).to.deep.equal([]);
      }),
      fcOptions(3000),
    );
  });

  it("round-trips check results: host, service, code, output (escaped \\\\ and \\n) and timestamp", () => {
    const output = fc
      .string({ unit: fc.constantFrom("a", "Z", "0", " ", ";", ":", "é", "€", "\\", "\n", "!", "="), minLength: 1, maxLength: 20 })
      .filter((o) => o.trim() !== "" && !o.startsWith("\n") && !o.startsWith(" ") && !o.endsWith(" ") && !/ \n|\n |\n$/.test(o));
    fc.assert(
      fc.property(name, fc.option(name), fc.integer({ min: 0, max: 3 }), output, fc.integer({ min: TS - 500, max: TS }), (host, service, code, text, ts) => {
        const escaped = text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
        const line =
          service === null
            ? `[${ts}] PROCESS_HOST_CHECK_RESULT;${host};${code % 3};${escaped}`
            : `[${ts}] PROCESS_SERVICE_CHECK_RESULT;${host};${service};${code};${escaped}`;
        const parsed = parseLine(line);
        if (!parsed.ok) return expect.fail(`refused: ${line}: ${parsed.reason}`);
        if (parsed.command.kind !== "result") return expect.fail(`not a result: ${line}`);
        const r = parsed.command.result;
        const [first, ...rest] = text.split("\n");
        expect([r.hostname, r.check, r.status, r.timestamp]).to.deep.equal([host, service ?? HOST_CHECK, service === null ? code % 3 : code, ts]);
        expect([r.output, r.longOutput]).to.deep.equal([first!.trim(), rest.join("\n")]);
      }),
      fcOptions(2000),
    );
  });
});
