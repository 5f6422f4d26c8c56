/**
 * The store's reads: `loadStateFromCluster` and `loadHostsFromCluster` (./state-loader) for
 * load() and loadHosts(), `readLogFromCluster` (./log-reader) for readLog(). The store takes
 * them through `ClusterReaders`, so that its tests run with readers of their own.
 */
import type { LogPage, LogQuery } from "../../../core/store/log-query";
import type { StoredState } from "../../../core/store/state-store";
import type { Client } from "./client";
import type { IndexNames } from "./documents";
import { readLogFromCluster, type ClusterReadOptions } from "./log-reader";
import { loadHostsFromCluster, loadStateFromCluster } from "./state-loader";

export type ReadOptions = ClusterReadOptions;

export interface ClusterReaders {
  readonly loadState: (client: Client, names: IndexNames, node: string, options: ReadOptions) => Promise<StoredState>;
  readonly readLog: (client: Client, names: IndexNames, query: LogQuery, options: ReadOptions) => Promise<LogPage>;
  /** Absent in tests that do not need it: then no host is ever taken over. */
  readonly loadHosts?: (client: Client, names: IndexNames, hostnames: readonly string[], options: ReadOptions) => Promise<StoredState>;
}

export const clusterReaders: ClusterReaders = {
  loadState: loadStateFromCluster,
  readLog: readLogFromCluster,
  loadHosts: loadHostsFromCluster,
};
