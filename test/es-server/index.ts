/** The Elasticsearch-compatible test server (see README.md). */
export {
  startEsServer,
  SERVER_VERSION,
  type EsServer,
  type EsServerOptions,
  type Fault,
  type ItemMatch,
  type LoggedRequest,
  type RequestMatch,
} from "./server";
export { compileLuceneRegexp, parseRegexpFlags, RegexpFlag, RegexpSyntaxError, type LuceneRegexp } from "./lucene-regexp";
export { esTarget, realClusterUrl, realClusterOnly, testServerOnly, type EsTarget, type RawAnswer } from "./target";
