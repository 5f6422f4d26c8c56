import type { RowHint } from "../../../core/livestatus/table-registry";
import type { HostEntry, StateEngine } from "../../../core/state/state-engine";
import { HostView } from "./host-view";
import { SortedKeys, byCodeUnit, type KeyedSource } from "./sorted-keys";

/**
 * The hosts a query visits, sorted by name: only those named by the hint (one O(1) lookup
 * each: NagVis asks for its map's hosts by name), else every host, in an order kept sorted
 * across queries. Both tables walk hosts this way (services by host name).
 */
export class HostRows {
  private readonly order = new SortedKeys();
  private readonly source: KeyedSource<Readonly<HostEntry>>;

  constructor(private readonly engine: StateEngine) {
    this.source = {
      get size() {
        return engine.hostCount;
      },
      get: (name) => engine.host(name),
      keys: () => hostNames(engine),
    };
  }

  entries(hint: RowHint): readonly Readonly<HostEntry>[] {
    // Host entries are updated in place: the list changes only when a host appears or goes.
    if (hint.keys === undefined) return this.order.values(this.source, this.engine.hostsVersion);
    const out: Readonly<HostEntry>[] = [];
    for (const name of [...hint.keys].sort(byCodeUnit)) {
      const entry = this.source.get(name);
      if (entry !== undefined) out.push(entry);
    }
    return out;
  }

  /** One host by name (records name their host; the entry may be gone meanwhile). */
  entry(name: string): Readonly<HostEntry> | undefined {
    return this.engine.host(name);
  }

  /** A host's view for one query (`now` in seconds), reading its downtimes and comments from the engine. */
  view(entry: Readonly<HostEntry>, now: number): HostView {
    return new HostView(entry, now, this.engine);
  }
}

function* hostNames(engine: StateEngine): IterableIterator<string> {
  for (const h of engine.allHosts()) yield h.name;
}
