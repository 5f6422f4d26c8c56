import type { RowHint } from "../../../core/livestatus/table-registry";
import type { HostEntry, StateEngine } from "../../../core/state/state-engine";
import { SortedKeys, byCodeUnit, type KeyedSource } from "./sorted-keys";

/**
 * The hosts a query visits, sorted by name: only those named by the hint (one O(1) lookup
 * each: NagVis asks for its map's hosts by name), else every host, in an order kept sorted
 * across queries. Both tables walk hosts this way (services by host name).
 */
export class HostRows {
  private readonly order = new SortedKeys();
  private readonly source: KeyedSource<Readonly<HostEntry>>;

  constructor(engine: StateEngine) {
    this.source = {
      get size() {
        return engine.hostCount;
      },
      get: (name) => engine.host(name),
      keys: () => hostNames(engine),
    };
  }

  entries(hint: RowHint): readonly Readonly<HostEntry>[] {
    if (hint.keys === undefined) return this.order.values(this.source);
    const out: Readonly<HostEntry>[] = [];
    for (const name of [...hint.keys].sort(byCodeUnit)) {
      const entry = this.source.get(name);
      if (entry !== undefined) out.push(entry);
    }
    return out;
  }
}

function* hostNames(engine: StateEngine): IterableIterator<string> {
  for (const h of engine.allHosts()) yield h.name;
}
