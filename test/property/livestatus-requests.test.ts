/**
 * Property tests of the Livestatus request parser and query engine (issue 11, "Prove it"):
 * random valid and invalid requests, over a real socket, always get a status code and never
 * take the connection or the server down; a filter and its `Negate:` partition the rows;
 * a `Stats:` count equals the number of rows its filter selects.
 */
import { expect } from "chai";
import fc from "fast-check";
import { systemClock } from "../../core/clock";
import { CommandExecutor } from "../../core/commands/command-executor";
import { LivestatusError } from "../../core/livestatus/protocol/livestatus-error";
import { LivestatusServer } from "../../core/livestatus/protocol/livestatus-server";
import { answerQuery, type QueryAnswer } from "../../core/livestatus/query/query-engine";
import { parseRequest } from "../../core/livestatus/protocol/request-parser";
import type { CheckResult } from "../../core/model/check-result";
import type { Sink } from "../../core/plugin/api";
import { testTables, type TestHost, type TestTables } from "../core/livestatus/engine-table";
import { RecordingLogger } from "../core/pipeline/support";
import { parsePython } from "../helpers/livestatus-answer";
import { LivestatusClient } from "../helpers/livestatus-client";
import { engineKit } from "../helpers/table-kit";
import { fcOptions } from "./fc-options";
import { ALL_HOST_COLUMNS, getRequest, hostRows, junkRequest, stackLines, USERS, wellFormedStack } from "./livestatus-arbitraries";

/** The statuses a request may get; 500 is a bug (the server logs it as an error). */
const STATUSES = new Set([200, 400, 403, 404, 413, 451, 452]);

/** Lines that are blank once right-stripped end a request on the wire: they would split the generated one. */
const WIRE_BLANK = /^[ \t\v\f\r]*$/;

class NullSink implements Sink {
  readonly paused = false;
  accept(_result: CheckResult): void {}
  onFlowChange(): () => void {
    return () => undefined;
  }
  sync(): Promise<void> {
    return Promise.resolve();
  }
}

/** Answers a request as LivestatusConnection does: parse, then answer; a LivestatusError becomes its status. Anything else escapes (a bug). */
async function answer(lines: readonly string[], tables: TestTables, nowSeconds: number): Promise<QueryAnswer> {
  try {
    const request = parseRequest(lines, nowSeconds);
    if (request.kind !== "get") return { status: 200, body: "" };
    return await answerQuery(request, tables.registry, nowSeconds);
  } catch (err) {
    if (err instanceof LivestatusError) return { status: err.status, body: err.message };
    throw err;
  }
}

function tablesWith(rows: readonly TestHost[]): TestTables {
  const t = testTables();
  t.hosts.clear();
  for (const row of rows) t.hosts.set(row);
  return t;
}

/** Host names of a json answer to `Columns: name`. */
function names(a: QueryAnswer): string[] {
  expect(a.status, a.body).to.equal(200);
  return (JSON.parse(a.body) as [string][]).map(([n]) => n).sort();
}

