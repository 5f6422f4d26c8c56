import type { CheckState, HostState, RowBlock, RowHint, TableContext, TableParts } from "../../../core";
import { HostRows } from "../common/host-rows";
import { sortedServices, type HostView } from "../common/host-view";
import { SERVICE_COLUMNS, serviceVisibleTo, type ServiceRow } from "./service-columns";

/**
 * The Livestatus `services` table over the state: one row per service, sorted by host
 * name then description. The hint names hosts (`host_name = X`): only their services are visited.
 */
export function servicesTable({ state, clock }: TableContext): TableParts<ServiceRow> {
  const hosts = new HostRows(state);
  return {
    prefix: "service_",
    columns: SERVICE_COLUMNS,
    keyColumns: ["host_name"],
    // An array, not a generator: resuming a generator per row costs as much as the row itself on a full scan.
    rows(hint: RowHint): Iterable<ServiceRow> {
      const out: ServiceRow[] = [];
      for (const block of serviceBlocks(hosts, hint, clock.now() / 1000)) {
        const host = block.view();
        for (const service of block.services) out.push({ host, service });
      }
      return out;
    },
    blocks: (hint) => serviceBlocks(hosts, hint, clock.now() / 1000),
    visibleTo: serviceVisibleTo,
    // A service's check state is replaced, never changed, on every result or command: its rendering is reusable while it stands.
    rowVersion: (row) => row.service,
  };
}

/**
 * The services of each host the hint allows, a block per host, as they are when the query
 * starts (each host's sorted list is kept between queries, so this costs a lookup per host).
 */
function serviceBlocks(hosts: HostRows, hint: RowHint, now: number): ServiceBlock[] {
  const out: ServiceBlock[] = [];
  for (const entry of hosts.entries(hint)) out.push(new ServiceBlock(hosts, entry, now));
  return out;
}

/**
 * One host's services as a RowBlock. Its key is the host's sorted list of service states:
 * a new list whenever a service of the host is added, removed or gets a new state (the
 * host's version moves), so the same list means the same rows with the same states.
 * Rows are handed out in one object per block: a full scan builds no object per service,
 * and a block whose rendering or counts are kept builds not even its host's view.
 */
class ServiceBlock implements RowBlock<ServiceRow> {
  readonly services: readonly CheckState[];
  private current: { host: HostView; service: CheckState } | undefined;
  private host: HostView | undefined;

  constructor(
    private readonly hosts: HostRows,
    private readonly entry: HostState,
    private readonly now: number,
  ) {
    this.services = sortedServices(entry);
  }

  get key(): object {
    return this.services;
  }

  get size(): number {
    return this.services.length;
  }

  /** The host's view for this query, made on first use. */
  view(): HostView {
    this.host ??= this.hosts.view(this.entry, this.now);
    return this.host;
  }

  row(i: number): ServiceRow {
    const service = this.services[i]!;
    if (this.current === undefined) this.current = { host: this.view(), service };
    else this.current.service = service;
    return this.current;
  }
}
