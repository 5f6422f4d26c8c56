/**
 * Small in-memory tables for the query engine and listener tests: a hosts-like table with
 * a column of every type, keyed by name, with AuthUser by a contacts list; and a
 * services-like one keyed by host_name with a description (for WaitObject host;service).
 * Rows come sorted by key, as the real tables yield them; every hint rows() gets is kept.
 */
import type { ColumnSpec, TableSpec } from "../../../core/livestatus/query/column";
import type { LivestatusTable, RowHint } from "../../../core/livestatus/query/table-registry";
import { TableRegistry } from "../../../core/livestatus/query/table-registry";

export interface TestHost {
  readonly name: string;
  readonly state: number;
  readonly staleness: number;
  readonly last_check: number;
  readonly plugin_output: string;
  readonly groups: readonly string[];
  readonly contacts: readonly string[];
  readonly custom_variables: Readonly<Record<string, string>>;
}

export const HOST_COLUMNS: readonly ColumnSpec<TestHost>[] = [
  { name: "name", type: "string", description: "host name", get: (h) => h.name },
  { name: "state", type: "int", description: "0 UP 1 DOWN 2 UNREACHABLE", get: (h) => h.state },
  { name: "staleness", type: "float", description: "age / interval", get: (h) => h.staleness },
  { name: "last_check", type: "time", description: "last result", get: (h) => h.last_check },
  { name: "plugin_output", type: "string", description: "output", get: (h) => h.plugin_output },
  { name: "groups", type: "list", description: "host groups", get: (h) => h.groups },
  { name: "contacts", type: "list", description: "contacts", get: (h) => h.contacts },
  { name: "custom_variables", type: "dict", description: "custom variables", get: (h) => h.custom_variables },
];

const HOSTS_SPEC: TableSpec<TestHost> = { name: "hosts", prefix: "host_", columns: HOST_COLUMNS };

export function testHost(name: string, overrides: Partial<TestHost> = {}): TestHost {
  return {
    name,
    state: 0,
    staleness: 0.5,
    last_check: 1_700_000_000,
    plugin_output: `OK - ${name}`,
    groups: [],
    contacts: [],
    custom_variables: {},
    ...overrides,
  };
}

/** Rows by key in a Map, yielded in key order; `hints` records what each rows() call was given. */
abstract class KeyedTable<Row> implements LivestatusTable<Row> {
  abstract readonly spec: TableSpec<Row>;
  abstract readonly keyColumns: readonly string[];
  readonly hints: RowHint[] = [];
  protected readonly byKey = new Map<string, Row[]>();

  protected abstract keyOf(row: Row): string;
  protected abstract sameRow(a: Row, b: Row): boolean;

  set(row: Row): void {
    const key = this.keyOf(row);
    const rows = (this.byKey.get(key) ?? []).filter((r) => !this.sameRow(r, row));
    this.byKey.set(key, [...rows, row]);
  }

  clear(): void {
    this.byKey.clear();
  }

  *rows(hint: RowHint): Iterable<Row> {
    this.hints.push(hint);
    const keys = hint.keys === undefined ? [...this.byKey.keys()] : [...hint.keys].filter((k) => this.byKey.has(k));
    for (const key of keys.sort()) yield* this.byKey.get(key)!;
  }
}

export class TestHostsTable extends KeyedTable<TestHost> {
  readonly spec = HOSTS_SPEC;
  readonly keyColumns = ["name"];
  readonly visibleTo = (row: TestHost, user: string): boolean => row.contacts.includes(user);
  protected keyOf(row: TestHost): string {
    return row.name;
  }
  protected sameRow(a: TestHost, b: TestHost): boolean {
    return a.name === b.name;
  }
}

export interface TestService {
  readonly host_name: string;
  readonly description: string;
  readonly state: number;
  readonly plugin_output: string;
  readonly last_check: number;
}

const SERVICES_SPEC: TableSpec<TestService> = {
  name: "services",
  prefix: "service_",
  columns: [
    { name: "host_name", type: "string", description: "host name", get: (s) => s.host_name },
    { name: "description", type: "string", description: "service description", get: (s) => s.description },
    { name: "state", type: "int", description: "0 OK 1 WARN 2 CRIT 3 UNKNOWN", get: (s) => s.state },
    { name: "plugin_output", type: "string", description: "output", get: (s) => s.plugin_output },
    { name: "last_check", type: "time", description: "last result", get: (s) => s.last_check },
  ],
};

export class TestServicesTable extends KeyedTable<TestService> {
  readonly spec = SERVICES_SPEC;
  readonly keyColumns = ["host_name"];
  protected keyOf(row: TestService): string {
    return row.host_name;
  }
  protected sameRow(a: TestService, b: TestService): boolean {
    return a.host_name === b.host_name && a.description === b.description;
  }
  override *rows(hint: RowHint): Iterable<TestService> {
    // Services sorted by host, then description.
    const rows = [...super.rows(hint)];
    yield* rows.sort((a, b) => (a.host_name === b.host_name ? (a.description < b.description ? -1 : 1) : 0));
  }
}

/** A keyless single-row table, like status. */
export class TestStatusTable implements LivestatusTable<{ readonly num_hosts: number }> {
  readonly spec: TableSpec<{ readonly num_hosts: number }> = {
    name: "status",
    prefix: "status_",
    columns: [{ name: "num_hosts", type: "int", description: "hosts", get: (r) => r.num_hosts }],
  };
  readonly keyColumns: readonly string[] = [];
  constructor(private readonly hosts: TestHostsTable) {}
  *rows(): Iterable<{ readonly num_hosts: number }> {
    yield { num_hosts: [...this.hosts.rows({})].length };
  }
}

export interface TestTables {
  readonly registry: TableRegistry;
  readonly hosts: TestHostsTable;
  readonly services: TestServicesTable;
}

/** Three hosts (one DOWN) in two groups, with contacts and custom variables, and four services. */
export function testTables(): TestTables {
  const hosts = new TestHostsTable();
  hosts.set(testHost("web1", { groups: ["web", "prod"], contacts: ["alice"], custom_variables: { ROLE: "frontend" }, staleness: 0.25 }));
  hosts.set(testHost("db1", { state: 1, plugin_output: 'DOWN - café; "quoted"', groups: ["db"], contacts: ["bob"], last_check: 1_700_000_100, staleness: 2 }));
  hosts.set(testHost("web2", { groups: ["web"], contacts: ["alice", "bob"], last_check: 1_700_000_200 }));
  const services = new TestServicesTable();
  for (const [host_name, description, state] of [
    ["db1", "disk", 2],
    ["db1", "cpu", 0],
    ["web1", "http", 0],
    ["web2", "http", 1],
  ] as const) {
    services.set({ host_name, description, state, plugin_output: `${description} on ${host_name}`, last_check: 1_700_000_000 });
  }
  const registry = new TableRegistry();
  registry.add(hosts);
  registry.add(services);
  registry.add(new TestStatusTable(hosts));
  return { registry, hosts, services };
}
