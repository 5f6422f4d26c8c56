import type { LivestatusValue } from "../../core/livestatus/query/column";
import { DEFAULT_SEPARATORS, type OutputFormat } from "../../core/livestatus/protocol/query";
import { renderBody } from "../../core/livestatus/render/render";

/** Rendering cost of a full table answer: 20000 rows × 4 columns in every output format. */
export async function benchRender(rowsCount = 20_000, runs = 20): Promise<string> {
  const rows: LivestatusValue[][] = [];
  for (let i = 0; i < rowsCount; i++) rows.push([`host-${String(i).padStart(5, "0")}`, i % 4, `OK - load average ${i / 100} "x"`, 1795486934 + i]);
  const header = ["name", "state", "plugin_output", "last_check"];
  const lines: string[] = [];
  for (const format of ["csv", "CSV", "json", "python", "wrapped_json"] as OutputFormat[]) {
    renderBody(format, header, rows, DEFAULT_SEPARATORS); // warm-up (JIT)
    const times: number[] = [];
    for (let r = 0; r < runs; r++) {
      const started = performance.now();
      renderBody(format, header, rows, DEFAULT_SEPARATORS);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    lines.push(`render ${format}: ${rowsCount} rows × 4 columns, median ${times[runs >> 1]!.toFixed(2)} ms`);
  }
  return lines.join("\n");
}
