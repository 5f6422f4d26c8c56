import type { CheckState, RowBlock, RowHint, TableContext, TableParts } from "../../../core";
import { HostRows } from "../common/host-rows";
import type { HostView } from "../common/host-view";
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
      for (const block of serviceBlocks(hosts, hint, clock.now() / 1000)) for (const service of block.services) out.push({ host: block.host, service });
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
  for (const entry of hosts.entries(hint)) {
    const host = hosts.view(entry, now);
    out.push(new ServiceBlock(host, host.services()));
  }
  return out;
}

/**
 * One host's services as a RowBlock. Its key is the host's sorted list of service states:
 * a new list whenever a service of the host is added, removed or gets a new state (the
 * host's version moves), so the same list means the same rows with the same states.
 * Rows are handed out in one object per block: a full scan builds no object per service.
 */
class ServiceBlock implements RowBlock<ServiceRow> {
  private readonly current: { host: HostView; service: CheckState };

  constructor(
    readonly host: HostView,
    readonly services: readonly CheckState[],
  ) {
    // Never read before row() sets it: size is 0 when there is no service.
    this.current = { host, service: services[0]! };
  }

  get key(): object {
    return this.services;
  }

  get size(): number {
    return this.services.length;
  }

  row(i: number): ServiceRow {
    this.current.service = this.services[i]!;
    return this.current;
  }
}
