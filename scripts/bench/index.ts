import { benchBus } from "./bus";
import { benchCompare } from "./compare";
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
import { benchScale } from "./scale";
import { benchSpool } from "./spool";

/**
 * `npm run bench -- [name...]`: runs the named benchmarks (all but `compare` when none is
 * named). `compare` takes options: the words after it, up to the next name.
 */
const BENCHMARKS: Readonly<Record<string, (args: readonly string[]) => Promise<string>>> = {
  bus: () => benchBus(),
  compare: (args) => benchCompare(args),
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
  scale: () => benchScale(),
  spool: () => benchSpool(),
};

async function main(): Promise<void> {
  const chosen: { name: string; args: string[] }[] = [];
  for (const word of process.argv.slice(2)) {
    if (Object.hasOwn(BENCHMARKS, word)) chosen.push({ name: word, args: [] });
    else if (chosen.at(-1)?.name === "compare") chosen.at(-1)!.args.push(word);
    else throw new Error(`no benchmark "${word}"; there are: ${Object.keys(BENCHMARKS).join(", ")} (only compare takes options)`);
  }
  // compare is left out of "all": it starts a second daemon and runs for minutes.
  if (chosen.length === 0)
    chosen.push(
      ...Object.keys(BENCHMARKS)
        .filter((n) => n !== "compare")
        .map((name) => ({ name, args: [] })),
    );
  for (const { name, args } of chosen) console.log(await BENCHMARKS[name]!(args));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
