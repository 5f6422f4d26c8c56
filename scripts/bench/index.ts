import { benchBus } from "./bus";
import { benchDiamond } from "./diamond";
import { benchElasticsearch } from "./elasticsearch";
import { benchFilter } from "./filter";
import { benchFairness } from "./fairness";
import { benchForwarder } from "./forwarder";
import { benchIngest } from "./ingest";
import { benchIngestLatency } from "./ingest-latency";
import { benchLivestatus } from "./livestatus";
import { benchNagiosFifo } from "./nagios-fifo";
import { benchLog } from "./log";
import { benchRender } from "./render";
import { benchSpool } from "./spool";

/** `npm run bench -- [name...]`: runs the named benchmarks (all when none is named). */
const BENCHMARKS: Readonly<Record<string, () => Promise<string>>> = {
  bus: () => benchBus(),
  diamond: () => benchDiamond(),
  elasticsearch: () => benchElasticsearch(),
  filter: () => benchFilter(),
  fairness: () => benchFairness(),
  forwarder: () => benchForwarder(),
  ingest: () => benchIngest(),
  "ingest-latency": () => benchIngestLatency(),
  livestatus: () => benchLivestatus(),
  "nagios-fifo": () => benchNagiosFifo(),
  log: () => benchLog(),
  render: () => benchRender(),
  spool: () => benchSpool(),
};

async function main(): Promise<void> {
  const names = process.argv.slice(2);
  const chosen = names.length > 0 ? names : Object.keys(BENCHMARKS);
  for (const name of chosen) {
    const run = BENCHMARKS[name];
    if (run === undefined) throw new Error(`no benchmark "${name}"; there are: ${Object.keys(BENCHMARKS).join(", ")}`);
    console.log(await run());
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
