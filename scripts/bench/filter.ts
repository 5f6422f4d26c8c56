import type { ColumnSpec } from "../../core/livestatus/query/column";
import { MAX_ROW_COMPARISONS, compileFilter } from "../../core/livestatus/query/filter";
import type { GetQuery } from "../../core/livestatus/protocol/query";
import { parseRequest } from "../../core/livestatus/protocol/request-parser";

/** Rows per run: the 1000 hosts × 20 services. */
const ROWS = 20_000;

interface Service {
  readonly host_name: string;
  readonly description: string;
  readonly state: number;
  readonly plugin_output: string;
}

const COLUMNS: ReadonlyMap<string, ColumnSpec<Service>> = new Map<string, ColumnSpec<Service>>([
  ["host_name", { name: "host_name", type: "string", description: "", get: (s) => s.host_name }],
  ["description", { name: "description", type: "string", description: "", get: (s) => s.description }],
  ["state", { name: "state", type: "int", description: "", get: (s) => s.state }],
  ["plugin_output", { name: "plugin_output", type: "string", description: "", get: (s) => s.plugin_output }],
]);

/**
 * Filter evaluation in-process, without sockets or rendering: parse + compile once, then
 * the compiled predicate over 20,000 service-like rows (outputs as the livestatus bench
 * loads them, one in 1000 with a non-ASCII character). Reports the median ms per pass.
 * Environment: BENCH_RUNS (timed passes per filter, default 21).
 */
export async function benchFilter(): Promise<string> {
  const runs = Number(process.env.BENCH_RUNS ?? 21);
  const rows: Service[] = [];
  for (let i = 0; i < ROWS; i++) {
    const h = Math.floor(i / 20);
    const s = i % 20;
    const state = (7 * h + 3 * s) % 20 < 17 ? 0 : ((7 * h + 3 * s) % 20) - 16;
    const accent = i % 1000 === 0 ? " déjà vu" : "";
    rows.push({
      host_name: `host${h}`,
      description: `check${s}`,
      state,
      plugin_output: `CHECK ${s} on host${h} - state ${state}${accent}|value=${i % 100};80;90;0;100`,
    });
  }
  const cases: [string, string[]][] = [
    ["literal ~ host123", ["Filter: plugin_output ~ host123"]],
    ["anchored ~ ^CHECK 1", ["Filter: plugin_output ~ ^CHECK 1"]],
    ["case-insensitive ~~ HOST12", ["Filter: plugin_output ~~ HOST12"]],
    ["class ~ host1[23]4", ["Filter: host_name ~ host1[23]4"]],
    ["alternation ~ state (1|2)", ["Filter: plugin_output ~ state (1|2)"]],
    ["case-insensitive class ~~ ^HOST[0-9]+5$", ["Filter: host_name ~~ ^HOST[0-9]+5$"]],
    ["plain = host500", ["Filter: host_name = host500"]],
    ["Or of 1000 host_name = (NagVis-like)", [...Array.from({ length: 1000 }, (_, i) => `Filter: host_name = host${i * 7}`), "Or: 1000"]],
    [
      "Or of 1000 (host_name = AND description =) pairs (NagVis map)",
      [...Array.from({ length: 1000 }, (_, i) => [`Filter: host_name = host${i}`, `Filter: description = check${i % 20}`, "And: 2"]).flat(), "Or: 1000"],
    ],
    [
      `And of ${MAX_ROW_COMPARISONS} state >= 0 (the most comparisons a query may have)`,
      [...Array.from({ length: MAX_ROW_COMPARISONS }, () => "Filter: state >= 0"), `And: ${MAX_ROW_COMPARISONS}`],
    ],
  ];
  const out = [`filter: ${ROWS} rows, median of ${runs} passes (compile once, then test every row)`];
  for (const [label, headers] of cases) {
    const started = performance.now();
    const query = parseRequest(["GET services", ...headers], Date.now() / 1000) as GetQuery;
    const test = compileFilter(query.filter!, (name) => COLUMNS.get(name), 0);
    const compileMs = performance.now() - started;
    const times: number[] = [];
    let matched = 0;
    for (let r = 0; r < runs + 3; r++) {
      const t = performance.now();
      matched = 0;
      for (const row of rows) if (test(row)) matched++;
      if (r >= 3) times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    out.push(
      `  ${label}: ${times[times.length >> 1]!.toFixed(2)} ms per pass (min ${times[0]!.toFixed(2)}), ${matched} rows match, parse + compile ${compileMs.toFixed(2)} ms`,
    );
  }
  return out.join("\n");
}
