/**
 * The store's reads, written beside it: `loadStateFromCluster` (./state-loader) for load()
 * and `readLogFromCluster` (./log-reader) for readLog(). Their signatures are fixed here; the
 * store takes them through `ClusterReaders`, so that its tests run with readers of their own.
 */
import type { LogPage, LogQuery } from "../../../core/store/log-query";
import type { StoredState } from "../../../core/store/state-store";
import type { Client } from "./client";
import type { IndexNames } from "./documents";

export interface ReadOptions {
  /** Documents per search page. */
  readonly pageSize: number;
  readonly requestTimeout: number;
}

export type LoadStateFromCluster = (client: Client, names: IndexNames, node: string, options: ReadOptions) => Promise<StoredState>;
export type ReadLogFromCluster = (client: Client, names: IndexNames, query: LogQuery, options: ReadOptions) => Promise<LogPage>;

export interface ClusterReaders {
  readonly loadState: LoadStateFromCluster;
  readonly readLog: ReadLogFromCluster;
}

/**
 * The readers of ./state-loader and ./log-reader, loaded when first used.
 * INTERIM (issue 13 in progress): the two modules are written on another branch; until they
 * are merged this resolves them at run time, so this branch builds without them. Once merged,
 * replace the two requires by static imports.
 */
export const clusterReaders: ClusterReaders = {
  loadState: async (client, names, node, options) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- see INTERIM above
    const m = require("./state-loader") as { loadStateFromCluster: LoadStateFromCluster };
    return await m.loadStateFromCluster(client, names, node, options);
  },
  readLog: async (client, names, query, options) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- see INTERIM above
    const m = require("./log-reader") as { readLogFromCluster: ReadLogFromCluster };
    return await m.readLogFromCluster(client, names, query, options);
  },
};