describe("property: Livestatus requests", function () {
  this.timeout(120_000);
  const now = Math.floor(Date.now() / 1000);

  describe("over a real socket", () => {
    let server: LivestatusServer;
    let log: RecordingLogger;
    let port: number;

    before(async () => {
      log = new RecordingLogger();
      const t = tablesWith(fc.sample(hostRows, { numRuns: 1, seed: 42 })[0]!);
      const executor = new CommandExecutor((await engineKit()).engine, new NullSink(), systemClock, 200);
      server = new LivestatusServer({
        tables: t.registry,
        log,
        clock: systemClock,
        onCommand: async (command, authUser) => {
          const outcome = await executor.execute(command.line, { authUser });
          return outcome.status === 200 ? undefined : { status: outcome.status, message: outcome.message };
        },
      });
      await server.listen({ tcp: { host: "127.0.0.1", port: 0 } });
      port = server.port!;
    });
    after(() => server.stop());

    /** Sends one request asking for fixed16 (at a random place among its lines) and reads its one answer. */
    async function exchangeFixed16(lines: readonly string[], at: number): Promise<{ status: number; body: string }> {
      const kept = lines.filter((l, i) => i === 0 || !WIRE_BLANK.test(l));
      const withHeader = [...kept.slice(0, 1 + (at % kept.length)), "ResponseHeader: fixed16", ...kept.slice(1 + (at % kept.length))];
      // A blank first line would be skipped as a keep-alive gap: the request starts at the next.
      if (WIRE_BLANK.test(withHeader[0]!)) withHeader[0] = "X";
      const client = await LivestatusClient.connect(port);
      try {
        client.send(`${withHeader.join("\n")}\n\n`);
        return await client.answer(10_000);
      } finally {
        client.destroy();
      }
    }

    afterEach(() => {
      // A 500 or a dropped connection is logged as an error: none may come from any request.
      const errors = log.entries.filter((e) => e.level === "error" || e.level === "fatal");
      log.entries.length = 0;
      expect(errors.map((e) => e.msg)).to.deep.equal([]);
    });

    it("random GETs (every column type and operator, stacks, Limit, OutputFormat, ColumnHeaders, Localtime, ...) always get a status, never a 500", async () => {
      await fc.assert(
        fc.asyncProperty(getRequest(now), fc.nat(), async (lines, at) => {
          const a = await exchangeFixed16(lines, at);
          expect(STATUSES.has(a.status), `status ${a.status}: ${a.body}`).to.equal(true);
          if (a.status !== 200) expect(a.body).to.match(/\S\n$/);
        }),
        fcOptions(400),
      );
    });

    it("junk request lines get 452 (or 400), and the connection is answered", async () => {
      await fc.assert(
        fc.asyncProperty(junkRequest, fc.nat(), async (lines, at) => {
          const a = await exchangeFixed16(lines, at);
          expect(STATUSES.has(a.status), `status ${a.status}: ${a.body}`).to.equal(true);
        }),
        fcOptions(200),
      );
    });

    it("random COMMANDs are applied or refused with a status, and the connection goes on", async () => {
      const commandLine = fc.oneof(
        fc.string({ maxLength: 40 }).map((s) => s.replace(/\n/g, " ")),
        fc
          .tuple(
            fc.constantFrom(
              "ACKNOWLEDGE_SVC_PROBLEM",
              "SCHEDULE_HOST_DOWNTIME",
              "DEL_HOST_COMMENT",
              "PROCESS_SERVICE_CHECK_RESULT",
              "PROCESS_HOST_CHECK_RESULT",
              "NOSUCH",
              "PROCESS_FILE",
            ),
            fc.array(
              fc.string({ maxLength: 8 }).map((s) => s.replace(/[\n;]/g, " ")),
              { maxLength: 9 },
            ),
          )
          .map(([n, args]) => [n, ...args].join(";")),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.option(fc.integer({ min: 0, max: 2_000_000_000 })),
          commandLine,
          fc.option(fc.constantFrom(...USERS, "mallory")),
          async (ts, text, user) => {
            const client = await LivestatusClient.connect(port);
            try {
              const command = `COMMAND ${ts === null ? "" : `[${ts}] `}${text}`.replace(/\s+$/, "");
              client.send(
                `${command}\n${user === null ? "" : `AuthUser: ${user}\n`}ResponseHeader: fixed16\n\nGET status\nColumns: num_hosts\nResponseHeader: fixed16\n\n`,
              );
              const first = await client.answer(10_000);
              expect(STATUSES.has(first.status), `status ${first.status}: ${first.body}`).to.equal(true);
              // Refused: its answer, then the GET's. Applied (or a 452): the GET's answer only, or nothing after a 452.
              if (first.status === 400 || first.status === 403) expect((await client.answer(10_000)).status).to.equal(200);
            } finally {
              client.destroy();
            }
          },
        ),
        fcOptions(200),
      );
    });

    it("random bytes never take the server down: it answers or closes, and serves the next client", async () => {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (bytes) => {
          const client = await LivestatusClient.connect(port);
          try {
            client.send(Buffer.concat([Buffer.from(bytes), Buffer.from("\n\n")]));
            client.socket.end();
            await client.rest(10_000);
          } finally {
            client.destroy();
          }
        }),
        fcOptions(150),
      );
      const check = await exchangeFixed16(["GET status", "Columns: num_hosts"], 0);
      expect(check.status).to.equal(200);
    });
  });

  describe("semantics, through the parse + answer path of the connection", () => {
    it("a filter and its Negate: partition the rows (the rows a user sees, with AuthUser)", async () => {
      await fc.assert(
        fc.asyncProperty(hostRows, wellFormedStack, fc.option(fc.constantFrom(...USERS, "mallory")), async (rows, ops, user) => {
          const t = tablesWith(rows);
          const head = ["GET hosts", "Columns: name", "OutputFormat: json", ...(user === null ? [] : [`AuthUser: ${user}`])];
          const filter = stackLines(ops, "Filter");
          const yes = await answer([...head, ...filter], t, now);
          const no = await answer([...head, ...filter, "Negate:"], t, now);
          if (yes.status !== 200) {
            // A filter that does not compile (bad regex) fails the same way negated.
            expect([no.status, no.body]).to.deep.equal([yes.status, yes.body]);
            return;
          }
          const all = names(await answer(head, t, now));
          const selected = names(yes);
          const rest = names(no);
          expect(
            selected.filter((n) => rest.includes(n)),
            "rows in both",
          ).to.deep.equal([]);
          expect([...selected, ...rest].sort(), "rows in neither").to.deep.equal(all);
        }),
        fcOptions(500),
      );
    });

    it("Stats: counts what the same filter selects (as Stats lines, and as Filter lines under a Stats count)", async () => {
      await fc.assert(
        fc.asyncProperty(
          hostRows,
          wellFormedStack,
          fc.option(fc.constantFrom(...USERS)),
          fc.option(fc.integer({ min: -86_000, max: 86_000 })),
          async (rows, ops, user, tz) => {
            const t = tablesWith(rows);
            const common = [...(user === null ? [] : [`AuthUser: ${user}`]), ...(tz === null ? [] : [`Localtime: ${now + tz}`]), "OutputFormat: json"];
            const selected = await answer(["GET hosts", "Columns: name", ...common, ...stackLines(ops, "Filter")], t, now);
            const asStats = await answer(["GET hosts", ...common, ...stackLines(ops, "Stats")], t, now);
            const underStats = await answer(["GET hosts", ...common, ...stackLines(ops, "Filter"), "Stats: name !="], t, now);
            if (selected.status !== 200) {
              expect(asStats.status, asStats.body).to.equal(selected.status);
              expect(underStats.status, underStats.body).to.equal(selected.status);
              return;
            }
            const count = names(selected).length;
            expect(JSON.parse(asStats.body), "Stats lines").to.deep.equal([[count]]);
            expect(JSON.parse(underStats.body), "Filter lines, Stats count").to.deep.equal([[count]]);
          },
        ),
        fcOptions(400),
      );
    });

    it("python and python3 answers read (as a Python client reads them) as the json answer; wrapped_json wraps it with the count before Limit", async () => {
      const columns = fc.uniqueArray(fc.constantFrom(...ALL_HOST_COLUMNS), { minLength: 1, maxLength: 5 });
      await fc.assert(
        fc.asyncProperty(hostRows, columns, fc.option(fc.nat({ max: 30 })), fc.boolean(), async (rows, cols, limit, headers) => {
          const t = tablesWith(rows);
          const q = ["GET hosts", `Columns: ${cols.join(" ")}`, `ColumnHeaders: ${headers ? "on" : "off"}`, ...(limit === null ? [] : [`Limit: ${limit}`])];
          const json = await answer([...q, "OutputFormat: json"], t, now);
          expect(json.status, json.body).to.equal(200);
          const data = JSON.parse(json.body) as unknown[];
          for (const format of ["python", "python3"]) {
            const py = await answer([...q, `OutputFormat: ${format}`], t, now);
            expect(parsePython(py.body), format).to.deep.equal(data);
          }
          const wrapped = JSON.parse((await answer([...q, "OutputFormat: wrapped_json"], t, now)).body) as {
            data: unknown[];
            columns?: unknown[];
            total_count: number;
          };
          expect(wrapped.data).to.deep.equal(headers ? data.slice(1) : data);
          if (headers) expect(wrapped.columns).to.deep.equal(data[0]);
          expect(wrapped.total_count).to.equal(rows.length);
        }),
        fcOptions(300),
      );
    });

    it("Stats grouped by a column: the groups' counts add up to the ungrouped count", async () => {
      await fc.assert(
        fc.asyncProperty(hostRows, wellFormedStack, fc.constantFrom(...ALL_HOST_COLUMNS), async (rows, ops, group) => {
          const t = tablesWith(rows);
          const stats = [...stackLines(ops, "Stats"), "OutputFormat: json"];
          const total = await answer(["GET hosts", ...stats], t, now);
          const grouped = await answer(["GET hosts", `Columns: ${group}`, ...stats], t, now);
          expect(grouped.status).to.equal(total.status);
          if (total.status !== 200) return;
          const [[count]] = JSON.parse(total.body) as [[number]];
          const groups = JSON.parse(grouped.body) as unknown[][];
          expect(groups.reduce((n, g) => n + (g[g.length - 1] as number), 0)).to.equal(count);
        }),
        fcOptions(300),
      );
    });

    it("Limit: n keeps the first n rows of the same answer", async () => {
      await fc.assert(
        fc.asyncProperty(hostRows, wellFormedStack, fc.nat({ max: 30 }), async (rows, ops, limit) => {
          const t = tablesWith(rows);
          const q = ["GET hosts", "Columns: name state", "OutputFormat: json", ...stackLines(ops, "Filter")];
          const full = await answer(q, t, now);
          const limited = await answer([...q, `Limit: ${limit}`], t, now);
          expect(limited.status).to.equal(full.status);
          if (full.status === 200) expect(JSON.parse(limited.body)).to.deep.equal((JSON.parse(full.body) as unknown[]).slice(0, limit));
        }),
        fcOptions(300),
      );
    });
  });
});
