import type { HostState, RowHint, StateView } from "../../../core";
import { HostView } from "./host-view";
import { SortedKeys, byCodeUnit, type KeyedSource } from "./sorted-keys";

/**
 * The hosts a query visits, sorted by name: only those named by the hint (one O(1) lookup
 * each: NagVis asks for its map's hosts by name), else every host, in an order kept sorted
 * across queries. Both tables walk hosts this way (services by host name).
 */
export class HostRows {
  private readonly order = new SortedKeys();
  private readonly source: KeyedSource<HostState>;

  constructor(private readonly state: StateView) {
    this.source = {
      get size() {
        return state.hostCount;
      },
      get: (name) => state.host(name),
      keys: () => hostNames(state),
    };
  }

  entries(hint: RowHint): readonly HostState[] {
    // Host entries are updated in place: the list changes only when a host appears or goes.
    if (hint.keys === undefined) return this.order.values(this.source, this.state.hostsVersion);
    const out: HostState[] = [];
    for (const name of [...hint.keys].sort(byCodeUnit)) {
      const entry = this.source.get(name);
      if (entry !== undefined) out.push(entry);
    }
    return out;
  }

  /** One host by name (records name their host; the entry may be gone meanwhile). */
  entry(name: string): HostState | undefined {
    return this.state.host(name);
  }

  /** A host's view for one query (`now` in seconds), reading its downtimes and comments from the state. */
  view(entry: HostState, now: number): HostView {
    return new HostView(entry, now, this.state);
  }
}

function* hostNames(state: StateView): IterableIterator<string> {
  for (const h of state.allHosts()) yield h.name;
}
